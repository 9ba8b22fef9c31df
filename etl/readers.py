"""Readers for every input format: one file's bytes in, its documents and problems out.

A one-article file (`.txt`, `.html`) is one document; an export (`.jsonl`, `.csv`)
holds one document per record; any of them may be gzipped (`.gz`). `read_file`
never raises: each document it finds becomes exactly one `Document` or one
error-severity `Reject`, so documents read = articles + rejects. Warning-severity
rejects flag a document that was still read.
"""
from __future__ import annotations

import csv
import datetime as dt
import email.utils
import functools
import gzip
import hashlib
import io
import json
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Iterator, Union

from etl.datelines import printed_published_date

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES
GZIP_SUFFIX = ".gz"
# cp1252 decodes every byte Latin-1 does and also the curly quotes and dashes that
# Windows-era news exports contain, so it is the better single fallback.
FALLBACK_ENCODING = "cp1252"
DATELINE = re.compile(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]*([^\n]*)")
MB = 1024 * 1024

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


@dataclass(frozen=True)
class Options:
    """How to read inputs: size limits and the record fields users name in params.yaml."""

    max_article_mb: float = 1.0
    max_file_mb: float = 2048.0
    columns: dict[str, str | None] = field(default_factory=dict)

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
                   {name: str(value) for name, value in columns.items() if value})

    @property
    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * MB)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)


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


Item = Union[Document, Reject]


def read_file(source_path: str, content: bytes | OSError, options: Options) -> list[Item]:
    """The documents and problems of one input file; never raises, whatever the bytes."""
    try:
        items = list(_read(source_path, content, options))
        if not any(isinstance(item, Document) or item.severity == "error" for item in items):
            # Only blank lines (any Unicode line break) or a header: no document to count.
            items.append(Reject(source_path, "ingest.empty", f"{source_path}: the file holds no articles "
                                                              f"(only blank lines or a header)"))
        return items
    except Exception as error:  # noqa: BLE001 - one bad file must never stop the build
        return [Reject(source_path, "ingest.reader_failed",
                       f"{source_path}: could not be read ({type(error).__name__}: {_short(str(error))}); "
                       f"check the file is a valid {format_name(source_path)} file")]


def _read(source_path: str, content: bytes | OSError, options: Options) -> Iterator[Item]:
    if isinstance(content, OSError):
        yield Reject(source_path, "ingest.unreadable", f"{source_path}: cannot be read ({content.strerror or content})")
        return
    name = PurePosixPath(source_path).name
    suffix = inner_suffix(name)
    if suffix not in SUPPORTED_SUFFIXES:
        yield Reject(source_path, "ingest.unsupported_format",
                     f"{source_path}: unsupported file type {suffix or '(no extension)'!r}; articles must be "
                     f"{', '.join(SUPPORTED_SUFFIXES)} files, or the same with {GZIP_SUFFIX}")
        return
    if name.lower().endswith(GZIP_SUFFIX):
        content, problem = gunzip(source_path, content, options)
        if problem:
            yield problem
            return
    stem = article_stem(name)
    if suffix in TEXT_SUFFIXES:
        yield from read_text_file(source_path, stem, content, options)
    elif suffix in HTML_SUFFIXES:
        yield from read_html_file(source_path, stem, content, options)
    elif suffix in JSONL_SUFFIXES:
        yield from read_jsonl_file(source_path, stem, content, options)
    else:
        yield from read_csv_file(source_path, stem, content, options)


def inner_suffix(name: str) -> str:
    """The format suffix of a file name, looking inside `.gz` (`a.jsonl.gz` is `.jsonl`)."""
    path = PurePosixPath(name.lower())
    if path.suffix == GZIP_SUFFIX:
        path = path.with_suffix("")
    return path.suffix


def article_stem(name: str) -> str:
    """The file name without its format suffix and `.gz`: the id of a one-article file."""
    path = PurePosixPath(name)
    if path.suffix.lower() == GZIP_SUFFIX:
        path = path.with_suffix("")
    return path.stem


def format_name(source_path: str) -> str:
    return inner_suffix(PurePosixPath(source_path).name).lstrip(".").upper() or "text"


