"""Stage 1, ingest: every document under the raw folder becomes an `articles` row or a reject.

Files are read by format (`etl.readers`): the sample `.txt` format, `.html` pages,
`.jsonl` and `.csv` exports with one article per record, and `.gz` of any of them.
A document that is empty, binary, undecodable, malformed or too large is rejected
with the file, the record and the reason; a file that is not UTF-8 is decoded with
a fallback and flagged. Exact duplicates and near-identical copies keep their rows
and are marked (`etl.duplicates`). The build goes on whatever one file holds, and
every document read is counted once: documents read = articles + error rejects.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from etl import duplicates
from etl import params as params_module
from etl.progress import Progress, Silent
from etl.readers import (  # noqa: F401 - re-exported: the extractor and tests use them from here
    FETCH_RECORD_MAX_BYTES, FETCH_RECORD_SUFFIX, SUPPORTED_SUFFIXES, Document, Options, Refused, Reject,
    dateline_end, decode, looks_binary, page_with_fetch_record, read_file, safe_name,
)
from etl.tables import write_table
from schema.codebook import TABLES
from schema.models import conform

DEFAULTS = params_module.DEFAULTS["ingest"]


class EmptyCorpusError(RuntimeError):
    """The raw folder holds no files at all: there is nothing to build."""


@dataclass(frozen=True)
class Ingested:
    """What ingest read: the articles, the rejects and warnings, and how many documents it found."""

    articles: pd.DataFrame
    rejects: pd.DataFrame
    documents: int
    files: int

    def __iter__(self):
        # `articles, rejects = ingest.run(...)` keeps working.
        return iter((self.articles, self.rejects))


def run(raw_dir: Path, out_dir: Path, params: dict | None = None, progress: Progress | None = None) -> Ingested:
    """Read every input file under `raw_dir`; write `ingested` and ingest rejects to `out_dir`."""
    settings = {**DEFAULTS, **(params or {})}
    options = Options.from_params(settings)
    # load: lazily, one file at a time, each read as a stream, so memory holds about one record plus the articles
    entries, fetch_records = pages_and_fetch_records(input_entries(raw_dir, options.follow_outside_links))
    # process
    progress = progress or Silent("ingest", len(entries), "files")
    progress.total = len(entries)
    ingested = parse_documents(entries, options, float(settings["copy_similarity"]), progress, fetch_records)
    # save
    write_table(ingested.articles, "ingested", out_dir / "ingested.parquet")
    write_table(ingested.rejects, "rejects", out_dir / "ingest_rejects.parquet")
    return ingested


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
    by construction (`etl.readers.document_id`); the duplicate id check below is a last guard,
    reachable only by names made to copy another file's id (`a.txt` beside `a.txt.gz`, a file
    named like an export's record).
    """
    options = options or Options()
    progress = progress or Silent("ingest", 0, "files")
    fetch_records = fetch_records or {}
    rows, rejects, seen, read, files = [], [], {}, 0, 0
    for source_path, content, *notes in documents:
        files += 1
        rejects.extend(note for group in notes for note in group)  # warnings about the file's name
        for item in with_fetch_record(read_file(source_path, content, options), fetch_records.get(source_path)):
            if isinstance(item, Reject):
                rejects.append(item)
                read += item.severity == "error"
                progress.count(read=int(item.severity == "error"), rejected=int(item.severity == "error"))
                continue
            read += 1
            progress.count(read=1)
            if item.article_id in seen:
                rejects.append(duplicate_id(item, seen[item.article_id]))
                progress.count(rejected=1)
                continue
            seen[item.article_id] = item.source_path + (f" {item.record}" if item.record else "")
            rows.append(item.row())
        progress.advance()
    progress.close()
    articles = mark_copies(pd.DataFrame(rows, columns=list(TABLES["ingested"].columns)), copy_similarity)
    rejects = pd.DataFrame([reject.row() for reject in rejects], columns=list(TABLES["rejects"].columns))
    # In the codebook's dtypes, so what run() returns is what it writes.
    return Ingested(conform(articles, "ingested"), conform(rejects, "rejects"), read, files)


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


def mark_copies(articles: pd.DataFrame, copy_similarity: float) -> pd.DataFrame:
    """The articles with `duplicate_of` and `copy_of` filled in (read order decides the first copy)."""
    marks = duplicates.mark(list(articles["article_id"]), list(articles["text"]),
                            list(articles["published_date"]), copy_similarity)
    articles = articles.copy()
    articles["duplicate_of"] = [marks.duplicate_of.get(article_id) for article_id in articles["article_id"]]
    articles["copy_of"] = [marks.copy_of.get(article_id) for article_id in articles["article_id"]]
    return articles
