"""Readers for every input format: one file's bytes in, its documents and problems out.

A one-article file (`.txt`, `.html`) is one document; an export (`.jsonl`, `.csv`)
holds one document per record; any of them may be gzipped (`.gz`). `read_file`
never raises: each document it finds becomes exactly one `Document` or one
error-severity `Reject`, so documents read = articles + rejects. Warning-severity
rejects flag a document that was still read.

Files are read as streams, decompressed as they are read, with the limits checked as
the bytes arrive: a one-article file is read up to `ingest.max_article_mb` and no
further, an export one bounded line (or CSV record) at a time, so no input costs more
memory than about one record (`benchmarks/bench_memory.py`).

Article ids are unique by construction and depend only on the file's own path under
the raw folder (`document_id`, `record_id`): a `.txt` file is its path without `.txt`
(`000_05d707c832ca879f`, `a/story`), any other one-article file its path (`story.html`,
`site/index.html`), a record its export's path and its id or line/row number
(`export.jsonl:r1`, `export.csv:7`).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import email.utils
import functools
import gzip
import hashlib
import io
import json
import os
import re
import sys
import unicodedata
import urllib.parse
import zlib
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterator, Union

from etl.datelines import YEARS, printed_published_date, written_date

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES
GZIP_SUFFIX = ".gz"
# `uofdb fetch` writes each page (`<hash>.html`) with its fetch record beside it (`<hash>.html.fetch.json`):
# the record gives the page its URL and is no document itself (see `page_with_fetch_record`).
FETCH_RECORD_SUFFIX = ".fetch.json"
FETCH_RECORD_MAX_BYTES = 64 * 1024  # a record is a few hundred bytes; a larger file is no fetch record
# A .txt stem ending like this keeps its full name as its id, so it cannot take another file's.
ID_MARKERS = SUPPORTED_SUFFIXES + (GZIP_SUFFIX,)
# cp1252 decodes every byte Latin-1 does and also the curly quotes and dashes that
# Windows-era news exports contain, so it is the better single fallback.
FALLBACK_ENCODING = "cp1252"
DATELINE = re.compile(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]*([^\n]*)")
MB = 1024 * 1024
CHUNK = 1024 * 1024  # bytes read from a stream at once
MAX_DEPTH = 32  # JSON values nested deeper than this are not read for text
# Blank for an article: whitespace (NBSP included), zero-width and other invisible format characters, BOMs.
BLANK = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufffe]*")
SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters escaped in file names (and record ids) before they reach an id, a reason or a terminal:
# C0/C1 controls (escape sequences), bidirectional overrides, and bytes that were not UTF-8.
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
RELATIVE_DATE = re.compile(r"\b(?:ago|yesterday|today|tonight|tomorrow|now|just|last|next|this|in\s+\d+"
                           r"|(?:\d+|an?|one|few)\s+(?:sec|second|min|minute|hr|hour|day|week|month|year)s?)\b", re.I)

# Field names scrapers and news archives commonly use, in order of preference,
# compared after `column_key` (lower case, camelCase split, punctuation as "_").
COMMON_COLUMNS = {
    "id": ("id", "article_id", "doc_id", "document_id", "guid", "uuid", "uid", "key"),
    "url": ("url", "link", "href", "permalink", "canonical_url", "source_url", "article_url", "web_url", "uri"),
    "headline": ("headline", "title", "heading", "head"),
    "published": ("published", "published_at", "published_date", "publish_date", "publication_date", "date_published",
                  "pub_date", "pubdate", "date", "datetime", "timestamp", "created_at", "first_published"),
    "text": ("text", "body", "content", "article_text", "article", "full_text", "fulltext", "maintext", "main_text",
             "story", "body_text", "article_body"),
    "outlet": ("outlet", "source", "publisher", "publication", "site_name", "sitename", "source_name", "site",
               "newspaper", "domain", "media"),
}
FIELDS = tuple(COMMON_COLUMNS)
# Keys of a JSON object that hold its value as text, by field: {"name": "Echo"}, {"body": "..."}.
OBJECT_KEYS = ("name", "title", "text", "value")
TEXT_OBJECT_KEYS = COMMON_COLUMNS["text"] + ("value", "html", "plain", "en")


@dataclass(frozen=True)
class Options:
    """How to read inputs: size limits, the record fields users name in params.yaml, links out of the raw folder."""

    max_article_mb: float = 1.0
    max_file_mb: float = 2048.0
    columns: dict[str, str | None] = field(default_factory=dict)
    follow_outside_links: bool = False

    @classmethod
    def from_params(cls, section: dict | None) -> "Options":
        section = dict(section or {})
        columns = dict(section.get("columns") or {})
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise ValueError(f"params.yaml: unknown ingest.columns field(s) {', '.join(unknown)}; "
                             f"expected some of {', '.join(FIELDS)}")
        return cls(float(section.get("max_article_mb", cls.max_article_mb)),
                   float(section.get("max_file_mb", cls.max_file_mb)),
                   {name: str(value) for name, value in columns.items() if value},
                   bool(section.get("follow_outside_links", cls.follow_outside_links)))

    @property
    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * MB)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_record_bytes(self) -> int:
        """The longest export record (a JSONL line, a CSV record) parsed: room for an article-sized
        text escaped as JSON (up to 6 bytes a character) and its other fields."""
        return 8 * self.max_article_bytes + MB


@dataclass(frozen=True)
class Document:
    """One article as read from a file or a record, before ids and duplicates are checked."""

    article_id: str
    source_path: str
    record: str | None
    sha256: str
    encoding: str
    published_date: dt.date | None
    headline: str | None
    outlet: str | None
    url: str | None
    text: str

    def row(self) -> dict:
        return {name: getattr(self, name) for name in
                ("article_id", "source_path", "sha256", "encoding", "published_date", "headline", "outlet", "url", "text")}


@dataclass(frozen=True)
class Reject:
    """A document kept out (severity error) or flagged (warning), with a reason a user can act on."""

    source_path: str
    check_id: str
    reason: str
    severity: str = "error"
    record: str | None = None

    def row(self) -> dict:
        return {"source_path": self.source_path, "row_key": self.record, "stage": "ingest",
                "check_id": self.check_id, "severity": self.severity, "reason": self.reason}


class Refused(OSError):
    """An input that is not read at all (a link out of the raw folder, a FIFO...), with its check and reason."""

    def __init__(self, check_id: str, message: str):
        super().__init__(message)
        self.check_id, self.message = check_id, message

    def __reduce__(self):
        # (so it crosses to the worker processes that read files: OSError's own pickles its message alone)
        return type(self), (self.check_id, self.message)


Item = Union[Document, Reject]


# --- ids and names -------------------------------------------------------------------

def document_id(source_path: str) -> str:
    """The article id of a one-article file: its path under the raw folder, a `.txt` file's without `.txt`.

    `000_05d707c832ca879f.txt` is `000_05d707c832ca879f`, `a/story.txt` (or `.txt.gz`) is
    `a/story`, `story.html` stays `story.html`. A `.txt` stem that would read as another
    format's id (`story.html.txt`, `export.jsonl:7.txt`) keeps its full name.
    """
    lower = source_path.lower()
    for ending in (".txt", ".txt" + GZIP_SUFFIX):
        stem = source_path[:-len(ending)]
        if lower.endswith(ending) and posix_name(stem):
            last = posix_name(stem)
            return source_path if ":" in last or last.lower().endswith(ID_MARKERS) else stem
    return source_path


def record_id(source_path: str, key: str) -> str:
    """The article id of an export's record: the export's path and the record's key (`export.jsonl:7`)."""
    return f"{source_path}:{key}"


