"""Stage 5, publish: the validated tables as Parquet and as one DuckDB database.

Beside the validated tables it publishes the reference tables `districts` and `forces`
(`etl.reference`, from schema/vocab), and writes what made the build (`etl.buildinfo`) into
every Parquet file's metadata and the database's `build_info` table; the database also
gets the views of `etl.views`, ENUM types for the vocabulary columns and the codebook.

A build is published whole, by one atomic step. The output folder looks like this:

    out/articles.parquet  -> .uofdb/current/articles.parquet   (and so for every published file)
    out/.uofdb/current    -> builds/<id>
    out/.uofdb/builds/<id>/articles.parquet, ..., uofdb.duckdb   (one complete build)
    out/.uofdb/lock                                              (held by the build writing here)

Publishing writes a complete new build folder under `.uofdb/builds/`, makes sure every
published name is the link through `.uofdb/current`, then switches `current` to the new
folder with one rename of a symlink, and only then deletes the older build folders. A
reader opening `out/articles.parquet` resolves `current` at that moment, so it sees the
previous build or the new one, never a mix; a build killed at any moment leaves one of the
two. (To read several files of one build, open them through `os.path.realpath(out /
".uofdb" / "current")`, or use `uofdb.duckdb`, which holds every table.) An output folder
of an older layout, with real files in it, is first turned into this one without changing
what any name shows: each file is hard-linked into a build folder, `current` points there,
and each name is replaced by its link.

Two builds never write one output folder at once: `OutputLock` holds `.uofdb/lock`
(`flock`, released by the system when the process ends, even when it is killed) and a
second build is refused with a clear message.

Test hook: when the environment variable `UOFDB_TEST_KILL_AT` names a step (see
`_reached`; tests/test_build_kill_publish.py lists them all), the process kills itself
with SIGKILL when publishing reaches that step.
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from etl import buildinfo
from etl import params as params_module
from etl.batches import beside
from etl.reference import reference_table
from etl.parquet_footer import copy_table
from etl.tables import write_table
from etl.views import VIEWS
from schema.codebook import DATABASE_ONLY, PUBLISHED, REFERENCE, STAGED, TABLES, columns_of, data_dictionary
from schema.models import conform

DATABASE = "uofdb.duckdb"
STATE = ".uofdb"        # the hidden folder of builds, the `current` link and the lock
CURRENT = "current"
BUILDS = "builds"
LOCK = "lock"
SCRATCH_PREFIX = "scratch-"  # a build's stage tables when no --interim is given (etl.build)
STAGING_PREFIX = ".uofdb-staging-"  # staging folders of the older layout, cleared when found
KILL_AT = "UOFDB_TEST_KILL_AT"
# The oldest DuckDB whose storage format uofdb.duckdb is written in, so the DuckDB 1.x command
# line and libraries researchers have installed can open it (a newer DuckDB reads it too).
STORAGE_COMPATIBILITY = "v1.0.0"
# DuckDB keeps the tables it creates in memory up to its limit (80% of the machine's by default), so
# the stage's peak would grow with the corpus; past its limit it writes them out to the database file
# (or a scratch folder beside it). The limit must still hold one DuckDB row group of articles with
# their text while it is compressed, or DuckDB stops with an error; its default row group (122,880
# rows) of articles of a few KB is a few hundred MB, so the database is written in row groups of
# DUCKDB_ROW_GROUP_ROWS (tens of MB of articles; DuckDB 1.x reads them, as any row group size), and
# the stage's peak stays flat whatever the corpus. The tables are the same whatever the two numbers.
DUCKDB_MEMORY_LIMIT = "256MB"
DUCKDB_ROW_GROUP_ROWS = 16_384
# DuckDB's FSST compression of the text columns (article text, quotes, sentences) took half of the
# database's write: at 100,000 synthetic articles 8.1 CPU-seconds with it, 4.7 without, for a file of
# 530 MB rather than 375 (measured 2026-12-04). A rebuild's time matters more than the file's size
# (the Parquet files are the compact copy); the tables and their rows are the same either way.
DUCKDB_DISABLED_COMPRESSION = "fsst"
class OutputBusyError(RuntimeError):
    """Another build holds the output folder's lock."""


def published_names() -> list[str]:
    """The file names a build publishes, in the order they are written."""
    return [f"{name}.parquet" for name in PUBLISHED if name not in DATABASE_ONLY] + [DATABASE]


