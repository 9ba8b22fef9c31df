"""Publish: Parquet files and a DuckDB database with the same tables, replaced atomically."""
from __future__ import annotations

import json

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl import buildinfo, publish
from etl.tables import write_table
from etl.views import VIEWS
from schema.codebook import COLUMNS, columns_of


def plain(rows: pa.Table) -> pa.Table:
    """Arrow rows with their vocabulary columns (ENUMs, dictionaries) as text and no metadata."""
    return pa.table({name: column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
                     for name, column in zip(rows.column_names, rows.columns)})


def database_rows(database, table: str) -> pa.Table:
    """A table of the database as `SELECT *` gives it (no ORDER BY), its vocabulary columns as text."""
    with duckdb.connect(str(database), read_only=True) as con:
        return plain(con.table(table).to_arrow_table())


def test_published_database_matches_the_parquet_files(sample_build):
    for table in ("articles", "incidents", "incident_fields", "evidence", "rejects", "incident_aliases", "corrections",
                  "districts", "forces"):
        # (the same rows, in the same order, as a researcher's SELECT without ORDER BY reads them)
        assert database_rows(sample_build / "uofdb.duckdb", table).equals(
            plain(pq.read_table(sample_build / f"{table}.parquet"))), table
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        described = con.execute("select count(*) from codebook where table_name = 'incidents'").fetchall()
        assert described[0][0] > 15


def test_the_database_stores_text_without_fsst_compression_which_doubled_its_write(tmp_path):
    # (many rows of similar English text: what DuckDB compresses with FSST when it may)
    rows = 20_000
    rejects = pd.DataFrame({"source_path": [f"raw/{i}.txt" for i in range(rows)],
                            "row_key": [f"articles:a{i}" for i in range(rows)], "stage": "ingest",
                            "check_id": "ingest.unreadable", "severity": "error",
                            "reason": [f"raw/{i}.txt: the file could not be read as text near line {i % 97}"
                                       for i in range(rows)]})
    write_table(rejects, "rejects", tmp_path / "rejects.parquet")
    database = publish.write_database({"rejects": tmp_path / "rejects.parquet"}, tmp_path / "uofdb.duckdb")
    with duckdb.connect(str(database), read_only=True) as con:
        methods = {method for (method,) in con.execute(
            "select distinct compression from pragma_storage_info('rejects') where column_name = 'reason'").fetchall()}
    assert methods and not any("fsst" in method.lower() for method in methods), methods


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


@pytest.fixture(scope="module")
def sample_validated(tmp_path_factory):
    """The validated tables of the five sample articles, ready to publish."""
    from conftest import SAMPLE
    from etl import params
    from etl.build import build

    root = tmp_path_factory.mktemp("sample-validated")
    build(SAMPLE, root / "out", params.load(None), interim=root / "interim")
    return root / "interim" / "validated"


def test_a_rebuild_into_the_same_folder_publishes_the_files_and_database_tables_of_a_clean_publish(sample_validated,
                                                                                                  tmp_path):
    publish.run(sample_validated, tmp_path / "rebuilt")
    first = publish.current_build(tmp_path / "rebuilt")
    publish.run(sample_validated, tmp_path / "rebuilt")
    publish.run(sample_validated, tmp_path / "clean")
    assert publish.current_build(tmp_path / "rebuilt") != first and not first.exists()
    for name in publish.published_names():
        if name != publish.DATABASE:
            assert (tmp_path / "rebuilt" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name
    with duckdb.connect(str(tmp_path / "clean" / publish.DATABASE), read_only=True) as con:
        names = [row[0] for row in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
    assert {"articles", "evidence", "build_info", "codebook"} <= set(names)
    for table in names:
        assert database_rows(tmp_path / "rebuilt" / publish.DATABASE, table).equals(
            database_rows(tmp_path / "clean" / publish.DATABASE, table)), table