def safe_name(name: str) -> str:
    """`name` with control characters, bidirectional overrides and non-UTF-8 bytes escaped (`\\x1b`)."""
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
            return f"\\x{code - 0xDC00:02x}"
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return UNSAFE_NAME.sub(escape, name)


def clean_text(text: str) -> tuple[str, int]:
    """(text, n): lone surrogates (not text; nothing can store them) replaced by U+FFFD, and how many."""
    cleaned, count = SURROGATE.subn("\ufffd", text)
    return cleaned, count


def is_blank(text: str) -> bool:
    """True for text with nothing to read: whitespace, zero-width characters and BOMs only."""
    return BLANK.fullmatch(text) is not None


# --- reading a file ------------------------------------------------------------------

def read_file(source_path: str, content: bytes | Path | OSError, options: Options) -> list[Item]:
    """The documents and problems of one input file (its bytes, or its path to stream); never raises."""
    items: list[Item] = []
    try:
        for item in _read(source_path, content, options):
            items.append(item)
    except Exception as error:  # noqa: BLE001 - one bad file must never stop the build
        decided = sum(1 for item in items if isinstance(item, Document) or item.severity == "error")
        after = f" after its first {decided} records" if decided else ""
        items.append(Reject(source_path, "ingest.reader_failed",
                            f"{source_path}: could not be read{after} ({type(error).__name__}: {_short(str(error))}); "
                            f"check the file is a valid {format_name(source_path)} file"))
    if not any(isinstance(item, Document) or item.severity == "error" for item in items):
        # Only blank lines (any Unicode line break) or a header: no document to count.
        items.append(Reject(source_path, "ingest.empty", f"{source_path}: the file holds no articles "
                                                          f"(only blank lines or a header)"))
    return items


@dataclass(frozen=True)
class Input:
    """An input file to stream: its bytes or its path, its stored size, whether it is gzipped."""

    source_path: str
    content: bytes | Path
    size: int
    compressed: bool

    def open(self) -> BinaryIO:
        raw = io.BytesIO(self.content) if isinstance(self.content, (bytes, bytearray)) else open(self.content, "rb")
        return _Gunzip(raw) if self.compressed else raw


class _Gunzip(gzip.GzipFile):
    """A gzip stream that closes the file under it."""

    def __init__(self, raw: BinaryIO):
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


GZIP_ERRORS = (OSError, EOFError, zlib.error)


def _read(source_path: str, content: bytes | Path | OSError, options: Options) -> Iterator[Item]:
    if isinstance(content, OSError):
        yield unreadable(source_path, content)
        return
    name = posix_name(source_path)
    suffix = inner_suffix(name)
    if suffix not in SUPPORTED_SUFFIXES:
        yield Reject(source_path, "ingest.unsupported_format",
                     f"{source_path}: unsupported file type {suffix or '(no extension)'!r}; articles must be "
                     f"{', '.join(SUPPORTED_SUFFIXES)} files, or the same with {GZIP_SUFFIX}")
        return
    try:
        size = len(content) if isinstance(content, (bytes, bytearray)) else os.stat(content).st_size
    except OSError as error:
        yield unreadable(source_path, error)
        return
    source = Input(source_path, content, size, name.lower().endswith(GZIP_SUFFIX))
    if not source.compressed and size > options.max_file_bytes:
        yield Reject(source_path, "ingest.too_large",
                     f"{source_path}: the file is too large ({size / MB:.1f} MB, above the {options.max_file_mb:g} MB "
                     f"limit ingest.max_file_mb in params.yaml); not read; split it or raise the limit")
        return
    try:
        if suffix in JSONL_SUFFIXES:
            yield from read_jsonl_file(source, options)
        elif suffix in CSV_SUFFIXES:
            yield from read_csv_file(source, options)
        else:
            content, problem = article_bytes(source, options)
            if problem:
                yield problem
            elif suffix in TEXT_SUFFIXES:
                yield from read_text_file(source_path, document_id(source_path), content, options)
            else:
                yield from read_html_file(source_path, document_id(source_path), content, options)
    except GZIP_ERRORS as error:  # a damaged .gz, or the file went away or became unreadable while it was read
        if source.compressed and not isinstance(error, (FileNotFoundError, PermissionError)):
            yield bad_gzip(source_path, error)
        else:
            yield unreadable(source_path, error)


def unreadable(source_path: str, error: OSError) -> Reject:
    if isinstance(error, Refused):
        return Reject(source_path, error.check_id, f"{source_path}: {error.message}")
    return Reject(source_path, "ingest.unreadable", f"{source_path}: cannot be read ({error.strerror or error})")


def bad_gzip(source_path: str, error: BaseException, where: str = "") -> Reject:
    return Reject(source_path, "ingest.bad_gzip",
                  f"{source_path}: not a readable gzip file{where} ({_short(str(error)) or type(error).__name__}); "
                  f"re-compress it or store it uncompressed")


