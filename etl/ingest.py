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
once the whole corpus is seen, copied batch by batch (`ingest.batch_articles` rows on average, one
Parquet row group each) into `ingested.parquet` with their marks. Memory holds a few batches
and the fingerprints, never every text; the tables are the same for any number of jobs.

With a cache folder, a rebuild reads only what changed. What it trusts (`ingest.trust_file_stat`,
true by default): a file whose relative path, size, mtime, ctime and inode (and device) are those the
last run recorded holds the bytes it held then, as git's index and make assume. ctime cannot be set
back by user tools (`touch`, `cp -p`, `os.utime` set mtime only), so a file rewritten with its size and
mtime put back is still seen as changed; a file changed within `etl.ingest_record.RACY_SECONDS` of the walk that recorded
it is never trusted (a write in the same clock tick as the stat leaves it unchanged). Such a file is
not read at all: the last run's documents without their text (ids, dates, problems) and fingerprints
without their shingle sets stand for it, and a batch (`batch_articles` rows on average, its ends set
by the article ids, `etl.batches.stable_batches`) none of whose articles changed is taken, as Arrow
IPC, from the cache rather than made again from rows. With `trust_file_stat: false` every file is
read and hashed each build (a changed file is then seen whatever its stat says); the batches are still
reused by their files' bytes. Everything cached is under the code version (`etl.cache.code_version`):
changed code or settings reuse nothing.
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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from etl import cache as result_cache
from etl import duplicates
from etl.cache import ResultCache, code_version
from etl.memory import cyclic_gc_paused, hand_back_freed_memory
from etl import params as params_module
from etl.batches import TableWriter, jobs_to_use, map_batches, stable_batches
from etl.ingest_record import (IngestCache, Listed, ParsedFile, files_in_read_order, full_results, listed_files,
                               remembered, shingles_of_listed, stat_key)
