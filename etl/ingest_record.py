"""What an ingest rebuild knows of the files the last build read: the ingest stage's cache.

`IngestCache` is one SQLite file in the cache folder (`paths.cache`), named after the ingest
version (`etl.ingest.ingest_version`: the code, vocabularies and reading settings). It holds each
file's documents and fingerprints by the file's key (its path and bytes), the last run's record of
the files (`file_record`, by name), and each batch's unmarked table (Arrow IPC) by its batch key.

With `ingest.trust_file_stat`, a file whose stat (`stat_key`: size, mtime, ctime, inode and device)
is the one the record has for it is not read at all (`listed_files`): the record's documents without
their text (`Listed`) and fingerprints without their shingle sets stand for it (`recorded_file`), and
its full results are read from the cache only where they are needed (`full_results`: a batch to be
written again, a candidate pair to be measured). What this trusts, and why ctime and RACY_SECONDS make
it safe, is said in `etl.ingest`'s docstring and the README ("Incremental rebuilds").
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy as np
import pyarrow as pa

from etl import duplicates
from etl.cache import ResultCache
from etl.readers import Document, Options, Reject, read_file

CACHE_PREFIX = "ingest-"
# Files of the last run's record (`IngestCache.keep_last_run`) pickled and stored together: bounds the
# memory one part takes on its way to and from the cache (a few MB), far from the record's whole.
RECORD_FILES_PER_PART = 10_000

# A file whose mtime or ctime is less than this before the walk that stats it is not trusted by the
# next run: a write in the same tick of a coarse file system clock (FAT's is 2 s) as the stat, or
# after it, could leave the stat unchanged.
RACY_SECONDS = 2.0
STAT = struct.Struct("<5q")  # a file's stat as the record keeps it (`stat_key`): five 64-bit integers

# (zstd: a batch's texts shrink several times over, and are read back far faster than they were parsed)
IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


class IngestCache(ResultCache):
    """Each file's documents and fingerprints by key (its path and bytes), the last run's record of
    the files (`last_run`), and each batch's unmarked table (Arrow IPC) by its batch key, for one
    version, in `folder/ingest-<version>.sqlite`."""

    def __init__(self, folder: Path, version: str):
        super().__init__(folder, CACHE_PREFIX, version)
        self._db.execute("CREATE TABLE IF NOT EXISTS batches (key TEXT PRIMARY KEY, ipc BLOB NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS last_run (part INTEGER PRIMARY KEY, files BLOB NOT NULL)")
        self._db.commit()
        self._read_parts: dict[int, dict] = {}  # the record's parts as `last_run` read them, by number

    def last_run(self) -> dict:
        """What the last run recorded of the files, by name (`remembered`); empty when none did."""
        record = {}
        self._read_parts = {}
        for part, files in self._db.execute("SELECT part, files FROM last_run ORDER BY part"):
            self._read_parts[part] = pickle.loads(files)
            record.update(self._read_parts[part])
        return record

    def keep_last_run(self, record: dict) -> None:
        """Keep `record` (file name -> `file_record`) in place of the last run's, in parts of about
        RECORD_FILES_PER_PART files (`record_parts`); a part equal to the one `last_run` read is left
        as it is (a rebuild that changed a few files writes a part or two, not the whole record)."""
        parts = record_parts(record)
        read, self._read_parts = self._read_parts, {}  # (let go: the record is not needed again this run)
        with self._db:
            self._db.execute("DELETE FROM last_run WHERE part >= ?", (len(parts),))
            for part, files in enumerate(parts):
                if read.get(part) == files:
                    continue
                self._db.execute("INSERT OR REPLACE INTO last_run (part, files) VALUES (?, ?)",
                                 (part, pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL)))

    def have_batch(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM batches WHERE key = ?", (key,)).fetchone() is not None

    def batch(self, key: str) -> pa.Table:
        (blob,), = self._db.execute("SELECT ipc FROM batches WHERE key = ?", (key,)).fetchall()
        return pa.ipc.open_stream(blob).read_all()

    def put_batch(self, key: str, table: pa.Table) -> None:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema, options=IPC_OPTIONS) as stream:
            stream.write_table(table)
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO batches (key, ipc) VALUES (?, ?)", (key, sink.getvalue().to_pybytes()))

    def forget_batches_except(self, keys: set[str]) -> None:
        """Remove every stored batch but those of `keys` (the file holds one build's batches)."""
        stale = [(key,) for key, in self._db.execute("SELECT key FROM batches") if key not in keys]
        with self._db:
            self._db.executemany("DELETE FROM batches WHERE key = ?", stale)



def record_parts(record: dict) -> list[dict]:
    """The record (file name -> `file_record`) in parts, by name in order, each ending after a name
    whose hash is a multiple of RECORD_FILES_PER_PART (or at twice that many files): a part's names
    depend on the names alone, so adding, removing or changing a file changes its own part only."""
    parts, files = [], {}
    for name in sorted(record):
        files[name] = record[name]
        if len(files) >= 2 * RECORD_FILES_PER_PART or \
                zlib.crc32(name.encode("utf-8", "surrogatepass")) % RECORD_FILES_PER_PART == 0:
            parts.append(files)
            files = {}
    return parts + ([files] if files else [])


def stat_key(status: os.stat_result) -> bytes:
    """What a file's stat says of its bytes having changed: size, mtime, ctime, inode, device (packed, STAT)."""
    return STAT.pack(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)



@dataclass(frozen=True)
class ParsedFile:
    """One input file read: warnings about its name, its documents and problems in read order,
    and each document's fingerprint for copy detection (in the order of its documents), whether it
    came from the cache, and the key its documents depend on alone (its path and bytes; None for a
    file not cached, or with a fetch record). A file not read (`listed_files`) has `Listed`
    documents and fingerprints without shingles, and its `path`."""

    notes: tuple
    items: list
    fingerprints: list
    cached: bool = False
    key: str | None = None
    path: Path | None = None
    name: str = ""  # its source_path
    # (`items` and `fingerprints` as pickled for the cache by the worker that read the file, or None:
    # a file sent to the stage's process is sent as these bytes, not pickled a second time)
    pickled: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    def __reduce__(self):
        fields = (self.notes, self.cached, self.key, self.path, self.name)
        if self.pickled is not None:
            return _parsed_file_of_pickled, (self.pickled, *fields)
        return _parsed_file_of_parts, (self.items, self.fingerprints, *fields)

    @property
    def digest(self) -> bytes | None:
        """The key as the bytes of the digest it is written in (half the memory of its text)."""
        return None if self.key is None else bytes.fromhex(self.key)


def _parsed_file_of_pickled(pickled: bytes, notes, cached, key, path, name) -> ParsedFile:
    items, fingerprints = pickle.loads(pickled)
    return ParsedFile(notes, items, fingerprints, cached, key, path, name)


def _parsed_file_of_parts(items, fingerprints, notes, cached, key, path, name) -> ParsedFile:
    return ParsedFile(notes, items, fingerprints, cached, key, path, name)


class Listed(NamedTuple):
    """A document as the last run read it, without its text: what counting, ids and marks need."""

    article_id: str
    source_path: str
    record: str | None
    published_date: object



def listed_files(entries: list, statuses: dict, last: dict, fetch_records: dict) -> dict[str, tuple]:
    """The files whose stat is the one `last` (the last run's record, `file_record`) has for them: their
    records, by name. They are not read again. A fetched page is always read (its record may have changed)."""
    known = {}
    for name, content, *_ in entries:
        recorded = last.get(name)
        if recorded is not None and isinstance(content, Path) and name not in fetch_records \
                and recorded[0] == statuses.get(name):
            known[name] = recorded
    return known


def files_in_read_order(entries: list, known: dict[str, tuple], parsed: Iterable[ParsedFile]
                        ) -> Iterator[ParsedFile]:
    """Every entry's file in read order: those `known` as the last run read them (`recorded_file`), with
    the warnings about their names, and the others as `parsed` gives them (in the order of the
    entries it was given)."""
    parsed = iter(parsed)
    for name, content, *notes in entries:
        if name in known:
            yield recorded_file(name, content, known[name], tuple(note for group in notes for note in group))
        else:
            yield next(parsed)


# A file's record (`file_record`), kept for every file between runs: its stat (packed), key (the
# SHA-256 digest), and either its one document's id and publication day (as an ordinal, 0 for none)
# and fingerprint's key and signature (the common case: a file of one article, named as its
# source_path), or its `Listed` documents and problems and (key, signature) fingerprints.
def file_record(file: ParsedFile, status: bytes) -> tuple:
    """What the next run keeps of a file read and cached (it is `recorded_file` again)."""
    prints = [(print_.key, None if print_.signature is None else print_.signature if isinstance(print_.signature, bytes)
               else np.ascontiguousarray(print_.signature, dtype=duplicates.COMPACT).tobytes())
              for print_ in file.fingerprints]
    head = (status, bytes.fromhex(file.key))
    (item,) = file.items if len(file.items) == 1 else (None,)
    if isinstance(item, (Document, Listed)) and item.record is None and item.source_path == file.name:
        published = item.published_date.toordinal() if item.published_date is not None else 0
        return head + (item.article_id, published, *prints[0])
    return head + ([listed(item) for item in file.items], prints)


def recorded_file(name: str, path: Path, recorded: tuple, notes: tuple) -> ParsedFile:
    """A file as the last run read it (its `file_record`): `Listed` documents, fingerprints without shingles."""
    key = recorded[1].hex()
    if len(recorded) == 4:
        items, prints = recorded[2], recorded[3]
    else:
        article_id, published, print_key, signature = recorded[2:]
        items = [Listed(article_id, name, None, dt.date.fromordinal(published) if published else None)]
        prints = [(print_key, signature)]
    return ParsedFile(notes, items, [duplicates.Fingerprint(print_key, None, signature) for print_key, signature in prints],
                      True, key, path, name)


def remembered(files: Iterable[ParsedFile], statuses: dict, started_ns: int, record: dict) -> Iterator[ParsedFile]:
    """The files, each one read and cached whose stat can be trusted next time put in `record` by its
    name (`file_record`; a file not read is in `record` already). Its signatures are given on as the
    bytes the record keeps, so the copy index holds them once."""
    racy = started_ns - int(RACY_SECONDS * 1e9)
    for file in files:
        status = statuses.get(file.name)
        if not file.path and file.key is not None and status is not None and max(STAT.unpack(status)[1:3]) < racy:
            record[file.name] = kept = file_record(file, status)
            signatures = [kept[5]] if len(kept) == 6 else [signature for _, signature in kept[3]]
            file = dataclasses.replace(file, pickled=None, fingerprints=[
                duplicates.Fingerprint(print_.key, print_.shingles, signature)
                for print_, signature in zip(file.fingerprints, signatures)])
        yield file


def listed(item):
    """A document without its text (`Listed`); a problem as it is."""
    if isinstance(item, Reject) or isinstance(item, Listed):
        return item
    return Listed(item.article_id, item.source_path, item.record, item.published_date)


def full_results(files: dict[str, tuple[str, Path]], store: "IngestCache | None", options: Options
                 ) -> dict[str, tuple]:
    """The documents and fingerprints of files not read this run, by key (`files`: key -> (source
    path, path)): from the cache, or (should it have lost them) read again."""
    found = store.get_many(list(files)) if store is not None else {}
    for key, (source_path, path) in files.items():
        if key not in found:
            read = read_file(source_path, path, options)
            found[key] = (read, [duplicates.fingerprint(item.text) for item in read if isinstance(item, Document)])
    return found


def shingles_of_listed(article_ids: list[str], listed: dict, store: "IngestCache | None",
                       options: Options) -> dict[str, np.ndarray]:
    """The shingle sets of articles of files not read this run, by id (`listed` says where each is)."""
    places = [(digest.hex(), *rest) for digest, *rest in map(listed.__getitem__, article_ids)]
    results = full_results({key: (source_path, path) for key, path, source_path, _ in places}, store, options)
    return {article_id: results[key][1][place].shingles for article_id, (key, _, _, place) in zip(article_ids, places)}
