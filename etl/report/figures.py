"""The front page's figures: each a title, a note, a chart and the table of numbers behind it.

`front_page(data)` turns the query results (`etl.report.queries`, gathered in
`etl.report.site.ReportData`) into `Figure`s; the template shows each chart with its table,
and the site writes each table as `data/<key>.csv`. Nothing here counts: every number is a
query's, reshaped (a pivot) at most.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from etl.report import charts
from schema.codebook import COLUMNS, NOT_STATED

if TYPE_CHECKING:  # site imports this module
    from etl.report.site import ReportData

LATEST_SHOWN = 20      # incidents in the front page's "latest" table; every incident is in incidents.html
FORCES_CHARTED = 30    # bars in the by-force chart; taller stops being read at a glance (the table lists all)
DISTRICTS_CHARTED = 30  # bars in the districts chart, for the same reason


@dataclass(frozen=True)
class Link:
    """A table cell that links to a page of the report."""

    text: str
    href: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Figure:
    """One section of the front page: its chart (an SVG document, or None for a table alone) and
    the table of its numbers, `columns` being (row key, heading) pairs."""

    key: str
    title: str
    note: str
    svg: str | None
    columns: tuple[tuple[str, str], ...]
    rows: list[dict] = field(default_factory=list)


def incident_page(incident_id: str) -> str:
    """The path of an incident's page, relative to the site's root."""
    return f"incidents/{incident_id}.html"


def front_page(data: ReportData) -> list[Figure]:
    """Every figure of the front page, in reading order."""
    return ([per_year(data.per_year_outcome, "outcome", data.headline["undated"]),
             per_year(data.per_year_force_type, "force_type", data.headline["undated"]),
             by_force(data.by_force, data.force_not_stated)]
            + by_nation_and_region(data)
            + [by_district(data.by_district, data.district_not_stated),
               latest(data.latest)]
            + ([reconciliation(data.reconciliation)] if data.reconciliation is not None else [])
            + quality(data))


RECONCILIATION_COLUMNS = (("source", "source"), ("measure", "measure"), ("definition", "counted as"),
                          ("financial_year", "financial year"), ("official", "official"), ("dataset", "dataset"),
                          ("difference", "difference"), ("incidents", "incidents counted"))


def reconciliation(rows: list[dict]) -> Figure:
    """The dataset's counts per financial year beside the official ones (`etl.reconcile.compare`)."""
    return Figure("reconciliation", "Against the official counts",
                  "Per official measure and financial year (April to March), the official figure and the "
                  "dataset's count of incidents by the same definition (uofdb reconcile; the figures, their "
                  "sources and quotes are in data/reference/). A blank official figure stays blank. The dataset "
                  "counts only the incidents its articles report, so a count below the official one says how "
                  "much of the record the articles read cover, not that the official figure is wrong.",
                  None, RECONCILIATION_COLUMNS,
                  [{**row, "incidents": ", ".join(row["incident_ids"]) or None} for row in rows])


def per_year(rows: list[dict], column: str, undated: int) -> Figure:
    """Incidents per year split by the values of `column`, with a row total."""
    values = list(dict.fromkeys(row["value"] for row in rows))
    table: dict[int, dict] = {}
    for row in rows:
        line = table.setdefault(row["year"], {"year": row["year"], "total": row["year_total"]})
        line[row["value"]] = row["incidents"]
    label = column.replace("_", " ")
    return Figure(f"per_year_by_{column}", f"Incidents per year by {label}",
                  f"The year of the incident as far as its articles date it. Incidents no article dates, "
                  f"not in the chart: {undated}.",
                  charts.per_year(rows, label) if rows else None,
                  (("year", "year"),) + tuple((value, value) for value in values) + (("total", "total"),),
                  list(table.values()))


def by_force(rows: list[dict], not_stated: int) -> Figure:
    """Incidents per force split by force type, most first."""
    force_types = list(COLUMNS["force_type"].values)
    table: dict[str, dict] = {}
    for row in rows:
        line = table.setdefault(row["force"], {"force": row["force"], "total": row["force_total"]})
        line[row["force_type"]] = row["incidents"]
    present = [value for value in force_types if any(value in line for line in table.values())]
    return Figure("by_force", "Incidents by police force",
                  f"An incident in which officers of several forces used force counts once for each. "
                  f"The chart shows the {FORCES_CHARTED} forces with most incidents; the table lists them all. "
                  f"No force named: {not_stated}.",
                  charts.stacked_bars([row for row in rows if row["force"] in _first(rows, "force", FORCES_CHARTED)],
                                      "force", "force_type", force_types, "force type") if rows else None,
                  (("force", "force"),) + tuple((value, value) for value in present) + (("total", "total"),),
                  list(table.values()))


