"""Validation: a failing row goes to rejects with the check it failed; the rest publish."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from conftest import SAMPLE
from etl import params, tables, validate
from etl.build import build
from etl.tables import read_table
from etl.validate import validate_tables
from schema.codebook import COLUMNS, TABLES
from schema.models import conform


def incidents(*rows):
    base = {name: COLUMNS[name].unstated for name in TABLES["incidents"].columns}
    return conform(pd.DataFrame([{**base, "n_articles": 1, "article_ids": ["a"], **row} for row in rows]), "incidents")


def test_a_bad_row_is_rejected_with_its_check_and_the_rest_publish():
    tables = {"incidents": incidents({"incident_id": "uof-good", "outcome": "fatal"},
                                     {"incident_id": "uof-bad", "outcome": "dead"})}
    kept, rejects = validate_tables(tables)
    assert list(kept["incidents"]["incident_id"]) == ["uof-good"]
    reject = rejects.iloc[0]
    assert reject["row_key"] == "incidents:uof-bad"
    assert reject["check_id"] == "incidents.outcome.isin"
    assert reject["stage"] == "validate" and reject["severity"] == "error"
    assert "dead" in reject["reason"]


def test_cross_field_rules_reject_by_their_stable_id():
    articles = conform(pd.DataFrame([{
        "article_id": "x", "source_path": "x.txt", "sha256": "0", "encoding": "utf-8", "text": "t",
        "relevant": True, "relevance_score": 5.0, "published_date": dt.date(2020, 1, 1),
        "incident_date": dt.date(2020, 2, 1), "incident_date_precision": "day",
        **{name: COLUMNS[name].unstated for name in ("force_type", "outcome", "referral_body", "terrorism_status",
                                                      "weapon_recovered", "subject_gender")},
    }]), "articles")
    kept, rejects = validate_tables({"articles": articles})
    assert kept["articles"].empty
    assert "articles.incident_date.not_after_published" in set(rejects["check_id"])


UNSTATED = ("force_type", "outcome", "referral_body", "terrorism_status", "weapon_recovered", "subject_gender")


def articles(*rows):
    base = {"source_path": "x.txt", "sha256": "0", "encoding": "utf-8", "text": "Officers were called.",
            "relevant": True, "relevance_score": 5.0, "published_date": dt.date(2020, 3, 1),
            "incident_date": dt.date(2020, 2, 1), "incident_date_precision": "day",
            **{name: COLUMNS[name].unstated for name in UNSTATED}}
    return conform(pd.DataFrame([{**base, "source_path": f"{row['article_id']}.txt", **row} for row in rows]), "articles")


def evidence(*rows):
    base = {"field": "outcome", "value": "fatal", "start": 0, "end": 8, "quote": "Officers",
            "sentence": "Officers were called.", "rule": "test"}
    return conform(pd.DataFrame([{**base, **row} for row in rows]), "evidence")


def incident_fields(*incident_ids):
    return conform(pd.DataFrame([{"incident_id": incident_id, "field": "outcome", "chosen_value": "fatal",
                                  "merge_rule": "test", "other_values": []} for incident_id in incident_ids]),
                   "incident_fields")


def test_tables_validated_a_few_rows_at_a_time_are_those_of_one_pass():
    tables = {
        # a2's outcome is not a value of the codebook; a4 reports an incident after its article was
        # published (pandera lists such failures first); a3 is there twice, in different batches of two rows
        "articles": articles({"article_id": "a1"}, {"article_id": "a2", "outcome": "dead"}, {"article_id": "a3"},
                             {"article_id": "a4", "incident_date": dt.date(2020, 4, 1)}, {"article_id": "a3"}),
        "incidents": incidents({"incident_id": "uof-1"}, {"incident_id": "uof-2", "outcome": "dead"},
                               {"incident_id": "uof-3"}),
        "incident_fields": incident_fields("uof-1", "uof-1", "uof-2", "uof-3", "uof-2"),
        # evidence of the rejected a2 and a4 points at nothing; the last span ends before it starts
        "evidence": evidence({"article_id": "a1"}, {"article_id": "a2"}, {"article_id": "a3"},
                             {"article_id": "a4"}, {"article_id": "a3", "start": 9, "end": 3}),
    }
    whole, whole_rejects = validate_tables(tables)
    batched, batched_rejects = validate_tables(tables, batch_rows=2)

    for name in tables:
        pd.testing.assert_frame_equal(batched[name], whole[name])
    pd.testing.assert_frame_equal(batched_rejects, whole_rejects)
    assert list(batched["articles"]["article_id"]) == ["a1", "a3", "a3"]
    assert list(batched["incident_fields"]["incident_id"]) == ["uof-1", "uof-1", "uof-3"]
    assert list(batched["evidence"]["article_id"]) == ["a1", "a3"]
    # (a failed rule across columns gives a rejects row per value of the row, as pandera reports it)
    assert set(zip(batched_rejects["row_key"], batched_rejects["check_id"])) == {
        ("articles:a4", "articles.incident_date.not_after_published"), ("articles:a2", "articles.outcome.isin"),
        ("incidents:uof-2", "incidents.outcome.isin"), ("evidence:a3:outcome:9", "evidence.span.ordered")}


def test_the_stage_writes_the_same_files_whatever_its_batch_size(sample_interim, tmp_path):
    written = {}
    for rows in (validate.BATCH_ROWS, 3, 1):
        out = tmp_path / f"batches-of-{rows}"
        summary = validate.run(sample_interim, out, batch_rows=rows)
        written[rows] = {path.name: path.read_bytes() for path in sorted(out.iterdir())}
        assert list(summary["articles"].columns) == list(validate.SUMMARY_COLUMNS)
        assert len(summary["articles"]) == len(read_table(out / "articles.parquet", "articles")) == 5
    assert written[1] == written[3] == written[validate.BATCH_ROWS]
    assert set(written[3]) == {f"{name}.parquet" for name in ("articles", "incidents", "incident_fields", "evidence",
                                                              "incident_aliases", "corrections", "rejects")}
    assert len(read_table(tmp_path / "batches-of-3" / "evidence.parquet", "evidence")) > 3  # several batches
    assert len(read_table(tmp_path / "batches-of-1" / "evidence.parquet", "evidence")) \
        > validate.rows_per_batch("evidence", 1)  # (evidence takes longer batches, but several of them here)


def test_the_tables_of_short_rows_are_checked_a_row_group_at_a_time_by_default():
    assert validate.rows_per_batch("articles", validate.BATCH_ROWS) == validate.BATCH_ROWS
    assert validate.rows_per_batch("evidence", validate.BATCH_ROWS) == tables.row_group_rows("evidence")
    assert validate.rows_per_batch("incident_fields", 2) > 2


def test_arrow_rows_all_kept_are_the_rows_themselves_and_a_mask_with_a_null_drops_its_row():
    rows = pa.table({"article_id": ["a", "b", "c"]})
    assert validate.kept_rows(rows, np.array([True, True, True])) is rows
    assert validate.kept_rows(rows, np.array([True, False, True]))["article_id"].to_pylist() == ["a", "c"]
    assert validate.kept_rows(rows, pa.array([True, None, True]))["article_id"].to_pylist() == ["a", "c"]
    assert validate.kept_rows(rows.slice(0, 0), np.array([], dtype=bool)).num_rows == 0


@pytest.fixture(scope="module")
def sample_interim(tmp_path_factory):
    """The stage tables of the five sample articles, as the link stage leaves them."""
    folder = tmp_path_factory.mktemp("sample-interim")
    build(SAMPLE, folder / "out", params.load(None), interim=folder / "interim")
    return folder / "interim"


def files_of(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_evidence_checked_beside_the_rest_gives_the_files_of_one_process(sample_interim, tmp_path, monkeypatch):
    validate.run(sample_interim, tmp_path / "beside")
    monkeypatch.setattr(validate, "cores", lambda: 1)
    validate.run(sample_interim, tmp_path / "alone")
    assert files_of(tmp_path / "beside") == files_of(tmp_path / "alone")
    assert validate.EVIDENCE_BESIDE not in files_of(tmp_path / "beside")


def test_when_an_article_is_rejected_its_evidence_is_dropped_whichever_way_it_is_checked(sample_interim, tmp_path,
                                                                                         monkeypatch):
    import shutil

    from etl.tables import write_table

    interim = tmp_path / "interim"
    shutil.copytree(sample_interim, interim)
    extractions = read_table(interim / "extractions.parquet", "extractions")
    rejected = extractions["article_id"].iloc[0]
    assert rejected in set(read_table(interim / "evidence.parquet", "evidence")["article_id"])
    extractions.loc[0, "outcome"] = "dead"  # (not a value of the codebook)
    write_table(extractions, "extractions", interim / "extractions.parquet")
    validate.run(interim, tmp_path / "beside")
    monkeypatch.setattr(validate, "cores", lambda: 1)
    validate.run(interim, tmp_path / "alone")
    assert files_of(tmp_path / "beside") == files_of(tmp_path / "alone")
    kept = read_table(tmp_path / "beside" / "evidence.parquet", "evidence")
    assert len(kept) and rejected not in set(kept["article_id"])
    rejects = read_table(tmp_path / "beside" / "rejects.parquet", "rejects")
    assert f"articles:{rejected}" in set(rejects["row_key"])


def checked_both_ways(path, table, rows, keep=None):
    """The table at `path` validated as the stage does (batches that surely pass as Arrow) and with every
    batch a frame: each way's rejects rows and the bytes of the file written."""
    from etl.batches import TableWriter, table_batches
    from etl.tables import row_group_rows

    results = []
    for way, batches in (("arrow", validate.checked_batches(path, table, rows)),
                         ("frames", table_batches(path, table, rows))):
        out = path.parent / f"{way}.parquet"
        with TableWriter(table, out, row_group_rows(table)) as writer:
            rejects = validate.validate_table(table, batches, writer.write, keep=keep, write_arrow=writer.write_arrow)
        results.append((validate.rejects_frame(rejects), out.read_bytes()))
    return results


