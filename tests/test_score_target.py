"""`make score` and the `score` stage of metrics/dvc.yaml: wired, kept out of `make build`, and
scripts/score_dev.py writes small metrics files with the headline figures."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SAMPLE, SHARED

BIN = Path(sys.executable).parent
SCRIPT = REPO / "scripts" / "score_dev.py"
SCORER = SHARED / "eval" / "score.py"
DEV_GOLD = SHARED / "corpus" / "dev" / "gold.jsonl"
METRICS = {"metrics/dev_score.json", "metrics/dev_added_score.json"}
HEADLINE = {"relevance_f1", "relevance_precision", "relevance_recall", "article_field_accuracy",
            "article_wrong", "article_missed", "linking_bcubed_f1", "linking_bcubed_precision",
            "linking_bcubed_recall", "incident_field_accuracy", "min"}
PER_FIELD = {"article", "incident", "wrong", "missed"}


def recipe(target: str) -> list[str]:
    """The command lines of a Makefile target."""
    lines = (REPO / "Makefile").read_text().splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"{target}:"))
    commands = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip())
    return commands


def score_stage() -> dict:
    return yaml.safe_load((REPO / "metrics" / "dvc.yaml").read_text())


def out_names(entries: list) -> dict:
    """{path: options} for a stage's outs or metrics list."""
    return {name: options for entry in entries for name, options in
            (entry.items() if isinstance(entry, dict) else [(entry, {})])}


def test_make_score_reproduces_the_score_stage_and_make_build_does_not():
    makefile = (REPO / "Makefile").read_text()
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    assert "score" in phony.split()
    assert any("dvc repro" in line and "metrics/dvc.yaml:score" in line for line in recipe("score"))
    # `make build` reproduces ./dvc.yaml only, which has no score stage: it never needs ../shared.
    assert not any("metrics" in line or "score" in line for line in recipe("build"))
    assert "score" not in yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]


def test_score_stage_declares_the_corpus_code_and_small_metrics():
    document = score_stage()
    stage = document["stages"]["score"]
    corpus = next(item["corpus"] for item in document["vars"] if "corpus" in item)
    assert corpus == "../shared/corpus/dev" and stage["wdir"] == ".."
    for dep in ("${corpus}/articles", "${corpus}/gold.jsonl", "${corpus}/gold-added.jsonl", "${scorer}",
                "scripts/score_dev.py", "etl", "schema"):
        assert dep in stage["deps"]
    metrics = out_names(stage["metrics"])
    assert set(metrics) == METRICS
    assert all(options.get("cache") is False for options in metrics.values())  # kept in git
    for name in METRICS:
        assert name in stage["cmd"]


def test_committed_metrics_hold_the_headline_figures_and_no_error_list():
    for name in METRICS:
        figures = json.loads((REPO / name).read_text())
        assert set(figures) == {"articles_scored", "articles_missing", "headline", "per_field"}
        assert set(figures["headline"]) == HEADLINE
        assert all(set(field) == PER_FIELD for field in figures["per_field"].values())
        assert (REPO / name).stat().st_size < 5_000


def test_score_script_builds_and_writes_metrics(tmp_path):
    if not (SCORER.exists() and DEV_GOLD.exists()):
        pytest.skip(f"{SHARED} (the dev gold and the scorer) is not here")
    # The sample articles are dev articles: their gold lines are a tiny gold file.
    ids = {path.name.split(".")[0] for path in SAMPLE.iterdir() if not path.name.startswith(".")}
    lines = [line for line in DEV_GOLD.read_text().splitlines() if line.strip() and json.loads(line)["article_id"] in ids]
    assert len(lines) == len(ids) == 5
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n")
    build, metrics = tmp_path / "build", tmp_path / "metrics" / "sample.json"

    done = subprocess.run([sys.executable, str(SCRIPT), "--articles", str(SAMPLE), "--build", str(build),
                           "--scorer", str(SCORER), "--score", str(gold), str(metrics)],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "relevance" in done.stdout and "linking B-cubed" in done.stdout  # the scorer's table
    figures = json.loads(metrics.read_text())
    assert figures["articles_scored"] == 5 and figures["articles_missing"] == 0
    assert set(figures["headline"]) == HEADLINE
    assert 0 <= figures["headline"]["min"] <= figures["headline"]["relevance_f1"] <= 1
    assert "errors" in json.loads((build / "score-gold.json").read_text())  # the full result stays in the build


def test_score_script_refuses_to_clear_a_folder_that_is_not_a_build(tmp_path):
    spec = importlib.util.spec_from_file_location("score_dev", SCRIPT)
    score_dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score_dev)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="notes.txt"):
        score_dev.clear(tmp_path)
    assert (tmp_path / "notes.txt").exists()
    (tmp_path / "notes.txt").unlink()
    (tmp_path / "articles.parquet").write_bytes(b"")
    score_dev.clear(tmp_path)
    assert not tmp_path.exists()


def test_dvc_shows_the_committed_metrics(tmp_path):
    """`dvc metrics show` on a copy of the pipeline files, without ../shared beside it."""
    repo = tmp_path / "repo"
    for name in ("dvc.yaml", "params.yaml", ".dvc/config", "metrics"):
        source, target = REPO / name, repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run([str(BIN / "dvc"), "metrics", "show", "--json"], cwd=repo, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout)
    files = next(iter(shown.values()))["data"]
    assert set(files) == METRICS
    assert all("headline" in files[name]["data"] for name in METRICS)
