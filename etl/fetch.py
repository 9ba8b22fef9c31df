"""`uofdb fetch`: download news pages into the raw folder, politely, ready for the build.

The source is a list of URLs (one a line, `#` comments), an RSS or Atom feed file, or a
feed's URL; a feed's items are the pages. Each page is fetched once: it is written as
`<hash>.html` (the first 16 hex digits of the SHA-256 of its URL) with its fetch record
`<hash>.html.fetch.json` beside it (the URL that served it, the fetch time, the status, the
page's SHA-256), which ingest reads to give the article its `url` (etl/readers.py). A URL
whose record exists is not fetched again, so the record is the cache.

Politeness: at least `fetch.seconds_between_requests` between two requests to one host
(or the host's robots.txt Crawl-delay, when longer), a user agent naming the project,
robots.txt obeyed for every page and every redirect, bounded retries with exponential
back-off on timeouts, 429 and 5xx answers (a Retry-After honoured up to the cap), and a
size and time limit per page. A page that cannot be had is reported with why, never
written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import re
import tempfile
import time
import urllib.parse
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path

import requests

from etl.readers import FETCH_RECORD_SUFFIX

PAGE_SUFFIX = ".html"
NAME_DIGITS = 16  # hex digits of the URL's SHA-256 in a page's file name: 64 bits, no clash in any corpus
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("xml", "rss", "atom")  # substrings of a feed's content type (application/rss+xml, text/xml, ...)
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MB = 1024 * 1024
CHUNK = 64 * 1024  # bytes read from a response at once
URL_SCHEMES = ("http", "https")
ROBOTS_AGENT = "uofdb"  # the product token robots.txt rules name
COMMENT = re.compile(r"(?:^|\s)#")  # a # at a line's start or after a space; a URL's own #fragment stays


@dataclass(frozen=True)
class Settings:
    """The `fetch` section of params.yaml."""

    seconds_between_requests: float
    user_agent: str
    timeout_seconds: float
    max_seconds_per_page: float
    max_page_mb: float
    retries: int
    backoff_seconds: float
    max_backoff_seconds: float
    max_redirects: int

    @classmethod
    def from_params(cls, section: dict) -> "Settings":
        values = dict(section)
        values["user_agent"] = str(values["user_agent"]).replace("{version}", _version())
        for name in ("seconds_between_requests", "timeout_seconds", "max_seconds_per_page", "max_page_mb",
                     "backoff_seconds", "max_backoff_seconds"):
            values[name] = float(values[name])
            if values[name] < 0:
                raise ValueError(f"fetch.{name} in params.yaml must be 0 or more, not {values[name]:g}")
        for name in ("retries", "max_redirects"):
            values[name] = int(values[name])
            if values[name] < 0:
                raise ValueError(f"fetch.{name} in params.yaml must be 0 or more, not {values[name]}")
        return cls(**values)


@dataclass(frozen=True)
class Page:
    """A page as downloaded: the URL asked for, the URL that served it, and its bytes."""

    requested_url: str
    url: str
    status: int
    content_type: str
    content: bytes
    fetched_at: str


class FetchError(Exception):
    """A page that could not be had: not allowed, not found, too large, too slow, not HTML..."""


@dataclass
class Summary:
    """What one fetch did: pages written, URLs already fetched before, and failures with why."""

    urls: int = 0
    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.urls} URLs: {len(self.fetched)} fetched, {len(self.cached)} already fetched, "
                f"{len(self.failed)} failed")


def run(source: str, raw_dir: Path, settings: Settings) -> Summary:
    """Fetch every page `source` lists (a URL list file, a feed file or a feed URL) into `raw_dir`."""
    fetcher = Fetcher(settings)
    # load: the URLs to fetch
    urls = source_urls(source, fetcher)
    # process and save: each page not fetched before, written with its fetch record as it arrives
    summary = Summary(urls=len(urls))
    raw_dir.mkdir(parents=True, exist_ok=True)
    for url in urls:
        if record_path(raw_dir, url).exists():
            summary.cached.append(url)
            continue
        try:
            page = fetcher.get(url, HTML_TYPES)
        except FetchError as error:
            summary.failed.append((url, str(error)))
            continue
        write_page(raw_dir, page)
        summary.fetched.append(url)
    return summary


# --- the URLs to fetch ---------------------------------------------------------------

def source_urls(source: str, fetcher: "Fetcher") -> list[str]:
    """The page URLs of a feed URL, a feed file or a URL list file, each once, in order."""
    if is_url(source):
        try:
            feed = fetcher.get(source, FEED_TYPES)
        except FetchError as error:
            raise ValueError(f"{source}: the feed could not be fetched ({error})") from None
        return unique(feed_links(feed.content, source))
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"{source}: no such file of URLs, and not an http(s) URL of a feed")
    content = path.read_bytes()
    if looks_like_feed(content):
        return unique(feed_links(content, source))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{source}: not UTF-8 text (byte {error.start}); expected one URL a line") from None
    return unique(listed_urls(text, source))


def is_url(text: str) -> bool:
    parts = urllib.parse.urlsplit(text.strip())
    return parts.scheme in URL_SCHEMES and bool(parts.hostname)


def looks_like_feed(content: bytes) -> bool:
    """An XML document (a feed) rather than a list of URLs: its first character is `<`."""
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def listed_urls(text: str, name: str) -> list[str]:
    """The URLs of a list, one a line; blank lines and `#` comments skipped; anything else an error naming its line."""
    urls = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = COMMENT.split(line, maxsplit=1)[0].strip()
        if not line:
            continue
        if not is_url(line) or re.search(r"\s", line):
            raise ValueError(f"{name} line {number}: {line[:80]!r} is not an http(s) URL (one URL a line; "
                             f"# starts a comment)")
        urls.append(without_fragment(line))
    return urls


def feed_links(content: bytes, name: str) -> list[str]:
    """The item links of an RSS or Atom feed, in the feed's order; an error when it is no feed."""
    import feedparser  # imported here: only feeds need it

    feed = feedparser.parse(content)
    if not feed.entries and (feed.bozo or not feed.version):
        problem = f" ({feed.bozo_exception})" if feed.bozo else ""
        raise ValueError(f"{name}: not an RSS or Atom feed{problem}")
    links, missing = [], []
    for number, entry in enumerate(feed.entries, start=1):
        link = entry.get("link")
        if link and is_url(link):
            links.append(without_fragment(link))
        else:
            missing.append(str(number))
    if missing:
        raise ValueError(f"{name}: feed item(s) {', '.join(missing)} have no http(s) link")
    return links


