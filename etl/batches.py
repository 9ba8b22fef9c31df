"""Work in batches: read a table a batch at a time, map a function over the batches on every core,
and write the results as they come, so memory holds a few batches, never the whole corpus.

Results come back in the order of the batches whatever the number of processes, and each output
is written batch by batch into one Parquet file (one row group a batch) replaced atomically at the
end, so the tables are byte for byte the same with one process or many.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import signal
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from etl.tables import read_table, to_arrow
from schema.codebook import TABLES
from schema.models import conform


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def jobs_to_use(jobs: int | None) -> int:
    """The number of processes for `jobs` (None or 0: every core)."""
    if jobs is None or jobs == 0:
        return cores()
    if jobs < 0:
        raise ValueError(f"jobs must be a positive number of processes (or 0 for every core), not {jobs}")
    return jobs


def table_batches(path: Path, table: str, rows: int) -> Iterator[pd.DataFrame]:
    """The codebook table at `path` as frames of at most `rows` rows, in order."""
    if rows < 1:
        raise ValueError(f"a batch must hold at least one row, not {rows}")
    if not path.exists():
        read_table(path, table)  # raises the stage's own message for a missing table
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=rows):
        frame = pa.Table.from_batches([batch]).to_pandas(date_as_object=True)
        yield conform(frame, table)


def row_groups(path: Path, table: str) -> Iterator[pd.DataFrame]:
    """The codebook table at `path` one Parquet row group at a time, in order: a file written
    batch by batch (`TableWriter`) read back in the same batches, holding one in memory."""
    if not path.exists():
        read_table(path, table)  # raises the stage's own message for a missing table
    parquet = pq.ParquetFile(path, pre_buffer=False)
    for group in range(parquet.num_row_groups):
        yield conform(parquet.read_row_group(group).to_pandas(date_as_object=True), table)


ENGINES = ("local", "dask")


def map_batches(function: Callable, batches: Iterable, jobs: int = 1, ahead: int = 2,
                engine: str = "local", scheduler: str | None = None) -> Iterator:
    """function(batch) for each batch, in order.

    engine "local": with jobs > 1 the batches run on that many worker processes, with one job in
    this process. engine "dask": on the Dask cluster whose scheduler is at `scheduler` (else a
    LocalCluster of `jobs` single-threaded worker processes, started here and closed after), one
    task per batch. Either way at most `ahead` batches per worker are submitted and not yet
    collected, so memory holds a few batches. Local workers ignore Ctrl-C: this process takes it,
    and the pool is terminated on the way out.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "dask":
        yield from _dask_map(function, batches, jobs, ahead, scheduler)
        return
    batches = iter(batches)
    first = list(itertools.islice(batches, 2))
    if jobs <= 1 or len(first) < 2:  # (one batch: no worker would run beside this process)
        yield from map(function, itertools.chain(first, batches))
        return
    batches = itertools.chain(first, batches)
    # (forkserver: workers start from a clean process, not a fork of one holding threads)
    context = multiprocessing.get_context("forkserver")
    pool = context.Pool(jobs, initializer=_ignore_interrupts)
    try:
        yield from _in_order(lambda batch: pool.apply_async(function, (batch,)), batches, jobs * ahead,
                             lambda pending: pending.get())
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _dask_map(function: Callable, batches: Iterable, jobs: int, ahead: int, scheduler: str | None) -> Iterator:
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
            # (pure=False: each batch is its own task even when two batches hold equal rows)
            yield from _in_order(lambda batch: client.submit(function, batch, pure=False), batches,
                                 workers * ahead, lambda pending: pending.result())
    finally:
        if cluster is not None:
            cluster.close()


def _in_order(submit: Callable, batches: Iterable, window: int, collect: Callable) -> Iterator:
    """Each batch submitted, and its result collected in the order submitted, with at most
    `window` submitted and not yet collected."""
    waiting: collections.deque = collections.deque()
    for batch in batches:
        waiting.append(submit(batch))
        if len(waiting) >= window:
            yield collect(waiting.popleft())
    while waiting:
        yield collect(waiting.popleft())


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class TableWriter:
    """One codebook table written to Parquet a batch at a time, in place only when closed whole.

    Each `write` conforms the frame to the table and adds it as a row group; given `row_group_rows`,
    the rows are instead gathered (as Arrow, compact) into row groups of exactly that many, the layout
    `etl.tables.write_table` gives, so the file is byte for byte the one the whole table written at
    once would be (`row_group_rows(table)`). `close` renames the file over `path` (a reader sees the
    old file or the complete new one); leaving by an exception removes the partial file and keeps the
    old one.
    """

    def __init__(self, table: str, path: Path, row_group_rows: int | None = None):
        if TABLES[table].sort_by:
            raise ValueError(f"the {table} table is kept sorted ({', '.join(TABLES[table].sort_by)}): "
                             f"write it whole (etl.tables.write_table), not batch by batch")
        if row_group_rows is not None and row_group_rows < 1:
            raise ValueError(f"a row group must hold at least one row, not {row_group_rows}")
        self.table, self.path = table, Path(path)
        self.rows = 0
        self._columns = list(TABLES[table].columns)
        self._group_rows = row_group_rows
        self._pending: list[pa.Table] = []  # rows not yet in a row group (with row_group_rows)
        self._pending_rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(handle)
        self._writer: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self._write(frame)
            self.rows += len(frame)

    def _write(self, frame: pd.DataFrame) -> None:
        arrow = to_arrow(frame, self.table)  # (as write_table lays it out: one batch gives the same file)
        if self._group_rows is None:
            self._add(arrow)
            return
        self._pending.append(arrow)
        self._pending_rows += arrow.num_rows
        while self._pending_rows >= self._group_rows:
            # (one contiguous group, as write_table slices the whole table: the same pages and bytes)
            gathered = pa.concat_tables(self._pending).combine_chunks()
            self._add(gathered.slice(0, self._group_rows))
            rest = gathered.slice(self._group_rows)
            self._pending, self._pending_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def _add(self, arrow: pa.Table) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, arrow.schema)
        if self._group_rows is None:
            self._writer.write_table(arrow)
        else:
            self._writer.write_table(arrow, row_group_size=self._group_rows)

    def close(self) -> Path:
        if self._pending:
            self._add(pa.concat_tables(self._pending).combine_chunks())
            self._pending, self._pending_rows = [], 0
        if self._writer is None:  # no rows: the file an empty table gives when written whole
            self._add(to_arrow(pd.DataFrame(columns=self._columns), self.table))
        self._writer.close()
        os.replace(self._tmp, self.path)
        return self.path

    def abandon(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if os.path.exists(self._tmp):
            os.unlink(self._tmp)

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()