def inner_suffix(name: str) -> str:
    """The format suffix of a file name, looking inside `.gz` (`a.jsonl.gz` is `.jsonl`)."""
    name = posix_name(name.lower())
    suffix = _suffix(name)
    if suffix == GZIP_SUFFIX:
        suffix = _suffix(name[:-len(suffix)])
    return suffix


# (every file read asks these of its name: strings cut here, as PurePosixPath cuts them, several times
# faster than making the path; tests/test_readers.py compares them on awkward names)
def posix_name(path: str) -> str:
    """`PurePosixPath(path).name`: the path's last part that is neither empty nor "."."""
    last = path[path.rfind("/") + 1:]
    if last and last != ".":
        return last
    return next((part for part in reversed(path.split("/")) if part and part != "."), "")


def _suffix(name: str) -> str:
    """`PurePosixPath(name).suffix` of a name (no "/"): from its last ".", unless that starts or ends it."""
    at = name.rfind(".")
    return name[at:] if 0 < at < len(name) - 1 else ""


def article_stem(name: str) -> str:
    """The file name without its format suffix and `.gz`."""
    path = PurePosixPath(name)
    if path.suffix.lower() == GZIP_SUFFIX:
        path = path.with_suffix("")
    return path.stem


def format_name(source_path: str) -> str:
    return inner_suffix(PurePosixPath(source_path).name).lstrip(".").upper() or "text"


def article_bytes(source: Input, options: Options) -> tuple[bytes, Reject | None]:
    """A one-article file's (decompressed) bytes, read no further than the article limit."""
    limit = min(options.max_article_bytes, options.max_file_bytes)
    param, limit_mb = (("max_article_mb", options.max_article_mb) if limit == options.max_article_bytes
                       else ("max_file_mb", options.max_file_mb))
    if not source.compressed and source.size > limit:
        return b"", too_large(source.source_path, None, source.size, limit_mb, param, "article")
    try:
        with source.open() as stream:
            data = stream.read(limit + 1) if source.compressed else read_at_most(stream, source.size, limit)
    except GZIP_ERRORS as error:
        if not source.compressed:
            raise
        return b"", bad_gzip(source.source_path, error)
    if len(data) > limit:
        return b"", Reject(source.source_path, "ingest.too_large",
                           f"{source.source_path}: the uncompressed file is too large (more than {limit_mb:g} MB once "
                           f"decompressed from {_megabytes(source.size)}, above the {limit_mb:g} MB limit "
                           f"ingest.{param} in params.yaml; reading stopped there); split it or raise the limit")
    return data, None


def read_at_most(stream: BinaryIO, size: int, limit: int) -> bytes:
    """The stream's first `limit` + 1 bytes at most (as `stream.read(limit + 1)`), from a file whose stat
    said `size` bytes (at most `limit`): asked for that many and one more first, so that reading a
    small file does not allocate (and give back) a buffer of `limit` bytes; more only if it grew since."""
    data = stream.read(size + 1)
    if len(data) > size:  # (it grew since its stat: read on, as far as the limit lets it)
        data += stream.read(limit + 1 - len(data))
    return data


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size:,} bytes"


def too_large(source_path: str, record: str | None, size: int, limit_mb: float, param: str, what: str) -> Reject:
    where = f"{source_path} {record}" if record else source_path
    return Reject(source_path, "ingest.too_large",
                  f"{where}: the {what} is too large ({size / MB:.1f} MB, above the {limit_mb:g} MB limit "
                  f"ingest.{param} in params.yaml); split it or raise the limit", record=record)


# --- one-article files ---------------------------------------------------------------

def decoded(source_path: str, content: bytes) -> tuple[str | None, str | None, list[Reject]]:
    """A file's text and encoding, and its problems; the text is None when it cannot be used."""
    problem = check_article_bytes(source_path, content)
    if problem:
        return None, None, [problem]
    text, encoding, problem = decode_checked(source_path, content)
    if problem and problem.severity == "error":
        return None, None, [problem]
    if is_blank(text):
        return None, None, [blank(source_path, None, "file")]
    return text, encoding, [problem] if problem else []


def blank(source_path: str, record: str | None, what: str) -> Reject:
    where = f"{source_path} {record}" if record else source_path
    return Reject(source_path, "ingest.empty", f"{where}: the {what} is empty (nothing but whitespace, "
                                               f"invisible characters or a byte order mark)", record=record)


def read_text_file(source_path: str, article_id: str, content: bytes, options: Options) -> Iterator[Item]:
    """The sample format: plain text with an optional first line ` date YYYY-MM-DD Headline`.

    Without that line, the published date is the dateline the text itself prints near
    its top ("Published: 5 June 2019", "Last Updated: Friday, 11 May 2007"), if any.
    """
    text, encoding, problems = decoded(source_path, content)
    yield from problems
    if text is None:
        return
    text = normalise_newlines(text)
    published, headline, dateline_problem = parse_dateline(text)
    if dateline_problem:
        yield Reject(source_path, "ingest.bad_dateline", f"{source_path}: {dateline_problem}", severity="warning")
    elif published is None:
        published = printed_date(text)
    yield Document(article_id, source_path, None, hashlib.sha256(content).hexdigest(), encoding,
                   published, headline, None, None, text)


def read_html_file(source_path: str, article_id: str, content: bytes, options: Options) -> Iterator[Item]:
    """A web page: its main text, title, published date, site name and URL, with trafilatura."""
    html, encoding, problems = decoded(source_path, content)
    yield from problems
    if html is None:
        return
    page = html_page(html)
    if not page["text"]:
        yield Reject(source_path, "ingest.empty", f"{source_path}: the HTML page has no article text "
                                                   f"(only markup, navigation or scripts)")
        return
    if page["fallback"]:
        yield Reject(source_path, "ingest.html_fallback",
                     f"{source_path}: the page could not be parsed for its main text ({page['fallback']}); "
                     f"all its visible text was read instead", severity="warning")
    published, date_problem = parse_published(page["date"])
    if date_problem:
        yield Reject(source_path, "ingest.bad_published_date", f"{source_path}: {date_problem}", severity="warning")
    elif published is None:
        published = printed_date(page["text"])  # the metadata has none: the dateline the page prints
    yield Document(article_id, source_path, None, hashlib.sha256(content).hexdigest(), encoding, published,
                   page["title"], page["outlet"], page["url"], page["text"])


