"""`uofdb fetch`: polite downloads into the raw folder, against a local HTTP server the tests start."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from etl import fetch, params
from etl.build import build
from etl.cli import main
from etl.tables import read_table

INTERVAL = 0.3  # seconds between two requests to one host, small for the tests

PAGE = """<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>Armed officers were called to a house in an invented street on Tuesday evening after reports of a man
with a knife, the force said in a statement written for this test.</p>
<p>An officer discharged a Taser and the man, aged 41, was taken to hospital, where he remains in a stable
condition. The watchdog has been informed, as is routine after force is used.</p>
<p>Neighbours described hearing shouting before the officers arrived at the scene shortly after nine.</p>
</article></body></html>"""


class Site:
    """A local web site: routes to answers (each a list served in turn, the last one repeated), and a log
    of every request as (path, server time, user agent)."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, dict, bytes]]] = {}
        self.log: list[tuple[str, float, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.log.append((self.path, time.monotonic(), self.headers.get("User-Agent", "")))
                answers = site.routes.get(self.path, [(404, {}, b"not found")])
                status, headers, body = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def page(self, path: str, title: str) -> str:
        self.routes[path] = [(200, {}, PAGE.format(title=title).encode())]
        return self.base + path

    def requests_to(self, path: str) -> list[float]:
        return [at for requested, at, _ in self.log if requested == path]


@pytest.fixture
def site():
    served = Site()
    served.routes["/robots.txt"] = [(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")]
    served.thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


@pytest.fixture
def params_file(tmp_path) -> Path:
    """A params.yaml with a short pause between requests and short back-offs."""
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"fetch": {"seconds_between_requests": INTERVAL, "backoff_seconds": 0.1,
                                              "retries": 3, "timeout_seconds": 5}}))
    return path


def fetch_list(tmp_path: Path, params_file: Path, raw: Path, *lines: str) -> int:
    listed = tmp_path / "urls.txt"
    listed.write_text("\n".join(lines) + "\n")
    return main(["--params", str(params_file), "fetch", str(listed), "--raw", str(raw)])


def test_fetched_pages_are_read_by_the_build_with_their_urls(site, tmp_path, params_file, capsys):
    first, second = site.page("/news/one", "Man taken to hospital after Taser"), site.page("/news/two", "Officers called")
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, "# invented pages", first, "", f"{second}#comments  # a note") == 0
    assert "2 URLs: 2 fetched, 0 already fetched, 0 failed" in capsys.readouterr().out
    record = json.loads((raw / (fetch.page_name(first) + ".fetch.json")).read_text())
    assert record["url"] == first and record["status"] == 200 and record["fetched_at"].endswith("Z")

    build(raw, tmp_path / "out", params.load(None))
    articles = read_table(tmp_path / "out" / "articles.parquet", "articles")
    assert sorted(articles["url"]) == sorted([first, second])
    assert set(articles["article_id"]) == {fetch.page_name(first), fetch.page_name(second)}
    assert set(articles["outlet"]) == {"127.0.0.1"}
    assert len(read_table(tmp_path / "out" / "rejects.parquet", "rejects")) == 0  # the fetch records are no rejects
    assert all(agent.startswith("uofdb/") for _, _, agent in site.log)


def test_robots_txt_disallow_is_obeyed(site, tmp_path, params_file, capsys):
    private = site.page("/private/page", "Not to be fetched")
    allowed = site.page("/public/page", "Fetched")
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, private, allowed) == 1
    assert "robots.txt" in capsys.readouterr().err
    assert site.requests_to("/private/page") == [] and len(site.requests_to("/public/page")) == 1
    assert sorted(path.name for path in raw.iterdir()) == sorted([fetch.page_name(allowed),
                                                                 fetch.page_name(allowed) + ".fetch.json"])


def test_a_second_fetch_does_not_refetch(site, tmp_path, params_file, capsys):
    url = site.page("/news/once", "Fetched once")
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, url, url) == 0
    assert fetch_list(tmp_path, params_file, raw, url) == 0
    assert "1 URLs: 0 fetched, 1 already fetched" in capsys.readouterr().out
    assert len(site.requests_to("/news/once")) == 1


def test_a_503_is_retried_with_back_off_then_succeeds(site, tmp_path, params_file):
    url = site.page("/news/busy", "Busy server")
    site.routes["/news/busy"][:0] = [(503, {}, b"busy"), (503, {}, b"busy")]
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, url) == 0
    times = site.requests_to("/news/busy")
    assert len(times) == 3
    assert (raw / fetch.page_name(url)).read_bytes() == PAGE.format(title="Busy server").encode()


def test_a_page_that_keeps_failing_is_given_up_after_the_retries(site, tmp_path, params_file, capsys):
    url = site.base + "/news/down"
    site.routes["/news/down"] = [(500, {}, b"down")]
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, url) == 1
    assert "HTTP 500" in capsys.readouterr().err
    assert len(site.requests_to("/news/down")) == 1 + 3
    assert list(raw.iterdir()) == []


