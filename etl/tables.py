"""Reading and writing codebook tables as Parquet, atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schema.models import arrow_schema, conform

_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
                 pa.string(): pd.StringDtype(), pa.float64(): pd.Float64Dtype()}


def write_table(frame: pd.DataFrame, table: str, path: Path) -> Path:
    """Write `frame` as the codebook table `table` to `path`, replacing it atomically.

    The file is written beside its destination and renamed over it, so a reader (or a
    build killed mid-write) sees either the old file or the new one, never half of one.
    """
    arrow = pa.Table.from_pandas(conform(frame, table), schema=arrow_schema(table), preserve_index=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        pq.write_table(arrow, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def read_table(path: Path, table: str) -> pd.DataFrame:
    """Read a Parquet file written by `write_table` back into codebook dtypes."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: the {table} table is missing; run the stage that writes it first")
    arrow = pq.read_table(path)
    frame = arrow.to_pandas(date_as_object=True, types_mapper=_PANDAS_TYPES.get)
    return conform(frame, table)
