"""Build a corpus with `uofdb build` and score it against gold labels: the `score` stage.

    python scripts/score_dev.py --articles DIR --build DIR --scorer score.py \
        --score GOLD.jsonl METRICS.json [--score GOLD2.jsonl METRICS2.json ...]

Builds the --articles folder from scratch into --build with the project's CLI, then, for
each --score pair, runs the shared scorer (`../shared/eval/score.py`), prints its
table, keeps its full JSON (with every mismatch) in the build folder as
`score-<gold name>.json`, and writes the figures without that list to METRICS.json:
the headline figures, and per field the article and incident accuracy and the
article-level wrong and missed counts. METRICS.json is what `dvc metrics show` reads
(metrics/dvc.yaml); see the README, "Measuring accuracy".
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

DIGITS = 4  # figures are rounded so that metrics files diff cleanly
BUILD_FILES = {".parquet", ".duckdb", ".json"}  # what a build folder may hold before it is cleared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True, help="folder of articles to build")
    parser.add_argument("--build", type=Path, required=True, help="output folder of the build (emptied first)")
    parser.add_argument("--scorer", type=Path, required=True, help="the scorer, ../shared/eval/score.py")
    parser.add_argument("--score", nargs=2, action="append", type=Path, required=True,
                        metavar=("GOLD", "METRICS"), help="gold labels and the metrics file to write for them")
    args = parser.parse_args(argv)

    for path in [args.articles, args.scorer, *(gold for gold, _ in args.score)]:
        if not path.exists():
            print(f"score_dev: {path} is not here (the dev corpus and scorer live in ../shared)", file=sys.stderr)
            return 2
    clear(args.build)
    # A fresh build: no previous articles table, so the figures depend only on code, params and data.
    run([uofdb(), "build", "--raw", str(args.articles), "--out", str(args.build)])
    for gold, metrics in args.score:
        full = args.build / f"score-{gold.name.removesuffix('.jsonl')}.json"
        print(f"\n== {gold} ==", flush=True)
        run([sys.executable, str(args.scorer), "--gold", str(gold), "--build", str(args.build), "--json", str(full)])
        metrics.parent.mkdir(parents=True, exist_ok=True)
        metrics.write_text(json.dumps(trim(json.loads(full.read_text())), indent=2) + "\n")
    return 0


def trim(result: dict) -> dict:
    """The scorer's figures without its list of errors: the headline figures, then per field.

    `dvc metrics show` sorts the keys, so `headline.*` comes before `per_field.*`.
    """
    def r(value: float) -> float:
        return round(value, DIGITS)

    relevance, linking = result["relevance"], result["linking_bcubed"]
    article, incident = result["article_field_accuracy"], result["incident_field_accuracy"]
    wrong, missed = result["article_field_wrong"], result["article_field_missed"]
    headline = {
        "relevance_f1": r(relevance["f1"]), "relevance_precision": r(relevance["precision"]),
        "relevance_recall": r(relevance["recall"]),
        "article_field_accuracy": r(result["article_field_accuracy_mean"]),
        "article_wrong": sum(wrong.values()), "article_missed": sum(missed.values()),
        "linking_bcubed_f1": r(linking["f1"]), "linking_bcubed_precision": r(linking["precision"]),
        "linking_bcubed_recall": r(linking["recall"]),
        "incident_field_accuracy": r(result["incident_field_accuracy_mean"]),
    }
    # The scorer's own headline minimum (its --min gate) over the same four figures.
    headline["min"] = r(min(relevance["f1"], result["article_field_accuracy_mean"], linking["f1"],
                            result["incident_field_accuracy_mean"]))
    return {
        "articles_scored": result["articles_scored"],
        "articles_missing": len(result["articles_missing"]),
        "headline": headline,
        "per_field": {field: {"article": r(article[field]), "incident": r(incident[field]),
                              "wrong": wrong[field], "missed": missed[field]} for field in article},
    }


def clear(build: Path) -> None:
    """Remove a previous build, refusing a folder that holds anything a build would not write."""
    if not build.exists():
        return
    unknown = [path.name for path in build.iterdir()
               if path.name != ".uofdb" and (path.is_dir() or path.suffix not in BUILD_FILES)]  # .uofdb: etl.publish
    if unknown:
        raise SystemExit(f"score_dev: {build} holds {unknown[0]}, which no build writes: choose another --build")
    shutil.rmtree(build)


def uofdb() -> str:
    """The `uofdb` command of this interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "uofdb"
    return str(beside) if beside.exists() else (shutil.which("uofdb") or "uofdb")


def run(command: list[str]) -> None:
    done = subprocess.run(command)
    if done.returncode != 0:
        raise SystemExit(f"score_dev: {' '.join(command)} failed ({done.returncode})")


if __name__ == "__main__":
    sys.exit(main())
