"""Work in batches: read a table a batch at a time, map a function over the batches on every core,
and write the results as they come, so memory holds a few batches, never the whole corpus.

Results come back in the order of the batches whatever the number of processes, and each output
is written batch by batch into one Parquet file (one row group a batch) replaced atomically at the
end, so the tables are byte for byte the same with one process or many.
"""
from __future__ import annotations

import collections
import ctypes
import io
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import traceback
import zlib
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
    for batch in arrow_batches(path, table, rows):
        yield conform(batch.to_pandas(date_as_object=True), table)


def arrow_batches(path: Path, table: str, rows: int) -> Iterator[pa.Table]:
    """The codebook table at `path` as Arrow tables of at most `rows` rows, in order, as read."""
    if rows < 1:
        raise ValueError(f"a batch must hold at least one row, not {rows}")
    if not path.exists():
        read_table(path, table)  # raises the stage's own message for a missing table
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=rows):
        yield pa.Table.from_batches([batch])


def stable_batches(pieces: Iterable[list[dict]], size: int, key: str) -> Iterator[list[dict]]:
    """The records of `pieces`, in order, in batches whose ends depend on the records, not on their
    places: a batch ends after a record whose `key` (a string) hashes to a multiple of `size`, or
    when it holds 2 * `size` records. The batches hold `size` records on average, and adding,
    removing or changing a record (but for its key) changes the batch it is in and, at most, the
    next ones up to the next such end, never all the batches after it, so a cache of batches
    (`etl.extract.cache`) keeps the others."""
    if size < 1:
        raise ValueError(f"a batch must hold at least one record, not {size}")
    batch: list[dict] = []
    for piece in pieces:
        for record in piece:
            batch.append(record)
            if len(batch) >= 2 * size or zlib.crc32(str(record[key]).encode("utf-8", "surrogatepass")) % size == 0:
                yield batch
                batch = []
    if batch:
        yield batch


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
                engine: str = "local", scheduler: str | None = None,
                in_this_process: Callable[[object], bool] | None = None) -> Iterator:
    """function(batch) for each batch, in order.

    engine "local": with jobs > 1 the batches run on that many worker processes, with one job in
    this process; a batch for which `in_this_process(batch)` is true (work too small to pay for
    sending it) runs here instead, and the workers are started only at the first batch that does not,
    so a run of such batches alone starts none. engine "dask": on the Dask cluster whose scheduler is
    at `scheduler` (else a LocalCluster of `jobs` single-threaded worker processes, started here and
    closed after), one task per batch. Either way at most `ahead` batches per worker are submitted and
    not yet collected, so memory holds a few batches. Local workers ignore Ctrl-C: this process takes
    it, and the pool is terminated on the way out.
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
    pools = _LazyPool(jobs, worker_preload(function))
    try:
        yield from _in_order(lambda batch: _Done(function(batch)) if in_this_process and in_this_process(batch)
                             else pools.get().apply_async(function, (batch,)), batches, jobs * ahead,
                             lambda pending: pending.get())
        pools.close()
    finally:
        pools.terminate()


class _LazyPool:
    """A pool of `jobs` worker processes, started when first asked for (`get`), from a forkserver that
    has imported the modules of `preload` (`worker_preload`)."""

    def __init__(self, jobs: int, preload: list[str]):
        self._jobs, self._preload, self._pool = jobs, preload, None

    def get(self):
        if self._pool is None:
            # (forkserver: workers start from a clean process, not a fork of one holding threads)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(self._preload)
            self._pool = context.Pool(self._jobs, initializer=_ignore_interrupts)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def terminate(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


class _Done:
    """A result computed in this process, collected as a worker's is (`get`)."""

    def __init__(self, value):
        self._value = value

    def get(self):
        return self._value


def worker_preload(function: Callable) -> list[str]:
    """The modules a pool's forkserver imports once, before it forks the workers: the main module and
    the module of the `function` they run. Every worker sets itself up as the main process was (it
    runs the main module again, as __mp_main__); a main started with `python -m` is not imported by
    the forkserver's default preload, so without this each worker would import pandas, pyarrow and
    the stage's code anew, seconds of CPU a worker."""
    main = sys.modules.get("__main__")
    started_as = getattr(getattr(main, "__spec__", None), "name", None)
    return ["__main__", *(name for name in (started_as, getattr(function, "__module__", None)) if name)]


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
            # (as write_table lays it out: one batch gives the same file)
            self.write_arrow(to_arrow(frame, self.table))

    def write_arrow(self, arrow: pa.Table) -> None:
        """Add rows that are already as `etl.tables.to_arrow` lays out a frame of this table (what
        a worker made of its batch)."""
        if arrow.num_rows:
            self._write(arrow)
            self.rows += arrow.num_rows

    def _write(self, arrow: pa.Table) -> None:
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


# ---- one call in its own process -------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends (Linux)
STOP_SECONDS = 60     # how long a stopped child may take to clean up before it is killed


class StageProcessDied(RuntimeError):
    """A child process ended without returning a result or an exception (killed, or out of memory)."""