def gunzip(source_path: str, content: bytes, options: Options) -> tuple[bytes, Reject | None]:
    """The decompressed bytes, stopping at the file size limit so a gzip bomb cannot fill memory."""
    limit = options.max_file_bytes
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            data = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as error:
        return b"", Reject(source_path, "ingest.bad_gzip",
                           f"{source_path}: not a readable gzip file ({_short(str(error)) or type(error).__name__}); "
                           f"re-compress it or store it uncompressed")
    if len(data) > limit:
        return b"", too_large(source_path, None, limit + 1, options.max_file_mb, "max_file_mb", "uncompressed file")
    return data, None


# --- one-article files ---------------------------------------------------------------

def decoded(source_path: str, content: bytes, size_problem: Reject | None) -> tuple[str | None, str | None, list[Reject]]:
    """A file's text and encoding after its size check, and its problems; the text is None when it cannot be used."""
    if size_problem:
        return None, None, [size_problem]
    text, encoding, problem = decode_checked(source_path, content)
    if problem and problem.severity == "error":
        return None, None, [problem]
    return text, encoding, [problem] if problem else []


def read_text_file(source_path: str, stem: str, content: bytes, options: Options) -> Iterator[Item]:
    """The sample format: plain text with an optional first line ` date YYYY-MM-DD Headline`.

    Without that line, the published date is the dateline the text itself prints near
    its top ("Published: 5 June 2019", "Last Updated: Friday, 11 May 2007"), if any.
    """
    text, encoding, problems = decoded(source_path, content, check_article_bytes(source_path, content, options))
    yield from problems
    if text is None:
        return
    text = normalise_newlines(text)
    published, headline, dateline_problem = parse_dateline(text)
    if dateline_problem:
        yield Reject(source_path, "ingest.bad_dateline", f"{source_path}: {dateline_problem}", severity="warning")
    elif published is None:
        published = printed_date(text)
    yield Document(stem, source_path, None, hashlib.sha256(content).hexdigest(), encoding,
                   published, headline, None, None, text)


def read_html_file(source_path: str, stem: str, content: bytes, options: Options) -> Iterator[Item]:
    """A web page: its main text, title, published date, site name and URL, with trafilatura."""
    html, encoding, problems = decoded(source_path, content, check_article_bytes(source_path, content, options))
    yield from problems
    if html is None:
        return
    page = html_page(html)
    if not page["text"]:
        yield Reject(source_path, "ingest.empty", f"{source_path}: the HTML page has no article text "
                                                   f"(only markup, navigation or scripts)")
        return
    published, date_problem = parse_published(page["date"])
    if date_problem:
        yield Reject(source_path, "ingest.bad_published_date", f"{source_path}: {date_problem}", severity="warning")
    elif published is None:
        published = printed_date(page["text"])  # the metadata has none: the dateline the page prints
    yield Document(stem, source_path, None, hashlib.sha256(content).hexdigest(), encoding, published,
                   page["title"], page["outlet"], page["url"], page["text"])


def html_page(html: str) -> dict:
    """Main text and metadata of an HTML page; empty text when it has none."""
    import trafilatura  # imported here: it takes a third of a second and only HTML needs it

    # extensive_search off: a date found in the body text is not the publication date.
    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                        date_extraction_params={"extensive_search": False, "original_date": True})
    text = (found.text if found is not None else None) or ""
    if not text.strip():
        # Short pages fall under trafilatura's minimum size: take the page's plain text.
        text = trafilatura.baseline(html)[1] or ""
    text = normalise_newlines(text).strip()
    outlet = (found.sitename or _host(found.hostname)) if found is not None else None
    return {"text": text,
            "title": _clean(found.title) if found is not None else None,
            "date": found.date if found is not None else None,
            "outlet": _clean(outlet),
            "url": _clean(found.url) if found is not None else None}


def _host(hostname: str | None) -> str | None:
    return hostname[4:] if hostname and hostname.startswith("www.") else hostname


def check_article_bytes(source_path: str, content: bytes, options: Options, record: str | None = None) -> Reject | None:
    """Why these bytes cannot be an article (empty, too large, binary), or None."""
    where = f"{source_path} {record}" if record else source_path
    if not content.strip():
        return Reject(source_path, "ingest.empty", f"{where}: the {'text' if record else 'file'} is empty", record=record)
    if len(content) > options.max_article_bytes:
        return too_large(source_path, record, len(content), options.max_article_mb, "max_article_mb", "article")
    if looks_binary(content):
        return Reject(source_path, "ingest.binary", f"{where}: binary data (NUL or control bytes), not a text article",
                      record=record)
    return None


