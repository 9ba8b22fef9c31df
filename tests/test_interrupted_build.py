"""A real `uofdb build` killed between stages or in the middle of publishing leaves the
previous output folder readable and byte for byte unchanged; the next build replaces it.
Ctrl-C (SIGINT) or SIGTERM prints one line, no traceback, and cleans up; a killed build
leaves no article text in the system's temp folder. (tests/test_build_kill_publish.py kills
publish at each of its steps.)"""
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
from etl import publish

UOFDB = Path(sys.executable).parent / "uofdb"
DEV_ARTICLES = SHARED / "corpus" / "dev" / "articles"


def published_files(out: Path) -> dict[str, bytes]:
    """The visible files of an output folder and their bytes (the build folders are hidden)."""
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if not path.name.startswith(".")}


def staging(out: Path) -> list[Path]:
    """Build folders being written: those under .uofdb/builds that are not the current one."""
    builds = out / publish.STATE / publish.BUILDS
    current = publish.current_build(out)
    return [folder for folder in builds.iterdir() if folder.resolve() != current] if builds.is_dir() else []


def files_in(folder: Path) -> list[Path]:
    """The files under `folder` (article text would be in one; the folder multiprocessing keeps its
    forkserver's socket in, left by a killed build, holds no file)."""
    return [path for path in folder.rglob("*") if path.is_file()]


def scratch(out: Path) -> list[Path]:
    return list((out / publish.STATE).glob(f"{publish.SCRATCH_PREFIX}*"))


def assert_readable(out: Path) -> None:
    for table in ("articles", "incidents", "evidence", "rejects"):
        pd.read_parquet(out / f"{table}.parquet")
    with duckdb.connect(str(out / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from incidents").fetchall()[0][0] >= 1


def start_build(raw: Path, out: Path, interim: Path | None, env: dict | None = None, **pipes) -> subprocess.Popen:
    extra = ["--interim", str(interim)] if interim is not None else []
    pipes = pipes or dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.Popen([str(UOFDB), "build", "--raw", str(raw), "--out", str(out), *extra],
                            env={**os.environ, **(env or {})}, **pipes)


def wait_for(build: subprocess.Popen, ready, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if build.poll() is not None:
            pytest.fail(f"the build finished before {what}; the test needs a slower build to interrupt")
        if time.monotonic() > deadline:
            build.kill()
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.0005)


def kill_when(build: subprocess.Popen, ready, what: str, timeout: float = 120.0) -> None:
    """SIGKILL the build the moment `ready()` is true; fail if it finished first."""
    wait_for(build, ready, what, timeout)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("previous") / "out"
    subprocess.run([str(UOFDB), "build", "--raw", str(SAMPLE), "--out", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture
def previous_output(sample_output, tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A published output folder (a copy of one real build, its links kept) and its files' bytes."""
    out = tmp_path / "out"
    shutil.copytree(sample_output, out, symlinks=True)
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
    kill_when(build, lambda: bool(staging(out)), "publish started writing the new build folder")
    assert published_files(out) == before
    assert_readable(out)

    # The next build clears the abandoned staging folder and replaces every file.
    subprocess.run([str(UOFDB), "build", "--raw", str(bigger_corpus), "--out", str(out)], check=True, capture_output=True)
    after = published_files(out)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in ("articles.parquet", "incidents.parquet"))
    assert [path.name for path in out.iterdir() if path.name.startswith(".")] == [publish.STATE]
    assert staging(out) == [] and scratch(out) == []
    assert_readable(out)


def test_a_killed_build_leaves_no_article_text_in_the_system_temp_folder(previous_output, bigger_corpus, tmp_path):
    out, before = previous_output
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    build = start_build(bigger_corpus, out, None, env={"TMPDIR": str(system_temp)})
    kill_when(build, lambda: any((folder / "ingested.parquet").exists() for folder in scratch(out)),
              "ingest wrote its table")
    assert files_in(system_temp) == []
    assert published_files(out) == before
    # The stage tables were in the output folder's scratch folder; the next build deletes them.
    assert len(scratch(out)) == 1
    subprocess.run([str(UOFDB), "build", "--raw", str(SAMPLE), "--out", str(out)], check=True, capture_output=True,
                   env={**os.environ, "TMPDIR": str(system_temp)})
    assert scratch(out) == [] and files_in(system_temp) == []


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_prints_one_line_and_cleans_up(previous_output, bigger_corpus, signum, code):
    out, before = previous_output
    build = start_build(bigger_corpus, out, None, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(build, lambda: any((folder / "ingested.parquet").exists() for folder in scratch(out)),
             "ingest wrote its table")
    build.send_signal(signum)
    stdout, stderr = build.communicate(timeout=120)
    assert build.returncode == code, stderr
    assert "Traceback" not in stderr
    said = [line for line in stderr.splitlines() if "interrupted" in line]
    assert said == [f"uofdb build: interrupted: nothing was published; {out} holds its previous build unchanged"]
    assert stderr.rstrip().splitlines()[-1] == said[0]
    assert published_files(out) == before
    assert scratch(out) == [] and staging(out) == []