class OutputLock:
    """The output folder's lock, held for a whole build (or one publish); refuses a second holder.

    `published` turns true once a build has been switched into place under this lock.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.published = False
        self._handle = None

    def __enter__(self) -> "OutputLock":
        state = self.out_dir / STATE
        state.mkdir(parents=True, exist_ok=True)
        handle = open(state / LOCK, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                handle.close()
                raise
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise OutputBusyError(
                f"{self.out_dir}: another uofdb build{f' (process {holder})' if holder else ''} is writing this "
                f"output folder; wait for it to finish, or build into another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the flock
            self._handle = None


def run(validated: Path, out_dir: Path, lock: OutputLock | None = None, params: dict | None = None) -> dict[str, Path]:
    """Publish the tables of `validated` into `out_dir`: one Parquet file each and `uofdb.duckdb`.

    Holds the output folder's lock unless the caller (etl.build) already holds it as `lock`.
    `params` are the build's parameters, recorded in build_info and the files' metadata
    (default: the built-in defaults, as `etl.params.load(None)` gives them).
    """
    if lock is None:
        with OutputLock(out_dir) as held:
            return run(validated, out_dir, held, params)
    # load: the validated tables, the articles' ids, hashes and dates, and the commit of the code
    sources = {name: validated / f"{name}.parquet" for name in STAGED}
    for name, path in sources.items():
        if not path.exists():
            raise FileNotFoundError(f"{path}: the {name} table is missing; run the validate stage first")
    articles = pq.read_table(sources["articles"], columns=["article_id", "sha256", "published_date"]).to_pandas(
        date_as_object=True)
    commit = buildinfo.git_commit()
    params = params if params is not None else params_module.load(None)
    # process: the reference tables from schema/vocab and what made the build; the rest was validated
    references = {name: reference_table(name) for name in REFERENCE}
    info = buildinfo.build_info(articles, params, commit)
    metadata = buildinfo.parquet_metadata(info)
    # save: a complete new build folder, then one switch
    builds = out_dir / STATE / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    remove_abandoned(out_dir)
    folder = Path(tempfile.mkdtemp(prefix="build-", dir=builds))
    database = None
    try:
        for name, frame in references.items():
            write_table(frame, name, folder / f"{name}.parquet", metadata)
            _reached(f"staged:{name}")
        # (the database is written from the validated tables, which hold the rows the copies below hold,
        # in a process of its own beside the copying: DuckDB's work and Arrow's overlap on the cores)
        tables = {**sources, **{name: folder / f"{name}.parquet" for name in REFERENCE}}
        database = beside(write_database, tables, folder / DATABASE, info)
        for name, path in sources.items():
            copy_table(path, name, folder / f"{name}.parquet", metadata)  # (pages as they are: etl.parquet_footer)
            _reached(f"staged:{name}")
        database.result()
        _reached("staged:database")
        _finish(folder)
        adopt_older_layout(out_dir)
        link_names(out_dir)
        switch(out_dir, folder)
    except BaseException:
        if database is not None:
            database.stop()
        if _current(out_dir) != folder.resolve():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    lock.published = True
    remove_abandoned(out_dir)
    _reached("cleaned")
    return {**{name: out_dir / f"{name}.parquet" for name in (*STAGED, *REFERENCE)}, "database": out_dir / DATABASE}


def switch(out_dir: Path, folder: Path, step: str = "switch") -> None:
    """Point `.uofdb/current` at `folder` with one atomic rename of a new symlink over it."""
    state = out_dir / STATE
    pending = state / f"{CURRENT}.new"
    if pending.is_symlink() or pending.exists():
        pending.unlink()
    os.symlink(os.path.join(BUILDS, folder.name), pending)
    _reached(f"{step}:pending")
    os.replace(pending, state / CURRENT)
    _fsync_dir(state)
    _reached(f"{step}:done")


def link_names(out_dir: Path) -> None:
    """Make every published name the symlink through `.uofdb/current` (what it shows does not change:
    a name that is missing stays unreadable until the first switch)."""
    for name in published_names():
        path = out_dir / name
        target = os.path.join(STATE, CURRENT, name)
        if path.is_symlink() and os.readlink(path) == target:
            continue
        if path.exists() and not path.is_symlink():
            raise FileExistsError(f"{path}: is not a published file of uofdb; move it out of the output folder")
        _replace_with_link(path, target)
        _reached(f"linked:{name}")


def adopt_older_layout(out_dir: Path) -> None:
    """Turn an output folder holding real published files into a build folder and `current`,
    one name at a time, so every name shows the same bytes at every step."""
    names = published_names()
    real = [name for name in names if (out_dir / name).is_file() and not (out_dir / name).is_symlink()]
    if not real:
        return
    folder = Path(tempfile.mkdtemp(prefix="adopted-", dir=out_dir / STATE / BUILDS))
    current = _current(out_dir)
    for name in names:
        source = out_dir / name if name in real else (current / name if current else None)
        if source is not None and source.is_file():
            try:
                os.link(source, folder / name)
            except OSError:
                shutil.copy2(source, folder / name)
    _finish(folder)
    switch(out_dir, folder, "adopt")
    for name in real:
        _replace_with_link(out_dir / name, os.path.join(STATE, CURRENT, name))
        _reached(f"adopted:{name}")


def remove_abandoned(out_dir: Path) -> None:
    """Delete build folders other than the current one, and staging folders of the older layout
    whose process no longer runs (the caller holds the lock, so nothing else writes them)."""
    current = _current(out_dir)
    builds = out_dir / STATE / BUILDS
    if builds.is_dir():
        for folder in builds.iterdir():
            if current is None or folder.resolve() != current:
                shutil.rmtree(folder, ignore_errors=True)
    pending = out_dir / STATE / f"{CURRENT}.new"
    if pending.is_symlink():
        pending.unlink()
    for folder in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX):].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def scratch_folder(out_dir: Path) -> Path:
    """A new folder for a build's stage tables inside `out_dir` (not the system's temp folder, where
    article text would outlive a killed build); scratch folders of killed builds are deleted first.
    The caller holds the output folder's lock."""
    state = out_dir / STATE
    for folder in state.glob(f"{SCRATCH_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=state))


def current_build(out_dir: Path) -> Path | None:
    """The folder of the build `out_dir` shows now; None before the first publish."""
    return _current(out_dir)


def _current(out_dir: Path) -> Path | None:
    link = out_dir / STATE / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def _replace_with_link(path: Path, target: str) -> None:
    pending = path.with_name(f".{path.name}.link")
    if pending.is_symlink() or pending.exists():
        pending.unlink()
    os.symlink(target, pending)
    os.replace(pending, path)


def _finish(folder: Path) -> None:
    """Give a complete build folder the modes the umask allows (mkstemp and mkdtemp make them
    private) and flush it to disk before it can be switched in."""
    umask = _umask()
    for path in folder.iterdir():
        os.chmod(path, 0o666 & ~umask)
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    os.chmod(folder, 0o777 & ~umask)
    _fsync_dir(folder)
    _fsync_dir(folder.parent)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _reached(step: str) -> None:
    """Test hook: die here, as a killed build would, when UOFDB_TEST_KILL_AT names this step."""
    if os.environ.get(KILL_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_database(parquet: dict[str, Path], path: Path, info: dict | None = None) -> Path:
    """A DuckDB database holding each published table (vocabulary columns as ENUMs, column comments),
    the views of etl.views, the codebook and, given the build's `info`, the build_info table."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        with tempfile.TemporaryDirectory(prefix=f".{path.name}.spill.", dir=path.parent) as spill, \
                duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill}) as con:
            con.execute(f"SET disabled_compression_methods = {_literal(DUCKDB_DISABLED_COMPRESSION)}")
            # (attached rather than opened, which is how DuckDB takes a row group size for a new file)
            con.execute(f"ATTACH {_literal(tmp)} AS published (STORAGE_VERSION {_literal(STORAGE_COMPATIBILITY)}, "
                        f"ROW_GROUP_SIZE {DUCKDB_ROW_GROUP_ROWS})")
            con.execute("USE published")
            for name in (name for name in PUBLISHED if name in parquet):
                _create_table(con, name, parquet[name])
                _comment(con, name)
            for view in VIEWS:
                if all(table in parquet for table in view.needs):
                    con.execute(f"CREATE VIEW {view.name} AS {view.sql}")
                    con.execute(f"COMMENT ON VIEW {view.name} IS {_literal(view.description)}")
            codebook = pd.DataFrame(data_dictionary())
            codebook["values"] = codebook["values"].map(lambda values: list(values))
            _create_from_frame(con, "codebook", codebook)
            if info is not None:
                _create_from_frame(con, "build_info", conform(pd.DataFrame([info]), "build_info"))
                _comment(con, "build_info")
            con.execute("CHECKPOINT published")
            con.execute("USE memory")
            con.execute("DETACH published")  # (the file is whole and closed before it is renamed)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


def _create_table(con: duckdb.DuckDBPyConnection, table: str, parquet: Path) -> None:
    """The table of a Parquet file, its required columns NOT NULL before any row is in it: DuckDB then
    checks them as it inserts the rows, instead of reading every such column again for an ALTER."""
    select = _select_with_enums(table)
    con.execute(f"CREATE TABLE {table} AS {select} LIMIT 0", [str(parquet)])
    _require(con, table)
    con.execute(f"INSERT INTO {table} {select}", [str(parquet)])


def _select_with_enums(table: str) -> str:
    """SELECT of a table's Parquet file (the one parameter) with each vocabulary column cast to its ENUM."""
    casts = [f'CAST("{column.name}" AS ENUM({", ".join(_literal(value) for value in column.values)})) AS "{column.name}"'
             for column in columns_of(table) if column.kind == "enum"]
    replace = f" REPLACE ({', '.join(casts)})" if casts else ""
    return f"SELECT *{replace} FROM read_parquet(?)"


def _create_from_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register(f"{name}_frame", frame)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
    con.unregister(f"{name}_frame")


def _require(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """NOT NULL on the columns the codebook requires in this table."""
    for column in columns_of(table):
        if not column.nullable:
            con.execute(f'ALTER TABLE {table} ALTER COLUMN "{column.name}" SET NOT NULL')


def _comment(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"COMMENT ON TABLE {table} IS {_literal(TABLES[table].description)}")
    for column in columns_of(table):
        con.execute(f'COMMENT ON COLUMN {table}."{column.name}" IS {_literal(column.description)}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
