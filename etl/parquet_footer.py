"""Copying a codebook table's Parquet file with other metadata, without decoding or encoding its pages.

A Parquet file is its pages, then its footer (a Thrift FileMetaData in the compact protocol),
the footer's length and the magic. The key-value metadata (with `ARROW:schema`, which holds
the Arrow schema's own metadata) is one field of the footer and is read by nothing in the
pages, so the file a writer gives the same rows with other metadata is the same pages and
the same footer but for that field. `with_metadata_of` writes that file by copying the pages
and the footer's other fields as they are and taking the field from `template`: a file of no
rows that the same writer, with the same schema and metadata, has written.

Only the top level of the footer is read (each field's place, skipped by its Thrift type), so
the rest of it is never interpreted, only copied.

`copy_table` is `etl.tables.copy_table` (the file writing the table again gives) by this way when
the file is laid out as that writing would lay it out (`copies_verbatim`), as every file
etl.validate writes is: the published files of a build are their validated tables with the
build's metadata.
"""
from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl import tables
from schema.models import arrow_schema

MAGIC = b"PAR1"
# The file's end: the footer's length (4 bytes, little-endian), then the magic.
TAIL_BYTES = 4 + len(MAGIC)
# FileMetaData's fields (parquet.thrift) that hold the rows: their number and the row groups.
NUM_ROWS, ROW_GROUPS = 3, 4
KEY_VALUE_METADATA = 5

# Thrift compact protocol types (a field header's low four bits, a list header's element type).
STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(13)
VARINT_TYPES = (I16, I32, I64)
DOUBLE_BYTES = 8
LONG_LIST = 0x0F  # a list header's size nibble saying the size follows as a varint
# The pages are copied this many bytes at a time: large enough that the calls cost nothing beside
# the copying, small enough to hold nothing of note.
COPY_CHUNK_BYTES = 1 << 20
# The compression pyarrow's writer uses unless told otherwise (no writer in etl tells it otherwise).
DEFAULT_COMPRESSION = "SNAPPY"


