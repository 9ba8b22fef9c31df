"""Stage 1, ingest: every document under the raw folder becomes an `articles` row or a reject.

Files are read by format (`etl.readers`): the sample `.txt` format, `.html` pages,
`.jsonl` and `.csv` exports with one article per record, and `.gz` of any of them.
A document that is empty, binary, undecodable, malformed or too large is rejected
with the file, the record and the reason; a file that is not UTF-8 is decoded with
a fallback and flagged. Exact duplicates and near-identical copies keep their rows
and are marked (`etl.duplicates`). The build goes on whatever one file holds, and
every document read is counted once: documents read = articles + error rejects.

The files are read in batches on every core (`ingest.jobs`), each article's fingerprint for
copy detection computed beside it; the rows are written as they come to a scratch table, and
once the whole corpus is seen, copied batch by batch (`ingest.batch_articles` rows, one
Parquet row group each) into `ingested.parquet` with their marks. Memory holds a few batches
and the fingerprints, never every text; the tables are the same for any number of jobs.
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import itertools
import os
import pickle
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from etl import cache as result_cache
from etl import duplicates
from etl.cache import ResultCache, code_version
from etl import params as params_module
from etl.batches import TableWriter, jobs_to_use, map_batches, row_groups
from etl.progress import Progress, Silent
from etl.readers import (  # noqa: F401 - re-exported: the extractor and tests use them from here
    FETCH_RECORD_MAX_BYTES, FETCH_RECORD_SUFFIX, MB, SUPPORTED_SUFFIXES, Document, Options, Refused, Reject,
    dateline_end, decode, looks_binary, page_with_fetch_record, read_file, safe_name,
)
from etl.tables import read_table, write_table
from schema.codebook import TABLES
from schema.models import conform

DEFAULTS = params_module.DEFAULTS["ingest"]
# Files one task of a worker reads: enough to pay for sending the task and its results between
# processes, few enough that every core has work from the start and results arrive steadily.
FILES_PER_TASK = 200


class EmptyCorpusError(RuntimeError):
    """The raw folder holds no files at all: there is nothing to build."""


@dataclass(frozen=True)
class Ingested:
    """What ingest read: the articles (a frame, or the Parquet file holding them), the rejects and
    warnings, how many documents and files it found, and how many articles it kept."""

    source: pd.DataFrame | Path
    rejects: pd.DataFrame
    documents: int
    files: int
    article_count: int
    cached: int = 0  # files taken from the cache, not parsed again

    @property
    def articles(self) -> pd.DataFrame:
        """The articles table (read from its file when ingest wrote it: every text at once)."""
        return self.source if isinstance(self.source, pd.DataFrame) else read_table(self.source, "ingested")

    def __iter__(self):
        # `articles, rejects = ingest.run(...)` keeps working.
        return iter((self.articles, self.rejects))


def run(raw_dir: Path, out_dir: Path, params: dict | None = None, progress: Progress | None = None,
        cache: Path | None = None) -> Ingested:
    """Read every input file under `raw_dir`; write `ingested` and ingest rejects to `out_dir`.

    With a `cache` folder, a file read before by the same code with the same settings (the same
    path and bytes) is taken from it: its documents and fingerprints, not parsed again (CACHED_FILE_MB)."""
    settings = {**DEFAULTS, **(params or {})}
    options, rows = Options.from_params(settings), batch_size(settings)
    store = ResultCache(cache, CACHE_PREFIX, ingest_version(options)) if cache is not None else None
    # load: the entries only; each file is read, as a stream, by the worker that parses it
    entries, fetch_records = pages_and_fetch_records(input_entries(raw_dir, options.follow_outside_links))
    progress = progress or Silent("ingest", len(entries), "files")
    progress.total = len(entries)
    if store is not None:
        progress.count(cached=0)  # (the line counts the files taken from the cache, as extract's does)
    parsed = map_batches(functools.partial(parse_files, options=options, cache=store.path if store else None),
                         file_tasks(entries, fetch_records), jobs_to_use(settings.get("jobs")))
    # process and save, batch by batch: unmarked rows to a scratch table, then marked into ingested.parquet
    out_dir.mkdir(parents=True, exist_ok=True)
    tally, index, unmarked = Tally(progress), duplicates.CopyIndex(out_dir), scratch_file(out_dir)
    try:
        write_unmarked(tally.articles(itertools.chain.from_iterable(parsed)), index, unmarked, rows)
        progress.close()
        marks = copy_marks(index, float(settings["copy_similarity"]), store, jobs_to_use(settings.get("jobs")))
        index.close()
        kept = write_marked(unmarked, marks, out_dir / "ingested.parquet")
    finally:
        index.close()
        unmarked.unlink(missing_ok=True)
        if store is not None:
            store.close()
    rejects = conform(rejects_frame(tally.rejects), "rejects")
    write_table(rejects, "rejects", out_dir / "ingest_rejects.parquet")
    return Ingested(out_dir / "ingested.parquet", rejects, tally.read, tally.files, kept, tally.cached)


def copy_marks(index: duplicates.CopyIndex, threshold: float, store: ResultCache | None,
               jobs: int = 1) -> duplicates.Marks:
    """The corpus's marks, the candidate pairs compared on `jobs` processes; with a cache, those
    compared by the last run are not compared again (a pair's similarity depends on its two texts
    alone), and this run's are kept for the next."""
    if store is None:
        return index.marks_and_comparisons(threshold, jobs=jobs)[0]
    kept = store.run_value(COMPARED_PAIRS)
    marks, compared = index.marks_and_comparisons(threshold, duplicates.Compared.from_bytes(kept) if kept else None,
                                                  jobs)
    store.keep_run_value(COMPARED_PAIRS, compared.to_bytes())
    return marks


