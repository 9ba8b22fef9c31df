"""A real `uofdb build` killed between stages or in the middle of publishing leaves the
previous output folder readable and byte for byte unchanged; the next build replaces it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import SAMPLE, SHARED

UOFDB = Path(sys.executable).parent / "uofdb"
DEV_ARTICLES = SHARED / "corpus" / "dev" / "articles"


def published_files(out: Path) -> dict[str, bytes]:
    """The visible files of an output folder and their bytes (staging folders are hidden)."""
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if not path.name.startswith(".")}


def assert_readable(out: Path) -> None:
    for table in ("articles", "incidents", "evidence", "rejects"):
        pd.read_parquet(out / f"{table}.parquet")
    with duckdb.connect(str(out / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from incidents").fetchall()[0][0] >= 1


def start_build(raw: Path, out: Path, interim: Path) -> subprocess.Popen:
    return subprocess.Popen([str(UOFDB), "build", "--raw", str(raw), "--out", str(out), "--interim", str(interim)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(build: subprocess.Popen, ready, what: str, timeout: float = 120.0) -> None:
    """SIGKILL the build the moment `ready()` is true; fail if it finished first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if build.poll() is not None:
            pytest.fail(f"the build finished before {what}; the test needs a slower build to interrupt")
        if time.monotonic() > deadline:
            build.kill()
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.0005)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL


@pytest.fixture
def previous_output(tmp_path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    subprocess.run([str(UOFDB), "build", "--raw", str(SAMPLE), "--out", str(out)], check=True, capture_output=True)
    return out, published_files(out)


@pytest.fixture
def bigger_corpus(tmp_path) -> Path:
    """The sample plus the development articles: a build that takes seconds, and gives other tables."""
    if not DEV_ARTICLES.is_dir():
        pytest.skip(f"{DEV_ARTICLES} is not here")
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    shutil.copytree(DEV_ARTICLES, raw / "dev")
    return raw


def test_killed_between_ingest_and_extract(previous_output, bigger_corpus, tmp_path):
    out, before = previous_output
    interim = tmp_path / "interim"
    build = start_build(bigger_corpus, out, interim)
    kill_when(build, lambda: (interim / "ingested.parquet").exists(), "ingest wrote its table")
    assert published_files(out) == before
    assert_readable(out)


def test_killed_while_publishing(previous_output, bigger_corpus, tmp_path):
    out, before = previous_output
    build = start_build(bigger_corpus, out, tmp_path / "interim")
    kill_when(build, lambda: any(path.name.startswith(".uofdb-staging-") for path in out.iterdir()),
              "publish started staging its files")
    assert published_files(out) == before
    assert_readable(out)

    # The next build clears the abandoned staging folder and replaces every file.
    subprocess.run([str(UOFDB), "build", "--raw", str(bigger_corpus), "--out", str(out)], check=True, capture_output=True)
    after = published_files(out)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in ("articles.parquet", "incidents.parquet"))
    assert [path.name for path in out.iterdir() if path.name.startswith(".")] == []
    assert_readable(out)