def too_large(source_path: str, record: str | None, size: int, limit_mb: float, param: str, what: str) -> Reject:
    where = f"{source_path} {record}" if record else source_path
    return Reject(source_path, "ingest.too_large",
                  f"{where}: the {what} is too large ({size / MB:.1f} MB, above the {limit_mb:g} MB limit "
                  f"ingest.{param} in params.yaml); split it or raise the limit", record=record)


# Bytes cp1252 leaves undefined come out as U+FFFD; more than this share of them means
# the file is in some other encoding altogether and its text would be garbage.
MAX_UNDECODABLE_SHARE = 0.01


def decode_checked(source_path: str, content: bytes) -> tuple[str, str, Reject | None]:
    """(text, encoding, problem): a warning for the fallback, an error when even that is mostly garbage."""
    text, encoding = decode(content)
    if encoding == "utf-8":
        return text, encoding, None
    undefined = text.count("\ufffd")
    if undefined > len(text) * MAX_UNDECODABLE_SHARE:
        return text, encoding, Reject(source_path, "ingest.undecodable",
                                      f"{source_path}: undecodable: neither UTF-8 nor {encoding} text ({undefined} "
                                      f"bytes mean nothing in either); re-save the file as UTF-8")
    return text, encoding, not_utf8(source_path, encoding)


def not_utf8(source_path: str, encoding: str) -> Reject:
    return Reject(source_path, "ingest.not_utf8",
                  f"{source_path}: not valid UTF-8; read as {encoding} — check accented characters "
                  f"and re-save the file as UTF-8", severity="warning")


# --- exports: one article per record ------------------------------------------------

def read_jsonl_file(source_path: str, stem: str, content: bytes, options: Options) -> Iterator[Item]:
    """One document per JSON object line; a broken line is a reject naming its number."""
    text, encoding, problems = decoded(source_path, content, check_export_bytes(source_path, content))
    yield from problems
    if text is None:
        return
    # Split on "\n" only: JSON strings may hold U+2028 and other breaks str.splitlines splits on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record = f"line {number}"
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            where = f"column {error.colno}: {error.msg}" if isinstance(error, json.JSONDecodeError) else "nested too deeply"
            yield Reject(source_path, "ingest.malformed_json",
                         f"{source_path}: malformed JSON on line {number} ({where}); fix or remove the line", record=record)
            continue
        if not isinstance(value, dict):
            yield Reject(source_path, "ingest.not_a_record",
                         f"{source_path}: line {number} is a JSON {type(value).__name__}, not an object with "
                         f"article fields", record=record)
            continue
        yield from record_document(source_path, stem, str(number), record, value, encoding, options)


def read_csv_file(source_path: str, stem: str, content: bytes, options: Options) -> Iterator[Item]:
    """One document per CSV row (quoted fields may hold newlines); the header names the fields."""
    text, encoding, problems = decoded(source_path, content, check_export_bytes(source_path, content))
    yield from problems
    if text is None:
        return
    _allow_article_sized_fields(options)
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except (csv.Error, StopIteration) as error:
        yield Reject(source_path, "ingest.malformed_csv", f"{source_path}: the header row cannot be read ({error})")
        return
    names = column_names(header, options)
    if "text" not in names:
        yield missing_text_column(source_path, header, options)
        return
    number = 0
    while True:
        number += 1
        record = f"row {number}"
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield Reject(source_path, "ingest.malformed_csv",
                         f"{source_path}: row {number} (near line {rows.line_num}) is not valid CSV ({error}); "
                         f"check its quotes", record=record)
            continue
        if not any(cell.strip() for cell in cells):
            number -= 1  # a blank line is not a record
            continue
        values = {field_name: cells[index] for field_name, index in names.items() if index < len(cells)}
        yield from record_document(source_path, stem, str(number), record, values, encoding, options, mapped=True)


