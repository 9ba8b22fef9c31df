"""The sample corpus, built end to end into a temporary folder, gives its two incidents."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl import params
from etl.build import build
from conftest import SAMPLE
from etl.ingest import EmptyCorpusError

EXPECTED = {
    dt.date(2021, 12, 11): dict(borough="Kensington and Chelsea", borough_code="E09000020",
                                terrorism_status="not_terrorism", weapon_recovered="not_stated", n_articles=2),
    dt.date(2023, 11, 23): dict(borough="Barking and Dagenham", borough_code="E09000002",
                                terrorism_status="not_stated", weapon_recovered="firearm", n_articles=3),
}


def test_the_sample_corpus_gives_two_incidents(sample_build):
    incidents = pd.read_parquet(sample_build / "incidents.parquet")
    assert len(incidents) == 2
    for incident in incidents.to_dict("records"):
        expected = EXPECTED[incident["incident_date"]]
        assert {key: incident[key] for key in expected} == expected
        assert incident["force"] == "Metropolitan Police Service"
        assert (incident["force_type"], incident["outcome"], incident["referral_body"]) == ("firearm", "fatal", "IOPC")
        assert incident["incident_date_precision"] == "day"


def test_every_article_belongs_to_its_incident_including_the_undated_ones(sample_build):
    articles = pd.read_parquet(sample_build / "articles.parquet")
    incidents = pd.read_parquet(sample_build / "incidents.parquet").set_index("incident_id")
    assert articles["relevant"].all()
    for article in articles.to_dict("records"):
        assert article["article_id"] in list(incidents.loc[article["incident_id"], "article_ids"])
    undated = articles[articles["published_date"].isna()]
    assert len(undated) == 2 and undated["incident_id"].nunique() == 2


def test_every_value_has_evidence_that_quotes_the_article(sample_build):
    articles = pd.read_parquet(sample_build / "articles.parquet").set_index("article_id")
    evidence = pd.read_parquet(sample_build / "evidence.parquet")
    for row in evidence.to_dict("records"):
        assert articles.loc[row["article_id"], "text"][row["start"]:row["end"]] == row["quote"]
    stated = articles[["force", "borough", "force_type", "outcome"]].notna()
    for article_id, fields in stated.iterrows():
        have = set(evidence.loc[evidence["article_id"] == article_id, "field"])
        assert {name for name, present in fields.items() if present} <= have


def test_parquet_types_and_descriptions(sample_build):
    schema = pq.read_schema(sample_build / "incidents.parquet")
    assert str(schema.field("incident_date").type) == "date32[day]"
    assert str(schema.field("subject_age").type) == "int64"
    assert str(schema.field("article_ids").type.value_type) == "string"
    assert b"Local authority district" in schema.field("borough").metadata[b"description"]


def test_duckdb_reads_the_parquet_directly_and_the_database(sample_build):
    with duckdb.connect() as con:
        rows = con.execute("select borough, count(*) from read_parquet(?) group by 1 order by 1",
                           [str(sample_build / "incidents.parquet")]).fetchall()
    assert rows == [("Barking and Dagenham", 1), ("Kensington and Chelsea", 1)]
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
        comment = con.execute("select comment from duckdb_columns() where table_name = 'incidents' "
                              "and column_name = 'force_type'").fetchall()
    assert {"articles", "incidents", "evidence", "rejects", "codebook"} <= tables
    assert "firearm > taser" in comment[0][0]


@pytest.mark.parametrize("name, content, check_id", [
    ("empty.txt", b"", "ingest.empty"),
    ("binary.txt", bytes(range(256)) * 4, "ingest.binary"),
    ("latin1.txt", "Armed officers shot a man in Peckham, the café owner said.".encode("latin-1"), "ingest.not_utf8"),
])
def test_a_bad_file_is_reported_and_the_rest_still_publishes(tmp_path, raw_copy, name, content, check_id):
    (raw_copy / name).write_bytes(content)
    summary = build(raw_copy, tmp_path / "out", params.load(None))
    rejects = pd.read_parquet(tmp_path / "out" / "rejects.parquet")
    assert rejects.loc[rejects["source_path"] == name, "check_id"].tolist() == [check_id]
    assert name in rejects.loc[rejects["source_path"] == name, "reason"].iloc[0]
    assert len(pd.read_parquet(tmp_path / "out" / "incidents.parquet")) >= 2
    assert summary.incidents >= 2


def test_an_empty_raw_folder_is_a_clear_error_and_publishes_nothing(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(EmptyCorpusError, match="holds no article files"):
        build(tmp_path / "raw", tmp_path / "out", params.load(None))
    assert not (tmp_path / "out").exists()


def test_rebuilding_gives_byte_identical_parquet(sample_build, tmp_path):
    build(SAMPLE, tmp_path / "again", params.load(None))
    for table in ("articles", "incidents", "evidence", "rejects"):
        name = f"{table}.parquet"
        assert (tmp_path / "again" / name).read_bytes() == (sample_build / name).read_bytes(), name
