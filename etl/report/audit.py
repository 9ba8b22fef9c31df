"""An incident's audit page as data: every field, its value and the quotes behind it, and its
articles' text with those quotes highlighted.

`incident_views(...)` groups the rows of `etl.report.queries` (incidents, incident_fields,
articles, evidence) by incident and returns one `IncidentView` each; the template renders it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup

from etl.report.highlight import Quote, highlighted
from schema.codebook import COLUMNS, EVENT_FIELDS

# An incident id becomes a file name: letters, digits, "-" and "_" only (ids are "uof-" and hex).
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
LINKED_SCHEMES = ("http", "https")  # an article's url is a link only with these; else it is shown as text
SIGNAL_QUOTE_SHOWN = 160  # characters of a relevance signal's quote shown (a signal may quote the whole article)


@dataclass(frozen=True)
class Signal:
    """Why an article was read as relevant: the rule, what it weighed, and the start of its quote."""

    rule: str
    detail: str | None
    quote: str


@dataclass(frozen=True)
class QuoteLink:
    """One quote behind a field: where it is on the page and what value it gave."""

    anchor: str
    article: str
    quote: str
    value: str
    agrees: bool
    rule: str


@dataclass(frozen=True)
class FieldView:
    """One row of an incident's field table."""

    name: str
    description: str
    value: str | None
    merge_rule: str
    source: str | None        # anchor of the article the value came from
    source_label: str | None
    quotes: tuple[QuoteLink, ...]
    other_values: tuple[str, ...]


@dataclass(frozen=True)
class ArticleView:
    """One article of an incident, its text highlighted."""

    anchor: str
    label: str
    article_id: str
    headline: str | None
    outlet: str | None
    url: str | None
    linkable: bool
    published_date: object
    relevance_score: float
    duplicate_of: str | None
    copy_of: str | None
    text: Markup
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class IncidentView:
    incident_id: str
    incident: dict
    fields: tuple[FieldView, ...]
    articles: tuple[ArticleView, ...]


def incident_views(incidents: list[dict], fields: list[dict], articles: list[dict],
                   evidence: list[dict], relevance: list[dict]) -> list[IncidentView]:
    """One view per incident, in the order of `incidents`."""
    fields_of = _grouped(fields)
    articles_of = _grouped(articles)
    evidence_of = _grouped(evidence)
    relevance_of = _grouped(relevance)
    return [incident_view(row, fields_of.get(row["incident_id"], []), articles_of.get(row["incident_id"], []),
                          evidence_of.get(row["incident_id"], []), relevance_of.get(row["incident_id"], []))
            for row in incidents]


def incident_view(incident: dict, fields: list[dict], articles: list[dict], evidence: list[dict],
                  relevance: list[dict]) -> IncidentView:
    """The view of one incident from its own rows."""
    incident_id = safe_id(incident["incident_id"])
    anchors = {article["article_id"]: f"a{number}" for number, article in enumerate(articles, start=1)}
    labels = {article["article_id"]: f"article {number}" for number, article in enumerate(articles, start=1)}
    for row in evidence:
        if row["article_id"] not in anchors:
            raise ValueError(f"incident {incident_id}: evidence of {row['field']} names article {row['article_id']!r}, "
                             f"which is not one of its articles")
    # Quotes in page order (the articles' order, then where they stand in the text); each gets an
    # anchor: its article's and its number on the page.
    position = {article_id: number for number, article_id in enumerate(anchors)}
    in_order = sorted(evidence, key=lambda row: (position[row["article_id"]], row["start"], row["end"], row["field"]))
    numbered = [(row, f"{anchors[row['article_id']]}-q{number}") for number, row in enumerate(in_order, start=1)]
    chosen = {row["field"]: row for row in fields}
    views = []
    for name in [name for name in EVENT_FIELDS if name in chosen]:
        row = chosen[name]
        views.append(FieldView(
            name, COLUMNS[name].description, row["chosen_value"], row["merge_rule"],
            anchors.get(row["source_article_id"]), labels.get(row["source_article_id"]),
            tuple(QuoteLink(anchor, labels[quote["article_id"]], quote["quote"], quote["value"],
                            quote["value"] == row["chosen_value"], quote["rule"])
                  for quote, anchor in numbered if quote["field"] == name),
            tuple(row["other_values"] or ())))
    return IncidentView(incident_id, incident, tuple(views),
                        tuple(article_view(article, anchors[article["article_id"]], labels[article["article_id"]],
                                           [(quote, anchor) for quote, anchor in numbered
                                            if quote["article_id"] == article["article_id"]],
                                           [signal for signal in relevance
                                            if signal["article_id"] == article["article_id"]])
                              for article in articles))


def article_view(article: dict, anchor: str, label: str, quotes: list[tuple[dict, str]],
                 signals: list[dict]) -> ArticleView:
    """An article with its quotes highlighted in its text, and why it was read as relevant."""
    url = article["url"]
    return ArticleView(
        anchor, label, article["article_id"], article["headline"], article["outlet"], url,
        linkable(url),
        article["published_date"], article["relevance_score"], article["duplicate_of"], article["copy_of"],
        highlighted(article["text"], [Quote(row["start"], row["end"], quote_anchor, f"{row['field']}: {row['value']}")
                                      for row, quote_anchor in quotes],
                    f"article {article['article_id']!r} (incident {article['incident_id']})"),
        tuple(Signal(row["rule"], row["detail"], shortened(row["quote"])) for row in signals))


def shortened(quote: str) -> str:
    """A quote cut to SIGNAL_QUOTE_SHOWN characters, with an ellipsis when cut."""
    return quote if len(quote) <= SIGNAL_QUOTE_SHOWN else quote[:SIGNAL_QUOTE_SHOWN].rstrip() + "…"


def linkable(url: str | None) -> bool:
    """Whether an article's url may be a link: http or https only (never javascript: or data:)."""
    try:
        return url is not None and urlsplit(url).scheme.lower() in LINKED_SCHEMES
    except ValueError:  # not a url at all (an unclosed [ of an IPv6 host): shown as text
        return False


def safe_id(incident_id: str) -> str:
    """The incident id, checked to be usable as a file name."""
    if not isinstance(incident_id, str) or not SAFE_ID.fullmatch(incident_id):
        raise ValueError(f"incidents: incident_id {incident_id!r} cannot name a page (letters, digits, - and _ only)")
    return incident_id


def _grouped(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows by their incident_id, each group in the rows' order."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["incident_id"], []).append(row)
    return groups