# htmldate's default latest date is today's: a fixed one keeps the clock out of the build.
HTML_DATE_PARAMS = {"extensive_search": False, "original_date": True, "max_date": f"{YEARS[-1]}-12-31"}


def html_page(html: str) -> dict:
    """Main text and metadata of an HTML page; empty text when it has none.

    `fallback` says why the page's plain visible text was taken instead of trafilatura's
    main text (markup nested too deeply for lxml, a parser error), or is None.
    """
    import trafilatura  # imported here: it takes a third of a second and only HTML needs it

    fallback = None
    try:
        # extensive_search off: a date found in the body text is not the publication date.
        found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                            date_extraction_params=dict(HTML_DATE_PARAMS))
        text = (found.text if found is not None else None) or ""
        if not text.strip():
            # Short pages fall under trafilatura's minimum size: take the page's plain text.
            text = trafilatura.baseline(html)[1] or ""
    except Exception as error:  # noqa: BLE001 - lxml and trafilatura raise assorted errors on odd markup
        found, text, fallback = None, "", f"{type(error).__name__}: {_short(str(error), 80)}"
    if is_blank(text):
        # lxml gives up on markup nested some hundreds of levels deep: read the visible text without a tree.
        text = visible_text(html)
        if text and not fallback:
            fallback = "markup nested too deeply or not understood"
    text = normalise_newlines(text).strip()
    outlet = (found.sitename or _host(found.hostname)) if found is not None else None
    return {"text": "" if is_blank(text) else text,
            "title": _clean(found.title) if found is not None else None,
            "date": found.date if found is not None else None,
            "outlet": _clean(outlet),
            "url": _clean(found.url) if found is not None else None,
            "fallback": fallback}


class _VisibleText(HTMLParser):
    """The text of a page outside scripts, styles and its head, one block per line; never recursive."""

    HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "nav", "footer"}
    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _host(hostname: str | None) -> str | None:
    return hostname[4:] if hostname and hostname.startswith("www.") else hostname


def page_with_fetch_record(document: "Document", record_path: str, record: bytes) -> tuple["Document", Reject | None]:
    """A fetched page with the URL its fetch record gives (the address that served it, after
    redirects), and the site's host as `outlet` when the page names none; a warning instead when
    the record cannot be read, and one when the page's bytes are no longer those fetched."""
    if len(record) > FETCH_RECORD_MAX_BYTES:
        return document, Reject(record_path, "ingest.bad_fetch_record",
                                f"{record_path}: larger than {FETCH_RECORD_MAX_BYTES // 1024} KB, so no fetch record; "
                                f"{document.source_path} was read without its URL", severity="warning")
    try:
        fields = json.loads(record.decode("utf-8"))
        url = _clean(fields.get("url")) if isinstance(fields, dict) and isinstance(fields.get("url"), str) else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return document, Reject(record_path, "ingest.bad_fetch_record",
                                f"{record_path}: the fetch record is not JSON ({_short(str(error), 80)}); "
                                f"{document.source_path} was read without its URL", severity="warning")
    if url is None:
        return document, Reject(record_path, "ingest.bad_fetch_record",
                                f"{record_path}: the fetch record has no \"url\"; {document.source_path} was read "
                                f"without it", severity="warning")
    host = urllib.parse.urlsplit(url).hostname
    page = replace(document, url=url, outlet=document.outlet or _host(host))
    if fields.get("sha256") not in (None, document.sha256):
        return page, Reject(document.source_path, "ingest.fetched_page_changed",
                            f"{document.source_path}: the page's bytes are not those fetched from {url} (SHA-256 "
                            f"differs from {record_path}); fetch it again or check the edit", severity="warning")
    return page, None


def check_article_bytes(source_path: str, content: bytes, record: str | None = None) -> Reject | None:
    """Why these bytes cannot be an article (empty, binary), or None."""
    where = f"{source_path} {record}" if record else source_path
    if not content.strip():
        return Reject(source_path, "ingest.empty", f"{where}: the {'text' if record else 'file'} is empty", record=record)
    if looks_binary(content):
        return Reject(source_path, "ingest.binary", f"{where}: binary data (NUL or control bytes), not a text article",
                      record=record)
    return None


# Bytes cp1252 leaves undefined come out as U+FFFD; more than this share of them means
# the file is in some other encoding altogether and its text would be garbage.
MAX_UNDECODABLE_SHARE = 0.01


def decode_checked(source_path: str, content: bytes, record: str | None = None) -> tuple[str, str, Reject | None]:
    """(text, encoding, problem): a warning for the fallback, an error when even that is mostly garbage."""
    text, encoding = decode(content)
    if encoding == "utf-8":
        return text, encoding, None
    where = f"{source_path} {record}" if record else source_path
    undefined = text.count("\ufffd")
    if undefined > len(text) * MAX_UNDECODABLE_SHARE:
        return text, encoding, Reject(source_path, "ingest.undecodable",
                                      f"{where}: undecodable: neither UTF-8 nor {encoding} text ({undefined} "
                                      f"bytes mean nothing in either); re-save the file as UTF-8", record=record)
    return text, encoding, not_utf8(source_path, encoding)


def not_utf8(source_path: str, encoding: str, detail: str = "") -> Reject:
    described = {"utf-16-le": "UTF-16 (little-endian, without a byte order mark)",
                 "utf-16-be": "UTF-16 (big-endian, without a byte order mark)"}.get(encoding, encoding)
    return Reject(source_path, "ingest.not_utf8",
                  f"{source_path}: not valid UTF-8{detail}; read as {described} — check accented characters "
                  f"and re-save the file as UTF-8", severity="warning")


# --- exports: one article per record ------------------------------------------------

class FileLimitExceeded(Exception):
    """A compressed export decompressed past ingest.max_file_mb."""


class _Limited:
    """A stream that raises `FileLimitExceeded` once more than `limit` bytes came out of it."""

    def __init__(self, stream: BinaryIO, limit: int):
        self._stream, self._limit, self.count = stream, limit, 0

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self._limit:
            raise FileLimitExceeded()
        return data

    def read(self, size: int = -1) -> bytes:
        return self._counted(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self._stream.readline(size))


