"""etl.build with stage_processes: each stage in a process of its own gives the same build, output and errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE
from etl import params
from etl.build import build
from etl.cli import main
from etl.ingest import EmptyCorpusError


def parquet_files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.glob("*.parquet"))}


def test_stages_in_their_own_processes_publish_the_tables_of_one_process(tmp_path, capsys):
    here = build(SAMPLE, tmp_path / "here", params.load(None))
    apart = build(SAMPLE, tmp_path / "apart", params.load(None), stage_processes=True, show_progress=True)
    assert apart == here
    assert parquet_files(tmp_path / "apart") == parquet_files(tmp_path / "here")
    # The stages' progress, printed in their processes, is written to this process's stderr.
    printed = capsys.readouterr().err
    assert "uofdb ingest: 5/5 files: 5 read" in printed and "uofdb extract: 5/5 articles:" in printed


def test_an_error_in_a_stage_process_is_raised_here_and_publishes_nothing(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(EmptyCorpusError, match="holds no article files"):
        build(tmp_path / "raw", tmp_path / "out", params.load(None), stage_processes=True)
    assert not (tmp_path / "out").exists()


def test_uofdb_build_exits_as_before_when_a_stage_fails(tmp_path, capsys):
    (tmp_path / "raw").mkdir()
    assert main(["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("uofdb build: error: ") and "holds no article files" in error
    assert "Traceback" not in error


def test_the_dask_engine_runs_from_the_extract_stages_process(tmp_path):
    local = params.load(None)
    build(SAMPLE, tmp_path / "local", local, stage_processes=True)
    on_dask = params.load(None)
    on_dask["extract"].update(engine="dask", jobs=2)  # a LocalCluster, started in the extract stage's process
    build(SAMPLE, tmp_path / "dask", on_dask, stage_processes=True)
    assert parquet_files(tmp_path / "dask") == parquet_files(tmp_path / "local")
