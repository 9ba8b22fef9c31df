"""A Parquet file's footer read field by field, and its metadata replaced without its pages rewritten."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl import parquet_footer, tables
from etl.tables import read_table, write_table
from schema.codebook import COLUMNS, TABLES


def written(path, rows: int, metadata: dict[str, str]) -> bytes:
    """A small Parquet file of several row groups and column types (texts, lists, floats with nulls)."""
    schema = pa.schema({"id": pa.string(), "items": pa.list_(pa.string()), "score": pa.float64(), "flag": pa.bool_()},
                       metadata=metadata)
    table = pa.table({"id": [f"row-{n}" for n in range(rows)], "items": [[str(n)] * (n % 3) for n in range(rows)],
                      "score": [None if n % 4 == 0 else n / 7 for n in range(rows)],
                      "flag": [n % 2 == 0 for n in range(rows)]}, schema=schema)
    pq.write_table(table, path, row_group_size=3)
    return path.read_bytes()


def test_the_footer_splits_into_its_top_level_fields_and_joins_back_into_the_same_bytes(tmp_path):
    footer = parquet_footer.footer_of(written(tmp_path / "t.parquet", 10, {"k": "v"}))
    fields = parquet_footer.top_level_fields(footer)
    assert {parquet_footer.NUM_ROWS, parquet_footer.ROW_GROUPS, parquet_footer.KEY_VALUE_METADATA} <= set(fields)
    assert b"".join(fields.values()) + bytes([parquet_footer.STOP]) == footer
    assert parquet_footer.read_footer(tmp_path / "t.parquet")[1] == footer


def test_a_file_given_another_files_metadata_holds_the_same_rows_and_is_the_file_written_with_it(tmp_path):
    written(tmp_path / "old.parquet", 10, {"build": "old"})
    wanted = written(tmp_path / "wanted.parquet", 10, {"build": "new", "more": "x"})
    template = written(tmp_path / "empty.parquet", 0, {"build": "new", "more": "x"})
    old, empty = (parquet_footer.read_footer(tmp_path / name)[1] for name in ("old.parquet", "empty.parquet"))
    assert parquet_footer.same_but_rows(old, empty)
    parquet_footer.with_metadata_of(tmp_path / "old.parquet", template, tmp_path / "new.parquet")
    assert (tmp_path / "new.parquet").read_bytes() == wanted
    assert pq.read_schema(tmp_path / "new.parquet").metadata[b"build"] == b"new"


def test_footers_of_other_schemas_are_not_the_same_but_for_their_rows(tmp_path):
    pq.write_table(pa.table({"id": ["a"]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"id": [1]}), tmp_path / "b.parquet")
    a, b = (parquet_footer.read_footer(tmp_path / name)[1] for name in ("a.parquet", "b.parquet"))
    assert not parquet_footer.same_but_rows(a, b)


def test_a_file_that_is_not_parquet_is_refused(tmp_path):
    (tmp_path / "not.parquet").write_bytes(b"PAR1 but not a footer")
    with pytest.raises(ValueError, match="not a Parquet file"):
        parquet_footer.read_footer(tmp_path / "not.parquet")
    with pytest.raises(ValueError, match="not a Parquet file"):
        parquet_footer.footer_of(b"plain text")


def incidents_frame(rows: int) -> pd.DataFrame:
    base = {name: COLUMNS[name].unstated for name in TABLES["incidents"].columns}
    return pd.DataFrame([{**base, "incident_id": f"uof-{n}", "incident_date": dt.date(2020, 1, 1 + n),
                          "n_articles": 1, "article_ids": [f"a{n}"]} for n in range(rows)])


def evidence_frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame([{"article_id": f"a{n // 3}", "field": "outcome", "value": "fatal", "quote": f"q{n}",
                          "sentence": f"s{n}", "rule": "r", "detail": None, "start": n, "end": n + 1,
                          "incident_id": None if n % 2 else f"uof-{n}"} for n in range(rows)])


METADATA = {"uofdb.build_time": "2020-01-05", "uofdb.parameters": "{}"}


@pytest.mark.parametrize("table, frame", [("incidents", incidents_frame(5)), ("evidence", evidence_frame(7))])
def test_a_table_laid_out_as_written_is_copied_with_its_pages_as_they_are_into_the_file_writing_it_again_gives(
        tmp_path, monkeypatch, table, frame):
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 2)  # several row groups
    source = write_table(frame, table, tmp_path / "source.parquet")
    rewritten, original = [], tables.copy_table
    monkeypatch.setattr(tables, "copy_table", lambda *args: rewritten.append(args) or original(*args))
    copied = parquet_footer.copy_table(source, table, tmp_path / "copied.parquet", METADATA)
    assert rewritten == []  # (the pages were copied, not decoded)
    again = write_table(read_table(source, table), table, tmp_path / "again.parquet", METADATA)
    assert copied.read_bytes() == again.read_bytes()
    assert pq.read_schema(copied).metadata[b"uofdb.build_time"] == b"2020-01-05"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["again.parquet", "copied.parquet", "source.parquet"]


def test_a_table_of_other_row_groups_or_compression_is_written_again_as_the_table_would_be(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 2)
    laid_out = pq.read_table(write_table(evidence_frame(5), "evidence", tmp_path / "laid-out.parquet"))
    expected = write_table(read_table(tmp_path / "laid-out.parquet", "evidence"), "evidence",
                           tmp_path / "expected.parquet", METADATA).read_bytes()
    others = {"one-group": {"row_group_size": 5}, "zstd": {"row_group_size": 2, "compression": "zstd"},
              "page-index": {"row_group_size": 2, "write_page_index": True}}
    for name, options in others.items():
        source = tmp_path / f"{name}.parquet"
        pq.write_table(laid_out, source, **options)
        assert not parquet_footer.copies_verbatim(source, pq.ParquetFile(source), "evidence",
                                                  parquet_footer.empty_file("evidence", laid_out.schema)), name
        copied = parquet_footer.copy_table(source, "evidence", tmp_path / f"{name}-copied.parquet", METADATA)
        assert copied.read_bytes() == expected, name


def test_copying_a_missing_table_or_one_of_other_columns_says_so_as_etl_tables_does(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the stage that writes it"):
        parquet_footer.copy_table(tmp_path / "nope.parquet", "incidents", tmp_path / "incidents.parquet")
    source = write_table(evidence_frame(1), "evidence", tmp_path / "evidence.parquet")
    with pytest.raises(ValueError, match=r"evidence\.parquet: the incidents table has the columns article_id"):
        parquet_footer.copy_table(source, "incidents", tmp_path / "incidents.parquet")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["evidence.parquet"]
