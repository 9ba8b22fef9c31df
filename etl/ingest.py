"""Stage 1, ingest: every file under the raw folder becomes an `articles` row or a reject.

The sample format is plain text with an optional first line
` date YYYY-MM-DD Headline`, then the body. A file that is empty, binary or
unreadable is rejected with the reason; a file that is not UTF-8 is decoded with a
fallback and flagged. The build goes on whatever one file holds.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.tables import write_table

SUPPORTED_SUFFIXES = (".txt",)
# cp1252 decodes every byte Latin-1 does and also the curly quotes and dashes that
# Windows-era news exports contain, so it is the better single fallback.
FALLBACK_ENCODING = "cp1252"
DATELINE = re.compile(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]*([^\n]*)")


class EmptyCorpusError(RuntimeError):
    """The raw folder holds no files at all: there is nothing to build."""


@dataclass(frozen=True)
class Reject:
    source_path: str
    check_id: str
    reason: str
    severity: str = "error"

    def row(self) -> dict:
        return {"source_path": self.source_path, "row_key": None, "stage": "ingest",
                "check_id": self.check_id, "severity": self.severity, "reason": self.reason}


def run(raw_dir: Path, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every article file under `raw_dir`; write `ingested` and ingest rejects to `out_dir`."""
    # load
    paths = article_files(raw_dir)
    documents = [(relative_name(path, raw_dir), read_bytes(path)) for path in paths]
    # process
    articles, rejects = parse_documents(documents)
    # save
    write_table(articles, "ingested", out_dir / "ingested.parquet")
    write_table(rejects, "rejects", out_dir / "ingest_rejects.parquet")
    return articles, rejects


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


def read_bytes(path: Path) -> bytes | OSError:
    """The file's bytes, or the error that stopped us reading them."""
    try:
        return path.read_bytes()
    except OSError as error:
        return error


def parse_documents(documents: list[tuple[str, bytes | OSError]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles and rejects from (source_path, bytes) pairs; pure."""
    rows, rejects, seen = [], [], {}
    for source_path, content in documents:
        article, problems = parse_document(source_path, content)
        rejects.extend(problems)
        if article is None:
            continue
        if article["article_id"] in seen:
            rejects.append(Reject(source_path, "ingest.duplicate_article_id",
                                  f"{source_path}: article id {article['article_id']!r} is already used by "
                                  f"{seen[article['article_id']]}; rename one of the files"))
            continue
        seen[article["article_id"]] = source_path
        rows.append(article)
    return pd.DataFrame(rows), pd.DataFrame([reject.row() for reject in rejects])


def parse_document(source_path: str, content: bytes | OSError) -> tuple[dict | None, list[Reject]]:
    """One article row (or None) and the problems found reading it."""
    if isinstance(content, OSError):
        return None, [Reject(source_path, "ingest.unreadable", f"{source_path}: cannot be read ({content.strerror or content})")]
    suffix = Path(source_path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return None, [Reject(source_path, "ingest.unsupported_format",
                             f"{source_path}: unsupported file type {suffix or '(no extension)'!r}; "
                             f"articles must be {', '.join(SUPPORTED_SUFFIXES)} files")]
    if not content.strip():
        return None, [Reject(source_path, "ingest.empty", f"{source_path}: the file is empty")]
    if looks_binary(content):
        return None, [Reject(source_path, "ingest.binary",
                             f"{source_path}: binary data (NUL or control bytes), not a text article")]
    text, encoding = decode(content)
    problems = []
    if encoding != "utf-8":
        problems.append(Reject(source_path, "ingest.not_utf8",
                               f"{source_path}: not valid UTF-8; read as {encoding} — check accented characters "
                               f"and re-save the file as UTF-8", severity="warning"))
    text = normalise_newlines(text)
    published, headline, dateline_problem = parse_dateline(text)
    if dateline_problem:
        problems.append(Reject(source_path, "ingest.bad_dateline", f"{source_path}: {dateline_problem}", severity="warning"))
    article = {
        "article_id": Path(source_path).stem,
        "source_path": source_path,
        "sha256": hashlib.sha256(content).hexdigest(),
        "encoding": encoding,
        "published_date": published,
        "headline": headline,
        "text": text,
    }
    return article, problems


def looks_binary(content: bytes) -> bool:
    """True for bytes that are not text: any NUL, or many control characters."""
    if b"\x00" in content:
        return True
    sample = content[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding that decoded it: UTF-8 (BOM allowed), else the fallback."""
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return content.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_dateline(text: str) -> tuple[dt.date | None, str | None, str | None]:
    """(published date, headline, problem) from the optional ` date YYYY-MM-DD Headline` line."""
    match = DATELINE.match(text)
    if not match:
        return None, None, None
    headline = match.group(2).strip() or None
    try:
        return dt.date.fromisoformat(match.group(1)), headline, None
    except ValueError:
        return None, headline, f"dateline date {match.group(1)} is not a real date; published_date left empty"


def dateline_end(text: str) -> int:
    """Offset where the body starts: after the dateline's date, so its headline stays searchable."""
    match = DATELINE.match(text)
    return match.start(2) if match else 0