COMPARED_PAIRS = "copy detection: candidate pairs compared"
CACHE_PREFIX = "ingest-"
# Files up to this size are cached (their bytes are read once more, to be hashed, on every build);
# a larger one, an export of many records, is parsed again each time: its results would be a blob
# as large as the file.
CACHED_FILE_MB = 16


def ingest_version(options: Options) -> str:
    """The cache version of ingest: the code and vocabularies, and the settings that change what it reads."""
    return code_version(dataclasses.asdict(options))


def scratch_file(folder: Path) -> Path:
    """A new hidden file in `folder` for the unmarked table (removed by the caller)."""
    handle, name = tempfile.mkstemp(prefix=".ingested-unmarked.", suffix=".parquet", dir=folder)
    os.close(handle)
    return Path(name)


def batch_size(settings: dict) -> int:
    given = settings.get("batch_articles")
    rows = int(DEFAULTS["batch_articles"] if given is None else given)
    if rows < 1:
        raise ValueError(f"ingest.batch_articles must be at least 1, not {rows}")
    return rows


Entry = tuple  # (source_path, Path | OSError, warnings about the name)


def input_entries(raw_dir: Path, follow_outside_links: bool = False) -> list[Entry]:
    """Every non-hidden entry under `raw_dir`, in a fixed order: a file to read, or why it is not read.

    Nothing under the folder is skipped silently: an unreadable subfolder, a dangling or
    looping symbolic link, a FIFO or device, and a link to a file outside the raw folder
    (unless `follow_outside_links`) each become an entry whose content is a `Refused`
    error, so it is a reject naming its path. A name that is not printable UTF-8 is
    escaped (`safe_name`) and flagged.
    """
    if not raw_dir.is_dir():
        raise EmptyCorpusError(f"{safe_name(str(raw_dir))}: the raw folder does not exist")
    root = raw_dir.resolve()
    entries: list[Entry] = []
    seen_folders = {_identity(root.stat())}

    def add(parts: tuple[str, ...], content) -> None:
        raw_name = "/".join(parts)
        name = safe_name(raw_name)
        notes = () if name == raw_name else (Reject(name, "ingest.file_name",
            f"{name}: the file name holds bytes that are not UTF-8 or control characters; it is shown (and its "
            f"article_id made) with them escaped; rename the file", severity="warning"),)
        entries.append((name, content, notes))

    def visit(folder: Path, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda entry: os.fsencode(entry.name))
        except OSError as error:
            if not parts:
                raise EmptyCorpusError(f"{safe_name(str(raw_dir))}: the raw folder cannot be read "
                                       f"({error.strerror or error})") from None
            add(parts, Refused("ingest.unreadable", f"the folder cannot be read ({error.strerror or error}); "
                                                    f"none of its files were read"))
            return
        for child in children:
            if child.name.startswith("."):
                continue
            here, path = parts + (child.name,), folder / child.name
            try:
                if child.is_symlink():
                    problem = _link_problem(path, root, follow_outside_links)
                    if problem:
                        add(here, problem)
                        continue
                status = path.stat()
            except OSError as error:
                add(here, Refused("ingest.unreadable", f"cannot be read ({error.strerror or error})"))
                continue
            if stat.S_ISDIR(status.st_mode):
                if _identity(status) in seen_folders:
                    add(here, Refused("ingest.link_loop", "a link to a folder that is already read (it would be "
                                                          "read twice, or forever); not followed"))
                    continue
                seen_folders.add(_identity(status))
                visit(path, here)
            elif stat.S_ISREG(status.st_mode):
                add(here, path)
            else:
                kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(status.st_mode) else "a socket" if stat.S_ISSOCK(status.st_mode)
                        else "a device")
                add(here, Refused("ingest.not_a_file", f"{kind}, not a file; not read (reading it could wait forever)"))

    visit(raw_dir, ())
    if not entries:
        raise EmptyCorpusError(f"{safe_name(str(raw_dir))}: the raw folder holds no article files "
                               f"(expected {', '.join(SUPPORTED_SUFFIXES)} files)")
    return entries


