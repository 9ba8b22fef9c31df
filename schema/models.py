"""Pandera models and Arrow schemas generated from the codebook.

`model(table)` builds a pandera `DataFrameModel` for any table of
`schema.codebook.TABLES`; `arrow_schema(table)` the matching Parquet schema, whose
fields carry the codebook descriptions as metadata. Cross-field rules live in
`ROW_CHECKS` with a stable id and a severity, so a rejects row names exactly the
rule that failed.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc
from pandera.typing import Series

from schema.codebook import TABLES, Column, columns_of

# A time of day, HH:MM ([0-9]: Python's \d is any Unicode digit), and nothing after it: for Python's
# re (pandera, corrections) anchored by \Z, since its $ also matches before a final newline; for RE2
# (Arrow, `surely_passes`), which has no \Z, by $, the end of the text there.
TIME_FORMAT = r"([01][0-9]|2[0-3]):[0-5][0-9]"
TIME_PATTERN = rf"^{TIME_FORMAT}\Z"
TIME_PATTERN_RE2 = rf"^{TIME_FORMAT}$"

PANDAS_DTYPES = {
    "str": "string", "enum": "string", "time": "string", "bool": "boolean",
    "int": "Int64", "float": "Float64", "date": "object", "list": "object",
}
# A vocabulary column is dictionary-encoded with its whole vocabulary as the dictionary, so
# pandas reads it as a categorical of every allowed value and DuckDB's ENUM of the same
# values exports the same Arrow type (indices of one byte: every vocabulary is small).
ENUM_ARROW_TYPE = pa_arrow.dictionary(pa_arrow.uint8(), pa_arrow.string())
ARROW_TYPES = {
    "str": pa_arrow.string(), "enum": ENUM_ARROW_TYPE, "time": pa_arrow.string(),
    "bool": pa_arrow.bool_(), "int": pa_arrow.int64(), "float": pa_arrow.float64(),
    "date": pa_arrow.date32(), "list": pa_arrow.list_(pa_arrow.string()),
}
PANDERA_TYPES = {
    "str": pd.StringDtype(), "enum": pd.StringDtype(), "time": pd.StringDtype(),
    "bool": pd.BooleanDtype(), "int": pd.Int64Dtype(), "float": pd.Float64Dtype(),
    "date": pa.Date, "list": object,
}


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns of one table: a stable id, a severity and a test per row."""

    check_id: str
    table: str
    severity: str  # "error" keeps the row out of the tables; "warning" publishes it flagged
    description: str
    passes: Callable[[pd.DataFrame], pd.Series]
    # The columns `passes` reads, so a batch can be tested on those alone (`surely_passes`).
    columns: tuple[str, ...] = ()


def _date_not_after_publication(frame: pd.DataFrame) -> pd.Series:
    incident = pd.to_datetime(frame["incident_date"], errors="coerce")
    published = pd.to_datetime(frame["published_date"], errors="coerce")
    return ~(incident > published).fillna(False).astype(bool)


def _span_is_ordered(frame: pd.DataFrame) -> pd.Series:
    return (frame["end"] >= frame["start"]).fillna(False).astype(bool)


def _incident_only_when_relevant(frame: pd.DataFrame) -> pd.Series:
    return (frame["relevant"].fillna(False) | frame["incident_id"].isna()).astype(bool)


def _code_matches_borough(frame: pd.DataFrame) -> pd.Series:
    from schema import vocab

    names = {code: district.name for code, district in vocab.districts().items()}
    expected = frame["borough_code"].map(lambda code: names.get(code) if isinstance(code, str) else None)
    both_missing = frame["borough"].isna() & frame["borough_code"].isna()
    return (both_missing | (expected == frame["borough"])).fillna(False).astype(bool)


ROW_CHECKS: tuple[RowCheck, ...] = (
    RowCheck("articles.incident_date.not_after_published", "articles", "error",
             "An incident cannot happen after the article reporting it was published.",
             _date_not_after_publication, ("incident_date", "published_date")),
    RowCheck("articles.incident_id.only_when_relevant", "articles", "error",
             "Only relevant articles belong to an incident.", _incident_only_when_relevant,
             ("relevant", "incident_id")),
    RowCheck("articles.borough_code.matches_borough", "articles", "error",
             "borough_code is the ONS code of borough.", _code_matches_borough, ("borough", "borough_code")),
    RowCheck("incidents.borough_code.matches_borough", "incidents", "error",
             "borough_code is the ONS code of borough.", _code_matches_borough, ("borough", "borough_code")),
    RowCheck("evidence.span.ordered", "evidence", "error",
             "An evidence span ends at or after its start.", _span_is_ordered, ("start", "end")),
)


