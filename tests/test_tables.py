"""Parquet tables are written atomically and read back in codebook dtypes."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow.parquet as pq
import pytest

from etl import tables
from etl.tables import read_table, write_table


def rejects(*reasons):
    return pd.DataFrame([{"source_path": "a.txt", "stage": "ingest", "check_id": "ingest.empty",
                          "severity": "error", "reason": reason} for reason in reasons])


def test_round_trip_keeps_types(tmp_path):
    frame = pd.DataFrame([{"article_id": "a", "source_path": "a.txt", "sha256": "0", "encoding": "utf-8",
                           "published_date": dt.date(2021, 12, 11), "headline": None, "text": "t"}])
    back = read_table(write_table(frame, "ingested", tmp_path / "t.parquet"), "ingested")
    assert back.iloc[0]["published_date"] == dt.date(2021, 12, 11)
    assert back.iloc[0]["headline"] is pd.NA or back.iloc[0]["headline"] is None


def test_a_write_that_dies_half_way_leaves_the_previous_file_and_no_temporary_files(tmp_path, monkeypatch):
    path = write_table(rejects("first"), "rejects", tmp_path / "rejects.parquet")
    before = path.read_bytes()

    def half_write(table, where, **options):
        with open(where, "wb") as handle:
            handle.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", half_write)
    with pytest.raises(OSError, match="disk full"):
        write_table(rejects("second"), "rejects", path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["rejects.parquet"]


def test_reading_a_missing_table_names_the_stage_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the stage that writes it"):
        read_table(tmp_path / "nope.parquet", "incidents")


def incidents_frame(*rows):
    from schema.codebook import COLUMNS, TABLES

    base = {name: COLUMNS[name].unstated for name in TABLES["incidents"].columns}
    return pd.DataFrame([{**base, "n_articles": 1, "article_ids": ["a"], **row} for row in rows])


def test_incidents_are_written_by_date_undated_last_then_by_id(tmp_path):
    frame = incidents_frame({"incident_id": "uof-c", "incident_date": None},
                            {"incident_id": "uof-b", "incident_date": dt.date(2021, 1, 1)},
                            {"incident_id": "uof-a", "incident_date": dt.date(2021, 1, 1)},
                            {"incident_id": "uof-d", "incident_date": dt.date(2019, 6, 1)})
    back = read_table(write_table(frame, "incidents", tmp_path / "i.parquet"), "incidents")
    assert list(back["incident_id"]) == ["uof-d", "uof-a", "uof-b", "uof-c"]
    assert list(frame["incident_id"]) == ["uof-c", "uof-b", "uof-a", "uof-d"]  # the caller's frame is not changed


def test_a_large_table_is_written_in_row_groups_each_with_its_date_range(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 2)
    frame = incidents_frame(*({"incident_id": f"uof-{n}", "incident_date": dt.date(2020, 1, 1 + n)} for n in range(5)))
    metadata = pq.ParquetFile(write_table(frame, "incidents", tmp_path / "i.parquet")).metadata
    assert metadata.num_row_groups == 3
    date = metadata.schema.names.index("incident_date")
    ranges = [(metadata.row_group(g).column(date).statistics.min, metadata.row_group(g).column(date).statistics.max)
              for g in range(3)]
    assert ranges == [(dt.date(2020, 1, 1), dt.date(2020, 1, 2)), (dt.date(2020, 1, 3), dt.date(2020, 1, 4)),
                      (dt.date(2020, 1, 5), dt.date(2020, 1, 5))]


def test_a_value_outside_the_vocabulary_is_kept_for_validation_to_reject(tmp_path):
    path = write_table(incidents_frame({"incident_id": "uof-a", "outcome": "dead"}), "incidents", tmp_path / "i.parquet")
    column = pq.read_table(path).column("outcome").chunk(0)
    assert column.to_pylist() == ["dead"] and column.dictionary.to_pylist()[-1] == "dead"
    assert read_table(path, "incidents").iloc[0]["outcome"] == "dead"


def test_a_copy_with_metadata_is_the_file_writing_the_table_again_gives(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 2)  # several row groups, copied one at a time
    frame = incidents_frame(*({"incident_id": f"uof-{n}", "incident_date": dt.date(2020, 1, 1 + n),
                               "article_ids": [f"a{n}", f"b{n}"]} for n in range(5)))
    source = write_table(frame, "incidents", tmp_path / "source.parquet")
    metadata = {"uofdb.build_time": "2020-01-05"}
    copied = tables.copy_table(source, "incidents", tmp_path / "copied.parquet", metadata)
    rewritten = write_table(read_table(source, "incidents"), "incidents", tmp_path / "rewritten.parquet", metadata)
    assert copied.read_bytes() == rewritten.read_bytes()
    assert pq.ParquetFile(copied).metadata.num_row_groups == 3
    assert pq.read_schema(copied).metadata[b"uofdb.build_time"] == b"2020-01-05"


def test_copying_a_table_of_other_columns_names_the_file_and_the_columns(tmp_path):
    source = write_table(rejects("only"), "rejects", tmp_path / "rejects.parquet")
    with pytest.raises(ValueError, match=r"rejects\.parquet: the incidents table has the columns source_path"):
        tables.copy_table(source, "incidents", tmp_path / "incidents.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.parquet"]


def test_the_tables_holding_article_text_take_smaller_row_groups():
    assert tables.row_group_rows("articles") == tables.row_group_rows("ingested") == tables.TEXT_ROW_GROUP_ROWS
    assert tables.row_group_rows("evidence") == tables.ROW_GROUP_ROWS > tables.TEXT_ROW_GROUP_ROWS


def test_arrow_rows_as_read_are_laid_out_as_their_frame(tmp_path):
    from schema.codebook import COLUMNS, TABLES
    from schema.models import conform

    base = {name: COLUMNS[name].unstated for name in TABLES["articles"].columns}
    frame = conform(pd.DataFrame([{**base, "article_id": f"a{n}", "source_path": f"a{n}.txt", "sha256": "0",
                                   "encoding": "utf-8", "text": "t", "relevant": n == 1, "relevance_score": 1.5,
                                   "published_date": dt.date(2020, 3, n + 1), "outcome": outcome}
                                  for n, outcome in enumerate(["fatal", "not_stated", "non_fatal"])]), "articles")
    write_table(frame, "articles", tmp_path / "articles.parquet")
    read = pq.read_table(tmp_path / "articles.parquet")  # (vocabulary columns come back as dictionaries)
    first = tables.to_arrow(frame.iloc[:1], "articles")
    laid_out = tables.laid_out_as(read, "articles", first.schema)
    assert laid_out.equals(tables.to_arrow(frame, "articles"), check_metadata=True)
    with pytest.raises(ValueError, match="kept sorted"):
        tables.laid_out_as(read, "incidents", first.schema)


def without_pandas_metadata(arrow):
    return arrow.replace_schema_metadata({key: value for key, value in arrow.schema.metadata.items()
                                          if key != b"pandas"})


def extraction_row(**values):
    from schema.codebook import COLUMNS, TABLES

    return {**{name: COLUMNS[name].unstated for name in TABLES["extractions"].columns},
            "article_id": "a1", "relevant": True, "relevance_score": 2.5, **values}


def required_only(row):
    from schema.codebook import columns_of

    required = {column.name for column in columns_of("extractions") if not column.nullable}
    return {name: value for name, value in row.items() if name in required}


@pytest.mark.parametrize("rows", [
    [extraction_row(incident_date=dt.date(2021, 5, 4), subject_age=34, outcome="fatal"),
     extraction_row(article_id="a2", relevant=False, relevance_score=-1.0, outcome="no_such_value")],
    [extraction_row(relevance_score=3)],  # an integer in a float column, as pandas takes it
    [required_only(extraction_row())],  # every column that may be null missing: nulls
    [],
], ids=["typed", "int-as-float", "missing-columns", "no-rows"])
def test_python_rows_become_the_arrow_table_their_frame_gives(rows):
    from schema.codebook import TABLES

    direct = tables.rows_to_arrow(rows, "extractions")
    through_pandas = tables.to_arrow(pd.DataFrame(rows, columns=list(TABLES["extractions"].columns)), "extractions")
    assert direct.equals(without_pandas_metadata(through_pandas), check_metadata=True)
    assert b"pandas" not in direct.schema.metadata


@pytest.mark.parametrize("value", ["2021-05-04", dt.datetime(2021, 5, 4, 13, 30)], ids=["text", "datetime"])
def test_a_value_arrow_does_not_read_as_its_column_type_is_converted_as_pandas_converts_it(value):
    from schema.codebook import TABLES

    rows = [extraction_row(incident_date=value, subject_age=40.0)]
    direct = tables.rows_to_arrow(rows, "extractions")
    assert direct.column("incident_date").to_pylist() == [dt.date(2021, 5, 4)]
    assert direct.column("subject_age").to_pylist() == [40]
    through_pandas = tables.to_arrow(pd.DataFrame(rows, columns=list(TABLES["extractions"].columns)), "extractions")
    assert direct.equals(without_pandas_metadata(through_pandas), check_metadata=True)


def test_a_fractional_number_in_an_integer_column_is_refused_not_truncated():
    with pytest.raises((TypeError, ValueError)):
        tables.rows_to_arrow([extraction_row(subject_age=34.5)], "extractions")


def test_a_null_where_the_codebook_requires_a_value_is_refused_naming_the_column():
    with pytest.raises(ValueError, match="relevance_score"):
        tables.rows_to_arrow([extraction_row(relevance_score=None)], "extractions")


def test_rows_of_a_table_kept_sorted_are_sent_to_to_arrow():
    with pytest.raises(ValueError, match="kept sorted"):
        tables.rows_to_arrow([], "incidents")
