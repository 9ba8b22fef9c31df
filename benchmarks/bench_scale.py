"""Build synthetic corpora of 10,000 and 100,000 articles: seconds, articles/s and peak memory per stage, and accuracy.

    python benchmarks/bench_scale.py [--articles 10000 100000] [--jobs N] [--quick] [--seed 1]

For each size: `benchmarks/synth.py` writes the corpus and its gold labels into a
temporary folder; the five stage commands (`uofdb ingest`, `extract --jobs N`,
`link`, `validate`, `publish`, each with `--interim`) run one after another, each
its own process, timed, with its peak resident memory (the largest process of the
stage, extract's workers included: `os.wait4`'s `ru_maxrss`, or the largest high-water
mark of the processes under it, read while it runs); then `uofdb build
--jobs N` runs the whole build in one process, timed end to end, as `make build` runs
it: with the stage caches, here empty ones (paths.cache); `../shared/eval/score.py`
scores it against the synthetic gold (its summary lines are printed). Then the same
build on a local Dask cluster (`--engine dask`, its time beside the local engine's and
whether its tables are byte for byte the same), and the incremental rebuilds: one relevant
article changed and the end-to-end build run again, reading the cache the first one wrote; then one
article added, read first, and the build run once more. Last,
`dateparser.search_dates` (`pip install '.[bench]'`) reads a sample of the same articles
as a naive baseline for the extract stage, with the ratio. `--quick` builds 2,000
articles only. Every command runs with the repository's params.yaml, its paths moved
into the temporary folder, so every build but the rebuild is cold. Speed is read, not
asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path[:0] = [str(REPO), str(BENCHMARKS)]

import yaml  # noqa: E402

import synth  # noqa: E402

SCORER = REPO.parent / "shared" / "eval" / "score.py"
PARAMS = REPO / "params.yaml"
CARRIED_OVER = ("cache",)  # paths that carry results from one build to the next: none here
QUICK_SIZE = 2_000
BASELINE_SAMPLE = 500  # articles dateparser reads: it runs at tens of articles a second
SCORE_LINES = ("articles scored", "relevance", "linking", "field", "mean", "headline")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="example: python benchmarks/bench_scale.py --quick --jobs 2")
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000], help="corpus sizes")
    parser.add_argument("--quick", action="store_true", help=f"one corpus of {QUICK_SIZE:,} articles")
    parser.add_argument("--jobs", type=int, help="processes that extract (default: extract.jobs of params.yaml)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic corpus")
    parser.add_argument("--baseline-sample", type=int, default=BASELINE_SAMPLE,
                        help="articles dateparser.search_dates reads (0: no baseline)")
    args = parser.parse_args()
    sizes = [QUICK_SIZE] if args.quick else args.articles
    print(f"bench_scale: {os.cpu_count()} cores, --jobs {args.jobs if args.jobs is not None else 'from params.yaml'}")
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="uofdb-bench-scale-") as scratch:
            results.append(measure(size, args.seed, args.jobs, Path(scratch), args.baseline_sample))
        print(report(results[-1]), flush=True)
    print(targets(results))
    return 0


# ---- measure --------------------------------------------------------------------------------

def cold_params(repo_params: Path, folder: Path, cache: Path | None = None) -> Path:
    """A copy of the repository's parameters whose paths all lead into `folder` (where nothing is, so no
    corrections file is read), with no stage caches unless `cache` is given: every build is a cold
    build of its own inputs, and nothing is written into the repository."""
    given = yaml.safe_load(repo_params.read_text()) or {}
    paths = given.get("paths") or {}
    given["paths"] = {key: None if key in CARRIED_OVER else str(folder / "paths" / key) for key in paths}
    if cache is not None:
        given["paths"]["cache"] = str(cache)
    written = folder / "params.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    written.write_text(yaml.safe_dump(given, sort_keys=False))
    return written


def measure(size: int, seed: int, jobs: int | None, scratch: Path, baseline_sample: int) -> dict:
    """Synthesise, run the stages one by one, then the whole build, score it, and time the baseline."""
    corpus, interim = scratch / "corpus", scratch / "interim"
    params = cold_params(PARAMS, scratch)
    started = time.perf_counter()
    counts = synth.run(size, seed, corpus)
    result = {"articles": size, "counts": counts, "synth_seconds": time.perf_counter() - started, "stages": []}
    jobs_flag = ["--jobs", str(jobs)] if jobs is not None else []
    stages = [("ingest", ["--raw", str(corpus / "articles")]), ("extract", jobs_flag), ("link", []),
              ("validate", []), ("publish", ["--out", str(scratch / "stages-out")])]
    for stage, extra in stages:
        seconds, peak_mb, _ = timed(uofdb(params, stage, "--interim", str(interim), *extra))
        result["stages"].append({"stage": stage, "seconds": seconds, "peak_mb": peak_mb})
    shutil.rmtree(interim)
    # The end-to-end build runs as `make build` does, with the stage caches (here empty ones):
    # the incremental rebuild then reads it.
    build_out = scratch / "build-out"
    cached = cold_params(PARAMS, scratch / "cached", cache=scratch / "cache")
    build_command = uofdb(cached, "build", "--raw", str(corpus / "articles"), "--out", str(build_out), *jobs_flag)
    seconds, peak_mb, output = timed(build_command)
    result["build"] = {"seconds": seconds, "peak_mb": peak_mb,
                       "line": next((line for line in output.splitlines() if line.startswith("uofdb build:")), "")}
    result["score"] = score(corpus / "gold.jsonl", build_out, scratch / "score.json")
    result["dask"] = dask_build(params, corpus, scratch / "dask-out", jobs, build_out)
    result["incremental"] = incremental(corpus, build_command)
    result["added"] = added(corpus, build_command)
    result["baseline"] = baseline(sorted((corpus / "articles").rglob("*.txt")), baseline_sample)
    return result


def dask_build(params: Path, corpus: Path, out: Path, jobs: int | None, local_out: Path) -> dict:
    """The whole build on a local Dask cluster (`--engine dask`, `jobs` workers): seconds, and whether
    its published Parquet files are byte for byte the local engine's."""
    jobs_flag = ["--jobs", str(jobs)] if jobs is not None else []
    seconds, peak_mb, _ = timed(uofdb(params, "build", "--raw", str(corpus / "articles"), "--out", str(out),
                                      "--engine", "dask", *jobs_flag))
    names = sorted(path.name for path in local_out.glob("*.parquet"))
    same = all((out / name).read_bytes() == (local_out / name).read_bytes() for name in names)
    return {"seconds": seconds, "peak_mb": peak_mb, "identical": same and names == sorted(
        path.name for path in out.glob("*.parquet"))}