def _identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _link_problem(path: Path, root: Path, follow_outside_links: bool) -> Refused | None:
    """Why a symbolic link under the raw folder is not followed, or None."""
    target = safe_name(os.readlink(path))
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        return Refused("ingest.broken_link", f"a symbolic link to {target!r}, which does not exist; not read")
    except (RuntimeError, OSError) as error:  # ELOOP: the link points (through others) at itself
        if isinstance(error, OSError) and error.errno not in (errno.ELOOP, None):
            raise
        return Refused("ingest.link_loop", f"a symbolic link to {target!r} that loops back on itself; not read")
    if not follow_outside_links and not resolved.is_relative_to(root):
        return Refused("ingest.outside_raw", f"a symbolic link to {safe_name(str(resolved))!r}, outside the raw folder; "
                                             f"not read (set ingest.follow_outside_links: true in params.yaml to read "
                                             f"files that links point to outside it)")
    return None


def pages_and_fetch_records(entries: list[Entry]) -> tuple[list[Entry], dict[str, Path]]:
    """The entries without the fetch records `uofdb fetch` writes beside its pages, and each
    page's record by the page's name. A record whose page is not beside it is an error entry."""
    names = {name for name, content, _ in entries if isinstance(content, Path)}
    pages, records = [], {}
    for name, content, notes in entries:
        page = name[:-len(FETCH_RECORD_SUFFIX)] if name.endswith(FETCH_RECORD_SUFFIX) else None
        if page is None or not isinstance(content, Path):
            pages.append((name, content, notes))
        elif page in names:
            records[page] = content
        else:
            pages.append((name, Refused("ingest.orphan_fetch_record",
                                        f"a fetch record (uofdb fetch) whose page {page} is not beside it; nothing "
                                        f"read (fetch the URL again, or delete the record)"), notes))
    return pages, records


def article_files(raw_dir: Path) -> list[Path]:
    """Every non-hidden regular file under `raw_dir`, in read order; an error when there is none."""
    return [content for _, content, _ in input_entries(raw_dir) if isinstance(content, Path)]


def relative_name(path: Path, raw_dir: Path) -> str:
    return safe_name(path.relative_to(raw_dir).as_posix())


