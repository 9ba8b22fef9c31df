"""The report's site on small invented builds: hostile article text reaches the pages as text, the
output folder is replaced whole and only when it is a report, and an empty build still reports."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from etl.cli import main, parser
from etl.report.site import MARK

# Two invented reports of one incident; the first carries markup and a script url, as a hostile page would.
HOSTILE = [
    {"id": "r1", "url": "javascript:alert(1)", "published": "2024-03-06",
     "title": "<script>alert('headline')</script> Armed police shoot man in Leeds",
     "text": "Armed officers shot a man dead in Leeds on Tuesday night, West Yorkshire Police said. "
             "<img src=x onerror=alert(1)> The 34-year-old was pronounced dead at the scene near "
             "</div><script>alert('text')</script> Briggate. The Independent Office for Police Conduct has been told."},
    {"id": "r2", "url": "https://example.org/story?a=1&b=\"2\"", "published": "2024-03-07",
     "title": "Man shot by police in Leeds named",
     "text": "A man shot dead by armed police in Leeds on Tuesday has been named by West Yorkshire Police. "
             "He was 35, his family said."},
]


def _build(tmp_path: Path, records: list[dict]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "export.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "build")]) == 0
    return tmp_path / "build"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("hostile")
    build = _build(tmp_path, HOSTILE)
    assert main(["report", "--processed", str(build), "--out", str(tmp_path / "site")]) == 0
    return tmp_path / "site"


def test_hostile_text_headlines_and_urls_are_escaped_on_every_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) == 3  # the front page, the list and the one incident
    for page in pages:
        text = page.read_text()
        assert "<script" not in text and "<img" not in text and "</div><" not in text, page.name
    incident = next((hostile_site / "incidents").glob("*.html")).read_text()
    assert "&lt;script&gt;alert(&#39;headline&#39;)&lt;/script&gt; Armed police shoot man in Leeds" in incident
    assert "&lt;img src=x onerror=alert(1)&gt;" in incident


def test_only_http_urls_become_links(hostile_site):
    incident = next((hostile_site / "incidents").glob("*.html")).read_text()
    assert 'href="javascript:' not in incident
    assert " · javascript:alert(1)" in incident  # shown as text, so the reader still sees it
    assert 'href="https://example.org/story?a=1&amp;b=&#34;2&#34;" rel="nofollow noopener noreferrer"' in incident


def test_a_folder_of_other_files_is_never_replaced(tmp_path, capsys):
    build = _build(tmp_path, HOSTILE[1:])
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    assert main(["report", "--processed", str(build), "--out", str(other)]) == 2
    assert f"{other}: exists and is not a report folder" in capsys.readouterr().err
    assert sorted(path.name for path in other.iterdir()) == ["mine.txt"]


def test_a_previous_report_is_replaced_whole_with_nothing_left_beside_it(tmp_path):
    build = _build(tmp_path, HOSTILE[1:])
    site = tmp_path / "site"
    assert main(["report", "--processed", str(build), "--out", str(site)]) == 0
    (site / "incidents" / "uof-000000000000.html").write_text("a page of an incident no longer built")
    assert main(["report", "--processed", str(build), "--out", str(site)]) == 0
    assert not (site / "incidents" / "uof-000000000000.html").exists()
    assert (site / MARK).exists() and (site / "index.html").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["build", "raw", "site"]


def test_a_build_without_incidents_reports_zero_and_no_charts(tmp_path):
    build = _build(tmp_path, [{"id": "n1", "title": "Council approves new bus lanes",
                               "text": "The council approved three new bus lanes on the ring road after a long debate."}])
    assert main(["report", "--processed", str(build), "--out", str(tmp_path / "site")]) == 0
    index = (tmp_path / "site" / "index.html").read_text()
    assert '<dd data-figure="incidents">0</dd>' in index and '<dd data-figure="articles">1</dd>' in index
    assert "<svg" not in index.split('id="not_stated"')[0]  # no chart of years or forces without incidents
    assert not (tmp_path / "site" / "incidents").exists()
    assert "0 incidents, latest first" in (tmp_path / "site" / "incidents.html").read_text()


def test_a_missing_build_is_one_clear_line(tmp_path, capsys):
    assert main(["report", "--processed", str(tmp_path / "nothing"), "--out", str(tmp_path / "site")]) == 2
    assert "no published database; run `uofdb build` first" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_subcommand_has_a_description_and_an_example():
    report = parser()._subparsers._group_actions[0].choices["report"]
    assert report.description.startswith("Write a static HTML site")
    assert report.epilog.startswith("example: uofdb report")


def test_a_build_of_an_older_layout_is_named_with_what_it_lacks(tmp_path, capsys):
    build = tmp_path / "old"
    build.mkdir()
    with duckdb.connect(str(build / "uofdb.duckdb")) as con:
        con.execute("CREATE TABLE incidents AS SELECT 'uof-000000000001' AS incident_id")
    assert main(["report", "--processed", str(build), "--out", str(tmp_path / "site")]) == 2
    error = capsys.readouterr().err
    assert "the build has no articles, build_info, conflicts, districts, evidence" in error
    assert "older uofdb; build it again" in error and not (tmp_path / "site").exists()