def incremental(corpus: Path, command: list[str]) -> dict:
    """One relevant article changed and the build `command` (which has built the corpus once, with the
    stage caches) run again: the seconds of that rebuild and its peak memory. A relevant article, so the
    change reaches every stage (an irrelevant one's would stop at extract: linking never reads it)."""
    changed = first_relevant_article(corpus)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThis article was updated.\n", encoding="utf-8")
    again, peak_mb, _ = timed(command)
    return {"seconds": again, "peak_mb": peak_mb}


def first_relevant_article(corpus: Path) -> Path:
    """The file of the first article (in file order) the synthetic gold marks relevant."""
    with (corpus / "gold.jsonl").open(encoding="utf-8") as gold:
        relevant = {row["article_id"] for row in map(json.loads, gold) if row["relevant"]}
    articles = corpus / "articles"
    return next(path for path in sorted(articles.rglob("*.txt"))
                if path.relative_to(articles).with_suffix("").as_posix() in relevant)


def added(corpus: Path, command: list[str]) -> dict:
    """One article added, read before all the others (another outlet's copy of a story in the middle
    of the corpus, with a line of its own), and the build `command` run again: its seconds and peak."""
    files = sorted((corpus / "articles").rglob("*.txt"))
    story = files[len(files) // 2].read_text(encoding="utf-8")
    (files[0].parent / f"{files[0].stem}-added.txt").write_text(story + "\nThis report was added later.\n",
                                                                encoding="utf-8")
    again, peak_mb, _ = timed(command)
    return {"seconds": again, "peak_mb": peak_mb}


def uofdb(params: Path, *arguments: str) -> list[str]:
    """The `uofdb` command of this repository with the parameters `params`."""
    return [sys.executable, "-m", "etl.cli", "--params", str(params), *arguments]


def timed(command: list[str]) -> tuple[float, float, str]:
    """Run `command`: (wall seconds, peak RSS in MB of its largest process, its stdout).

    The peak is the larger of `os.wait4`'s (the command and the descendants it waited for) and the
    high-water marks of all its descendants read while it runs (`PeakWatch`): processes started by a
    forkserver (the build's stages, extract's workers) are not waited for by the command itself."""
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=environment, cwd=REPO)
        with PeakWatch(process.pid) as watch:
            _, status, usage = os.wait4(process.pid, 0)  # this child's own usage, not the earlier stages'
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read().decode(), stderr.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{errors[-3000:]}")
    return seconds, max(usage.ru_maxrss, watch.peak_kib) / 1024, output  # ru_maxrss is in KiB on Linux


