"""The extract stage's cache: each article's extraction, kept by what it was extracted from.

An article's result (its extraction row, evidence rows and link_features rows) is stored under
a key made of the article itself (id, publication date, text) in a SQLite file named after the
extractor's version: a hash of every module and vocabulary file of the `etl` and `schema`
packages and of the relevance threshold. After a change to a few articles only those are
extracted again; a change to the extractor's code or to any vocabulary gives a new version, so a
new, empty cache file (the older versions' files are removed). Articles that failed are never
cached: they are tried again.

The cache lives outside DVC's view by design (`paths.cache`, not a stage output): it changes how
fast the stage runs, never what it writes, because a result is used only for the very article,
extractor and threshold it came from (tests/extract/test_cache.py builds with and without it).
"""
from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
from pathlib import Path
from typing import Iterable

import etl
import schema

PREFIX = "extract-"
LOOKUPS_PER_QUERY = 500  # keys per SELECT ... IN (...): well under SQLite's limit on parameters


def extractor_version(relevance_threshold: float | None, packages: tuple[Path, ...] | None = None) -> str:
    """A hash of the code and vocabularies the extractor reads (every file of the `etl` and `schema`
    packages, or of the `packages` folders given), and of the threshold it is given."""
    digest = hashlib.sha256(json.dumps(relevance_threshold).encode())
    roots = packages if packages is not None else tuple(Path(package.__file__).resolve().parent
                                                        for package in (etl, schema))
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def article_key(article: dict) -> str:
    """What an article's extraction depends on: its id, publication date and text."""
    published = article.get("published_date")
    content = json.dumps([article["article_id"], published.isoformat() if published is not None else None,
                          article["text"]], ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


class ExtractCache:
    """Results by article key, for one extractor version, in `folder/extract-<version>.sqlite`."""

    def __init__(self, folder: Path, version: str):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{PREFIX}{version}.sqlite"
        for older in folder.glob(f"{PREFIX}*.sqlite*"):
            if not older.name.startswith(self.path.name):
                older.unlink(missing_ok=True)  # another version's: never read again
        self._db = sqlite3.connect(self.path)
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, result BLOB NOT NULL)")
        self.hits = self.stored = 0

    def have(self, keys: list[str]) -> set[str]:
        """The keys that have a cached result (their results are not read)."""
        found = set()
        for chunk in _chunks(keys):
            found.update(key for key, in self._db.execute(
                f"SELECT key FROM results WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def get_many(self, keys: list[str]) -> dict[str, object]:
        """The cached result of each key that has one."""
        found = {}
        for chunk in _chunks(keys):
            rows = self._db.execute(f"SELECT key, result FROM results WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk)
            found.update((key, pickle.loads(blob)) for key, blob in rows)
        self.hits += len(found)
        return found

    def put_many(self, results: Iterable[tuple[str, object]]) -> None:
        rows = [(key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)) for key, result in results]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO results (key, result) VALUES (?, ?)", rows)
        self.stored += len(rows)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ExtractCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(keys: list[str]):
    """The keys, LOOKUPS_PER_QUERY at a time."""
    for start in range(0, len(keys), LOOKUPS_PER_QUERY):
        yield keys[start:start + LOOKUPS_PER_QUERY]
