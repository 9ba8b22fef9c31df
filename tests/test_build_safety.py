"""Build safety: one output folder, one build at a time; modes from the umask; parameters that
are given must exist and are read relative to their file; `uofdb query` is safe by default
outside a terminal; a damaged previous output or one failing article never stops a build;
`.venv/bin/dvc repro` works without the venv activated."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import REPO, SAMPLE, SHARED
from etl import cli, params, publish
from etl.build import build
from etl.cli import main
from etl.extract import events
from test_dvc_pipeline import SKIP, copy_repository

BIN = Path(sys.executable).parent
UOFDB = BIN / "uofdb"


# --- one build at a time ---------------------------------------------------------------------

def test_a_second_build_into_a_locked_output_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    build(SAMPLE, out, params.load(None))
    before = {name: (out / name).read_bytes() for name in publish.published_names()}
    with publish.OutputLock(out):
        assert main(["build", "--raw", str(SAMPLE), "--out", str(out)]) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"uofdb build: error: {out}: another uofdb build (process {os.getpid()}) is writing")
        assert "build into another --out" in error
        assert main(["publish", "--interim", str(tmp_path / "interim"), "--out", str(out)]) == 2
    assert {name: (out / name).read_bytes() for name in publish.published_names()} == before
    assert main(["build", "--raw", str(SAMPLE), "--out", str(out)]) == 0  # the lock is gone with its holder


def test_two_real_builds_into_one_folder(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    if (SHARED / "corpus" / "dev" / "articles").is_dir():
        shutil.copytree(SHARED / "corpus" / "dev" / "articles", raw / "dev")
    out = tmp_path / "out"
    first = subprocess.Popen([str(UOFDB), "build", "--raw", str(raw), "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = out / publish.STATE / publish.LOCK
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        if first.poll() is not None or time.monotonic() > deadline:
            first.kill()
            first.communicate()
            pytest.fail("the first build never took the lock")
        time.sleep(0.001)
    second = subprocess.run([str(UOFDB), "build", "--raw", str(raw), "--out", str(out)], capture_output=True, text=True)
    assert second.returncode == 2, second.stderr
    assert f"another uofdb build (process {first.pid}) is writing this output folder" in second.stderr
    assert "Traceback" not in second.stderr
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert len(pd.read_parquet(out / "articles.parquet")) >= 5


# --- file modes --------------------------------------------------------------------------------

@pytest.mark.parametrize("umask, file_mode, folder_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_published_files_get_the_modes_the_umask_allows(tmp_path, umask, file_mode, folder_mode):
    previous = os.umask(umask)
    try:
        build(SAMPLE, tmp_path / "out", params.load(None))
    finally:
        os.umask(previous)
    folder = publish.current_build(tmp_path / "out")
    assert stat.S_IMODE(folder.stat().st_mode) == folder_mode
    for name in publish.published_names():
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == file_mode, name


# --- parameters and paths ----------------------------------------------------------------------

def test_a_params_file_that_is_not_there_is_an_error(tmp_path, capsys):
    assert main(["--params", "/nonexistent.yaml", "query", "select 1"]) == 2
    assert capsys.readouterr().err == "uofdb query: error: --params /nonexistent.yaml: no such parameters file\n"
    assert main(["--params", str(tmp_path), "build"]) == 2
    assert "(it is a folder)" in capsys.readouterr().err


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder with its own params.yaml and a build, and the test run from another folder."""
    folder = tmp_path / "project"
    shutil.copytree(SAMPLE, folder / "articles")
    (folder / "params.yaml").write_text("paths:\n  raw: articles\n  interim: work\n  processed: published\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["--params", str(folder / "params.yaml"), "build"]) == 0
    assert (folder / "published" / "uofdb.duckdb").exists()
    assert not (elsewhere / "published").exists()
    return folder


def test_query_from_another_folder_reads_the_paths_of_its_params_file(project, capsys):
    capsys.readouterr()
    assert main(["--params", str(project / "params.yaml"), "query", "select count(*) as n from incidents"]) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "2"


def test_query_without_a_database_says_which_path_it_tried(project, capsys):
    capsys.readouterr()
    assert main(["query", "select 1"]) == 2
    error = capsys.readouterr().err
    tried = Path.cwd() / "data" / "processed" / "uofdb.duckdb"
    assert f"no database at {tried}" in error and "no params.yaml in" in error and "--params" in error
    (project / "empty.yaml").write_text("paths:\n  processed: nothing-here\n")
    assert main(["--params", str(project / "empty.yaml"), "query", "select 1"]) == 2
    error = capsys.readouterr().err
    assert f"no database at {project / 'nothing-here' / 'uofdb.duckdb'} (paths.processed of {project / 'empty.yaml'})" in error


# --- uofdb query --safe ------------------------------------------------------------------------

OUTSIDE = ["select count(*) from read_csv('{csv}')", "copy incidents to '{target}'", "attach '{target}' as other",
           "set enable_external_access = true"]


@pytest.mark.parametrize("sql", OUTSIDE)
def test_query_is_safe_by_default_outside_a_terminal(sample_build, tmp_path, capsys, sql):
    csv = tmp_path / "private.csv"
    csv.write_text("secret\n1\n")
    sql = sql.format(csv=csv, target=tmp_path / "written.csv")
    assert main(["query", "--db", str(sample_build / "uofdb.duckdb"), sql]) == 2
    error = capsys.readouterr().err
    assert error.startswith("uofdb query: error: ") and ("disabled by configuration" in error or "locked" in error)
    assert not (tmp_path / "written.csv").exists()
    assert main(["query", "--db", str(sample_build / "uofdb.duckdb"), "select count(*) as n from incidents"]) == 0


def test_query_safety_in_ones_own_shell_and_the_switches(sample_build, tmp_path, capsys, monkeypatch):
    csv = tmp_path / "mine.csv"
    csv.write_text("value\n7\n")
    database = str(sample_build / "uofdb.duckdb")
    sql = f"select value from read_csv('{csv}')"
    assert main(["query", "--db", database, "--no-safe", sql]) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "7"
    monkeypatch.setattr(cli, "_own_shell", lambda: True)
    assert main(["query", "--db", database, sql]) == 0  # a person at a terminal reads their own files
    capsys.readouterr()
    assert main(["query", "--db", database, "--safe", sql]) == 2
    assert "disabled by configuration" in capsys.readouterr().err


# --- a damaged previous output -----------------------------------------------------------------

@pytest.mark.parametrize("layout", ["a real file", "in the current build"])
def test_a_corrupt_previous_articles_table_does_not_stop_the_next_build(tmp_path, capsys, layout):
    out = tmp_path / "out"
    if layout == "a real file":
        out.mkdir()
        (out / "articles.parquet").write_bytes(b"PAR1 this is not a parquet file")
    else:
        build(SAMPLE, out, params.load(None))
        target = (out / "articles.parquet").resolve()
        target.write_bytes(target.read_bytes()[:100])
    assert main(["build", "--raw", str(SAMPLE), "--out", str(out)]) == 0
    assert "2 incidents" in capsys.readouterr().out
    assert len(pd.read_parquet(out / "articles.parquet")) == 5


# --- one article that fails extraction -----------------------------------------------------------

@pytest.fixture
def failing_rule(monkeypatch):
    """shots_fired raises for the article that says "believed to be 40" (one of the sample's five)."""
    real = events.shots_fired

    def shots_fired(doc):
        if "believed to be 40" in doc.text:
            raise KeyError("Metropolitan Police Service; City of London Police")
        return real(doc)

    monkeypatch.setattr(events, "shots_fired", shots_fired)
    failing = next(path for path in SAMPLE.iterdir() if "believed to be 40" in path.read_text())
    return failing


def assert_one_named_reject(out: Path, failing: Path) -> None:
    articles = pd.read_parquet(out / "articles.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert len(articles) == 4 and failing.stem not in set(articles["article_id"])
    row = rejects[rejects["check_id"] == "extract.failed"].to_dict("records")
    assert len(row) == 1
    assert (row[0]["stage"], row[0]["severity"], row[0]["source_path"]) == ("extract", "error", failing.name)
    assert row[0]["row_key"] == f"articles:{failing.stem}"
    assert row[0]["reason"] == (f"{failing.name}: extraction failed: KeyError: "
                                "'Metropolitan Police Service; City of London Police'")
    evidence = pd.read_parquet(out / "evidence.parquet")
    assert failing.stem not in set(evidence["article_id"])
    with duckdb.connect(str(out / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchall() == [(4,)]


def test_an_article_whose_extraction_raises_is_a_named_reject_and_the_build_goes_on(tmp_path, failing_rule):
    summary = build(SAMPLE, tmp_path / "out", params.load(None))
    assert (summary.documents, summary.articles, summary.rejected) == (5, 4, 1)
    assert summary.incidents >= 1
    assert_one_named_reject(tmp_path / "out", failing_rule)


def test_the_stage_commands_dvc_runs_reject_it_the_same_way(tmp_path, failing_rule, capsys, monkeypatch):
    # (away from the checkout's params.yaml: its extract cache, keyed by the code's files, cannot
    # see a rule replaced in memory)
    monkeypatch.chdir(tmp_path)
    interim = tmp_path / "interim"
    assert main(["ingest", "--raw", str(SAMPLE), "--interim", str(interim)]) == 0
    assert main(["extract", "--interim", str(interim)]) == 0
    assert len(pd.read_parquet(interim / "extract_rejects.parquet")) == 1
    for stage in ("link", "validate"):
        assert main([stage, "--interim", str(interim)]) == 0
    assert main(["publish", "--interim", str(interim), "--out", str(tmp_path / "out")]) == 0
    assert_one_named_reject(tmp_path / "out", failing_rule)


# --- dvc repro without the venv activated -------------------------------------------------------

def copy_for_dvc(target: Path) -> Path:
    """The checkout copied as test_dvc_pipeline copies it, without the dev data and the benchmarks."""
    return copy_repository(target, SKIP | {"dev", "benchmarks"})


def test_venv_dvc_repro_works_without_the_venv_on_path(tmp_path):
    repo = copy_for_dvc(tmp_path / "repo")
    (repo / ".venv").symlink_to(BIN.parent)  # what `make install` sets up in a fresh clone
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(PATH="/usr/bin:/bin", DVC_NO_ANALYTICS="1")
    done = subprocess.run([".venv/bin/dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    with duckdb.connect(str(repo / "data" / "processed" / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from incidents").fetchall() == [(2,)]


def test_the_stage_launcher_says_how_to_install_when_there_is_no_uofdb(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "uofdb", tmp_path / "scripts" / "uofdb")
    done = subprocess.run(["sh", "scripts/uofdb", "ingest"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 127
    assert "make install" in done.stderr