def row_checks(table: str, severity: str | None = None) -> list[RowCheck]:
    """The cross-column rules of a table, optionally of one severity."""
    return [check for check in ROW_CHECKS
            if check.table == table and (severity is None or check.severity == severity)]


def _parts_in(values: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    allowed = frozenset(values)

    def each_part_allowed(series: pd.Series) -> pd.Series:
        return series.map(lambda text: all(part in allowed for part in str(text).split("; ")), na_action="ignore").fillna(True).astype(bool)

    return each_part_allowed


def _all_strings(series: pd.Series) -> pd.Series:
    return series.map(lambda items: all(isinstance(item, str) for item in items), na_action="ignore").fillna(True).astype(bool)


def _items_in(values: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    allowed = frozenset(values)

    def each_item_allowed(series: pd.Series) -> pd.Series:
        return series.map(lambda items: all(item in allowed for item in items), na_action="ignore").fillna(True).astype(bool)

    return each_item_allowed


def _field(column: Column) -> tuple[object, object]:
    """The pandera annotation and Field for one codebook column."""
    checks: dict = {}
    if column.values and not column.joined and column.kind != "list":
        checks["isin"] = list(column.values)
    if column.minimum is not None:
        checks["ge"] = column.minimum
    if column.maximum is not None:
        checks["le"] = column.maximum
    if column.kind == "time":
        checks["str_matches"] = TIME_PATTERN
    return Series[PANDERA_TYPES[column.kind]], pa.Field(nullable=column.nullable, description=column.description, **checks)


def _custom_column_checks(table: str) -> dict[str, object]:
    """Checks pandera's Field keywords cannot express, named `<column>_<rule>`."""
    attrs = {}
    for column in columns_of(table):
        if column.joined:
            attrs[f"{column.name}_parts"] = pa.check(column.name, name="parts_in_vocabulary")(
                classmethod(lambda cls, series, _test=_parts_in(column.values): _test(series)))
        if column.kind == "list":
            attrs[f"{column.name}_items"] = pa.check(column.name, name="items_are_strings")(
                classmethod(lambda cls, series: _all_strings(series)))
        if column.kind == "list" and column.values:
            attrs[f"{column.name}_vocabulary"] = pa.check(column.name, name="items_in_vocabulary")(
                classmethod(lambda cls, series, _test=_items_in(column.values): _test(series)))
    return attrs


def _row_check_attrs(table: str) -> dict[str, object]:
    attrs = {}
    for index, rule in enumerate(row_checks(table, "error")):
        attrs[f"row_check_{index}"] = pa.dataframe_check(
            classmethod(lambda cls, frame, _rule=rule: _rule.passes(frame)), name=rule.check_id)
    return attrs


@functools.cache
def model(table: str) -> type[pa.DataFrameModel]:
    """The pandera DataFrameModel of a codebook table."""
    annotations, attrs = {}, {}
    for column in columns_of(table):
        annotations[column.name], attrs[column.name] = _field(column)

    class Config:
        strict = True
        ordered = True
        name = table
        description = TABLES[table].description

    attrs.update(_custom_column_checks(table))
    attrs.update(_row_check_attrs(table))
    return type(f"{table.title().replace('_', '')}Model", (pa.DataFrameModel,),
                {"__annotations__": annotations, "Config": Config, **attrs})


@functools.cache
def arrow_schema(table: str) -> pa_arrow.Schema:
    """The Parquet schema of a table, each field carrying its codebook description."""
    fields = [
        pa_arrow.field(column.name, ARROW_TYPES[column.kind], nullable=column.nullable,
                       metadata={"description": column.description,
                                 **({"values": "|".join(column.values)} if column.values and len(column.values) < 60 else {})})
        for column in columns_of(table)
    ]
    return pa_arrow.schema(fields, metadata={"table": table, "row": TABLES[table].row,
                                             "description": TABLES[table].description})


def empty_frame(table: str) -> pd.DataFrame:
    """A table with its columns and dtypes but no rows."""
    return conform(pd.DataFrame(columns=list(TABLES[table].columns)), table)


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with exactly the table's columns, in order, in their codebook dtypes."""
    return conformed_columns(frame, table, [column.name for column in columns_of(table)])


def conformed_columns(frame: pd.DataFrame, table: str, names: list[str]) -> pd.DataFrame:
    """The frame with the table's columns `names`, in that order, in their codebook dtypes (what
    `conform` gives of them)."""
    declared = {column.name: column for column in columns_of(table)}
    out = pd.DataFrame(index=frame.index)
    for column in (declared[name] for name in names):
        values = frame[column.name] if column.name in frame else pd.Series([None] * len(frame), index=frame.index, dtype="object")
        if column.kind == "date":
            out[column.name] = values.map(_as_date, na_action="ignore").astype("object").where(values.notna(), None)
        elif column.kind == "list":
            out[column.name] = values.map(lambda items: list(items) if items is not None else None).astype("object")
        else:
            out[column.name] = values.astype(PANDAS_DTYPES[column.kind])
    return out.reset_index(drop=True)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


# ---- the model's checks, on a batch of Arrow rows at once -------------------------------------

def surely_passes(rows: pa_arrow.Table, table: str) -> bool:
    """True when the Arrow rows, as `conform` makes them a frame, pass every check of the table: those
    of its pandera model (`model`) and its warning-level row checks alike. The column checks are
    tested on the whole columns in Arrow, the row checks (`ROW_CHECKS`) on their own columns only;
    False also whenever a column is not held as the codebook's Arrow type, which the model may
    still accept, so False says only: check these rows with the model."""
    columns = columns_of(table)
    if rows.column_names != [column.name for column in columns]:
        return False
    if not all(_arrow_type_fits(rows[column.name].type, column) and _column_passes(rows[column.name], column)
               for column in columns):
        return False
    checks = row_checks(table)
    # (a check that does not say which columns it reads is given them all)
    read = [column.name for column in columns
            if any(column.name in check.columns or not check.columns for check in checks)]
    frame = conformed_columns(rows.select(read).to_pandas(date_as_object=True), table, read)
    return all(bool(check.passes(frame).all()) for check in checks)


def _arrow_type_fits(arrow_type: pa_arrow.DataType, column: Column) -> bool:
    """Whether Arrow values of this type become, in `conform`, values of the column's kind unchanged."""
    if column.kind == "enum" and pa_arrow.types.is_dictionary(arrow_type):
        return arrow_type.value_type == pa_arrow.string()
    if column.kind == "list":
        return pa_arrow.types.is_list(arrow_type) and arrow_type.value_type == pa_arrow.string()
    return arrow_type == ARROW_TYPES[column.kind] or (column.kind == "enum" and arrow_type == pa_arrow.string())


def _column_passes(values: pa_arrow.ChunkedArray, column: Column) -> bool:
    """The checks `_field` and `_custom_column_checks` give the column, on all its values at once."""
    if column.kind == "float" and pc.any(pc.is_nan(values)).as_py():
        return False  # (pandas reads NaN as a missing value: conform would change it)
    if values.null_count and not column.nullable:
        return False
    if not (column.values or column.joined or column.minimum is not None or column.maximum is not None
            or column.kind in ("time", "list")):
        return True  # (no check but its type and nulls: a text column, the largest, is not read again)
    present = values.drop_null() if values.null_count else values
    if pa_arrow.types.is_dictionary(present.type):
        present = present.cast(pa_arrow.string())
    if column.values and not column.joined and column.kind != "list" and not _all_in(present, column.values):
        return False
    if column.minimum is not None or column.maximum is not None:
        least, most = pc.min_max(present).values()
        if least.is_valid and ((column.minimum is not None and least.as_py() < column.minimum)
                               or (column.maximum is not None and most.as_py() > column.maximum)):
            return False
    if column.kind == "time" and not _all_true(pc.match_substring_regex(present, TIME_PATTERN_RE2)):
        return False
    if column.joined and not _all_in(pc.list_flatten(pc.split_pattern(present, "; ")), column.values):
        return False
    if column.kind == "list":
        items = pc.list_flatten(present)
        return items.null_count == 0 and (not column.values or _all_in(items, column.values))
    return True


def _all_in(values: pa_arrow.ChunkedArray | pa_arrow.Array, allowed: tuple[str, ...]) -> bool:
    return _all_true(pc.is_in(values, value_set=pa_arrow.array(allowed, pa_arrow.string())))


def _all_true(tests: pa_arrow.ChunkedArray | pa_arrow.Array) -> bool:
    """Whether no test is false (Arrow's `all` of no values is null: true here)."""
    return pc.all(tests).as_py() is not False
