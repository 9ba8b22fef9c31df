"""Reading and writing codebook tables as Parquet, atomically.

A table is written in its codebook order (`Table.sort_by`, recorded as the file's sorting
columns), its vocabulary columns dictionary-encoded against the whole vocabulary (values
outside it, which validation rejects, are appended so the file still holds them), and
with any file metadata the caller gives (the build's, at publish).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schema.codebook import TABLES, columns_of
from schema.models import arrow_schema, conform

# Rows per Parquet row group: DuckDB's own row group size, so a filter on a sorted column (incidents
# by incident_date) skips whole groups by their statistics; a table smaller than this is one group.
ROW_GROUP_ROWS = 122_880
# A table holding the articles' text (articles, ingested) takes row groups of this many rows instead:
# a group is what a reader decodes at once, and a text is a few KB, so a group of articles stays tens
# of MB however large the corpus is (a stage reading them batch by batch never holds them all).
TEXT_ROW_GROUP_ROWS = 8_192
_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
                 pa.string(): pd.StringDtype(), pa.float64(): pd.Float64Dtype()}


def write_table(frame: pd.DataFrame, table: str, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """Write `frame` as the codebook table `table` to `path`, replacing it atomically.

    The file is written beside its destination and renamed over it, so a reader (or a
    build killed mid-write) sees either the old file or the new one, never half of one.
    """
    arrow = to_arrow(frame, table)
    if metadata:
        arrow = arrow.replace_schema_metadata({**arrow.schema.metadata, **metadata})
    return write_arrow(arrow, table, path)


def write_arrow(arrow: pa.Table, table: str, path: Path) -> Path:
    """Write the Arrow table `to_arrow` made of a frame of the codebook table `table` to `path`, replacing
    it atomically: the file `write_table` writes of that frame (given in the chunks `to_arrow` gives, one
    a column: the writer cuts pages where chunks end)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        order = sorting_columns(table)
        pq.write_table(arrow, tmp, row_group_size=row_group_rows(table), **({"sorting_columns": order} if order else {}))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def copy_table(source: Path, table: str, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """Copy the Parquet file of a codebook table to `path` a row group at a time, adding `metadata`,
    replacing `path` atomically: the file `write_table(read_table(source), ...)` gives, without
    holding more than one row group (nor any of it as Python objects)."""
    if not source.exists():
        read_arrow(source, table)  # raises the stage's own message for a missing table
    parquet = pq.ParquetFile(source)
    # (the codebook's own types: Parquet reads a list's items back under another name, "element")
    schema = arrow_schema(table).with_metadata({**parquet.schema_arrow.metadata, **(metadata or {})})
    if parquet.schema_arrow.names != schema.names:
        raise ValueError(f"{source}: the {table} table has the columns {', '.join(parquet.schema_arrow.names)}, "
                         f"not the codebook's ({', '.join(schema.names)}); run the stage that writes it again")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        order = sorting_columns(table)
        with pq.ParquetWriter(tmp, schema, **({"sorting_columns": order} if order else {})) as writer:
            for group in range(parquet.metadata.num_row_groups):
                rows = parquet.read_row_group(group).cast(schema)
                writer.write_table(rows, row_group_size=row_group_rows(table))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def row_group_rows(table: str) -> int:
    """Rows per Parquet row group of a table: fewer for the tables holding the articles' text."""
    return TEXT_ROW_GROUP_ROWS if "text" in TABLES[table].columns else ROW_GROUP_ROWS


def to_arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """The frame as an Arrow table of the codebook's schema, in the table's row order."""
    frame = sorted_rows(conform(frame, table), table)
    schema = arrow_schema(table)
    plain = pa.schema([field.with_type(pa.string()) if pa.types.is_dictionary(field.type) else field
                       for field in schema], metadata=schema.metadata)
    arrow = pa.Table.from_pandas(frame, schema=plain, preserve_index=False)
    for column in columns_of(table):
        if column.kind == "enum":
            index = arrow.schema.get_field_index(column.name)
            arrow = arrow.set_column(index, schema.field(column.name),
                                     vocabulary_encoded(arrow.column(index), column.values))
    return arrow.replace_schema_metadata({**schema.metadata, **arrow.schema.metadata})


def rows_to_arrow(rows: list[dict], table: str) -> pa.Table:
    """Python rows (dicts by column name; a column a row lacks is null) of a table kept in its read
    order, as the Arrow table `to_arrow` makes of their frame, without making the frame: each column
    is read by Arrow's own type inference and taken only when that gives the column's type (or, for
    a float column, integers). A column it cannot take so (a date written as text, a number among
    strings, a null where the codebook requires a value) sends the rows through `to_arrow`, which
    converts as pandas does, or raises as it does. Either way the schema
    is the codebook's, without the pandas metadata `to_arrow` adds (these tables pass between stages;
    the published ones are written from frames)."""
    if TABLES[table].sort_by:
        raise ValueError(f"the {table} table is kept sorted ({', '.join(TABLES[table].sort_by)}): use to_arrow")
    schema = arrow_schema(table)
    arrays = []
    for column, field in zip(columns_of(table), schema):
        array = _inferred([row.get(column.name) for row in rows], column.kind, field.type, column.values)
        if array is None or (array.null_count and not field.nullable):  # (to_arrow says which column)
            frame = pd.DataFrame(rows, columns=[column.name for column in columns_of(table)])
            return to_arrow(frame, table).replace_schema_metadata(schema.metadata)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def _inferred(values: list, kind: str, wanted: pa.DataType, vocabulary: tuple[str, ...] | None) -> pa.Array | None:
    """The values as an Arrow array of `wanted` when Arrow reads them as that type unaided (NaN as
    null, as pandas has it); None when it reads them as any other, or cannot."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # (mixed types, or an int beyond 64 bits)
        return None
    if kind == "enum":
        if not (pa.types.is_string(array.type) or pa.types.is_null(array.type)):
            return None
        return vocabulary_encoded(pa.chunked_array([array.cast(pa.string())]), vocabulary)
    if array.type == wanted:
        return array
    if (pa.types.is_null(array.type) or (kind == "float" and pa.types.is_integer(array.type))
            or (kind == "list" and array.type == pa.list_(pa.null()))):
        return array.cast(wanted)  # (no values, integers as floats, or lists all empty: as pandas makes them)
    return None


def laid_out_as(rows: pa.Table, table: str, schema: pa.Schema) -> pa.Table:
    """Arrow rows of a table kept in its read order (no `sort_by`), already of the codebook's
    types and values (a vocabulary column as strings or any dictionary), as `to_arrow` lays out
    their frame: the vocabulary columns encoded against the vocabulary, the other columns cast to
    `schema` (the one `to_arrow` gave the table's first rows, which carries its metadata)."""
    if TABLES[table].sort_by:
        raise ValueError(f"the {table} table is kept sorted ({', '.join(TABLES[table].sort_by)}): use to_arrow")
    arrays = []
    for column, field in zip(columns_of(table), schema):
        values = rows.column(column.name)
        if column.kind == "enum":
            arrays.append(vocabulary_encoded(values.cast(pa.string()), column.values))
        else:
            arrays.append(values.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def vocabulary_encoded(values: pa.ChunkedArray, vocabulary: tuple[str, ...]) -> pa.DictionaryArray:
    """The strings as a dictionary array whose dictionary is the vocabulary (then any value outside it)."""
    strings = values.combine_chunks()
    outside = sorted(set(strings.drop_null().to_pylist()) - set(vocabulary))
    dictionary = pa.array(list(vocabulary) + outside, pa.string())
    indices = pc.index_in(strings, value_set=dictionary).cast(pa.uint8())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def sorted_rows(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The rows in the table's declared order (nulls last); unchanged when it declares none."""
    order = list(TABLES[table].sort_by)
    if not order or frame.empty:
        return frame
    return frame.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)


def sorting_columns(table: str) -> list[pq.SortingColumn] | None:
    """The Parquet sorting columns of the table's declared order."""
    order = TABLES[table].sort_by
    if not order:
        return None
    names = list(TABLES[table].columns)
    return [pq.SortingColumn(names.index(name), descending=False, nulls_first=False) for name in order]


def read_table(path: Path, table: str) -> pd.DataFrame:
    """Read a Parquet file written by `write_table` back into codebook dtypes."""
    return frame_of(read_arrow(path, table), table)


def read_arrow(path: Path, table: str) -> pa.Table:
    """The Parquet file of a codebook table as Arrow (compact: no Python object per value)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: the {table} table is missing; run the stage that writes it first")
    return pq.read_table(path)


def frame_of(arrow: pa.Table, table: str) -> pd.DataFrame:
    """Arrow rows of a codebook table as a frame in codebook dtypes."""
    return conform(arrow.to_pandas(date_as_object=True, types_mapper=_PANDAS_TYPES.get), table)
