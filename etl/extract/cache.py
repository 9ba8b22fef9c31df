"""The extract stage's cache: each batch's tables, kept by what its articles were extracted from.

An article is known by a key made of the article itself (id, publication date, text), a batch by
its articles' keys in order (`batch_key`). The cache keeps each batch's tables as written (Arrow
IPC: extractions, evidence and link_features, the rows of the articles that did not fail) and, for
each of those articles, the batch whose tables hold its rows, in a SQLite file named after the
extractor's version: a hash of every module and vocabulary file of the `etl` and `schema`
packages and of the relevance threshold (`etl.cache`). A rebuild writes a batch none of whose
articles changed straight from its stored tables; in a batch with a changed or new article, only
those are extracted again, and the others' rows are taken from the stored batches that hold them.
A change to the extractor's code or to any vocabulary gives a new version, so a new, empty cache
file (the older versions' files are removed). Articles that failed are never kept: they are
tried again, and a batch with one is never written whole from the cache.

The rows are kept as tables, not as each article's result pickled: the workers extract and
return Arrow, and the stage's process alone reads and writes the file (a Dask cluster's workers
never see it). A run that ends forgets the stored batches it did not write
(`forget_batches_except`), so the file holds one build's batches.

The cache lives outside DVC's view by design (`paths.cache`, not a stage output): it changes how
fast the stage runs, never what it writes, because rows are used only for the very article,
extractor and threshold they came from (tests/extract/test_cache.py builds with and without it).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa

from etl.cache import LOOKUPS_PER_QUERY, ResultCache, code_version

PREFIX = "extract-"


def extractor_version(relevance_threshold: float | None, packages: tuple[Path, ...] | None = None) -> str:
    """A hash of the code and vocabularies the extractor reads (the files of the `etl` and `schema`
    packages, or of the `packages` folders given, that the extract stage imports, and every data
    file there), and of the threshold it is given."""
    return code_version(relevance_threshold, packages, stage=STAGE)


STAGE = "etl.extract"  # the module the extract stage runs: the code its results depend on is what it imports


def article_key(article: dict) -> str:
    """What an article's extraction depends on: its id, publication date and text."""
    return _key(article["article_id"], article.get("published_date"),
                article["text"].encode("utf-8", "surrogatepass"))


def article_keys(rows: pa.RecordBatch | pa.Table) -> list[str]:
    """`article_key` of each row of ingested rows (article_id, published_date, text), read from the
    Arrow columns: the text's UTF-8 bytes are hashed where they lie, never made into strings."""
    ids = rows.column("article_id").to_pylist()
    dates = rows.column("published_date").to_pylist()
    return [_key(article_id, published, text) for article_id, published, text
            in zip(ids, dates, utf8_values(rows.column("text")))]


def _key(article_id: str, published: object, text: bytes | memoryview) -> str:
    # (the id's length and UTF-8 bytes, the day (ISO, none when there is no date), a NUL, then the
    # text: the length ends the id and the NUL the day, which holds none, so no two articles share the
    # bytes hashed; put together as bytes, not written as JSON, which took a third of a warm run's keys)
    name = article_id.encode("utf-8", "surrogatepass")
    day = published.isoformat().encode("ascii") if isinstance(published, dt.date) else b""  # (None, NaT or NA: no date)
    digest = hashlib.sha256(b"".join((len(name).to_bytes(ID_LENGTH_BYTES, "little"), name, day, b"\0")))
    digest.update(text)
    return digest.hexdigest()


ID_LENGTH_BYTES = 8  # an article id's length in a key's bytes: any length a string can have