class _Transcoded(io.RawIOBase):
    """UTF-8 bytes from a stream in another encoding (UTF-16), decoded incrementally."""

    def __init__(self, raw: BinaryIO, encoding: str):
        self._raw, self._decoder, self._pending, self._done = raw, codecs.getincrementaldecoder(encoding)("replace"), b"", False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending and not self._done:
            chunk = self._raw.read(CHUNK)
            self._done = not chunk
            self._pending = self._decoder.decode(chunk, final=self._done).encode("utf-8", "replace")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _export_stream(source: Input, options: Options, raw: BinaryIO, encoding: str | None):
    """The export's bytes as UTF-8 (or as stored, for the per-record fallback), limited when compressed."""
    stream = io.BufferedReader(_Transcoded(raw, encoding), CHUNK) if encoding else raw
    return _Limited(stream, options.max_file_bytes) if source.compressed else stream


def _head(source: Input, size: int = 8192) -> bytes:
    with source.open() as stream:
        return stream.read(size)


def export_problem(source: Input, head: bytes) -> Reject | None:
    """Why a whole export is not text (a binary file under a .jsonl/.csv name), or None.

    Only the head is judged, and only by its share of control bytes: one NUL in one
    record rejects that record, not the file.
    """
    if _utf16_encoding(head):
        return None
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    if head and controls > len(head) * 0.05:
        return Reject(source.source_path, "ingest.binary",
                      f"{source.source_path}: binary data (NUL or control bytes), not a text export")
    return None