@functools.cache
def _field_size_limit(limit: int) -> None:
    csv.field_size_limit(max(limit, csv.field_size_limit()))


def _allow_article_sized_fields(options: Options) -> None:
    # The csv module refuses fields over 128 KB by default: let any field of a readable
    # file through, so an article too large is rejected as too large, not as bad CSV.
    _field_size_limit(options.max_file_bytes + 1)


def check_export_bytes(source_path: str, content: bytes) -> Reject | None:
    if not content.strip():
        return Reject(source_path, "ingest.empty", f"{source_path}: the file is empty")
    if looks_binary(content):
        return Reject(source_path, "ingest.binary", f"{source_path}: binary data (NUL or control bytes), not a text export")
    return None


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
    return Reject(source_path, "ingest.missing_text_column",
                  f"{source_path}: no text column (looked for {looked_for}; the file has {', '.join(map(str, header)) or 'no columns'}); "
                  f"name the column that holds the article text as ingest.columns.text in params.yaml")


def record_document(source_path: str, stem: str, number: str, record: str, value: dict, encoding: str,
                    options: Options, mapped: bool = False) -> Iterator[Item]:
    """The document of one export record, or the reason it is not one."""
    fields = value if mapped else record_fields(value, options)
    if "text" not in fields:
        looked_for = options.columns.get("text") or ", ".join(COMMON_COLUMNS["text"])
        yield Reject(source_path, "ingest.missing_text_column",
                     f"{source_path}: {record} has no text field (looked for {looked_for}; it has "
                     f"{', '.join(map(str, value)) or 'no fields'}); name the field as ingest.columns.text in params.yaml",
                     record=record)
        return
    text = normalise_newlines(as_text(fields["text"]) or "")
    problem = check_article_bytes(source_path, text.encode("utf-8", "surrogatepass"), options, record)
    if problem:
        yield problem
        return
    published, date_problem = parse_published(fields.get("published"))
    if date_problem:
        yield Reject(source_path, "ingest.bad_published_date", f"{source_path} {record}: {date_problem}",
                     severity="warning", record=record)
    key = _clean(as_text(fields.get("id"))) or number
    yield Document(f"{stem}:{key}", source_path, record,
                   hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), encoding, published,
                   _clean(as_text(fields.get("headline"))), _clean(as_text(fields.get("outlet"))),
                   _clean(as_text(fields.get("url"))), text)


def as_text(value: object) -> str | None:
    """A record value as text: strings as they are, paragraphs joined, `{"name": …}` objects by name."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        parts = [as_text(item) for item in value]
        return "\n\n".join(part for part in parts if part)
    if isinstance(value, dict):
        for key in ("name", "title", "text", "value"):
            if key in value:
                return as_text(value[key])
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

def looks_binary(content: bytes) -> bool:
    """True for bytes that are not text: any NUL (outside UTF-16 text with a BOM), or many control characters."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            content = content.decode("utf-16").encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return True
    if b"\x00" in content:
        return True
    sample = content[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding that decoded it: UTF-8 (BOM allowed), UTF-16 with a BOM, else the fallback."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
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


def printed_date(text: str) -> dt.date | None:
    """The published date the text prints in its page furniture (`etl.datelines`), or None."""
    found = printed_published_date(text)
    return found[0] if found else None


def dateline_end(text: str) -> int:
    """Offset where the body starts: after the dateline's date, so its headline stays searchable."""
    match = DATELINE.match(text)
    return match.start(2) if match else 0


ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")


def parse_published(value: object) -> tuple[dt.date | None, str | None]:
    """(published date, problem) from a metadata value: ISO, RFC 2822, Unix time or a written date."""
    text = as_text(value)
    if text is None or not text.strip():
        return None, None
    text = unicodedata.normalize("NFKC", text).strip()
    date = _iso_date(text) or _email_date(text) or _epoch_date(text) or _written_date(text)
    if date is None:
        return None, f"published date {_short(text, 60)!r} is not a date we can read; published_date left empty"
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
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


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
    if len(text) > 64 or not re.search(r"\d", text):
        return None
    import dateparser  # imported here: only records with written-out dates need it

    try:
        parsed = dateparser.parse(text, languages=["en"], settings={
            "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]})
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on odd strings
        return None
    return parsed.date() if parsed else None