from etl.progress import Progress, Silent
from etl.readers import (  # noqa: F401 - re-exported: the extractor and tests use them from here
    FETCH_RECORD_MAX_BYTES, FETCH_RECORD_SUFFIX, MB, SUPPORTED_SUFFIXES, Document, Options, Refused, Reject,
    dateline_end, decode, looks_binary, page_with_fetch_record, read_at_most, read_file, safe_name,
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


@cyclic_gc_paused()
def run(raw_dir: Path, out_dir: Path, params: dict | None = None, progress: Progress | None = None,
        cache: Path | None = None) -> Ingested:
    """Read every input file under `raw_dir`; write `ingested` and ingest rejects to `out_dir`.

    With a `cache` folder, a file read before by the same code with the same settings (the same
    path and bytes) is taken from it: its documents and fingerprints, not parsed again (CACHED_FILE_MB);
    a file whose stat is the one the last run recorded is not even read (`trust_file_stat`), and a
    batch of unchanged files is written from the table the last run wrote of it."""
    settings = {**DEFAULTS, **(params or {})}
    options, rows = Options.from_params(settings), batch_size(settings)
    trust_stat = bool(settings.get("trust_file_stat", DEFAULTS["trust_file_stat"]))
    store = IngestCache(cache, ingest_version(options)) if cache is not None else None
    # load: the entries only; each file is read, as a stream, by the worker that parses it
    walked = walk(raw_dir, options.follow_outside_links)
    entries, fetch_records = pages_and_fetch_records(walked.entries)
    last = store.last_run() if store is not None and trust_stat else {}
    known = listed_files(entries, walked.statuses, last, fetch_records)
    this_run = {name: last[name] for name in known}  # what the next run trusts, by file
    del last  # (what stood for the files not seen again: not kept)
    progress = progress or Silent("ingest", len(entries), "files")
    progress.total = len(entries)
    if store is not None:
        progress.count(cached=0)  # (the line counts the files taken from the cache, as extract's does)
    fresh = [entry for entry in entries if entry[0] not in known]
    parsed = map_batches(functools.partial(parse_files, options=options, cache=store.path if store else None),
                         file_tasks(fresh, fetch_records), jobs_to_use(settings.get("jobs")))
    files = files_in_read_order(entries, known, itertools.chain.from_iterable(parsed))
    if store is not None and trust_stat:
        files = remembered(files, walked.statuses, walked.started_ns, this_run)
    # process and save, batch by batch: unmarked rows to a scratch table, then marked into ingested.parquet
    out_dir.mkdir(parents=True, exist_ok=True)
    tally, index, unmarked = Tally(progress), duplicates.CopyIndex(out_dir), scratch_file(out_dir)
    try:
        listed: dict[str, tuple] = {}  # article id -> (file digest, path, source path, fingerprint's place), unread files
        plan = write_unmarked(tally.articles(files, listed), index, unmarked, rows, store, options)
        progress.close()
        if store is not None and trust_stat:
            # (kept now, every file seen: the record says what the files hold, whatever is written next)
            store.keep_last_run(this_run)
        # (the walk's entries and stats are not needed again: let go before the marks, the stage's peak)
        del this_run, known, walked, entries, fresh, files, parsed
        hand_back_freed_memory()
        marks = copy_marks(index, float(settings["copy_similarity"]), store, jobs_to_use(settings.get("jobs")),
                           functools.partial(shingles_of_listed, listed=listed, store=store, options=options))
        index.close()
        hand_back_freed_memory()  # (the marks' arrays: the batches written next are in Arrow's pool)
        kept = write_marked(unmarked, plan, marks, out_dir / "ingested.parquet", store)
        if store is not None:
            store.forget_batches_except({key for key, _ in plan if key})
    finally:
        index.close()
        unmarked.unlink(missing_ok=True)
        if store is not None:
            store.close()
    rejects = conform(rejects_frame(tally.rejects), "rejects")
    write_table(rejects, "rejects", out_dir / "ingest_rejects.parquet")
    return Ingested(out_dir / "ingested.parquet", rejects, tally.read, tally.files, kept, tally.cached)


def copy_marks(index: duplicates.CopyIndex, threshold: float, store: ResultCache | None,
               jobs: int = 1, shingles_elsewhere=None) -> duplicates.Marks:
    """The corpus's marks, the candidate pairs compared on `jobs` processes; with a cache, those
    compared by the last run are not compared again (a pair's similarity depends on its two texts
    alone), and this run's are kept for the next. `shingles_elsewhere` fetches the shingle sets of
    the files not read (`duplicates.CopyIndex.marks_and_comparisons`)."""
    if store is None:
        return index.marks_and_comparisons(threshold, jobs=jobs)[0]
    kept = store.run_value(COMPARED_PAIRS)
    marks, compared = index.marks_and_comparisons(threshold, duplicates.Compared.from_bytes(kept) if kept else None,
                                                  jobs, shingles_elsewhere)
    # (a corpus has millions of pairs: the last run's and this run's arrays let go before they are stored)
    del kept
    compared = compared.to_bytes()
    store.keep_run_value(COMPARED_PAIRS, compared)
    return marks


COMPARED_PAIRS = "copy detection: candidate pairs compared"
# Files up to this size are cached (their bytes are read once more, to be hashed, on every build);
# a larger one, an export of many records, is parsed again each time: its results would be a blob
# as large as the file.
CACHED_FILE_MB = 16


def ingest_version(options: Options) -> str:
    """The cache version of ingest: the code it imports and the vocabularies, and the settings that change what it reads."""
    return code_version(dataclasses.asdict(options), stage="etl.ingest")


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


@dataclass(frozen=True)
class Walked:
    """The entries of the raw folder (`input_entries`), the stat of each file by its name (`stat_key`),
    and when the walk started (ns since the epoch, as file times are)."""

    entries: list
    statuses: dict
    started_ns: int


def input_entries(raw_dir: Path, follow_outside_links: bool = False) -> list[Entry]:
    """Every non-hidden entry under `raw_dir`, in a fixed order: a file to read, or why it is not read (`walk`)."""
    return walk(raw_dir, follow_outside_links).entries


def walk(raw_dir: Path, follow_outside_links: bool = False) -> Walked:
    """Every non-hidden entry under `raw_dir`, in a fixed order: a file to read, or why it is not read.

    Nothing under the folder is skipped silently: an unreadable subfolder, a dangling or
    looping symbolic link, a FIFO or device, and a link to a file outside the raw folder
    (unless `follow_outside_links`) each become an entry whose content is a `Refused`
    error, so it is a reject naming its path. A name that is not printable UTF-8 is
    escaped (`safe_name`) and flagged.
    """
    if not raw_dir.is_dir():
        raise EmptyCorpusError(f"{safe_name(str(raw_dir))}: the raw folder does not exist")
    started_ns = time.time_ns()
    root = raw_dir.resolve()
    entries: list[Entry] = []
    statuses: dict[str, tuple] = {}
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
                status = child.stat()  # (follows a link, as Path.stat; no path made first)
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
                statuses[entries[-1][0]] = stat_key(status)
            else:
                kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(status.st_mode) else "a socket" if stat.S_ISSOCK(status.st_mode)
                        else "a device")
                add(here, Refused("ingest.not_a_file", f"{kind}, not a file; not read (reading it could wait forever)"))

    visit(raw_dir, ())
    if not entries:
        raise EmptyCorpusError(f"{safe_name(str(raw_dir))}: the raw folder holds no article files "
                               f"(expected {', '.join(SUPPORTED_SUFFIXES)} files)")
    return Walked(entries, statuses, started_ns)


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
        for article in tally.articles(parse_files(task, options)):
            row = article.item.row()
            index.add(row["article_id"], row["published_date"], article.fingerprint)
            rows.append(row)
    tally.progress.close()
    articles = with_marks(pd.DataFrame(rows, columns=list(TABLES["ingested"].columns)), index.marks(copy_similarity))
    # In the codebook's dtypes, so what run() returns is what it writes.
    return Ingested(conform(articles, "ingested"), conform(rejects_frame(tally.rejects), "rejects"),
                    tally.read, tally.files, len(articles))


