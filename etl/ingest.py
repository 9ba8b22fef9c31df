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

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from etl import duplicates
from etl import params as params_module
from etl.progress import Progress, Silent
from etl.readers import (  # noqa: F401 - re-exported: the extractor and tests use them from here
    SUPPORTED_SUFFIXES, Document, Options, Reject, dateline_end, decode, looks_binary, read_file,
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
    # load: lazily, one file at a time, so memory holds one file's bytes plus the articles
    paths = article_files(raw_dir)
    documents = ((relative_name(path, raw_dir), read_bytes(path, options.max_file_bytes)) for path in paths)
    # process
    progress = progress or Silent("ingest", len(paths), "files")
    progress.total = len(paths)
    ingested = parse_documents(documents, options, float(settings["copy_similarity"]), progress)
    # save
    write_table(ingested.articles, "ingested", out_dir / "ingested.parquet")
    write_table(ingested.rejects, "rejects", out_dir / "ingest_rejects.parquet")
    return ingested


def article_files(raw_dir: Path) -> list[Path]:
    """Every non-hidden file under `raw_dir`, sorted; an error when there is none."""
    if not raw_dir.is_dir():
        raise EmptyCorpusError(f"{raw_dir}: the raw folder does not exist")
    paths = sorted(path for path in raw_dir.rglob("*")
                   if path.is_file() and not any(part.startswith(".") for part in path.relative_to(raw_dir).parts))
    if not paths:
        raise EmptyCorpusError(f"{raw_dir}: the raw folder holds no article files (expected {', '.join(SUPPORTED_SUFFIXES)} files)")
    return paths


def relative_name(path: Path, raw_dir: Path) -> str:
    return path.relative_to(raw_dir).as_posix()


class TooLarge(OSError):
    """A file above the size limit: not read at all."""


def read_bytes(path: Path, limit: int | None = None) -> bytes | OSError:
    """The file's bytes, or the error that stopped us reading them (a file above `limit` is not read)."""
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            return TooLarge(27, f"the file is too large ({size / 2**20:.1f} MB, above the {limit / 2**20:g} MB "
                                f"limit ingest.max_file_mb in params.yaml); split it or raise the limit")
        return path.read_bytes()
    except OSError as error:
        return error


def parse_documents(documents: Iterable[tuple[str, bytes | OSError]], options: Options | None = None,
                    copy_similarity: float = DEFAULTS["copy_similarity"],
                    progress: Progress | None = None) -> Ingested:
    """Articles and rejects from (source_path, bytes) pairs, duplicates and copies marked; pure."""
    options = options or Options()
    progress = progress or Silent("ingest", 0, "files")
    rows, rejects, seen, read, files = [], [], {}, 0, 0
    for source_path, content in documents:
        files += 1
        for item in read_file(source_path, content, options):
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
