"""`uofdb query`: run SQL (or a .sql file) against the published database and print or save the result.

The result is read as Arrow, so lists stay lists and dates stay dates, and written as:

- `table` (the default): a plain-text table for a terminal: lists as lists (`["a", "b"]`),
  newlines and tabs escaped (`\\n`), long text cut to `width` characters with an ellipsis,
  at most `limit` rows, and a line saying how many there were;
- `csv`: a header and one line per row, lists as JSON arrays, nulls empty;
- `json`: an array of objects, dates ISO;
- `parquet`: a Parquet file of the result (needs `--out`).

Safe mode (DuckDB's external access off, its configuration locked) is chosen by the caller
(etl.cli): the SQL then reads only the database, never other files.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("table", "csv", "json", "parquet")
SHOWN_ROWS = 50     # rows a table shows unless --limit says otherwise (the other formats write all)
CELL_WIDTH = 60     # characters of a cell a table shows before cutting it
ELLIPSIS = "…"
ESCAPES = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def run(sql: str, database: Path, safe: bool, fmt: str = "table", out: Path | None = None,
        limit: int | None = None, width: int = CELL_WIDTH) -> str | None:
    """Run the SQL (or the .sql file it names) and write the result to `out`; without `out`, return it as text."""
    if limit is not None and limit < 0:
        raise ValueError(f"--limit {limit}: give a number of rows, 0 or more")
    # load
    statement = read_sql(sql)
    result = fetch(database, statement, safe)
    # process
    if fmt == "parquet":
        if out is None:
            raise ValueError("--format parquet writes a file: give --out FILE")
        shown = result if limit is None else result.slice(0, limit)
        # save
        write_atomically(out, lambda path: pq.write_table(shown, path))
        return None
    text = render(result, fmt, limit, width)
    # save
    if out is None:
        return text
    write_atomically(out, lambda path: Path(path).write_text(text, encoding="utf-8"))
    return None


def read_sql(given: str) -> str:
    """The SQL itself, or the text of the .sql file it names (an error naming the file when there is none)."""
    path = Path(given.strip())
    if given.strip().lower().endswith(".sql") and (path.is_file() or " " not in given.strip()):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such .sql file")
        return path.read_text(encoding="utf-8")
    return given


def fetch(database: Path, sql: str, safe: bool) -> pa.Table:
    """The result of the SQL's last statement as an Arrow table (empty when it returns none)."""
    with duckdb.connect(str(database), read_only=True) as con:
        if safe:
            con.execute("SET enable_external_access = false; SET lock_configuration = true;")
        relation = con.sql(sql)
        return relation.to_arrow_table() if relation is not None else pa.table({})


def render(result: pa.Table, fmt: str, limit: int | None = None, width: int = CELL_WIDTH) -> str:
    """The result as text in one of the text formats."""
    if fmt == "table":
        rows = result.slice(0, SHOWN_ROWS if limit is None else limit).to_pylist()
        return format_table(result.column_names, [tuple(row.values()) for row in rows], width, total=result.num_rows)
    rows = (result if limit is None else result.slice(0, limit)).to_pylist()
    if fmt == "csv":
        return as_csv(result.column_names, rows)
    if fmt == "json":
        return json.dumps(rows, default=_json_value, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def format_table(columns: list[str], rows: list[tuple], width: int = CELL_WIDTH, total: int | None = None) -> str:
    """A plain-text table: a header, a rule, one line per row, and the row count (and how many are shown)."""
    cells = [[cut(shown(value), width) for value in row] for row in rows]
    widths = [max([len(column)] + [len(row[index]) for row in cells]) for index, column in enumerate(columns)]
    lines = ["  ".join(column.ljust(size) for column, size in zip(columns, widths)),
             "  ".join("-" * size for size in widths)]
    lines += ["  ".join(value.ljust(size) for value, size in zip(row, widths)) for row in cells]
    total = len(rows) if total is None else total
    count = f"({total} row{'s' if total != 1 else ''}"
    lines.append(count + (f"; {len(rows)} shown: --limit N shows more, --format csv all)" if len(rows) < total else ")"))
    return "\n".join(lines)


def shown(value: object) -> str:
    """A value as a table shows it: NULL, lists as lists, dates ISO, control characters escaped."""
    if value is None:
        return "NULL"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("NULL" if item is None else json.dumps(_json_value(item), ensure_ascii=False)
                               for item in value) + "]"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).translate(ESCAPES)


def cut(text: str, width: int) -> str:
    """The text, cut to `width` characters with an ellipsis when longer."""
    return text if len(text) <= width else text[:max(width - 1, 0)] + ELLIPSIS


def as_csv(columns: list[str], rows: list[dict]) -> str:
    """CSV with a header: lists as JSON arrays, nulls empty, dates ISO, booleans true/false."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row[column]) for column in columns])
    return buffer.getvalue()


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=_json_value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _json_value(value: object) -> object:
    """What json cannot write by itself: dates and times ISO, decimals as numbers, the rest as text."""
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def write_atomically(path: Path, write) -> None:
    """Write a file beside `path` with `write(tmp)` and rename it over `path`, so no half file is left."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(tmp)
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the modes the umask allows
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