def test_batches_that_surely_pass_are_written_from_arrow_as_from_their_frames(tmp_path):
    from etl.tables import write_table

    # the first four rows surely pass (Arrow); the last two hold a span that ends before it starts (a frame,
    # for pandera); a1 and a4's are the evidence of articles rejected
    rows = evidence(*[{"article_id": f"a{n}", "start": n, "end": n + 5} for n in range(4)],
                    {"article_id": "a4", "start": 9, "end": 3}, {"article_id": "a5", "detail": "twice"})
    write_table(rows, "evidence", tmp_path / "evidence.parquet")
    assert [type(batch).__name__ for batch in validate.checked_batches(tmp_path / "evidence.parquet", "evidence", 2)] \
        == ["Table", "Table", "DataFrame"]
    (arrow_rejects, arrow_file), (frame_rejects, frame_file) = checked_both_ways(
        tmp_path / "evidence.parquet", "evidence", 2, keep=validate.rows_in({"a0", "a2", "a3", "a5"}, "article_id"))
    assert arrow_file == frame_file
    pd.testing.assert_frame_equal(arrow_rejects, frame_rejects)
    assert set(zip(arrow_rejects["row_key"], arrow_rejects["check_id"])) == {("evidence:a4:outcome:9",
                                                                             "evidence.span.ordered")}
    assert list(read_table(tmp_path / "arrow.parquet", "evidence")["article_id"]) == ["a0", "a2", "a3", "a5"]