def without_fragment(url: str) -> str:
    """The URL without its #fragment: a fragment is never sent, so it names the same page."""
    return urllib.parse.urldefrag(url.strip()).url


def unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


# --- where pages go ------------------------------------------------------------------

def page_name(url: str) -> str:
    """The page's file name: the start of the SHA-256 of its URL, so one URL is always one file."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:NAME_DIGITS] + PAGE_SUFFIX


def record_path(raw_dir: Path, url: str) -> Path:
    return raw_dir / (page_name(url) + FETCH_RECORD_SUFFIX)


def fetch_record(page: Page) -> dict:
    """What is written beside a page: where it came from, when, and its bytes' SHA-256."""
    return {"url": page.url, "requested_url": page.requested_url, "fetched_at": page.fetched_at,
            "status": page.status, "content_type": page.content_type, "bytes": len(page.content),
            "sha256": hashlib.sha256(page.content).hexdigest()}


def write_page(raw_dir: Path, page: Page) -> Path:
    """The page, then its fetch record, each replaced atomically; the record last, so a page is
    cached only once it is whole."""
    path = raw_dir / page_name(page.requested_url)
    _write_atomically(path, page.content)
    record = json.dumps(fetch_record(page), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _write_atomically(record_path(raw_dir, page.requested_url), record.encode("utf-8"))
    return path


def _write_atomically(path: Path, content: bytes) -> None:
    # A hidden temporary name: a build reading the raw folder meanwhile skips it.
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- fetching politely ---------------------------------------------------------------

class Fetcher:
    """Requests with a user agent, a pause per host, robots.txt, retries and limits."""

    def __init__(self, settings: Settings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.max_redirects = settings.max_redirects  # for robots.txt; pages follow theirs one by one
        self._last_request: dict[str, float] = {}   # host -> time.monotonic() at the end of its last request
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def get(self, url: str, accepted_types: tuple[str, ...]) -> Page:
        """The page at `url`, following redirects that robots.txt allows; FetchError when it cannot be had."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            if not self.allowed(current):
                raise FetchError(f"robots.txt of {_origin(current)} disallows {current}")
            status, headers, content = self._get_with_retries(current)
            if status in REDIRECT_STATUSES and headers.get("Location"):
                current = without_fragment(urllib.parse.urljoin(current, headers["Location"]))
                if not is_url(current):
                    raise FetchError(f"{url} redirects to {current[:80]!r}, not an http(s) address")
                continue
            if status != 200:
                raise FetchError(f"HTTP {status} from {current}")
            content_type = headers.get("Content-Type", "")
            if not any(kind in content_type.lower() for kind in accepted_types):
                raise FetchError(f"{current} is {content_type or 'of no stated type'}, not "
                                 f"{' or '.join(accepted_types)}")
            return Page(url, current, status, content_type, content, _now())
        raise FetchError(f"more than {self.settings.max_redirects} redirects from {url} (fetch.max_redirects)")

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets this user agent fetch `url` (read once per site)."""
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return self._robots[origin].can_fetch(ROBOTS_AGENT, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        # As urllib.robotparser reads it: 401/403 disallow all, other 4xx allow all; and, as RFC 9309
        # says, a robots.txt that cannot be had (5xx, no answer) disallows all.
        robots = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            status, _, content = self._get_with_retries(origin + "/robots.txt", follow_redirects=True)
        except FetchError:
            robots.disallow_all = True
            return robots
        if status in (401, 403) or status >= 500:
            robots.disallow_all = True
        elif 400 <= status < 500:
            robots.allow_all = True
        else:
            robots.parse(content.decode("utf-8", "replace").splitlines())
        return robots

    def _get_with_retries(self, url: str, follow_redirects: bool = False) -> tuple[int, dict, bytes]:
        """One URL's status, headers and body, retried with doubling waits on timeouts, 429 and 5xx."""
        wait = self.settings.backoff_seconds
        for attempt in range(self.settings.retries + 1):
            last = attempt == self.settings.retries
            try:
                status, headers, content = self._get_once(url, follow_redirects)
            except (requests.Timeout, requests.ConnectionError) as error:
                if last:
                    raise FetchError(f"{url}: no answer after {attempt + 1} attempts ({type(error).__name__})") from None
            except requests.RequestException as error:  # a broken answer (bad encoding, too many redirects): no retry
                raise FetchError(f"{url}: {type(error).__name__}: {str(error)[:200]}") from None
            else:
                if status not in RETRIED_STATUSES or last:
                    return status, headers, content
                wait = max(wait, _retry_after(headers.get("Retry-After")))
            time.sleep(min(wait, self.settings.max_backoff_seconds))
            wait *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _get_once(self, url: str, follow_redirects: bool) -> tuple[int, dict, bytes]:
        self._pause_for(url)
        settings = self.settings
        started = time.monotonic()
        limit = int(settings.max_page_mb * MB)
        try:
            with self.session.get(url, stream=True, allow_redirects=follow_redirects,
                                  timeout=settings.timeout_seconds) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"{url} is {int(declared) / MB:.1f} MB, above fetch.max_page_mb "
                                     f"({settings.max_page_mb:g} MB)")
                body = bytearray()
                for chunk in response.iter_content(CHUNK):
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(f"{url} is larger than fetch.max_page_mb ({settings.max_page_mb:g} MB)")
                    if time.monotonic() - started > settings.max_seconds_per_page:
                        raise FetchError(f"{url} took longer than fetch.max_seconds_per_page "
                                         f"({settings.max_seconds_per_page:g} s)")
                return response.status_code, dict(response.headers), bytes(body)
        finally:
            # The pause runs from the end of the last answer, so a slow site gets more time, never less.
            self._last_request[_host(url)] = time.monotonic()

    def _pause_for(self, url: str) -> None:
        """Sleep until the host's interval since the end of its last request has passed."""
        robots = self._robots.get(_origin(url))
        delay = max(self.settings.seconds_between_requests, float((robots and robots.crawl_delay(ROBOTS_AGENT)) or 0))
        last = self._last_request.get(_host(url))
        if last is not None:
            time.sleep(max(0.0, last + delay - time.monotonic()))


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc.lower()


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _retry_after(value: str | None) -> float:
    """Seconds a Retry-After header asks for (a number; an HTTP date is not read: the back-off applies)."""
    return float(value) if value and value.strip().isdigit() else 0.0


def _now() -> str:
    """The fetch time, UTC to the second: data about the page, never read into the build's tables."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _version() -> str:
    try:
        return importlib.metadata.version("uofdb")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