def test_the_rate_limit_holds_for_every_request_to_a_host(site, tmp_path, params_file):
    urls = [site.page(f"/news/{number}", f"Page {number}") for number in range(4)]
    assert fetch_list(tmp_path, params_file, tmp_path / "raw", *urls) == 0
    times = [at for _, at, _ in site.log]
    assert len(times) == 5  # robots.txt, then the four pages
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= INTERVAL, gaps  # timed by the server: each pause starts when the last answer ended


def test_redirects_are_followed_and_the_page_keeps_the_address_that_served_it(site, tmp_path, params_file):
    final = site.page("/news/moved-here", "Moved")
    site.routes["/news/old"] = [(301, {"Location": "/news/moved-here"}, b"")]
    site.routes["/news/to-private"] = [(302, {"Location": "/private/secret"}, b"")]
    site.routes["/news/to-ftp"] = [(302, {"Location": "ftp://127.0.0.1/file"}, b"")]
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, *(site.base + path for path in
                                                   ("/news/old", "/news/to-private", "/news/to-ftp"))) == 1
    assert json.loads((raw / (fetch.page_name(site.base + "/news/old") + ".fetch.json")).read_text())["url"] == final
    assert site.requests_to("/private/secret") == []
    assert len(list(raw.glob("*.html"))) == 1


def test_feed_items_are_the_pages_from_a_feed_file_or_a_feed_url(site, tmp_path, params_file):
    links = [site.page("/news/feed-1", "From the feed"), site.page("/news/feed-2", "Also from the feed")]
    items = "".join(f"<item><title>Item</title><link>{link}</link></item>" for link in links)
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Invented</title>{items}</channel></rss>'
    (tmp_path / "feed.xml").write_text(feed)
    assert main(["--params", str(params_file), "fetch", str(tmp_path / "feed.xml"), "--raw", str(tmp_path / "a")]) == 0
    assert {path.name for path in (tmp_path / "a").glob("*.html")} == {fetch.page_name(link) for link in links}

    site.routes["/feed.rss"] = [(200, {"Content-Type": "application/rss+xml"}, feed.encode())]
    assert main(["--params", str(params_file), "fetch", site.base + "/feed.rss", "--raw", str(tmp_path / "b")]) == 0
    assert {path.name for path in (tmp_path / "b").glob("*.html")} == {fetch.page_name(link) for link in links}


def test_a_page_too_large_or_not_html_is_not_written(site, tmp_path, capsys):
    small = tmp_path / "params.yaml"
    small.write_text(yaml.safe_dump({"fetch": {"seconds_between_requests": 0, "max_page_mb": 0.001}}))
    site.routes["/big"] = [(200, {}, b"<p>" + b"x" * 5000 + b"</p>")]
    site.routes["/file.pdf"] = [(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")]
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, small, raw, site.base + "/big", site.base + "/file.pdf") == 1
    error = capsys.readouterr().err
    assert "fetch.max_page_mb" in error and "application/pdf" in error
    assert list(raw.iterdir()) == []


def test_a_line_that_is_no_url_is_named_before_anything_is_fetched(site, tmp_path, params_file, capsys):
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, site.page("/news/a", "A"), "www.example.org/no-scheme") == 2
    assert "urls.txt line 2" in capsys.readouterr().err
    assert site.log == []


# --- ingest reads the fetch records -------------------------------------------------------

def test_a_fetch_record_without_its_page_is_a_reject_and_a_bad_one_a_warning(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "kept.html").write_text(PAGE.format(title="Kept"))
    (raw / "kept.html.fetch.json").write_text("{not json")
    (raw / "gone.html.fetch.json").write_text(json.dumps({"url": "http://127.0.0.1/gone"}))
    (raw / "huge.html").write_text(PAGE.format(title="Huge record"))
    (raw / "huge.html.fetch.json").write_text(json.dumps({"url": "http://127.0.0.1/huge", "pad": "x" * 100_000}))
    build(raw, tmp_path / "out", params.load(None))
    articles = read_table(tmp_path / "out" / "articles.parquet", "articles")
    rejects = read_table(tmp_path / "out" / "rejects.parquet", "rejects")
    assert sorted(articles["article_id"]) == ["huge.html", "kept.html"] and articles["url"].isna().all()
    found = {(row["source_path"], row["check_id"], row["severity"]) for row in rejects.to_dict("records")}
    assert found == {("gone.html.fetch.json", "ingest.orphan_fetch_record", "error"),
                     ("kept.html.fetch.json", "ingest.bad_fetch_record", "warning"),
                     ("huge.html.fetch.json", "ingest.bad_fetch_record", "warning")}


def test_a_page_edited_after_its_fetch_is_flagged(site, tmp_path, params_file):
    url = site.page("/news/edited", "Edited later")
    raw = tmp_path / "raw"
    assert fetch_list(tmp_path, params_file, raw, url) == 0
    page = raw / fetch.page_name(url)
    page.write_text(page.read_text().replace("Tuesday", "Wednesday"))
    build(raw, tmp_path / "out", params.load(None))
    rejects = read_table(tmp_path / "out" / "rejects.parquet", "rejects")
    assert list(rejects["check_id"]) == ["ingest.fetched_page_changed"]
    assert list(read_table(tmp_path / "out" / "articles.parquet", "articles")["url"]) == [url]
