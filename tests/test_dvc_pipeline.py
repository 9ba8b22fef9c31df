"""`dvc repro` in a copy of the repository: builds, is a no-op when nothing changed, and
reruns the stages downstream of an edited article. No remote, no network."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from conftest import REPO

BIN = Path(sys.executable).parent
# metrics/ holds the score stage, whose dev corpus (../shared) is not beside the copy.
SKIP = {".venv", ".git", ".pytest_cache", "__pycache__", "interim", "tmp", "cache", "metrics"}


def copy_repository(target: Path) -> Path:
    def ignore(directory, names):
        ignored = {name for name in names if name in SKIP or name.endswith(".egg-info")}
        if Path(directory) == REPO / "data" / "processed":
            ignored |= {name for name in names if name != ".gitkeep"}
        return ignored

    shutil.copytree(REPO, target, ignore=ignore)
    (target / "dvc.lock").unlink(missing_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    return target


def dvc(repo: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run([str(BIN / "dvc"), *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_dvc_repro_builds_then_reruns_only_what_changed(tmp_path):
    repo = copy_repository(tmp_path / "repo")

    first = dvc(repo, "repro")
    for stage in ("ingest", "extract", "link", "validate", "publish"):
        assert f"Running stage '{stage}'" in first
    with duckdb.connect(str(repo / "data" / "processed" / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from incidents").fetchall() == [(2,)]

    again = dvc(repo, "repro")
    assert "Running stage" not in again
    assert "up to date" in dvc(repo, "status")

    article = next((repo / "data" / "raw").glob("004_*.txt"))
    article.write_text(article.read_text().replace("believed to be 40", "believed to be 41"))
    edited = dvc(repo, "repro")
    for stage in ("ingest", "extract", "link", "validate", "publish"):
        assert f"Running stage '{stage}'" in edited
