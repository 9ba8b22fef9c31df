"""Results kept between builds by what they were computed from: the stages' caches.

A stage's cache is one SQLite file, `<prefix><version>.sqlite` in the cache folder
(`paths.cache`), holding its results under keys made of their inputs. The version is a hash of
the code and vocabularies that compute the results (the files of the `etl` and `schema` packages
the stage's module imports, `imported_files`, and every data file there) and of the settings
they depend on, so a change to any of them gives a new, empty file (and the older versions'
files are removed), while a change to another stage's code does not. A result is used only for
the very input, code and settings it came from, so a cache changes how fast a stage runs, never
what it writes. The ingest stage keeps each file's documents and fingerprints (`etl.ingest`),
the extract stage each batch's tables (`etl.extract.cache`), the link stage its pairs' scores
(`etl.linking.memo`).

Caches live outside DVC's view by design (`paths.cache` is not a stage output). The file is in
WAL mode: a stage's workers may read it and add their results to it (`reader`, `writer`) while
the stage's own process holds it open, one writer at a time.
"""
from __future__ import annotations

import ast
import hashlib
import json
import pickle
import sqlite3
from pathlib import Path
from typing import Iterable

import etl
import schema

LOOKUPS_PER_QUERY = 500  # keys per SELECT ... IN (...): well under SQLite's limit on parameters
BUSY_SECONDS = 60  # how long a reader or the writer waits for the other before it gives up


def code_version(settings: object, packages: tuple[Path, ...] | None = None, stage: str | None = None) -> str:
    """A hash of the code and vocabularies (every file of the `etl` and `schema` packages, or of the
    `packages` folders given) and of `settings` (anything JSON can write). Given the module a stage
    runs (`stage`, such as "etl.extract"), of only the Python files that importing it runs
    (`imported_files`) and every other file of the packages (vocabularies, templates): a change to
    another stage's code then leaves this stage's results in use."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    roots = packages if packages is not None else PACKAGES
    imported = imported_files(stage, roots) if stage is not None else None
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo") \
                    and (imported is None or path.suffix != ".py" or path in imported):
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


PACKAGES = tuple(Path(package.__file__).resolve().parent for package in (etl, schema))


def imported_files(module: str, roots: tuple[Path, ...] = PACKAGES) -> set[Path]:
    """The Python files of the `roots` packages that importing `module` runs: its imports (at any
    depth, in functions too), theirs, and the packages above each (importing a.b runs a/__init__.py).
    Read from the source (`ast`), not by importing: what a module may import is what it says."""
    project = {root.name: root for root in roots}
    seen: dict[str, Path] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        path = None if name in seen else _module_file(name, project)
        if path is None:
            continue
        seen[name] = path
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for full in _imported_names(path, package):
            parts = full.split(".")
            if parts[0] in project:
                todo.extend(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return set(seen.values())


def _module_file(name: str, project: dict[str, Path]) -> Path | None:
    """The file of a module of the project's packages (a package's __init__.py), else None."""
    first, *rest = name.split(".")
    base = project[first].joinpath(*rest) if first in project else None
    if base is None:
        return None
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return base.with_suffix(".py") if base.with_suffix(".py").is_file() else None


def _imported_names(path: Path, package: str) -> list[str]:
    """Every module name the file imports, relative imports made absolute, `from a import b` as a and a.b."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.extend([base] + [f"{base}.{alias.name}" for alias in node.names])
    return names


class ResultCache:
    """Results by key, for one version, in `folder/<prefix><version>.sqlite`: the writing side
    (it creates the file and removes the other versions' files)."""

    def __init__(self, folder: Path, prefix: str, version: str):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{prefix}{version}.sqlite"
        for older in folder.glob(f"{prefix}*.sqlite*"):
            if not older.name.startswith(self.path.name):
                older.unlink(missing_ok=True)  # another version's: never read again
        self._db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        self._db.execute("PRAGMA journal_mode=WAL")
        # (in WAL mode, NORMAL cannot corrupt the file; a crash of the machine may lose the last
        # results written, which are then computed again: no wait for the disk at every commit)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, result BLOB NOT NULL)")
        # (what a run computes of its inputs as a whole, by name: replaced by each run that computes it)
        self._db.execute("CREATE TABLE IF NOT EXISTS runs (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
        self._db.commit()
        self.hits = self.stored = 0

    def have(self, keys: list[str]) -> set[str]:
        """The keys that have a cached result (their results are not read)."""
        return have(self._db, keys)

    def get_many(self, keys: list[str]) -> dict[str, object]:
        """The cached result of each key that has one."""
        found = get_many(self._db, keys)
        self.hits += len(found)
        return found

    def put_many(self, results: Iterable[tuple[str, object]]) -> None:
        self.put_pickled((key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)) for key, result in results)

    def put_pickled(self, results: Iterable[tuple[str, bytes]]) -> None:
        """Results already pickled (by the process that computed them), by key."""
        self.stored += put_pickled(self._db, results)

    def run_value(self, name: str) -> bytes | None:
        """The value the last run kept under `name` (None when none did)."""
        row = self._db.execute("SELECT value FROM runs WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def keep_run_value(self, name: str, value: bytes) -> None:
        """Keep `value` under `name`, in place of the last run's."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO runs (name, value) VALUES (?, ?)", (name, value))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ResultCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to a cache file a `ResultCache` created (for another process)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)


def writer(path: Path) -> sqlite3.Connection:
    """A connection that adds to a cache file a `ResultCache` created (for another process: the
    file's one writer at a time waits for the other, up to BUSY_SECONDS)."""
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_SECONDS)
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def put_pickled(db: sqlite3.Connection, results: Iterable[tuple[str, bytes]]) -> int:
    """Pickled results stored by key, in one transaction: how many."""
    rows = list(results)
    with db:
        db.executemany("INSERT OR REPLACE INTO results (key, result) VALUES (?, ?)", rows)
    return len(rows)


def have(db: sqlite3.Connection, keys: list[str]) -> set[str]:
    found = set()
    for chunk in _chunks(keys):
        found.update(key for key, in db.execute(
            f"SELECT key FROM results WHERE key IN ({','.join('?' * len(chunk))})", chunk))
    return found


def get_many(db: sqlite3.Connection, keys: list[str]) -> dict[str, object]:
    return {key: pickle.loads(blob) for key, blob in get_many_pickled(db, keys).items()}


def get_many_pickled(db: sqlite3.Connection, keys: list[str]) -> dict[str, bytes]:
    """The cached result of each key that has one, as pickled (`get_many` unpickles them)."""
    found = {}
    for chunk in _chunks(keys):
        rows = db.execute(f"SELECT key, result FROM results WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        found.update(rows)
    return found


def _chunks(keys: list[str]):
    """The keys, LOOKUPS_PER_QUERY at a time."""
    for start in range(0, len(keys), LOOKUPS_PER_QUERY):
        yield keys[start:start + LOOKUPS_PER_QUERY]