class PeakWatch(threading.Thread):
    """The largest VmHWM (peak resident memory, KiB) of any process under `pid`, read every `every` seconds
    until stopped (Linux /proc; elsewhere 0). A process's mark is read while it lives: one that ends
    between two reads keeps the mark of the read before."""

    def __init__(self, pid: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kib = pid, every, 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            for pid in _descendants(self.pid):
                self.peak_kib = max(self.peak_kib, _high_water_kib(pid))
            self._stopped.wait(self.every)

    def __enter__(self) -> "PeakWatch":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self.join()


def _descendants(pid: int) -> list[int]:
    found, waiting = [], [pid]
    while waiting:
        parent = waiting.pop()
        found.append(parent)
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as children:
                    waiting.extend(int(child) for child in children.read().split())
        except OSError:  # ended meanwhile, or no /proc
            continue
    return found


def _high_water_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def score(gold: Path, build_out: Path, json_out: Path) -> dict:
    """The scorer's summary lines and headline figures for the build against the synthetic gold."""
    if not SCORER.is_file():
        return {"lines": [f"no scorer at {SCORER}: accuracy not measured"]}
    done = subprocess.run([sys.executable, str(SCORER), "--gold", str(gold), "--build", str(build_out),
                           "--json", str(json_out)], capture_output=True, text=True, check=True)
    figures = json.loads(json_out.read_text())
    return {"lines": [line for line in done.stdout.splitlines() if line.startswith(SCORE_LINES)],
            "relevance_f1": figures["relevance"]["f1"], "linking_f1": figures["linking_bcubed"]["f1"],
            "article_accuracy": figures["article_field_accuracy_mean"],
            "incident_accuracy": figures["incident_field_accuracy_mean"]}


def baseline(paths: list[Path], sample: int) -> dict | None:
    """Articles per second of `dateparser.search_dates` (English) over an even sample of the articles."""
    if sample <= 0 or not paths:
        return None
    try:
        from dateparser.search import search_dates
    except ImportError:
        return {"missing": "dateparser is not installed (pip install '.[bench]')"}
    step = max(1, len(paths) // sample)
    texts = [path.read_text(encoding="utf-8") for path in paths[::step][:sample]]
    search_dates(texts[0], languages=["en"])  # load its language data before timing
    started = time.perf_counter()
    for text in texts:
        search_dates(text, languages=["en"])
    seconds = time.perf_counter() - started
    return {"articles": len(texts), "seconds": seconds, "rate": len(texts) / seconds}


# ---- report ---------------------------------------------------------------------------------

def report(result: dict) -> str:
    """The table of one size: a row per stage, the whole build, accuracy and the baseline."""
    size, counts = result["articles"], result["counts"]
    lines = [f"\n{size:,} synthetic articles ({counts['relevant']:,} relevant, {counts['incidents']:,} incidents; "
             f"written in {result['synth_seconds']:.1f} s, {size / result['synth_seconds']:,.0f} articles/s)",
             f"{'':30} {'seconds':>9} {'articles/s':>11} {'peak RSS MB':>12}"]
    for row in result["stages"]:
        lines.append(f"{'uofdb ' + row['stage']:30} {row['seconds']:9.1f} {size / row['seconds']:11,.0f} "
                     f"{row['peak_mb']:12,.0f}")
    total = sum(row["seconds"] for row in result["stages"])
    lines.append(f"{'stages one by one, in all':30} {total:9.1f} {size / total:11,.0f} "
                 f"{max(row['peak_mb'] for row in result['stages']):12,.0f}")
    build = result["build"]
    lines.append(f"{'uofdb build, end to end':30} {build['seconds']:9.1f} {size / build['seconds']:11,.0f} "
                 f"{build['peak_mb']:12,.0f}")
    lines.append(f"  {build['line']}")
    dask = result["dask"]
    lines.append(f"{'uofdb build --engine dask':30} {dask['seconds']:9.1f} {size / dask['seconds']:11,.0f} "
                 f"{dask['peak_mb']:12,.0f}")
    lines.append(f"  x{dask['seconds'] / build['seconds']:.2f} the local engine's time; published tables "
                 f"{'identical' if dask['identical'] else 'DIFFERENT'} to the local engine's")
    again = result["incremental"]
    lines.append(f"{'rebuild after one article':30} {again['seconds']:9.1f} {'':>11} {again['peak_mb']:12,.0f}")
    lines.append(f"  the end-to-end build above wrote the ingest, extract and link caches (paths.cache), then one article "
                 f"(a relevant one) changed and the build ran again in {again['seconds']:.1f} s")
    more = result["added"]
    lines.append(f"{'rebuild after one more article':30} {more['seconds']:9.1f} {'':>11} {more['peak_mb']:12,.0f}")
    lines.append(f"  then one article was added, read before all the others, and the build ran again in "
                 f"{more['seconds']:.1f} s")
    lines.append("accuracy on the synthetic gold (../shared/eval/score.py):")
    lines += [f"  {line}" for line in result["score"]["lines"]]
    base = result["baseline"]
    if base is None:
        return "\n".join(lines)
    if "missing" in base:
        lines.append(f"baseline: {base['missing']}")
        return "\n".join(lines)
    extract = next(row for row in result["stages"] if row["stage"] == "extract")
    rate = size / extract["seconds"]
    lines.append(f"baseline: dateparser.search_dates over {base['articles']} of the articles: {base['rate']:,.1f} "
                 f"articles/s on one core; uofdb extract {rate:,.0f} articles/s, x{rate / base['rate']:,.1f}")
    return "\n".join(lines)


# The targets for the largest corpus (100,000 articles), on two cores.
TARGET_RATE = 1_000           # articles/s end to end
TARGET_PEAK_MB = 1_536        # peak RSS of the build
TARGET_PEAK_GROWTH = 1.5      # peak RSS at the largest size over the smallest's
TARGET_REBUILD_SECONDS = 10   # rebuild after one article changed
TARGET_DASK_RATIO = 1.5       # the Dask engine's time over the local one's


def targets(results: list[dict]) -> str:
    """Each target beside what the largest corpus measured: met or not."""
    largest, smallest = results[-1], results[0]
    build = largest["build"]
    rate = largest["articles"] / build["seconds"]
    checks = [
        (f"end to end >= {TARGET_RATE:,} articles/s", f"{rate:,.0f}/s", rate >= TARGET_RATE),
        (f"peak RSS <= {TARGET_PEAK_MB:,} MB", f"{build['peak_mb']:,.0f} MB", build["peak_mb"] <= TARGET_PEAK_MB),
        (f"rebuild after one article <= {TARGET_REBUILD_SECONDS} s", f"{largest['incremental']['seconds']:.1f} s",
         largest["incremental"]["seconds"] <= TARGET_REBUILD_SECONDS),
        (f"dask <= x{TARGET_DASK_RATIO} the local time, identical tables",
         f"x{largest['dask']['seconds'] / build['seconds']:.2f}, "
         f"{'identical' if largest['dask']['identical'] else 'DIFFERENT'}",
         largest["dask"]["seconds"] <= TARGET_DASK_RATIO * build["seconds"] and largest["dask"]["identical"]),
    ]
    if len(results) > 1:
        growth = build["peak_mb"] / smallest["build"]["peak_mb"]
        checks.append((f"peak RSS at {largest['articles']:,} <= x{TARGET_PEAK_GROWTH} that at {smallest['articles']:,}",
                       f"x{growth:.2f}", growth <= TARGET_PEAK_GROWTH))
    lines = [f"\ntargets, at {largest['articles']:,} articles on {os.cpu_count()} cores:"]
    lines += [f"  {'met    ' if met else 'NOT MET'} {target}: {measured}" for target, measured, met in checks]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