def utf8_values(column: pa.Array | pa.ChunkedArray) -> Iterator[memoryview]:
    """The UTF-8 bytes of each value of a string column (a null as no bytes), as views of its buffers."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        if not pa.types.is_large_string(chunk.type) and not pa.types.is_string(chunk.type):
            chunk = chunk.cast(pa.string())
        _, offsets, data = chunk.buffers()
        ends = np.frombuffer(offsets, dtype=np.int64 if pa.types.is_large_string(chunk.type) else np.int32,
                             count=len(chunk) + 1, offset=chunk.offset * (8 if pa.types.is_large_string(chunk.type)
                                                                           else 4))
        view = memoryview(data) if data is not None else memoryview(b"")
        for start, end in zip(ends[:-1].tolist(), ends[1:].tolist()):
            yield view[start:end]


def batch_key(article_keys: list[str]) -> str:
    """What a batch's tables depend on: its articles' keys, in order."""
    return hashlib.sha256("\n".join(article_keys).encode("ascii")).hexdigest()


# The tables a batch's entry holds: the rows of its articles that did not fail (its rejects are not kept).
BATCH_TABLES = ("extractions", "evidence", "link_features")
# (zstd: a batch's evidence shrinks several times over, and is read back far faster than it was made)
IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


class ExtractCache(ResultCache):
    """Batches' tables by batch key, and the batch holding each article's rows by article key, for
    one extractor version, in `folder/extract-<version>.sqlite`."""

    def __init__(self, folder: Path, version: str):
        super().__init__(folder, PREFIX, version)
        # (whole: no article of the batch failed, so its tables are all it writes)
        self._db.execute(f"CREATE TABLE IF NOT EXISTS batches (key TEXT PRIMARY KEY, "
                         f"{', '.join(f'{name} BLOB NOT NULL' for name in BATCH_TABLES)}, whole INTEGER NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, batch TEXT NOT NULL)")
        self._db.commit()

    def have_batch(self, key: str) -> bool:
        """Whether the batch's tables are stored and hold every article of it (none failed)."""
        return self._db.execute("SELECT 1 FROM batches WHERE key = ? AND whole", (key,)).fetchone() is not None

    def batches_of(self, keys: list[str]) -> dict[str, str]:
        """The key of the stored batch holding each article's rows, for the articles of `keys` that have them."""
        found = {}
        for start in range(0, len(keys), LOOKUPS_PER_QUERY):
            chunk = keys[start:start + LOOKUPS_PER_QUERY]
            found.update(self._db.execute(f"SELECT key, batch FROM articles WHERE key IN ({','.join('?' * len(chunk))})",
                                          chunk))
        return found

    def batch_tables(self, key: str) -> tuple[pa.Table, ...] | None:
        """The stored tables of the batch (in BATCH_TABLES order), or None when it has none."""
        row = self._db.execute(f"SELECT {', '.join(BATCH_TABLES)} FROM batches WHERE key = ?", (key,)).fetchone()
        return None if row is None else tuple(pa.ipc.open_stream(blob).read_all() for blob in row)

    def put_batch(self, key: str, tables: tuple[pa.Table, ...], article_keys: list[str], whole: bool) -> None:
        """Keep a batch's tables (in BATCH_TABLES order) as written, as the rows of the articles of
        `article_keys` (those that did not fail); `whole` when they are all its articles."""
        with self._db:
            self._db.execute(f"INSERT OR REPLACE INTO batches (key, {', '.join(BATCH_TABLES)}, whole) "
                             f"VALUES (?{', ?' * len(BATCH_TABLES)}, ?)", (key, *map(ipc_bytes, tables), int(whole)))
            self._db.executemany("INSERT OR REPLACE INTO articles (key, batch) VALUES (?, ?)",
                                 ((article, key) for article in article_keys))

    def forget_batches_except(self, keys: set[str]) -> int:
        """Remove every stored batch but those of `keys`, and what pointed at them: how many were removed."""
        stale = [key for key, in self._db.execute("SELECT key FROM batches") if key not in keys]
        with self._db:
            for start in range(0, len(stale), LOOKUPS_PER_QUERY):
                chunk = stale[start:start + LOOKUPS_PER_QUERY]
                marks = ','.join('?' * len(chunk))
                self._db.execute(f"DELETE FROM batches WHERE key IN ({marks})", chunk)
                self._db.execute(f"DELETE FROM articles WHERE batch IN ({marks})", chunk)
        return len(stale)


def ipc_bytes(table: pa.Table) -> bytes:
    """The table as an Arrow IPC stream (its schema, with the codebook's metadata, included)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=IPC_OPTIONS) as stream:
        stream.write_table(table)
    return sink.getvalue().to_pybytes()