def test_a_list_column_is_written_from_arrow_as_from_its_frame(tmp_path):
    from etl.tables import write_table

    fields = incident_fields("uof-1", "uof-2", "uof-3")
    fields["other_values"] = [["fatal", "non_fatal"], [], ["x"]]
    write_table(fields, "incident_fields", tmp_path / "incident_fields.parquet")
    (arrow_rejects, arrow_file), (frame_rejects, frame_file) = checked_both_ways(
        tmp_path / "incident_fields.parquet", "incident_fields", 2)
    assert arrow_file == frame_file and arrow_rejects.empty and frame_rejects.empty


def test_the_stage_writes_the_same_files_when_every_batch_is_checked_by_pandera(sample_interim, tmp_path, monkeypatch):
    validate.run(sample_interim, tmp_path / "arrow")
    monkeypatch.setattr(validate, "surely_passes", lambda rows, table: False)
    validate.run(sample_interim, tmp_path / "pandera")
    assert files_of(tmp_path / "arrow") == files_of(tmp_path / "pandera")


def test_a_bad_row_of_a_table_no_input_file_holds_is_rejected_and_the_stage_goes_on(sample_interim, tmp_path):
    import shutil

    from etl.tables import write_table

    interim = tmp_path / "interim"
    shutil.copytree(sample_interim, interim)
    evidence = read_table(interim / "evidence.parquet", "evidence")
    evidence.loc[0, "end"] = evidence.loc[0, "start"] - 1  # (a span that ends before it starts)
    write_table(evidence, "evidence", interim / "evidence.parquet")
    validate.run(interim, tmp_path / "out")
    rejects = read_table(tmp_path / "out" / "rejects.parquet", "rejects")
    bad = rejects[rejects["check_id"] == "evidence.span.ordered"]
    # one rejects row for the row (not one for each of its columns), saying what the check read
    assert len(bad) == 1 and bad["source_path"].isna().all()
    start = evidence.loc[0, "start"]
    assert bad["reason"].iloc[0] == f"An evidence span ends at or after its start. (start={start}, end={start - 1})"
    assert bad["row_key"].iloc[0] == f"evidence:{evidence.loc[0, 'article_id']}:{evidence.loc[0, 'field']}:" \
                                     f"{evidence.loc[0, 'start']}"
    assert len(read_table(tmp_path / "out" / "evidence.parquet", "evidence")) == len(evidence) - 1


def test_the_layout_of_arrow_rows_from_their_first_row_is_the_one_their_whole_frame_gives():
    fields = pa.table({"incident_id": ["uof-1", "uof-2"], "field": ["outcome", "force"],
                       "chosen_value": [None, "Metropolitan Police Service"], "source_article_id": [None, "a1"],
                       "merge_rule": ["majority", "majority"], "other_values": [[], ["Kent Police"]]})
    evidence = pa.table({"article_id": ["a1", "a2"], "field": ["outcome", "outcome"], "value": ["fatal", "fatal"],
                         "quote": ["died", "died"], "sentence": ["He died.", "She died."], "rule": ["r", "r"],
                         "detail": [None, "x"], "start": pa.array([0, 3], pa.int64()), "end": pa.array([4, 7], pa.int64()),
                         "incident_id": [None, "uof-1"]})
    for table, rows in (("incident_fields", fields), ("evidence", evidence)):
        rows = rows.select(list(TABLES[table].columns))
        whole = tables.to_arrow(tables.frame_of(rows, table), table)
        assert validate.layout_of(rows, table) == whole.schema
        assert validate.layout_of(rows, table).metadata == whole.schema.metadata
        assert tables.laid_out_as(rows, table, validate.layout_of(rows, table)).equals(whole)
