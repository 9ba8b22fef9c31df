"""The report's pages as HTML: Jinja2 templates (etl/report/templates/) with every value escaped.

Autoescaping is on for every template, so article text, headlines, quotes and urls, which
are hostile input, reach the page as text; only the SVG charts (rendered by vl-convert,
which escapes its labels) and the highlighted article text (escaped by
`etl.report.highlight`) are inserted as markup.
"""
from __future__ import annotations

from functools import cache

import jinja2

from etl.report.audit import IncidentView
from etl.report.figures import INCIDENT_COLUMNS, Figure, incident_rows

# The headline counts on the front page, in order: (key of queries.headline, label).
HEADLINE_LABELS = (("incidents", "incidents"), ("fatal", "fatal"), ("firearm", "police firearms used"),
                   ("first_year", "from"), ("last_year", "to"), ("articles", "articles read"),
                   ("relevant_articles", "articles reporting force"),
                   ("incidents_with_conflicts", "incidents with conflicting values"),
                   ("rejected", "inputs rejected"), ("flagged", "inputs flagged"))
COMMIT_SHOWN = 12  # hex digits of the build's commit in a page's footer, as git log --abbrev shows them

@cache  # the environment only loads templates; it holds no results
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("etl.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=False, keep_trailing_newline=True)


def build_line(build: dict) -> str:
    """The build a page shows, in a few words (from the build_info table)."""
    commit = (build["git_commit"] or "")[:COMMIT_SHOWN] or "no commit"
    return (f"uofdb {build['uofdb_version']}, commit {commit}, inputs of {build['build_time']}, "
            f"codebook {build['codebook_version']}")


def front(headline: dict, figures: list[Figure], build: str) -> str:
    """index.html: the headline counts and every figure."""
    return environment().get_template("index.html.j2").render(
        root="", build=build, headline=headline, headline_labels=HEADLINE_LABELS, figures=figures)


def incident_list(lines: list[dict], build: str) -> str:
    """incidents.html: every incident, latest first, linked to its page."""
    figure = Figure("incidents", "All incidents",
                    f"{len(lines)} incidents, latest first by the date as far as their articles give it.",
                    None, INCIDENT_COLUMNS, incident_rows(lines))
    return environment().get_template("incidents.html.j2").render(root="", build=build, figure=figure)


def incident(view: IncidentView, build: str) -> str:
    """incidents/<id>.html: one incident's fields, quotes and articles."""
    return environment().get_template("incident.html.j2").render(
        root="../", build=build, view=view, summary=summary(view.incident))


def summary(incident: dict) -> str:
    """One line saying what the incident is: when, where, which force, what force and outcome."""
    parts = [incident["incident_period"] or "undated", incident["borough"] or "district not stated",
             incident["region"] if incident["region"] != incident["nation"] else None, incident["nation"],
             incident["force"] or "force not stated", incident["force_type"], incident["outcome"],
             f"{incident['n_articles']} article{'s' if incident['n_articles'] != 1 else ''}"]
    return " · ".join(str(part) for part in parts if part is not None)