def _utf16_encoding(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return utf16_without_bom(head)


class _Records:
    """What a reader learns across an export's records: keys used, records read with the fallback."""

    def __init__(self, source_path: str, encoding: str | None):
        self.source_path, self.base_encoding = source_path, encoding
        self.used: set[str] = set()
        self.fallback: list[str] = []

    def decode(self, data: bytes, record: str, first: bool) -> tuple[str, str, Reject | None]:
        """One record's text: UTF-8 (or the file's UTF-16, already transcoded), else cp1252, flagged."""
        if self.base_encoding:
            text, encoding, problem = data.decode("utf-8", "replace"), self.base_encoding, None
        else:
            try:
                text, encoding, problem = data.decode("utf-8"), "utf-8", None
            except UnicodeDecodeError:
                text, encoding, problem = decode_checked(self.source_path, data, record)
                if problem is not None and problem.severity == "warning":
                    problem = None
                    self.fallback.append(record)
        return (text.removeprefix("\ufeff") if first else text), encoding, problem

    def summary(self) -> Iterator[Reject]:
        if self.base_encoding:
            yield not_utf8(self.source_path, self.base_encoding)
        if self.fallback:
            yield not_utf8(self.source_path, FALLBACK_ENCODING,
                           f" in {len(self.fallback)} record(s), the first on {self.fallback[0]}")

    def stream_problem(self, error: BaseException, options: Options, last: str | None) -> Reject:
        """A reject for the rest of an export that could not be read (a damaged .gz, the file limit)."""
        after = f" after {last}" if last else ""
        if isinstance(error, FileLimitExceeded):
            return Reject(self.source_path, "ingest.too_large",
                          f"{self.source_path}: the uncompressed file is too large (more than {options.max_file_mb:g} MB "
                          f"once decompressed, above the {options.max_file_mb:g} MB limit ingest.max_file_mb in "
                          f"params.yaml); the rest of the file{after} was not read; split it or raise the limit")
        return bad_gzip(self.source_path, error, f" past the records read{after}")


def bounded_lines(stream, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(number, line without its "\\n" or None when longer than `limit` bytes, length) of each line.

    A line longer than the limit is skipped a chunk at a time, never held in memory.
    """
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if line.endswith(b"\n"):
            yield number, line[:-1], len(line)
        elif len(line) <= limit:
            yield number, line, len(line)  # the last line, without a line break
        else:
            length = len(line)
            while not line.endswith(b"\n"):
                line = stream.readline(CHUNK)
                if not line:
                    break
                length += len(line)
            yield number, None, length


def record_too_large(source_path: str, record: str, size: int, options: Options, what: str) -> Reject:
    return Reject(source_path, "ingest.too_large",
                  f"{source_path} {record}: the record is too large ({size / MB:.1f} MB of {what}; records far above "
                  f"the {options.max_article_mb:g} MB limit ingest.max_article_mb in params.yaml are not parsed); "
                  f"split it or raise the limit", record=record)


def read_jsonl_file(source: Input, options: Options) -> Iterator[Item]:
    """One document per JSON object line; a broken line is a reject naming its number."""
    source_path = source.source_path
    head = _head(source)
    problem = export_problem(source, head)
    if problem:
        yield problem
        return
    records = _Records(source_path, _utf16_encoding(head))
    last = None
    with source.open() as raw:
        lines = bounded_lines(_export_stream(source, options, raw, records.base_encoding), options.max_record_bytes)
        while True:
            try:
                number, line, length = next(lines)
            except StopIteration:
                break
            except (FileLimitExceeded, *GZIP_ERRORS) as error:
                if not source.compressed:
                    raise
                yield records.stream_problem(error, options, last)
                break
            record = last = f"line {number}"
            if line is None:
                yield record_too_large(source_path, record, length, options, "JSON")
                continue
            text, encoding, problem = records.decode(line, record, number == 1)
            # Split on "\n" only: JSON strings may hold U+2028 and other breaks str.splitlines splits on.
            if not text.strip():
                continue
            if problem:
                yield problem
                continue
            try:
                value = json_record(text)
            except (ValueError, RecursionError) as error:
                where = (f"column {error.colno}: {error.msg}" if isinstance(error, json.JSONDecodeError)
                         else "nested too deeply" if isinstance(error, RecursionError) else _short(str(error), 80))
                yield Reject(source_path, "ingest.malformed_json",
                             f"{source_path}: malformed JSON on line {number} ({where}); fix or remove the line",
                             record=record)
                continue
            if not isinstance(value, dict):
                yield Reject(source_path, "ingest.not_a_record",
                             f"{source_path}: line {number} is a JSON {_json_type(value)}, not an object with "
                             f"article fields", record=record)
                continue
            yield from record_document(source_path, str(number), record, value, encoding, options, records.used)
    yield from records.summary()


# json.loads recurses once a nesting level, counted against the interpreter's recursion limit
# with the frames already on the stack: a record is given this many levels beyond those, so it
# parses (or is too deep) the same at any call depth, in a worker process or not.
JSON_NESTING = 1000


def json_record(text: str) -> object:
    """The JSON value of one export line (RecursionError when it nests beyond JSON_NESTING levels)."""
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + JSON_NESTING)
    try:
        return json.loads(text, parse_int=_json_int)
    finally:
        sys.setrecursionlimit(limit)


def _json_int(digits: str) -> int | str:
    # Python refuses to convert integers of more than 4,300 digits: keep those as their digits.
    return int(digits) if len(digits) <= 4000 else digits


def _json_type(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


_FIELD_STOP = re.compile(rb"[,\r\n]")
_START, _FIELD, _QUOTED, _QUOTE = range(4)


def csv_records(stream, limit: int, line: int = 1) -> Iterator[tuple[int, bytes | None, int, bool]]:
    """(first line, record bytes without its line break or None when longer than `limit`, length, closed)
    of each CSV record, split as Python's csv module splits them (quoted fields may span lines).

    `closed` is False for a record whose quotes went wrong: the file ends inside a quoted
    field, or a quoted field that spans lines closes in the middle of a field (`"text⏎...⏎4,"Next`),
    the sign of a quote left open that swallowed the lines after it. Holds at most `limit`
    bytes of a record, however long it is."""
    state, parts, size, first, skip_lf, stray, spans = _START, [], 0, line, False, False, False

    def take(piece: bytes) -> None:
        nonlocal size, line, spans
        size += len(piece)
        newlines = piece.count(b"\n")
        line += newlines
        spans = spans or newlines > 0
        if size <= limit:
            parts.append(piece)
        elif parts:
            parts.clear()

    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        index, end = 0, len(chunk)
        if skip_lf:
            skip_lf = False
            if chunk[:1] == b"\n":
                index, line, first = 1, line + 1, line + 1
        while index < end:
            if state == _QUOTED:
                quote = chunk.find(b'"', index)
                if quote < 0:
                    take(chunk[index:])
                    break
                take(chunk[index:quote + 1])
                index, state = quote + 1, _QUOTE
                continue
            if state == _QUOTE:
                if chunk[index] == 0x22:  # "" inside quotes: a quote character
                    take(b'"')
                    index, state = index + 1, _QUOTED
                else:
                    # the quotes closed: the rest up to the delimiter is still this field (csv's lenient reading)
                    stray = stray or chunk[index] not in b",\r\n"
                    state = _FIELD
                continue
            if state == _START and chunk[index] == 0x22:
                take(b'"')
                index, state = index + 1, _QUOTED
                continue
            stop = _FIELD_STOP.search(chunk, index)
            if stop is None:
                take(chunk[index:])
                state = _FIELD
                break
            at = stop.start()
            if at > index:
                take(chunk[index:at])
            index = at + 1
            if chunk[at] == 0x2C:
                take(b",")
                state = _START
                continue
            if chunk[at] == 0x0A:
                line += 1
            elif index < end:
                if chunk[index] == 0x0A:
                    index, line = index + 1, line + 1
            else:
                skip_lf = True  # a "\r" ends the chunk: a "\n" may start the next
            yield first, (b"".join(parts) if size <= limit else None), size, not (stray and spans)
            state, parts, size, first, stray, spans = _START, [], 0, line, False, False
    if parts or size or state != _START:
        yield first, (b"".join(parts) if size <= limit else None), size, state != _QUOTED and not (stray and spans)


def _skip_lines(stream, count: int) -> None:
    skipped = 0
    while skipped < count:
        piece = stream.readline(CHUNK)
        if not piece:
            return
        skipped += piece.endswith(b"\n")


MAX_QUOTE_RECOVERIES = 20


def read_csv_file(source: Input, options: Options) -> Iterator[Item]:
    """One document per CSV row (quoted fields may hold newlines); the header names the fields.

    A row whose quote is never closed would swallow the rest of the file: it is rejected
    naming its line, and the rows after that line are read again as rows.
    """
    source_path = source.source_path
    head = _head(source)
    problem = export_problem(source, head)
    if problem:
        yield problem
        return
    _allow_record_sized_fields(options)
    records = _Records(source_path, _utf16_encoding(head))
    names, header, number, start, last = None, None, 0, 1, None
    for attempt in range(MAX_QUOTE_RECOVERIES + 1):
        restart = None
        with source.open() as raw:
            stream = _export_stream(source, options, raw, records.base_encoding)
            try:
                _skip_lines(stream, start - 1)
                for first, data, size, closed in csv_records(stream, options.max_record_bytes, start):
                    if names is None:  # the header: the first record that is not blank
                        if data is not None and not data.strip():
                            continue
                        names, header, problem = _csv_header(source_path, records, data, closed, options)
                        if problem:
                            yield problem
                            return
                        continue
                    number += 1
                    record = last = f"row {number}"
                    where = f"{source_path}: row {number} (line {first})"
                    if not closed:
                        yield Reject(source_path, "ingest.malformed_csv",
                                     f"{where} opens a quoted field that is never closed (or closes only in the middle "
                                     f"of a later line), so it would swallow the lines after it; the row is left out "
                                     f"and the lines after line {first} are read as rows again; check its quotes",
                                     record=record)
                        restart = first + 1
                        break
                    if data is None:
                        yield record_too_large(source_path, record, size, options, "CSV")
                        continue
                    if b"\x00" in data:
                        yield Reject(source_path, "ingest.binary",
                                     f"{where}: binary data (a NUL byte) in the row, not text; the row is left out",
                                     record=record)
                        continue
                    text, encoding, problem = records.decode(data, record, False)
                    if problem:
                        yield problem
                        continue
                    try:
                        rows = list(csv.reader(io.StringIO(text, newline="")))
                        if len(rows) > 1:
                            raise csv.Error("a line break outside quotes")
                    except csv.Error as error:
                        yield Reject(source_path, "ingest.malformed_csv",
                                     f"{where} is not valid CSV ({error}); check its quotes", record=record)
                        continue
                    cells = rows[0] if rows else []
                    if not any(cell.strip() for cell in cells):
                        number -= 1  # a blank line is not a record
                        continue
                    values = {field_name: cells[index] for field_name, index in names.items() if index < len(cells)}
                    yield from record_document(source_path, str(number), record, values, encoding, options,
                                               records.used, mapped=True)
            except (FileLimitExceeded, *GZIP_ERRORS) as error:
                if not source.compressed:
                    raise
                yield records.stream_problem(error, options, last)
                break
        if restart is None:
            break
        start = restart
    else:
        yield Reject(source_path, "ingest.malformed_csv",
                     f"{source_path}: more than {MAX_QUOTE_RECOVERIES} rows open quotes that are never closed; the "
                     f"lines after line {start} were not read; check the file's quotes")
    yield from records.summary()


def _csv_header(source_path: str, records: _Records, data: bytes | None, closed: bool,
                options: Options) -> tuple[dict | None, list | None, Reject | None]:
    problem = None
    if data is None or not closed or b"\x00" in data:
        problem = "it is too large" if data is None else "a quoted field is never closed" if not closed else "a NUL byte"
    else:
        text, _, decode_problem = records.decode(data, "header", True)
        if decode_problem:
            return None, None, decode_problem
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
            header = rows[0] if len(rows) == 1 else None
            problem = None if header else "a line break outside quotes"
        except csv.Error as error:
            problem, header = str(error), None
        if header is not None:
            names = column_names(header, options)
            if "text" not in names:
                return None, None, missing_text_column(source_path, header, options)
            return names, header, None
    return None, None, Reject(source_path, "ingest.malformed_csv",
                              f"{source_path}: the header row cannot be read ({problem})")


@functools.cache
def _field_size_limit(limit: int) -> None:
    csv.field_size_limit(max(limit, csv.field_size_limit()))


def _allow_record_sized_fields(options: Options) -> None:
    # The csv module refuses fields over 128 KB by default: let any field of a record through,
    # so an article too large is rejected as too large, not as bad CSV.
    _field_size_limit(options.max_record_bytes + 1)


def column_key(name: str) -> str:
    """A field name compared loosely: `publishedAt`, `Published At` and `published-at` are `published_at`."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def column_names(header: list[str], options: Options) -> dict[str, int]:
    """Which header position holds each field: the user's names first, then the common names."""
    keys = [column_key(name) for name in header]
    found = {}
    for field_name in FIELDS:
        wanted = [options.columns[field_name]] if field_name in options.columns else COMMON_COLUMNS[field_name]
        for candidate in wanted:
            if column_key(candidate) in keys:
                found[field_name] = keys.index(column_key(candidate))
                break
    return found


def record_fields(value: dict, options: Options) -> dict[str, object]:
    """The fields of a JSON record by our names, found as `column_names` finds CSV columns."""
    keys = {column_key(key): key for key in value}
    found = {}
    for field_name in FIELDS:
        wanted = [options.columns[field_name]] if field_name in options.columns else COMMON_COLUMNS[field_name]
        for candidate in wanted:
            if column_key(candidate) in keys:
                found[field_name] = value[keys[column_key(candidate)]]
                break
    return found


def missing_text_column(source_path: str, header: list[str], options: Options) -> Reject:
    looked_for = options.columns.get("text") or ", ".join(COMMON_COLUMNS["text"])
    columns = safe_name(_short(", ".join(map(str, header)), 300))
    return Reject(source_path, "ingest.missing_text_column",
                  f"{source_path}: no text column (looked for {looked_for}; the file has {columns or 'no columns'}); "
                  f"name the column that holds the article text as ingest.columns.text in params.yaml")


def record_document(source_path: str, number: str, record: str, value: dict, encoding: str,
                    options: Options, used: set[str] | None = None, mapped: bool = False) -> Iterator[Item]:
    """The document of one export record, or the reason it is not one (plus warnings about it).

    `used` holds the record keys this export has given out: a repeated id gets its line or
    row number appended (`export.jsonl:r1@7`), so every record keeps its own article id.
    """
    used = set() if used is None else used
    where = f"{source_path} {record}"
    fields = value if mapped else record_fields(value, options)
    if "text" not in fields:
        looked_for = options.columns.get("text") or ", ".join(COMMON_COLUMNS["text"])
        keys = safe_name(_short(", ".join(map(str, value)), 300))
        yield Reject(source_path, "ingest.missing_text_column",
                     f"{where} has no text field (looked for {looked_for}; it has {keys or 'no fields'}); "
                     f"name the field as ingest.columns.text in params.yaml", record=record)
        return
    try:
        text = as_text(fields["text"], TEXT_OBJECT_KEYS)
    except TooDeep:
        yield Reject(source_path, "ingest.too_deep", f"{where}: the text field is nested more than {MAX_DEPTH} levels "
                                                     f"deep; store the article text as a string", record=record)
        return
    if text is None and isinstance(fields["text"], dict):
        keys = safe_name(_short(", ".join(map(str, fields["text"])), 200))
        yield Reject(source_path, "ingest.missing_text_column",
                     f"{where}: the text field is a JSON object with no text under any key read as text "
                     f"({', '.join(TEXT_OBJECT_KEYS[:4])}, ...; it has {keys or 'no keys'}); store the article text as "
                     f"a string or name its field as ingest.columns.text in params.yaml", record=record)
        return
    text, replaced = clean_text(normalise_newlines(text or ""))
    encoded = text.encode("utf-8")
    if is_blank(text):
        yield blank(source_path, record, "text")
        return
    if len(encoded) > options.max_article_bytes:
        yield too_large(source_path, record, len(encoded), options.max_article_mb, "max_article_mb", "article")
        return
    if looks_binary(encoded):
        yield Reject(source_path, "ingest.binary", f"{where}: binary data (NUL or control bytes), not a text article",
                     record=record)
        return
    published, date_problem = parse_published(_meta(fields.get("published")))
    if date_problem:
        yield Reject(source_path, "ingest.bad_published_date", f"{where}: {date_problem}",
                     severity="warning", record=record)
    metadata = {}
    for name in ("headline", "outlet", "url", "id"):
        metadata[name], count = clean_text(_clean(_meta(fields.get(name))) or "")
        replaced += count
    key = safe_name(metadata["id"]) or number
    if key in used:
        unique = f"{key}@{number}"
        while unique in used:
            unique += f"@{number}"
        yield Reject(source_path, "ingest.duplicate_record_id",
                     f"{where}: record id {_short(key, 60)!r} is used by an earlier record of the file; this record's "
                     f"article_id is {record_id(source_path, unique)!r}; give the records distinct ids",
                     severity="warning", record=record)
        key = unique
    used.add(key)
    if replaced:
        yield Reject(source_path, "ingest.invalid_unicode",
                     f"{where}: {replaced} lone surrogate code point(s) (half of a UTF-16 pair, not text) replaced "
                     f"with U+FFFD", severity="warning", record=record)
    yield Document(record_id(source_path, key), source_path, record, hashlib.sha256(encoded).hexdigest(), encoding,
                   published, metadata["headline"] or None, metadata["outlet"] or None, metadata["url"] or None, text)


class TooDeep(ValueError):
    """A JSON value nested more than MAX_DEPTH levels deep."""


def as_text(value: object, keys: tuple[str, ...] = OBJECT_KEYS, depth: int = 0) -> str | None:
    """A record value as text: strings as they are, paragraphs joined, `{"name": …}` objects by name."""
    if depth > MAX_DEPTH:
        raise TooDeep()
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        parts = [as_text(item, keys, depth + 1) for item in value]
        return "\n\n".join(part for part in parts if part)
    if isinstance(value, dict):
        by_key = {column_key(key): key for key in value}
        for key in keys:
            if key in by_key:
                return as_text(value[by_key[key]], keys, depth + 1)
    return None


def _meta(value: object) -> str | None:
    """A metadata value as text; None when it has none or is nested too deeply to be one."""
    try:
        return as_text(value)
    except TooDeep:
        return None


def _clean(value: str | None) -> str | None:
    """A one-line metadata value: spaces collapsed, None when blank."""
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[:limit] + "…"


# --- shared helpers ------------------------------------------------------------------

def utf16_without_bom(content: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for text that is UTF-16 without a byte order mark (every other byte
    NUL, as Latin-script text is), else None."""
    sample = content[:8192]
    sample = sample[:len(sample) // 2 * 2]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    half = len(sample) // 2
    for zeros, other, encoding in ((sample[1::2], sample[0::2], "utf-16-le"), (sample[0::2], sample[1::2], "utf-16-be")):
        if zeros.count(0) >= 0.6 * half and other.count(0) <= 0.02 * half:
            text = sample.decode(encoding, "replace")
            readable = sum(1 for char in text if char.isprintable() or char in "\n\r\t")
            if readable >= 0.95 * len(text):
                return encoding
    return None


# Control bytes that no text holds (tab, line feed, form feed and carriage return are text).
CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))


def looks_binary(content: bytes) -> bool:
    """True for bytes that are not text: any NUL (outside UTF-16 text), or many control characters."""
    encoding = "utf-16" if content.startswith((b"\xff\xfe", b"\xfe\xff")) else utf16_without_bom(content)
    if encoding:
        try:
            content = content.decode(encoding).encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return True
    if b"\x00" in content:
        return True
    sample = content[:8192]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return controls > len(sample) * 0.05


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding that decoded it: UTF-8 (BOM allowed), UTF-16 (with a BOM or detected
    without one), else the fallback."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    encoding = utf16_without_bom(content)  # before UTF-8: ASCII as UTF-16 is valid UTF-8, NULs and all
    if encoding:
        return content.decode(encoding, "replace"), encoding
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
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
        date = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None, headline, f"dateline date {match.group(1)} is not a real date; published_date left empty"
    if date.year not in YEARS:
        return None, headline, f"dateline date {match.group(1)} is {_out_of_range()}; published_date left empty"
    return date, headline, None


def _out_of_range() -> str:
    return f"outside the years {YEARS[0]} to {YEARS[-1]} (a placeholder, not a day a news article was published)"


def printed_date(text: str) -> dt.date | None:
    """The published date the text prints in its page furniture (`etl.datelines`), or None."""
    found = printed_published_date(text)
    return found[0] if found else None


def dateline_end(text: str) -> int:
    """Offset where the body starts: after the dateline's date, so its headline stays searchable."""
    match = DATELINE.match(text)
    return match.start(2) if match else 0


ISO_DATE = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")


def parse_published(value: object) -> tuple[dt.date | None, str | None]:
    """(published date, problem) from a metadata value: ISO, RFC 2822, Unix time or a written date.

    Never reads the clock: a relative value ("2 days ago", "in 2 days", "yesterday") names no
    day, so it is flagged and left empty; so is a year outside `YEARS` (0001-01-01 placeholders).
    """
    text = value if value is None or isinstance(value, str) else _meta(value)
    if text is None or is_blank(text):
        return None, None
    text = unicodedata.normalize("NFKC", clean_text(text)[0]).strip()
    shown = safe_name(_short(text, 60))
    date = _iso_date(text) or _email_date(text) or _epoch_date(text) or _written_date(text)
    if date is None:
        if RELATIVE_DATE.search(text):
            return None, (f"published date {shown!r} is relative (it names no day, only a distance from the day it "
                          f"is read, so reading it would make the build depend on the clock); published_date left empty")
        return None, f"published date {shown!r} is not a date we can read; published_date left empty"
    if date.year not in YEARS:
        return None, f"published date {shown!r} is {_out_of_range()}; published_date left empty"
    return date, None


def _iso_date(text: str) -> dt.date | None:
    match = ISO_DATE.match(text)
    if not match:
        return None
    try:
        # The date as the publisher wrote it: its own time zone's day.
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _email_date(text: str) -> dt.date | None:
    try:
        date = email.utils.parsedate_to_datetime(text).date()
    except Exception:  # noqa: BLE001 - TypeError, ValueError, IndexError, OverflowError on odd strings
        return None
    # The email parser reads years below 100 as 19xx or 20xx ("0031" as 2031): the year must be written in full.
    return date if re.search(rf"(?<!\d){date.year:04d}(?!\d)", text) else None


def _epoch_date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return None
    seconds = float(text)
    if seconds > 1e11:  # milliseconds, as JavaScript exports write them
        seconds /= 1000
    try:
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def _written_date(text: str) -> dt.date | None:
    """ "24 November 2023", "24/11/2023" (day first, as in the UK); None when not a full date."""
    return written_date(text)