def parse_documents(documents: Iterable[tuple], options: Options | None = None,
                    copy_similarity: float = DEFAULTS["copy_similarity"],
                    progress: Progress | None = None, fetch_records: dict[str, Path] | None = None) -> Ingested:
    """Articles and rejects from (source_path, content[, name warnings]) entries, duplicates and copies marked.

    `content` is the file's bytes, its `Path` (read as a stream) or the `OSError` that stops it
    being read; `fetch_records` gives a fetched page's record by its source_path. Ids are unique
    by construction (`etl.readers.document_id`); the duplicate id check (`Tally`) is a last guard,
    reachable only by names made to copy another file's id (`a.txt` beside `a.txt.gz`, a file
    named like an export's record). In memory, in this process: `run` is the same, streamed.
    """
    options = options or Options()
    tally = Tally(progress or Silent("ingest", 0, "files"))
    index = duplicates.CopyIndex()
    entries = [(source_path, content, *notes) for source_path, content, *notes in documents]
    rows = []
    for task in file_tasks(entries, fetch_records or {}):
        for row, print_ in tally.articles(parse_files(task, options)):
            index.add(row["article_id"], row["published_date"], print_)
            rows.append(row)
    tally.progress.close()
    articles = with_marks(pd.DataFrame(rows, columns=list(TABLES["ingested"].columns)), index.marks(copy_similarity))
    # In the codebook's dtypes, so what run() returns is what it writes.
    return Ingested(conform(articles, "ingested"), conform(rejects_frame(tally.rejects), "rejects"),
                    tally.read, tally.files, len(articles))


# --- the work of the workers: files parsed, fingerprints taken ---------------------------------

@dataclass(frozen=True)
class ParsedFile:
    """One input file read: warnings about its name, its documents and problems in read order,
    and each document's fingerprint for copy detection (in the order of its documents), and
    whether it came from the cache."""

    notes: tuple
    items: list
    fingerprints: list
    cached: bool = False


def file_tasks(entries: list, fetch_records: dict[str, Path]) -> Iterator[list[tuple]]:
    """The entries in tasks of FILES_PER_TASK, each with its fetch record (or None), in read order."""
    with_records = ((entry, fetch_records.get(entry[0])) for entry in entries)
    while task := list(itertools.islice(with_records, FILES_PER_TASK)):
        yield task


def parse_files(task: list[tuple], options: Options, cache: Path | None = None) -> list[ParsedFile]:
    """Each file of a task read and its documents fingerprinted (what runs on the workers); with the
    `cache` file, those read before (the same path and bytes) are taken from it, and the others put
    in it (by the worker: what it keeps never passes through the stage's process). What is cached
    is what `read_file` gave and the fingerprints; a fetch record's URL is added after."""
    word_hashes: dict[str, int] = {}  # (a corpus reuses most of its words: each is hashed once a task)
    permutations = duplicates._permutations()
    contents = [(source_path, *cacheable_content(source_path, content, cache)) for (source_path, content, *_), _ in task]
    known = _cached_results(cache, [key for _, _, key in contents if key])
    parsed, fresh = [], []
    for ((_, _, *notes), record), (source_path, content, key) in zip(task, contents):
        notes = tuple(note for group in notes for note in group)
        if key in known:
            read, prints = known[key]
        else:
            read = read_file(source_path, content, options)
            prints = [duplicates.fingerprint(item.text, word_hashes, permutations)
                      for item in read if isinstance(item, Document)]
            if key:
                fresh.append((key, pickle.dumps((read, prints), protocol=pickle.HIGHEST_PROTOCOL)))
        parsed.append(ParsedFile(notes, with_fetch_record(read, record), prints, key in known))
    if fresh:
        with contextlib.closing(result_cache.writer(cache)) as db:
            result_cache.put_pickled(db, fresh)
    return parsed


