"""The extract stage's cache: each article's extraction, kept by what it was extracted from.

An article's result (its extraction row, evidence rows and link_features rows) is stored under
a key made of the article itself (id, publication date, text) in a SQLite file named after the
extractor's version: a hash of every module and vocabulary file of the `etl` and `schema`
packages and of the relevance threshold (`etl.cache`). After a change to a few articles only
those are extracted again; a change to the extractor's code or to any vocabulary gives a new
version, so a new, empty cache file (the older versions' files are removed). Articles that
failed are never cached: they are tried again.

The cache lives outside DVC's view by design (`paths.cache`, not a stage output): it changes how
fast the stage runs, never what it writes, because a result is used only for the very article,
extractor and threshold it came from (tests/extract/test_cache.py builds with and without it).

Beside the articles' results, the file keeps each batch's tables as written (Arrow IPC), under a
key made of its articles' keys in order (`batch_key`): a rebuild after a change to a few articles
writes every batch none of them is in straight from its stored tables, without turning results
back into rows. Only batches in which no article failed are kept, and a run that ends forgets the
stored batches it did not write (`forget_batches_except`), so the file holds one build's batches.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa

from etl.cache import LOOKUPS_PER_QUERY, ResultCache, code_version

PREFIX = "extract-"


def extractor_version(relevance_threshold: float | None, packages: tuple[Path, ...] | None = None) -> str:
    """A hash of the code and vocabularies the extractor reads (every file of the `etl` and `schema`
    packages, or of the `packages` folders given), and of the threshold it is given."""
    return code_version(relevance_threshold, packages)


def article_key(article: dict) -> str:
    """What an article's extraction depends on: its id, publication date and text."""
    published = article.get("published_date")
    # (the id and date as JSON, which escapes every control character, then a NUL, then the text:
    # the NUL ends the first part, so no two articles share the bytes hashed; the text is hashed
    # as it is, not written out as JSON first, which took most of the time)
    head = json.dumps([article["article_id"], published.isoformat() if published is not None else None])
    digest = hashlib.sha256(head.encode("ascii") + b"\0")
    digest.update(article["text"].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def batch_key(article_keys: list[str]) -> str:
    """What a batch's tables depend on: its articles' keys, in order."""
    return hashlib.sha256("\n".join(article_keys).encode("ascii")).hexdigest()


# The tables a batch's entry holds (its rejects table is empty: a batch with a reject is not kept).
BATCH_TABLES = ("extractions", "evidence", "link_features")
# (zstd: a batch's evidence shrinks several times over, and is read back far faster than it was made)
IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


class ExtractCache(ResultCache):
    """Extractions by article key, and batches' tables by batch key, for one extractor version, in
    `folder/extract-<version>.sqlite`."""

    def __init__(self, folder: Path, version: str):
        super().__init__(folder, PREFIX, version)
        self._db.execute(f"CREATE TABLE IF NOT EXISTS batches (key TEXT PRIMARY KEY, "
                         f"{', '.join(f'{name} BLOB NOT NULL' for name in BATCH_TABLES)})")
        self._db.commit()

    def have_batch(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM batches WHERE key = ?", (key,)).fetchone() is not None

    def batch_tables(self, key: str) -> tuple[pa.Table, ...] | None:
        """The stored tables of the batch (in BATCH_TABLES order), or None when it has none."""
        row = self._db.execute(f"SELECT {', '.join(BATCH_TABLES)} FROM batches WHERE key = ?", (key,)).fetchone()
        return None if row is None else tuple(pa.ipc.open_stream(blob).read_all() for blob in row)

    def put_batch(self, key: str, tables: tuple[pa.Table, ...]) -> None:
        """Keep a batch's tables (in BATCH_TABLES order), as written."""
        with self._db:
            self._db.execute(f"INSERT OR REPLACE INTO batches (key, {', '.join(BATCH_TABLES)}) "
                             f"VALUES (?{', ?' * len(BATCH_TABLES)})", (key, *map(ipc_bytes, tables)))

    def forget_batches_except(self, keys: set[str]) -> int:
        """Remove every stored batch but those of `keys`: how many were removed."""
        stale = [key for key, in self._db.execute("SELECT key FROM batches") if key not in keys]
        with self._db:
            for start in range(0, len(stale), LOOKUPS_PER_QUERY):
                chunk = stale[start:start + LOOKUPS_PER_QUERY]
                self._db.execute(f"DELETE FROM batches WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        return len(stale)


def ipc_bytes(table: pa.Table) -> bytes:
    """The table as an Arrow IPC stream (its schema, with the codebook's metadata, included)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=IPC_OPTIONS) as stream:
        stream.write_table(table)
    return sink.getvalue().to_pybytes()