def copy_table(source: Path, table: str, path: Path, metadata: dict[str, str] | None = None) -> Path:
    """`etl.tables.copy_table(source, table, path, metadata)`: the same file, replacing `path`
    atomically; when `source` is laid out as that copy would write it (`copies_verbatim`), its pages
    are copied as they are and only its footer's metadata is replaced."""
    if not source.exists():
        return tables.copy_table(source, table, path, metadata)  # (which says what is wrong)
    parquet = pq.ParquetFile(source)
    if parquet.schema_arrow.names != arrow_schema(table).names:
        return tables.copy_table(source, table, path, metadata)
    schema = arrow_schema(table).with_metadata({**parquet.schema_arrow.metadata, **(metadata or {})})
    template = empty_file(table, schema)
    if not copies_verbatim(source, parquet, table, template):
        return tables.copy_table(source, table, path, metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        with_metadata_of(source, template, Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def empty_file(table: str, schema: pa.Schema) -> bytes:
    """The bytes of the Parquet file of no rows `etl.tables.copy_table` writes with `schema`: its
    footer is the copy's but for the rows."""
    buffer = pa.BufferOutputStream()
    order = tables.sorting_columns(table)
    with pq.ParquetWriter(buffer, schema, **({"sorting_columns": order} if order else {})):
        pass
    return buffer.getvalue().to_pybytes()


def copies_verbatim(source: Path, parquet: pq.ParquetFile, table: str, template: bytes) -> bool:
    """Whether `etl.tables.copy_table` of `source` would write its pages as they are: the same writer
    and Parquet schema (`same_but_rows` of the empty file it writes, `template`), columns of the
    codebook's Arrow types (its cast changes no value), row groups it would not split, of the table's
    sorting columns, and column chunks as the writer's defaults write them."""
    if not same_but_rows(read_footer(source)[1], footer_of(template)):
        return False
    if not parquet.schema_arrow.remove_metadata().equals(arrow_schema(table).remove_metadata()):
        return False
    order = tables.sorting_columns(table) or []
    limit = tables.row_group_rows(table)
    metadata = parquet.metadata
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        if not 0 < group.num_rows <= limit or list(group.sorting_columns) != order:
            return False
        if not all(_written_by_default(group.column(column)) for column in range(group.num_columns)):
            return False
    return True


def _written_by_default(chunk: pq.ColumnChunkMetaData) -> bool:
    """Whether a column chunk is as the writer's defaults write it: in this file, of the default
    compression, without page indexes or a bloom filter (which `etl.tables.copy_table` would not write)."""
    return (chunk.compression == DEFAULT_COMPRESSION and not chunk.file_path and not chunk.has_column_index
            and not chunk.has_offset_index and not chunk.bloom_filter_length)


def footer_of(data: bytes) -> bytes:
    """The footer (serialized FileMetaData) of a whole Parquet file's bytes."""
    if data[:len(MAGIC)] != MAGIC or data[-len(MAGIC):] != MAGIC:
        raise ValueError("not a Parquet file (no PAR1 magic at both ends)")
    length = struct.unpack("<I", data[-TAIL_BYTES:-len(MAGIC)])[0]
    return data[-TAIL_BYTES - length:-TAIL_BYTES]


def read_footer(path: Path) -> tuple[int, bytes]:
    """Where the footer of the Parquet file at `path` starts, and its bytes (the file's tail only)."""
    with open(path, "rb") as handle:
        handle.seek(-TAIL_BYTES, 2)
        tail = handle.read(TAIL_BYTES)
        if tail[len(tail) - len(MAGIC):] != MAGIC:
            raise ValueError(f"{path}: not a Parquet file (no PAR1 magic at its end)")
        length = struct.unpack("<I", tail[:4])[0]
        start = handle.seek(0, 2) - TAIL_BYTES - length
        handle.seek(start)
        return start, handle.read(length)


def top_level_fields(footer: bytes) -> dict[int, bytes]:
    """Each top-level field of a footer by its id, in the footer's order: its bytes, header included
    (a header gives its field's id as the step from the field before it, so it is the same bytes in
    any footer holding the same fields)."""
    fields, at, last_id = {}, 0, 0
    while footer[at] != STOP:
        start = at
        header = footer[at]
        at += 1
        delta, kind = header >> 4, header & 0x0F
        if delta:
            field_id = last_id + delta
        else:
            zigzag, at = _varint(footer, at)
            field_id = _unzigzag(zigzag)
        at = _skipped(footer, at, kind)
        fields[field_id] = footer[start:at]
        last_id = field_id
    if at != len(footer) - 1:
        raise ValueError("a Parquet footer with bytes after its end")
    return fields


def same_but_rows(footer: bytes, template: bytes) -> bool:
    """Whether two footers hold the same fields, the same bytes but for the rows and the key-value
    metadata: the same format version, Parquet schema, writer (created_by) and column orders."""
    ours, theirs = top_level_fields(footer), top_level_fields(template)
    kept = set(ours) - {NUM_ROWS, ROW_GROUPS, KEY_VALUE_METADATA}
    return (set(ours) == set(theirs) and KEY_VALUE_METADATA in ours
            and all(ours[field] == theirs[field] for field in kept))


def with_metadata_of(source: Path, template: bytes, path: Path) -> None:
    """Write to `path` the Parquet file at `source` with the key-value metadata of the file `template`
    (whole, as bytes); the caller has checked `same_but_rows` of their footers."""
    start, footer = read_footer(source)
    fields = top_level_fields(footer)
    fields[KEY_VALUE_METADATA] = top_level_fields(footer_of(template))[KEY_VALUE_METADATA]
    replaced = b"".join(fields[field] for field in fields) + bytes([STOP])
    with open(source, "rb") as reading, open(path, "wb") as writing:
        _copy_bytes(reading, writing, start)
        writing.write(replaced + struct.pack("<I", len(replaced)) + MAGIC)


def _copy_bytes(reading, writing, count: int) -> None:
    """The first `count` bytes of `reading` written to `writing`, a chunk at a time."""
    remaining = count
    while remaining:
        chunk = reading.read(min(remaining, COPY_CHUNK_BYTES))
        if not chunk:
            raise ValueError(f"{reading.name}: the file ends before its footer")
        writing.write(chunk)
        remaining -= len(chunk)


def _skipped(data: bytes, at: int, kind: int) -> int:
    """The place after a value of the compact type `kind` starting at `at`."""
    if kind in (TRUE, FALSE):
        return at  # (a field's bool is in its header)
    if kind == BYTE:
        return at + 1
    if kind in VARINT_TYPES:
        return _varint(data, at)[1]
    if kind == DOUBLE:
        return at + DOUBLE_BYTES
    if kind == BINARY:
        length, at = _varint(data, at)
        return at + length
    if kind in (LIST, SET):
        header = data[at]
        at += 1
        size, item = header >> 4, header & 0x0F
        if size == LONG_LIST:
            size, at = _varint(data, at)
        for _ in range(size):
            at = at + 1 if item in (TRUE, FALSE) else _skipped(data, at, item)
        return at
    if kind == MAP:
        size, at = _varint(data, at)
        if size:
            types = data[at]
            at += 1
            for _ in range(size):
                at = _skipped(data, _skipped(data, at, types >> 4), types & 0x0F)
        return at
    if kind == STRUCT:
        while data[at] != STOP:
            header = data[at]
            at += 1
            if not header >> 4:  # (a field id given in full, not as a delta)
                at = _varint(data, at)[1]
            at = _skipped(data, at, header & 0x0F)
        return at + 1
    raise ValueError(f"a Parquet footer with an unknown Thrift type {kind}")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """An unsigned LEB128 varint at `at`, and the place after it."""
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def _unzigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)
