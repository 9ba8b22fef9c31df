"""Publish: Parquet files and a DuckDB database with the same tables, replaced atomically."""
from __future__ import annotations

import duckdb
import pytest

from etl import publish


def test_published_database_matches_the_parquet_files(sample_build):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        for table in ("articles", "incidents", "evidence", "rejects"):
            in_db = con.execute(f"select count(*) from {table}").fetchall()
            in_parquet = con.execute("select count(*) from read_parquet(?)", [str(sample_build / f"{table}.parquet")]).fetchall()
            assert in_db == in_parquet
        described = con.execute("select count(*) from codebook where table_name = 'incidents'").fetchall()
        assert described[0][0] > 15


def test_a_failed_database_write_keeps_the_previous_database(sample_build, tmp_path):
    parquet = {name: sample_build / f"{name}.parquet" for name in ("articles", "incidents", "evidence", "rejects")}
    target = publish.write_database(parquet, tmp_path / "uofdb.duckdb")
    before = target.read_bytes()
    broken = dict(parquet, rejects=tmp_path / "missing.parquet")
    with pytest.raises(duckdb.Error):
        publish.write_database(broken, target)
    assert target.read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["uofdb.duckdb"]


def test_districts_and_forces_are_published_beside_the_incidents(sample_build):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        rows = con.execute("""
            select i.borough, i.nation, i.region, d.region, f.region, i.forces
            from incidents i
            join districts d on d.district_code = i.borough_code
            join forces f on f.force_name = i.forces[1]
            order by i.borough""").fetchall()
        assert rows == [("Barking and Dagenham", "England", "London", "London", "London", ["Metropolitan Police Service"]),
                        ("Kensington and Chelsea", "England", "London", "London", "London", ["Metropolitan Police Service"])]
        in_parquet = con.execute("select count(*) from read_parquet(?)", [str(sample_build / "districts.parquet")]).fetchone()
        assert in_parquet == con.execute("select count(*) from districts").fetchone()