def by_nation_and_region(data: ReportData) -> list[Figure]:
    """Incidents per nation of the UK by outcome, and per region (England's ONS regions, and the
    other three nations, each its own region)."""
    outcomes = list(COLUMNS["outcome"].values)
    table: dict[str, dict] = {}
    for row in data.by_nation:
        line = table.setdefault(row["nation"], {"nation": row["nation"], "total": row["nation_total"]})
        line[row["outcome"]] = row["incidents"]
    any_incident = any(row["incidents"] for row in data.by_nation)
    nations = Figure("by_nation", "Incidents by nation",
                     "The nation of the incident's district, else the one nation its forces police; "
                     "not_stated when neither tells.",
                     charts.stacked_bars(data.by_nation, "nation", "outcome", outcomes, "outcome") if any_incident else None,
                     (("nation", "nation"),) + tuple((value, value) for value in outcomes) + (("total", "total"),),
                     list(table.values()))
    nation_values = list(COLUMNS["nation"].values)
    regions = Figure("by_region", "Incidents by region",
                     "The nine ONS regions of England; Wales, Scotland and Northern Ireland are each their own "
                     "region. Regions without incidents are shown as zeros.",
                     charts.stacked_bars([{**row, "nation": row["nation"] or NOT_STATED} for row in data.by_region],
                                         "region", "nation", nation_values, "nation") if any_incident else None,
                     (("region", "region"), ("nation", "nation"), ("incidents", "incidents"), ("fatal", "fatal")),
                     data.by_region)
    return [nations, regions]


def _first(rows: list[dict], key: str, shown: int) -> set:
    """The first `shown` distinct values of `key` in the rows' order."""
    return set(list(dict.fromkeys(row[key] for row in rows))[:shown])


def by_district(rows: list[dict], not_stated: int) -> Figure:
    """Incidents per local authority district, ranked (no boundary data ships with the project,
    so a ranked chart stands in for a map)."""
    return Figure("by_district", "Incidents by local authority district",
                  f"Ranked by incidents; the chart shows the {DISTRICTS_CHARTED} districts with most, the table "
                  f"lists every district with an incident. No district given: {not_stated}.",
                  charts.ranked(rows[:DISTRICTS_CHARTED], "district", "incidents", "incidents") if rows else None,
                  (("district", "district"), ("code", "ONS code"), ("region", "region"), ("incidents", "incidents"),
                   ("fatal", "fatal")),
                  rows)


def latest(rows: list[dict]) -> Figure:
    """The latest incidents, each linked to its page."""
    return Figure("latest", "Latest incidents",
                  f"The {LATEST_SHOWN} latest by the date as far as their articles give it; "
                  f"every incident is in the list of all incidents.",
                  None, INCIDENT_COLUMNS, incident_rows(rows))


INCIDENT_COLUMNS = (("incident_id", "incident"), ("incident_period", "date"), ("district", "district"),
                    ("region", "region"), ("force", "force"), ("force_type", "force type"), ("outcome", "outcome"),
                    ("n_articles", "articles"), ("conflicts", "fields in conflict"), ("headline", "headline"))


def incident_rows(rows: list[dict]) -> list[dict]:
    """Incident lines with the id linking to the incident's page."""
    return [{**row, "incident_id": Link(row["incident_id"], incident_page(row["incident_id"]))} for row in rows]


def quality(data: ReportData) -> list[Figure]:
    """What the dataset does not know or could not read: the share of incidents each field is not
    stated for, the fields articles disagree on, and the rejected or flagged inputs."""
    unstated = Figure("not_stated", "Fields no article states",
                      "Per field, the share of incidents for which no article gives a value "
                      "(not_stated, or null for open fields such as age and time).",
                      charts.shares(data.not_stated, "field", "share", "share of incidents") if data.not_stated else None,
                      (("field", "field"), ("not_stated", "not stated"), ("incidents", "incidents"), ("share", "share")),
                      [{**row, "share": f"{row['share']:.1%}" if row["share"] is not None else ""} for row in data.not_stated])
    conflicts = Figure("conflicts", "Fields the articles disagree on",
                       f"Per field, the incidents whose articles gave more than one value (the conflicts view); "
                       f"{data.headline['incidents_with_conflicts']} incidents have at least one. Each incident's page "
                       f"shows the values and the quotes.",
                       charts.ranked(data.conflicts, "field", "incidents", "incidents") if data.conflicts else None,
                       (("field", "field"), ("incidents", "incidents")), data.conflicts)
    rejects = Figure("rejects", "Rejected and flagged inputs",
                     f"Per stage and check, the inputs and rows kept out of the tables (error: "
                     f"{data.headline['rejected']}) or published with a flag (warning: {data.headline['flagged']}); "
                     f"the rejects table gives each one's reason.",
                     charts.ranked([{**row, "label": f"{row['check_id']} ({row['severity']})"} for row in data.rejects],
                                   "label", "rows", "rows") if data.rejects else None,
                     (("stage", "stage"), ("check_id", "check"), ("severity", "severity"), ("rows", "rows")),
                     data.rejects)
    return [unstated, conflicts, rejects]
