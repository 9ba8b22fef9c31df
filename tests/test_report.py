"""`uofdb report` on the dev corpus: every figure it shows equals a SQL count over the tables, every
incident has its page, and every quote on a page leads to its place in an article's text.

The dev corpus (../shared/corpus/dev/articles) is built once for this module with
`uofdb build`, and the report written from it once; the SQL here is written anew, apart
from the report's own queries, so a wrong query in the report fails a test.
"""
from __future__ import annotations

import csv
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import SHARED
from etl.cli import main

DEV_ARTICLES = SHARED / "corpus" / "dev" / "articles"


@pytest.fixture(scope="module")
def dev_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dev-build")
    assert main(["build", "--raw", str(DEV_ARTICLES), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def site(dev_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dev-report") / "report"
    assert main(["report", "--processed", str(dev_build), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def con(dev_build):
    with duckdb.connect(str(dev_build / "uofdb.duckdb"), read_only=True) as connection:
        yield connection


def sql(con, query: str, params: list | None = None) -> list[tuple]:
    return con.execute(query, params or []).fetchall()


class _Tables(HTMLParser):
    """The tables of a page that carry data-figure, as lists of {column: text}, and the
    headline counts (elements with data-figure that are not tables)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self.headline: dict[str, str] = {}
        self._table = None
        self._row = None
        self._column = None
        self._figure = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-figure" in attrs:
            self._table = self.tables.setdefault(attrs["data-figure"], [])
        elif tag == "tr" and self._table is not None:
            self._row = {}
        elif tag == "td" and self._row is not None:
            self._column, self._text = attrs["data-column"], []
        elif tag == "dd" and "data-figure" in attrs:
            self._figure, self._text = attrs["data-figure"], []

    def handle_endtag(self, tag):
        if tag == "td" and self._column is not None:
            self._row[self._column] = "".join(self._text).strip()
            self._column = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "dd" and self._figure is not None:
            self.headline[self._figure] = "".join(self._text).strip()
            self._figure = None

    def handle_data(self, data):
        self._text.append(data)


def parsed(page: Path) -> _Tables:
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def counts(rows: list[dict], key: str, value: str) -> dict[str, int]:
    return {row[key]: int(row[value]) for row in rows}


YEAR = "try_cast(left(incident_period, 4) AS INTEGER)"


def test_headline_counts_equal_sql(site, con):
    shown = parsed(site / "index.html").headline
    expected = {
        "incidents": sql(con, "select count(*) from incidents")[0][0],
        "fatal": sql(con, "select count(*) from incidents where outcome = 'fatal'")[0][0],
        "firearm": sql(con, "select count(*) from incidents where force_type = 'firearm'")[0][0],
        "articles": sql(con, "select count(*) from articles")[0][0],
        "relevant_articles": sql(con, "select count(*) from articles where relevant")[0][0],
        "rejected": sql(con, "select count(*) from rejects where severity = 'error'")[0][0],
        "flagged": sql(con, "select count(*) from rejects where severity = 'warning'")[0][0],
        "incidents_with_conflicts": sql(con, "select count(distinct incident_id) from incident_fields "
                                             "where len(other_values) > 0")[0][0],
        "first_year": sql(con, f"select min({YEAR}) from incidents")[0][0],
        "last_year": sql(con, f"select max({YEAR}) from incidents")[0][0],
    }
    assert {key: int(shown[key]) for key in expected} == expected
    assert expected["incidents"] > 50 and expected["fatal"] > 0  # the dev corpus, not an empty build


@pytest.mark.parametrize("column", ["outcome", "force_type"])
def test_incidents_per_year_equal_sql(site, con, column):
    table = parsed(site / "index.html").tables[f"per_year_by_{column}"]
    shown = {(int(row["year"]), value): int(count) for row in table for value, count in row.items()
             if value not in ("year", "total") and int(count) > 0}
    expected = {(year, value): n for year, value, n in
                sql(con, f"select {YEAR}, {column}, count(*) from incidents where {YEAR} is not null group by all")}
    assert shown == expected
    assert all(int(row["total"]) == sum(int(count) for value, count in row.items() if value not in ("year", "total"))
               for row in table)
    years = [int(row["year"]) for row in table]
    assert years == list(range(min(years), max(years) + 1))  # years without incidents are shown as zeros
    undated = sql(con, f"select count(*) from incidents where {YEAR} is null")[0][0]
    assert f"Incidents no article dates, not in the chart: {undated}." in (site / "index.html").read_text()


def test_incidents_by_force_equal_sql_counting_each_force_of_an_incident(site, con):
    table = parsed(site / "index.html").tables["by_force"]
    expected = dict(sql(con, "select f, count(*) from (select unnest(string_split(force, '; ')) f from incidents) "
                             "group by f"))
    assert counts(table, "force", "total") == expected
    totals = [int(row["total"]) for row in table]
    assert totals == sorted(totals, reverse=True)
    by_type = {(force, force_type): n for force, force_type, n in sql(con, """
        select f, force_type, count(*) from (select unnest(string_split(force, '; ')) f, force_type from incidents)
        group by all""")}
    assert {(row["force"], key): int(value) for row in table for key, value in row.items()
            if key not in ("force", "total") and value != "—"} == by_type


def test_incidents_by_nation_and_region_equal_sql(site, con):
    tables = parsed(site / "index.html").tables
    nations = {(row["nation"], key): int(value) for row in tables["by_nation"] for key, value in row.items()
               if key not in ("nation", "total") and int(value) > 0}
    assert nations == {(nation, outcome): n for nation, outcome, n in
                       sql(con, "select nation, outcome, count(*) from incidents group by all")}
    regions = {row["region"]: int(row["incidents"]) for row in tables["by_region"]}
    assert {region: n for region, n in regions.items() if n} == dict(
        sql(con, "select region, count(*) from incidents group by 1"))
    # Every region is listed, those without incidents as zeros, London among England's.
    assert {"London", "Wales", "Scotland", "Northern Ireland"} <= set(regions)
    assert {row["region"]: row["nation"] for row in tables["by_region"]}["London"] == "England"
    assert sum(regions.values()) == sql(con, "select count(*) from incidents")[0][0]


def test_incidents_by_district_equal_sql(site, con):
    table = parsed(site / "index.html").tables["by_district"]
    assert counts(table, "district", "incidents") == dict(
        sql(con, "select borough, count(*) from incidents where borough is not null group by 1"))
    assert counts(table, "district", "fatal") == dict(
        sql(con, "select borough, count(*) filter (where outcome = 'fatal') from incidents "
                 "where borough is not null group by 1"))
    assert {row["district"]: row["code"] for row in table} == dict(
        sql(con, "select distinct borough, borough_code from incidents where borough is not null"))


def test_latest_incidents_are_the_latest_by_date_and_link_to_their_pages(site, con):
    index = (site / "index.html").read_text()
    table = parsed(site / "index.html").tables["latest"]
    expected = [incident_id for (incident_id,) in
                sql(con, "select incident_id from incidents order by incident_period desc nulls last, incident_id "
                         "limit 20")]
    assert [row["incident_id"] for row in table] == expected
    for incident_id in expected:
        assert f'<a href="incidents/{incident_id}.html">{incident_id}</a>' in index


def test_data_quality_equals_the_tables(site, con, dev_build):
    tables = parsed(site / "index.html").tables
    assert counts(tables["conflicts"], "field", "incidents") == dict(
        sql(con, "select field, count(*) from incident_fields where len(other_values) > 0 group by 1"))
    # The share of incidents a field is not stated for, counted again with pandas from the Parquet file.
    incidents = pd.read_parquet(dev_build / "incidents.parquet")
    for row in tables["not_stated"]:
        values = incidents[row["field"]]
        unstated = int(values.isna().sum() + (values == "not_stated").fillna(False).sum())
        assert int(row["not_stated"]) == unstated, row["field"]
        assert int(row["incidents"]) == len(incidents)
    assert {row["field"] for row in tables["not_stated"]} >= {"outcome", "force_type", "subject_age", "borough"}
    rejects = sql(con, "select count(*) from rejects")[0][0]
    assert sum(int(row["rows"]) for row in tables.get("rejects", [])) == rejects


def test_the_official_counts_stand_beside_the_datasets_own_count_by_the_same_definition(site, con):
    shown = {(row["measure"], row["financial_year"]): row for row in parsed(site / "index.html").tables["reconciliation"]}
    # Fatal police shootings in England and Wales per financial year (April to March), counted anew.
    counted = dict(sql(con, """
        with dated as (
            select cast(substr(incident_period, 1, 4) as int) as y, cast(substr(incident_period, 6, 2) as int) as m
            from incidents
            where force_type = 'firearm' and outcome = 'fatal' and nation in ('England', 'Wales')
              and length(incident_period) >= 7)
        select (case when m >= 4 then y else y - 1 end) as start, count(*) from dated group by 1"""))
    for (measure, year), row in shown.items():
        if measure == "fatal_police_shootings":
            assert int(row["dataset"]) == counted.get(int(year[:4]), 0), year
    assert {int(year[:4]) for measure, year in shown if measure == "fatal_police_shootings"} >= set(counted)
    official = [row for (measure, _), row in shown.items() if measure == "fatal_police_shootings" and row["official"] != "—"]
    assert official and all(int(row["difference"]) == int(row["dataset"]) - int(row["official"]) for row in official)


def test_every_figure_with_numbers_has_its_chart_and_its_csv(site):
    index = (site / "index.html").read_text()
    tables = parsed(site / "index.html").tables
    charted = [key for key in tables if key not in ("latest", "reconciliation")]  # (tables of figures, no chart)
    assert index.count("<svg") == len(charted) >= 6
    for key, rows in tables.items():
        with open(site / "data" / f"{key}.csv", newline="", encoding="utf-8") as handle:
            written = list(csv.DictReader(handle))
        assert [{column: value for column, value in row.items() if value} for row in written] == \
               [{column: value for column, value in row.items() if value != "—"} for row in rows], key


def test_one_page_per_incident_with_every_field_and_its_chosen_value(site, con):
    pages = {path.stem for path in (site / "incidents").glob("*.html")}
    assert pages == {incident_id for (incident_id,) in sql(con, "select incident_id from incidents")}
    listed = parsed(site / "incidents.html").tables["incidents"]
    assert {row["incident_id"] for row in listed} == pages
    for incident_id, field, chosen in sql(con, "select incident_id, field, chosen_value from incident_fields "
                                               "where incident_id in (select incident_id from incidents limit 10)"):
        page = (site / "incidents" / f"{incident_id}.html").read_text()
        row = re.search(rf'<tr id="field-{field}" data-field="{field}">(.*?)</tr>', page, re.S)
        assert row, (incident_id, field)
        value = re.search(r'<td class="value">(.*?)</td>', row.group(1), re.S).group(1)
        assert html.unescape(value) == (chosen if chosen is not None else '<span class="none">not stated</span>')


def test_every_quote_link_leads_to_that_quote_in_its_article_text(site, con):
    checked = 0
    for page in sorted((site / "incidents").glob("*.html")):
        text = page.read_text()
        for anchor, shown in re.findall(r'<a class="quote[^"]*" href="#([^"]+)" title="[^"]*">(?:✗ [^“]*: )?“(.*?)”</a>',
                                        text, re.S):
            after = text[text.index(f'id="{anchor}"'):]
            visible = html.unescape(re.sub(r"<[^>]+>", "", after.split(">", 1)[1]))
            assert visible.startswith(html.unescape(shown)), (page.name, anchor)
            checked += 1
    evidence = sql(con, """select count(*) from evidence e join articles a using (article_id)
                           where a.incident_id is not null and e.field <> 'relevant'""")[0][0]
    assert checked == evidence


def test_article_text_on_a_page_is_the_article_text(site, con):
    incident_id = sql(con, "select incident_id from incidents order by n_articles desc, incident_id limit 1")[0][0]
    page = (site / "incidents" / f"{incident_id}.html").read_text()
    shown = [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in re.findall(r'<div class="text">(.*?)</div>', page, re.S)]
    expected = [text for (text,) in sql(con, "select text from articles where incident_id = ? "
                                             "order by published_date nulls last, article_id", [incident_id])]
    assert shown == expected and len(expected) > 1


def test_every_page_names_the_build_it_shows(site, con):
    version, commit, inputs = sql(con, "select uofdb_version, git_commit, build_time from build_info")[0]
    line = f"uofdb {version}, commit {(commit or '')[:12] or 'no commit'}, inputs of {inputs}"
    assert all(line in page.read_text() for page in site.rglob("*.html"))


def test_each_article_says_why_it_was_read_as_relevant(site, con):
    for incident_id, signals in sql(con, """
            select a.incident_id, count(*) from evidence e join articles a using (article_id)
            where e.field = 'relevant' and a.incident_id is not null group by 1 order by 1 limit 10"""):
        page = (site / "incidents" / f"{incident_id}.html").read_text()
        listed = re.findall(r"<li><code>(relevance:[a-z_]+)</code>", page)
        assert len(listed) == signals and "relevance:model" in listed, incident_id


def test_the_report_is_byte_reproducible(site, dev_build, tmp_path):
    again = tmp_path / "again"
    assert main(["report", "--processed", str(dev_build), "--out", str(again)]) == 0
    files = sorted(path.relative_to(site) for path in site.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(again) for path in again.rglob("*") if path.is_file())
    assert all((site / name).read_bytes() == (again / name).read_bytes() for name in files)
