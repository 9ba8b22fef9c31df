"""Publish: Parquet files and a DuckDB database with the same tables, replaced atomically."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from etl import buildinfo, publish
from etl.views import VIEWS
from schema.codebook import COLUMNS, columns_of


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


TABLE_FILES = ("articles", "incidents", "incident_fields", "evidence", "rejects", "incident_aliases", "districts",
               "forces")


def test_vocabulary_columns_are_enums_in_the_database_and_dictionaries_of_the_whole_vocabulary_in_parquet(sample_build):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_name = 'incidents'").fetchall())
    assert types["outcome"] == "ENUM('fatal', 'non_fatal', 'not_stated')"
    assert types["borough"] == "VARCHAR" and types["forces"] == "VARCHAR[]"
    outcome = pq.read_table(sample_build / "incidents.parquet").column("outcome").chunk(0)
    assert outcome.dictionary.to_pylist() == list(COLUMNS["outcome"].values)


def test_incidents_are_sorted_by_date_then_id_and_the_file_says_so(sample_build):
    incidents = pq.ParquetFile(sample_build / "incidents.parquet")
    order = [(column.column_index, column.descending, column.nulls_first)
             for column in incidents.metadata.row_group(0).sorting_columns]
    names = incidents.schema_arrow.names
    assert order == [(names.index("incident_date"), False, False), (names.index("incident_id"), False, False)]
    dates = incidents.read(columns=["incident_date"]).column(0).to_pylist()
    assert dates == sorted(dates)


def test_incident_id_is_required_in_the_incidents_file_and_the_database(sample_build):
    assert not pq.read_schema(sample_build / "incidents.parquet").field("incident_id").nullable
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select is_nullable from information_schema.columns "
                           "where table_name = 'incidents' and column_name = 'incident_id'").fetchone() == ("NO",)


def test_every_parquet_file_carries_the_build_and_the_database_a_build_info_row(sample_build):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        info = con.execute("select * from build_info").df().to_dict("records")
        latest = con.execute("select max(published_date)::varchar from articles").fetchone()[0]
    assert len(info) == 1
    assert info[0]["build_time"] == latest and info[0]["codebook_version"] == buildinfo.codebook_version()
    assert json.loads(info[0]["parameters"])["link"]["window_days"] == 3
    for name in TABLE_FILES:
        metadata = pq.read_schema(sample_build / f"{name}.parquet").metadata
        assert metadata[b"uofdb.build_time"].decode() == latest, name
        assert metadata[b"uofdb.uofdb_version"].decode() == info[0]["uofdb_version"], name
        assert metadata[b"uofdb.inputs_sha256"].decode() == info[0]["inputs_sha256"], name
        assert b"uofdb.git_commit" not in metadata, name


@pytest.mark.parametrize("table", TABLE_FILES)
def test_pandas_gets_the_same_dtypes_from_parquet_and_from_duckdb(sample_build, table):
    from_parquet = pd.read_parquet(sample_build / f"{table}.parquet", dtype_backend="pyarrow")
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        from_duckdb = con.table(table).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)
    assert dict(from_parquet.dtypes) == dict(from_duckdb.dtypes)


@pytest.mark.parametrize("table", TABLE_FILES)
def test_polars_gets_the_same_schema_from_parquet_and_from_duckdb(sample_build, table):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        from_duckdb = con.table(table).pl()
    assert pl.read_parquet(sample_build / f"{table}.parquet").schema == from_duckdb.schema


def test_evidence_names_its_incident_and_the_views_answer_the_first_questions(sample_build):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        unlinked = con.execute("select count(*) from evidence e join articles a using (article_id) "
                               "where e.incident_id is distinct from a.incident_id").fetchone()
        assert unlinked == (0,)
        views = {row[0] for row in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        assert {view.name for view in VIEWS} <= views
        chosen = con.execute("select count(*) from incident_evidence where chosen and field = 'outcome'").fetchone()
        assert chosen == (2,)
        fatal = con.execute("select count(*) from fatal_shootings").fetchone()
        assert fatal == con.execute("select count(*) from incidents where force_type = 'firearm' and outcome = 'fatal'").fetchone()


def test_a_required_column_holding_a_null_fails_the_database_write(sample_build, tmp_path):
    import pyarrow as pa

    articles = pq.read_table(sample_build / "articles.parquet")
    required = next(column.name for column in columns_of("articles") if not column.nullable)
    at = articles.schema.get_field_index(required)
    values = articles.column(at).to_pylist()
    broken = articles.set_column(at, pa.field(required, articles.schema.field(at).type, nullable=True),
                                 pa.array([None] + values[1:], articles.schema.field(at).type))
    pq.write_table(broken, tmp_path / "articles.parquet")
    with pytest.raises(duckdb.ConstraintException, match=required):
        publish.write_database({"articles": tmp_path / "articles.parquet"}, tmp_path / "uofdb.duckdb")
    assert [path.name for path in tmp_path.iterdir()] == ["articles.parquet"]