class _RemoteTraceback(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def in_own_process(function: Callable, *args, preload: tuple[str, ...] = ()):
    """function(*args), run in a child process of its own; its return value, or the exception it raised.

    The memory the call takes is the child's, handed back to the system when it ends, so a
    sequence of such calls peaks at the largest one, not at what all of them kept. The child
    starts from the forkserver (with the modules of `preload` already imported there: a fork,
    not a fresh interpreter); what it writes to stdout and stderr is written here, to this
    process's sys.stdout and sys.stderr (it sees them as terminals when they are). SIGINT or
    SIGTERM here stops the child the same way (it raises KeyboardInterrupt and cleans up) before
    the KeyboardInterrupt goes on; the child is killed if this process is.
    """
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    return Running(context, function, args).result()


def beside(function: Callable, *args) -> "Running":
    """function(*args) started in a child process of its own, a fork of this one, to run beside what
    this process does next: `result()` waits for it, `stop()` ends it. Call it before this process
    reads much (a fork copies nothing until it is written to, but a fork of a process running
    threads may find their locks held)."""
    methods = multiprocessing.get_all_start_methods()
    return Running(multiprocessing.get_context("fork" if "fork" in methods else "forkserver"), function, args)


class Running:
    """A call running in a child process of its own (`in_own_process`, `beside`): what it prints is
    written here as it is read, while `result()` waits."""

    def __init__(self, context, function: Callable, args: tuple):
        self._receiving, sending = context.Pipe(duplex=False)
        self._child = context.Process(target=_child, args=(sending, function, args, _is_terminal(sys.stdout),
                                                           _is_terminal(sys.stderr)), daemon=False)
        self._child.start()
        sending.close()

    def result(self):
        """The call's return value, or the exception it raised; if this process is interrupted while
        it waits, the child is stopped first."""
        try:
            return _answer_of(self._receiving, self._child)
        except BaseException:
            _stop(self._child, self._receiving)
            raise
        finally:
            self._receiving.close()
            self._child.join()

    def stop(self) -> None:
        """End the child (it cleans up as on SIGTERM) unless its result was taken."""
        if not self._receiving.closed:
            _stop(self._child, self._receiving)
            self._receiving.close()


def _answer_of(receiving, child):
    """Forward what the child prints until it sends its result (returned) or exception (raised)."""
    while True:
        try:
            kind, value = receiving.recv()
        except EOFError:
            child.join()
            raise StageProcessDied(f"the process running {child.name} ended with exit code {child.exitcode} "
                                    f"before it finished (killed, or out of memory?)") from None
        if kind in ("stdout", "stderr"):
            _write(kind, value)
        elif kind == "returned":
            return value
        else:
            error, remote = value
            if remote:
                error.__cause__ = _RemoteTraceback(remote)
            raise error


def _write(kind: str, text: str) -> None:
    """Write what the child printed to this process's sys.stdout or sys.stderr (`kind`)."""
    stream = getattr(sys, kind)
    stream.write(text)
    stream.flush()


def _stop(child, receiving) -> None:
    """Interrupt the child (it cleans up as this process does), forward what it still prints, wait."""
    if child.is_alive():
        os.kill(child.pid, signal.SIGTERM)
    if receiving.poll(STOP_SECONDS):
        try:
            while True:
                kind, value = receiving.recv()
                if kind in ("stdout", "stderr"):
                    _write(kind, value)
        except (EOFError, OSError):
            pass
    child.join(STOP_SECONDS)
    if child.is_alive():
        child.kill()


def _child(sending, function: Callable, args: tuple, stdout_terminal: bool, stderr_terminal: bool) -> None:
    _die_with_parent()
    lock = threading.Lock()
    sys.stdout = _Forwarded(sending, "stdout", stdout_terminal, lock)
    sys.stderr = _Forwarded(sending, "stderr", stderr_terminal, lock)
    _interrupt_on_signals()
    try:
        answer = ("returned", function(*args))
    except BaseException as error:  # noqa: BLE001: every exception goes back to the caller
        answer = ("raised", _sendable(error))
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)  # (the answer is being sent: nothing to clean up now)
    try:
        with lock:
            sending.send(answer)
    except BrokenPipeError:
        pass  # the caller is gone
    finally:
        sending.close()


def _sendable(error: BaseException) -> tuple[BaseException, str]:
    """The exception and its traceback's text, the exception replaced by a RuntimeError saying what
    it was when it cannot be pickled."""
    remote = "".join(traceback.format_exception(error))
    try:
        pickle.loads(pickle.dumps(error))
        return error, remote
    except Exception:  # noqa: BLE001: any exception that does not survive pickling
        return RuntimeError(f"{type(error).__name__}: {error}"), remote


def _die_with_parent() -> None:
    """Have the system kill this process when the one that started it ends (Linux; elsewhere nothing)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _interrupt_on_signals() -> None:
    """SIGINT and SIGTERM raise KeyboardInterrupt once (so the call's cleanup runs); later ones are ignored."""
    def interrupt(signum, frame):
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)


class _Forwarded(io.TextIOBase):
    """A child's stdout or stderr: each write is sent to the process that started it."""

    def __init__(self, sending, kind: str, terminal: bool, lock: threading.Lock):
        self._sending, self._kind, self._terminal, self._lock = sending, kind, terminal, lock

    def write(self, text: str) -> int:
        if text:
            with self._lock:
                self._sending.send((self._kind, text))
        return len(text)

    def isatty(self) -> bool:
        return self._terminal

    def writable(self) -> bool:
        return True


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
