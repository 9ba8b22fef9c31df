"""The report's charts: Altair specifications rendered to SVG offline with vl-convert.

Each function takes the rows of one query (`etl.report.queries`) and returns an SVG
document as text. The data is inlined in the specification, nothing is fetched, and the
same rows give the same bytes.
"""
from __future__ import annotations

import altair as alt
import vl_convert

from schema.codebook import NOT_STATED

WIDTH = 640          # px: the width of the page's text column (style.css, main)
BAR_STEP = 18        # px per bar of a ranked chart, so its labels never overlap
MIN_YEAR_STEP = 8    # px per year at least: narrower, a year's bar is no longer seen
MAX_YEAR_STEP = 48   # px per year at most, so a short span of years still reads as bars
# Colours for the values of one vocabulary in the codebook's order (Tableau 10, readable by
# most colour-blind readers); not_stated is always grey, so a gap looks like a gap.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
UNSTATED_COLOUR = "#bab0ac"
# vl-convert measures labels in Liberation Sans (which it bundles); Arial and Helvetica have the same
# widths, so the labels a browser draws fit the room measured for them.
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart rendered to an SVG document, with no data fetched from anywhere."""
    return vl_convert.vegalite_to_svg(chart.configure(font=FONT).to_dict(), allowed_base_urls=[])


def colours(values: list[str]) -> alt.Scale:
    """A colour scale over `values` in their order, not_stated in grey."""
    named = [value for value in values if value != NOT_STATED]
    if len(named) > len(PALETTE):
        raise ValueError(f"{len(named)} values to colour but {len(PALETTE)} colours: {', '.join(named)}")
    domain = named + ([NOT_STATED] if NOT_STATED in values else [])
    return alt.Scale(domain=domain, range=list(PALETTE[:len(named)]) + ([UNSTATED_COLOUR] if NOT_STATED in values else []))


def per_year(rows: list[dict], legend: str) -> str:
    """Stacked bars: incidents per year, split by a vocabulary's values (rows of queries.per_year)."""
    values = list(dict.fromkeys(row["value"] for row in rows))
    data = alt.Data(values=[{"year": str(row["year"]), "value": row["value"], "incidents": row["incidents"],
                             "order": values.index(row["value"])} for row in rows])
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("sum(incidents):Q", title="incidents", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("value:N", scale=colours(values), title=legend),
        order=alt.Order("order:Q"),
    ).properties(width=alt.Step(year_step(len({row["year"] for row in rows}))), height=220)
    return svg(chart)


def year_step(years: int) -> int:
    """Pixels per year: the years fill the text column, but a few years do not make slabs."""
    return max(MIN_YEAR_STEP, min(MAX_YEAR_STEP, WIDTH // max(years, 1)))


def stacked_bars(rows: list[dict], label: str, split: str, values: list[str], legend: str) -> str:
    """Horizontal bars of `incidents` per `label` (in the rows' order), split by `split`, whose
    values are coloured in the order of `values`."""
    labels = list(dict.fromkeys(row[label] for row in rows))
    data = alt.Data(values=[{"label": row[label], "split": row[split], "incidents": row["incidents"],
                             "order": values.index(row[split]) if row[split] in values else len(values)}
                            for row in rows])
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("sum(incidents):Q", title="incidents", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("split:N", scale=colours(values), title=legend),
        order=alt.Order("order:Q"),
    ).properties(width=WIDTH - 300, height=alt.Step(BAR_STEP))
    return svg(chart)


def ranked(rows: list[dict], label: str, count: str, title: str) -> str:
    """Horizontal bars of `count` per `label`, in the rows' order (already ranked by the query)."""
    labels = [row[label] for row in rows]
    data = alt.Data(values=[{"label": row[label], "count": row[count]} for row in rows])
    chart = alt.Chart(data).mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("count:Q", title=title, axis=alt.Axis(tickMinStep=1)),
    ).properties(width=WIDTH - 300, height=alt.Step(BAR_STEP))
    return svg(chart)


def shares(rows: list[dict], label: str, share: str, title: str) -> str:
    """Horizontal bars of a share (0 to 1) per `label`, in the rows' order."""
    labels = [row[label] for row in rows]
    data = alt.Data(values=[{"label": row[label], "share": row[share] or 0.0} for row in rows])
    chart = alt.Chart(data).mark_bar(color=UNSTATED_COLOUR).encode(
        y=alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("share:Q", title=title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
    ).properties(width=WIDTH - 300, height=alt.Step(BAR_STEP))
    return svg(chart)
