"""The `uofdb` command: build any folder, run single stages, query the database."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE
from etl import publish
from etl.cli import main
from etl.query import format_table

UOFDB = Path(sys.executable).parent / "uofdb"


def test_build_then_query_prints_a_table(tmp_path, capsys):
    assert main(["build", "--raw", str(SAMPLE), "--out", str(tmp_path / "out")]) == 0
    assert "5 articles (5 relevant)" in capsys.readouterr().out
    assert main(["query", "--db", str(tmp_path / "out" / "uofdb.duckdb"),
                 "select borough, count(*) as n from incidents group by 1 order by 1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["borough", "n"]
    assert printed[2].split() == ["Barking", "and", "Dagenham", "1"]
    assert printed[-1] == "(2 rows)"


def test_stages_one_by_one_give_the_same_tables_as_build(tmp_path, capsys):
    interim = tmp_path / "interim"
    for stage in ("ingest", "extract", "link", "validate"):
        extra = ["--raw", str(SAMPLE)] if stage == "ingest" else []
        assert main([stage, "--interim", str(interim), *extra]) == 0
    assert main(["publish", "--interim", str(interim), "--out", str(tmp_path / "out")]) == 0
    visible = sorted(path.name for path in (tmp_path / "out").iterdir() if not path.name.startswith("."))
    assert visible == sorted(publish.published_names())
    assert {"articles.parquet", "incidents.parquet", "uofdb.duckdb"} <= set(visible)


def test_an_empty_folder_is_one_clear_line_and_exit_code_2(tmp_path, capsys):
    (tmp_path / "raw").mkdir()
    assert main(["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "holds no article files" in error and str(tmp_path / "raw") in error


def test_query_before_any_build_says_what_to_do(tmp_path, capsys):
    assert main(["query", "--db", str(tmp_path / "missing.duckdb"), "select 1"]) == 2
    assert "run `make build`" in capsys.readouterr().err


def test_bad_sql_is_a_clear_error(tmp_path, capsys):
    main(["build", "--raw", str(SAMPLE), "--out", str(tmp_path / "out")])
    assert main(["query", "--db", str(tmp_path / "out" / "uofdb.duckdb"), "select nope from incidents"]) == 2
    assert "nope" in capsys.readouterr().err


def test_the_installed_console_script_runs_from_the_repository_params(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "data" / "raw")
    done = subprocess.run([str(UOFDB), "build"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "2 incidents" in done.stdout
    assert (tmp_path / "data" / "processed" / "incidents.parquet").exists()


def test_format_table_shows_nulls():
    assert format_table(["a"], [(None,)]).splitlines()[2].strip() == "NULL"


def test_build_names_every_rejected_file_on_stderr(tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "latin1.txt").write_bytes("Café owner said armed officers shot a man in Leeds.".encode("latin-1"))
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    error = capsys.readouterr().err
    assert "rejected: empty.txt: the file is empty [ingest.empty]" in error
    assert "flagged: latin1.txt: not valid UTF-8" in error