# --- the work of the workers: files parsed, fingerprints taken ---------------------------------

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
    permutations = duplicates._permutations()
    contents = [(source_path, *cacheable_content(source_path, content, cache)) for (source_path, content, *_), _ in task]
    known = _cached_results(cache, [key for _, _, key in contents if key])
    parsed, fresh = [], []
    for ((_, _, *notes), record), (source_path, content, key) in zip(task, contents):
        notes = tuple(note for group in notes for note in group)
        if key in known:
            pickled = known[key]
            read, prints = pickle.loads(pickled)
        else:
            read = read_file(source_path, content, options)
            prints = [duplicates.fingerprint(item.text, permutations)
                      for item in read if isinstance(item, Document)]
            pickled = pickle.dumps((read, prints), protocol=pickle.HIGHEST_PROTOCOL) if key else None
            if key:
                fresh.append((key, pickled))
        # (a record's URL is not in the key, nor in what was pickled: such a file is sent as its parts)
        parsed.append(ParsedFile(notes, with_fetch_record(read, record), prints, key in known,
                                 key if record is None else None, name=source_path,
                                 pickled=pickled if record is None else None))
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
        size = os.stat(content).st_size
        if size > limit:
            return content, None
        with open(content, "rb") as handle:
            data = read_at_most(handle, size, limit)
    except OSError:
        return content, None
    if len(data) > limit:  # (it grew since: read as a stream)
        return content, None
    digest = hashlib.sha256(source_path.encode("utf-8", "surrogatepass") + b"\0" + data)
    return data, digest.hexdigest()


def _cached_results(cache: Path | None, keys: list[str]) -> dict[str, bytes]:
    """The cached results of the keys, as pickled (they are unpickled by the caller, and sent on as they are)."""
    if cache is None or not keys:
        return {}
    with contextlib.closing(result_cache.reader(cache)) as db:
        return result_cache.get_many_pickled(db, keys)


# --- in this process, in read order: counting, ids, rows ----------------------------------

class Article(NamedTuple):
    """One article kept, in read order: its document (or `Listed`), its fingerprint, and where it is:
    its file's key and path, and its place among the file's items."""

    item: object
    fingerprint: duplicates.Fingerprint
    file_key: str | None
    path: Path | None
    place: int