def cacheable_content(source_path: str, content, cache: Path | None) -> tuple[object, str | None]:
    """What a file is read from, and its cache key: with a cache, a file of at most CACHED_FILE_MB
    is read here (its bytes are then parsed) and keyed by its path and bytes; else (None) it is
    read as it would be without a cache, and a file that cannot be read says so there."""
    if cache is None or not isinstance(content, Path):
        return content, None
    limit = int(CACHED_FILE_MB * MB)
    try:
        if os.stat(content).st_size > limit:
            return content, None
        with open(content, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return content, None
    if len(data) > limit:  # (it grew since: read as a stream)
        return content, None
    digest = hashlib.sha256(source_path.encode("utf-8", "surrogatepass") + b"\0" + data)
    return data, digest.hexdigest()


def _cached_results(cache: Path | None, keys: list[str]) -> dict[str, tuple]:
    if cache is None or not keys:
        return {}
    with contextlib.closing(result_cache.reader(cache)) as db:
        return result_cache.get_many(db, keys)


# --- in this process, in read order: counting, ids, rows ----------------------------------

@dataclass
class Tally:
    """The documents and files read so far, the rejects, and the ids already taken."""

    progress: Progress
    read: int = 0
    files: int = 0
    rejects: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)
    cached: int = 0

    def articles(self, parsed: Iterable[ParsedFile]) -> Iterator[tuple[dict, duplicates.Fingerprint]]:
        """(row, fingerprint) of each article of the files, in read order; every problem a reject."""
        for file in parsed:
            self.files += 1
            if file.cached:
                self.cached += 1
                self.progress.count(cached=1)
            self.rejects.extend(file.notes)  # warnings about the file's name
            prints = iter(file.fingerprints)
            for item in file.items:
                if isinstance(item, Reject):
                    self.rejects.append(item)
                    self.read += item.severity == "error"
                    self.progress.count(read=int(item.severity == "error"), rejected=int(item.severity == "error"))
                    continue
                print_ = next(prints)
                self.read += 1
                self.progress.count(read=1)
                if item.article_id in self.seen:
                    self.rejects.append(duplicate_id(item, self.seen[item.article_id]))
                    self.progress.count(rejected=1)
                    continue
                self.seen[item.article_id] = item.source_path + (f" {item.record}" if item.record else "")
                yield item.row(), print_
            self.progress.advance()


def rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    return pd.DataFrame([reject.row() for reject in rejects], columns=list(TABLES["rejects"].columns))


def write_unmarked(articles: Iterable[tuple[dict, duplicates.Fingerprint]], index: duplicates.CopyIndex,
                   path: Path, rows: int) -> None:
    """The articles written to `path` in row groups of `rows`, without marks; each fingerprint
    given to `index` in read order."""
    articles = iter(articles)
    with TableWriter("ingested", path) as writer:
        while batch := list(itertools.islice(articles, rows)):
            for row, print_ in batch:
                index.add(row["article_id"], row["published_date"], print_)
            writer.write(pd.DataFrame([row for row, _ in batch], columns=list(TABLES["ingested"].columns)))


def write_marked(unmarked: Path, marks: duplicates.Marks, path: Path) -> int:
    """The unmarked table copied to `path` row group by row group, with its marks filled in; its rows."""
    with TableWriter("ingested", path) as writer:
        for batch in row_groups(unmarked, "ingested"):
            writer.write(with_marks(batch, marks))
    return writer.rows


def with_fetch_record(items: list, record: Path | None) -> list:
    """A file's documents and problems, a fetched page's with the URL of its fetch record."""
    if record is None:
        return items
    named, problems = [], []
    for item in items:
        if isinstance(item, Document):
            record_path = item.source_path + FETCH_RECORD_SUFFIX
            try:
                with open(record, "rb") as handle:  # bounded: a record is small, whatever the file holds
                    content = handle.read(FETCH_RECORD_MAX_BYTES + 1)
                item, problem = page_with_fetch_record(item, record_path, content)
            except OSError as error:
                problem = Reject(record_path, "ingest.bad_fetch_record", f"{record_path}: cannot be read "
                                 f"({error.strerror or error}); {item.source_path} was read without its URL",
                                 severity="warning")
            problems += [problem] if problem else []
        named.append(item)
    return named + problems


def duplicate_id(document: Document, first: str) -> Reject:
    where = document.source_path + (f" {document.record}" if document.record else "")
    fix = "give the records distinct ids" if document.record else "rename one of the files"
    return Reject(document.source_path, "ingest.duplicate_article_id",
                  f"{where}: article id {document.article_id!r} is already used by {first}; {fix}",
                  record=document.record)


def with_marks(articles: pd.DataFrame, marks: duplicates.Marks) -> pd.DataFrame:
    """The articles with `duplicate_of` and `copy_of` filled in from the marks."""
    articles = articles.copy()
    articles["duplicate_of"] = [marks.duplicate_of.get(article_id) for article_id in articles["article_id"]]
    articles["copy_of"] = [marks.copy_of.get(article_id) for article_id in articles["article_id"]]
    return articles

