"""Stage 5, publish: the validated tables as Parquet and as one DuckDB database.

Every file is written beside its destination and renamed over it, so readers and
interrupted builds only ever see a complete previous or complete new output.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from etl.tables import read_table, write_table
from schema.codebook import PUBLISHED, TABLES, columns_of, data_dictionary

DATABASE = "uofdb.duckdb"


def run(validated: Path, out_dir: Path) -> dict[str, Path]:
    """Publish the tables of `validated` into `out_dir`: one Parquet file each and `uofdb.duckdb`."""
    # load
    tables = {name: read_table(validated / f"{name}.parquet", name) for name in PUBLISHED}
    # process: nothing to compute; the tables were validated in the previous stage
    # save
    paths = {name: write_table(frame, name, out_dir / f"{name}.parquet") for name, frame in tables.items()}
    paths["database"] = write_database(paths, out_dir / DATABASE)
    return paths


def write_database(parquet: dict[str, Path], path: Path) -> Path:
    """A DuckDB database holding each published table (with column comments) and the codebook."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        with duckdb.connect(tmp) as con:
            for name in PUBLISHED:
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(parquet[name])])
                con.execute(f"COMMENT ON TABLE {name} IS {_literal(TABLES[name].description)}")
                for column in columns_of(name):
                    con.execute(f'COMMENT ON COLUMN {name}."{column.name}" IS {_literal(column.description)}')
            codebook = pd.DataFrame(data_dictionary())
            codebook["values"] = codebook["values"].map(lambda values: list(values))
            con.register("codebook_frame", codebook)
            con.execute("CREATE TABLE codebook AS SELECT * FROM codebook_frame")
            con.unregister("codebook_frame")
            con.execute("CHECKPOINT")
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