@dataclass
class Tally:
    """The documents and files read so far, the rejects, and the ids already taken."""

    progress: Progress
    read: int = 0
    files: int = 0
    rejects: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)
    cached: int = 0

    def articles(self, parsed: Iterable[ParsedFile], listed: dict | None = None) -> Iterator[Article]:
        """Each article of the files, in read order; every problem a reject. An article of a file not
        read this run is put in `listed` by its id: (its file's key, path, source path, fingerprint's place)."""
        for file in parsed:
            self.files += 1
            if file.cached:
                self.cached += 1
                self.progress.count(cached=1)
            self.rejects.extend(file.notes)  # warnings about the file's name
            prints = iter(enumerate(file.fingerprints))
            counts: dict[str, int] = {}  # (put on the progress line once a file, not once a document)
            for place, item in enumerate(file.items):
                if isinstance(item, Reject):
                    self.rejects.append(item)
                    error = int(item.severity == "error")
                    counts["read"], counts["rejected"] = counts.get("read", 0) + error, counts.get("rejected", 0) + error
                    continue
                print_place, print_ = next(prints)
                counts["read"] = counts.get("read", 0) + 1
                if item.article_id in self.seen:
                    self.rejects.append(duplicate_id(item, self.seen[item.article_id]))
                    counts["rejected"] = counts.get("rejected", 0) + 1
                    continue
                self.seen[item.article_id] = item.source_path + (f" {item.record}" if item.record else "")
                if isinstance(item, Listed) and listed is not None:
                    listed[item.article_id] = (file.digest, file.path, item.source_path, print_place)
                yield Article(item, print_, file.key, file.path, place)
            self.read += counts.get("read", 0)
            self.progress.count(**counts)
            self.progress.advance()


def rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    return pd.DataFrame([reject.row() for reject in rejects], columns=list(TABLES["rejects"].columns))


Plan = list  # of (batch key or None, whether its table is in the cache), one a batch, in order


def write_unmarked(articles: Iterable[Article], index: duplicates.CopyIndex, path: Path, rows: int,
                   store: "IngestCache | None" = None, options: Options | None = None) -> Plan:
    """The articles in batches of about `rows` (`stable_batches`, by article id), each fingerprint given
    to `index` in read order; a batch whose table the cache has is left there, the others written to
    `path` without marks, a row group each. Which batch is where."""
    plan = []
    pieces = ([{"article_id": article.item.article_id, "article": article}] for article in articles)
    with TableWriter("ingested", path) as writer:
        for batch in stable_batches(pieces, rows, "article_id"):
            members = [record["article"] for record in batch]
            for article in members:
                index.add(article.item.article_id, article.item.published_date, article.fingerprint)
            key = batch_key(members) if store is not None else None
            if key is not None and store.have_batch(key):
                plan.append((key, True))
                continue
            writer.write(pd.DataFrame(rows_of(members, store, options or Options()),
                                      columns=list(TABLES["ingested"].columns)))
            plan.append((key, False))
    return plan


def batch_key(members: list[Article]) -> str | None:
    """What a batch's rows depend on: its articles' files' keys and places; None when one has no key."""
    if any(article.file_key is None for article in members):
        return None
    return hashlib.sha256("\n".join(f"{article.file_key} {article.place}" for article in members).encode()).hexdigest()


def rows_of(members: list[Article], store: "IngestCache | None", options: Options) -> list[dict]:
    """The articles' rows; those of files not read this run made from the cache."""
    unread = {article.file_key: (article.item.source_path, article.path) for article in members
              if isinstance(article.item, Listed)}
    results = full_results(unread, store, options) if unread else {}
    return [results[article.file_key][0][article.place].row() if isinstance(article.item, Listed) else
            article.item.row() for article in members]


def write_marked(unmarked: Path, plan: Plan, marks: duplicates.Marks, path: Path,
                 store: "IngestCache | None" = None) -> int:
    """The batches, from the cache or the unmarked table as `plan` says, written to `path` in order with
    their marks filled in (each batch made here kept in the cache for the next run); the rows."""
    scratch = pq.ParquetFile(unmarked) if any(not stored for _, stored in plan) else None
    written = iter(range(scratch.num_row_groups)) if scratch is not None else iter(())
    with TableWriter("ingested", path) as writer:
        for key, stored in plan:
            batch = store.batch(key) if stored else scratch.read_row_group(next(written))
            if key is not None and not stored:
                store.put_batch(key, batch)
            writer.write_arrow(marked(batch, marks))
            del batch
            pa.default_memory_pool().release_unused()  # (a batch's texts, read and written: the next one reuses none)
    return writer.rows


def marked(batch: pa.Table, marks: duplicates.Marks) -> pa.Table:
    """The batch (as written unmarked) with `duplicate_of` and `copy_of` filled in from the marks."""
    ids = batch.column("article_id").to_pylist()
    for name, marked_of in (("duplicate_of", marks.duplicate_of), ("copy_of", marks.copy_of)):
        at = batch.schema.get_field_index(name)
        batch = batch.set_column(at, batch.schema.field(at), pa.array([marked_of.get(article_id) for article_id in ids],
                                                                      type=batch.schema.field(at).type))
    return batch


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

