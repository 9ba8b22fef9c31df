"""`uofdb query`: readable tables, CSV, JSON and Parquet output, .sql files and row limits."""
from __future__ import annotations

import datetime as dt
import json
import tomllib

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from etl.cli import main
from etl.query import cut, format_table, read_sql, shown


def database(sample_build):
    return str(sample_build / "uofdb.duckdb")


def test_a_table_shows_lists_as_lists_escapes_newlines_and_cuts_long_text():
    table = format_table(["ids", "text"], [(["a", "b"], "first line\nsecond line " + "x" * 80)], width=30)
    row = table.splitlines()[2]
    assert row.startswith('["a", "b"]')
    assert "first line\\nsecond line" in row and "\n" not in row
    assert row.rstrip().endswith("…") and len(row.split("  ", 1)[1].strip()) == 30


def test_cells_show_nulls_dates_and_empty_lists():
    assert [shown(value) for value in (None, dt.date(2021, 5, 3), [], [None, "x"])] == [
        "NULL", "2021-05-03", "[]", '[NULL, "x"]']
    assert cut("short", 10) == "short"


def test_a_table_shows_at_most_the_limit_and_says_how_many_there_were(sample_build, capsys):
    assert main(["query", "--db", database(sample_build), "--limit", "2", "select article_id from articles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 2 + 1
    assert lines[-1].startswith("(5 rows; 2 shown")


def test_csv_round_trips_through_pandas_with_lists_as_json_arrays(sample_build, tmp_path, capsys):
    out = tmp_path / "incidents.csv"
    sql = "select incident_id, incident_date, forces, subject_age, n_articles from incidents order by incident_id"
    assert main(["query", "--db", database(sample_build), "--format", "csv", "--out", str(out), sql]) == 0
    assert capsys.readouterr().out == ""
    back = pd.read_csv(out, converters={"forces": json.loads}, parse_dates=["incident_date"])
    expected = pd.read_parquet(sample_build / "incidents.parquet").sort_values("incident_id")
    assert list(back["incident_id"]) == list(expected["incident_id"])
    assert list(back["forces"]) == [list(forces) for forces in expected["forces"]]
    assert list(back["n_articles"]) == list(expected["n_articles"])
    assert [day.date() for day in back["incident_date"]] == list(expected["incident_date"])
    assert back["subject_age"].isna().sum() == expected["subject_age"].isna().sum()


def test_json_is_an_array_of_objects_with_iso_dates_and_lists(sample_build, capsys):
    sql = "select incident_id, incident_date, article_ids from incidents order by incident_id"
    assert main(["query", "--db", database(sample_build), "--format", "json", sql]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [set(row) for row in rows] == [{"incident_id", "incident_date", "article_ids"}] * 2
    assert all(isinstance(row["article_ids"], list) for row in rows)
    assert all(dt.date.fromisoformat(row["incident_date"]) for row in rows)


def test_parquet_needs_an_out_file_and_keeps_the_types(sample_build, tmp_path, capsys):
    sql = "select incident_id, incident_date, article_ids from incidents"
    assert main(["query", "--db", database(sample_build), "--format", "parquet", sql]) == 2
    assert "--out FILE" in capsys.readouterr().err
    out = tmp_path / "result.parquet"
    assert main(["query", "--db", database(sample_build), "--format", "parquet", "--out", str(out), sql]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 2 and str(table.schema.field("incident_date").type) == "date32[day]"
    assert table.column("article_ids").to_pylist()[0] and [path.name for path in tmp_path.iterdir()] == ["result.parquet"]


def test_a_sql_file_is_read_and_a_missing_one_named(sample_build, tmp_path, capsys):
    query = tmp_path / "count.sql"
    query.write_text("-- how many incidents\nselect count(*) as n from incidents;\n")
    assert main(["query", "--db", database(sample_build), str(query)]) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "2"
    assert main(["query", "--db", database(sample_build), str(tmp_path / "missing.sql")]) == 2
    assert "missing.sql: no such .sql file" in capsys.readouterr().err


def test_sql_text_that_only_mentions_a_sql_file_is_run_as_sql():
    assert read_sql("select 'a.sql'") == "select 'a.sql'"
    assert read_sql("select * from read_csv('x.sql')") == "select * from read_csv('x.sql')"


def test_a_negative_limit_is_a_clear_error(sample_build, capsys):
    assert main(["query", "--db", database(sample_build), "--limit", "-1", "select 1"]) == 2
    assert "--limit -1" in capsys.readouterr().err


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert capsys.readouterr().out.strip() == f"uofdb {declared}"
