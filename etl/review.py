"""`uofdb review`: what a person should look at first in a build, ranked, as a CSV and a summary.

Each row is one thing to decide, with the sentences needed to decide it without opening
the article and a ready-to-fill line for the corrections file (`etl.corrections`): fill in
the value, the reason, the source, your name and the day, and append it to
`data/corrections.csv`.

**The ranking rule.** Rows are ranked by kind, in the order of `KINDS`, then within a kind
by its own measure, largest first, then by id:

1. `conflict`: an incident whose articles disagree on a field (`incident_fields.other_values`);
   a core field (`CORE_FIELDS`) before the others, then the more values seen, then the more articles
   (a field taken with another, such as `borough_code` with `borough`, is asked as that one).
2. `weak_value`: an incident value whose evidence is only an inferred rule
   (`etl.extract.rules.INFERRED`: a default from the place, the kind of force mentioned most)
   or a rule weighing less than a plain mention (`WEAK_WEIGHT`, schema/vocab/rule_weights.json);
   core fields first, then the lighter rule.
3. `unlinked`: a relevant article in no incident, or alone in its incident (a report that may
   belong to another incident, or not be one).
4. `near_threshold`: an article whose relevance score is within `RELEVANCE_MARGIN` of the
   threshold, either side; the nearer first.
5. `not_stated`: an incident with no value in a core field; the more core fields missing first.

Conflicts come first because one of the articles is certainly wrong; a weak value may well be
right; an unlinked or borderline article changes the counts only by one; a gap is no error.
What a correction already settled (a field it set, an article it kept in, took out or split off)
is not asked again.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from etl.corrections import DERIVED
from etl.corrections import RULE as CORRECTION_RULE
from etl.csv_output import write_csv
from etl.extract.relevance import fitted_model
from etl.extract.rules import INFERRED
from etl.extract.weights import fitted as fitted_weights
from etl.tables import read_table
from schema.codebook import NOT_STATED
from schema.models import empty_frame

KINDS = ("conflict", "weak_value", "unlinked", "near_threshold", "not_stated")
# The fields every count of the dataset depends on (when, where, what force, what outcome).
CORE_FIELDS = ("incident_date", "borough", "force_type", "outcome")
# Rule weights are counted in plain mentions (etl/extract/weights.py): lighter than one is weak.
WEAK_WEIGHT = 1.0
# Log-odds either side of the relevance threshold within which a decision is worth a look.
RELEVANCE_MARGIN = 0.5
MAX_QUOTES = 4  # sentences per row: enough to decide, short enough to read in the CSV
COLUMNS = ("rank", "kind", "incident_id", "article_id", "field", "value", "other_values", "why", "quotes",
           "correction")
TABLES = ("articles", "incidents", "incident_fields", "evidence")


def run(processed: Path, out: Path, threshold: float | None = None, margin: float = RELEVANCE_MARGIN) -> pd.DataFrame:
    """Write the review queue of the build in `processed` to `out` (CSV) and return it."""
    # load
    tables = {name: read_table(Path(processed) / f"{name}.parquet", name) for name in TABLES}
    corrections = Path(processed) / "corrections.parquet"  # a build from before corrections has none
    tables["corrections"] = read_table(corrections, "corrections") if corrections.exists() else empty_frame("corrections")
    threshold = fitted_model().threshold if threshold is None else threshold
    # process
    queue = ranked(tables, threshold, margin, weak_rules())
    # save
    write_csv(queue, Path(out))
    return queue


def weak_rules() -> dict[str, float]:
    """Rule name -> weight of the rules whose values deserve a look: inferred ones (0) and light ones."""
    light = {name.replace(".", ":"): weight for name, weight in fitted_weights().items() if weight < WEAK_WEIGHT}
    return {**light, **{name: 0.0 for name in INFERRED}}


def ranked(tables: dict[str, pd.DataFrame], threshold: float, margin: float, weak: dict[str, float]) -> pd.DataFrame:
    """Every row of the queue, ranked by the rule of the module docstring."""
    quotes = QuoteBook(tables["evidence"], tables["articles"])
    rows = (conflicts(tables, quotes) + weak_values(tables, quotes, weak) + unlinked(tables, quotes)
            + near_threshold(tables, quotes, threshold, margin) + not_stated(tables, quotes))
    rows = [row for row in rows if not _decided(row, *decided(tables))]
    rows.sort(key=lambda row: (KINDS.index(row["kind"]), -row["_measure"], row["incident_id"] or "",
                               row["article_id"] or "", row["field"] or ""))
    return pd.DataFrame([{**row, "rank": rank} for rank, row in enumerate(rows, start=1)], columns=list(COLUMNS))


def decided(tables: dict[str, pd.DataFrame]) -> tuple[set[tuple[str, str]], set[str]]:
    """What a correction already settled: (incident, field) pairs it set, and articles it kept in, took
    out or split off (so the queue does not ask again)."""
    fields = tables["incident_fields"]
    settled = fields[fields["merge_rule"] == CORRECTION_RULE]
    corrections = tables.get("corrections")
    articles: set[str] = set()
    if corrections is not None and len(corrections):
        done = corrections[corrections["status"].isin(["applied", "followed"])
                           & corrections["correction_field"].isin(["relevant", "split"])]
        articles = set(done["target"])
    return set(zip(settled["incident_id"], settled["field"])), articles


def _decided(row: dict, fields: set[tuple[str, str]], articles: set[str]) -> bool:
    if row["kind"] in ("unlinked", "near_threshold"):
        return row["article_id"] in articles
    return (row["incident_id"], row["field"]) in fields


class QuoteBook:
    """The sentences behind each article's values and the articles' headlines, for the quotes column."""

    def __init__(self, evidence: pd.DataFrame, articles: pd.DataFrame):
        self.by_field: dict[tuple[str, str], list[dict]] = {}
        for row in evidence.to_dict("records"):
            self.by_field.setdefault((row["article_id"], row["field"]), []).append(row)
        self.headline = dict(zip(articles["article_id"], articles["headline"]))

    def of_field(self, article_ids: list[str], field: str) -> str:
        """Each article's value of the field with the sentence it was read from."""
        quotes = [f"[{article}] {row['value']}: \"{row['sentence'] or row['quote']}\""
                  for article in article_ids for row in self.by_field.get((article, field), [])[:1]]
        return " | ".join(quotes[:MAX_QUOTES])

    def of_article(self, article_id: str, field: str) -> str:
        """An article's headline and the sentences behind one of its values (relevance: its signals)."""
        headline = self.headline.get(article_id)
        quotes = [f"[{article_id}] headline: \"{headline}\""] if isinstance(headline, str) else []
        quotes += [f"[{article_id}] {row['detail'] or row['value']}: \"{row['sentence'] or row['quote']}\""
                   for row in self.by_field.get((article_id, field), [])]
        return " | ".join(quotes[:MAX_QUOTES])


def conflicts(tables: dict[str, pd.DataFrame], quotes: QuoteBook) -> list[dict]:
    """Incidents whose articles disagree on a field."""
    members = _members(tables["incidents"])
    rows = []
    for row in tables["incident_fields"].to_dict("records"):
        others = list(row["other_values"])
        # A field taken with another (borough_code with borough, incident_period with incident_date)
        # disagrees when that one does, or only in how much of the date it gives: no conflict of its own.
        if not others or row["field"] in DERIVED:
            continue
        articles = members.get(row["incident_id"], [])
        measure = (row["field"] in CORE_FIELDS) * 1000 + len(others) * 10 + min(len(articles), 9)
        rows.append(_row("conflict", measure, row["incident_id"], None, row["field"], row["chosen_value"], others,
                         f"{len(others) + 1} values among {len(articles)} articles; chosen by {row['merge_rule']}",
                         quotes.of_field(articles, row["field"])))
    return rows


def weak_values(tables: dict[str, pd.DataFrame], quotes: QuoteBook, weak: dict[str, float]) -> list[dict]:
    """Incident values whose only evidence is an inferred or light rule."""
    evidence = tables["evidence"]
    rules: dict[tuple[str, str], set[str]] = {}
    for article, field, rule in zip(evidence["article_id"], evidence["field"], evidence["rule"]):
        rules.setdefault((article, field), set()).add(rule)
    rows = []
    for row in tables["incident_fields"].to_dict("records"):
        source = row["source_article_id"]
        found = rules.get((source, row["field"]), set()) if isinstance(source, str) else set()
        if not found or not found <= set(weak):
            continue
        lightest = min(weak[rule] for rule in found)
        measure = (row["field"] in CORE_FIELDS) * 1000 + (WEAK_WEIGHT - lightest)
        rows.append(_row("weak_value", measure, row["incident_id"], source, row["field"], row["chosen_value"],
                         list(row["other_values"]), f"read only by {', '.join(sorted(found))}",
                         quotes.of_field([source], row["field"])))
    return rows


def unlinked(tables: dict[str, pd.DataFrame], quotes: QuoteBook) -> list[dict]:
    """Relevant articles in no incident or alone in theirs."""
    articles, incidents = tables["articles"], tables["incidents"]
    alone = set(incidents.loc[incidents["n_articles"] == 1, "incident_id"])
    rows = []
    for article in articles[articles["relevant"].fillna(False).astype(bool)].to_dict("records"):
        incident = article["incident_id"] if isinstance(article["incident_id"], str) else None
        if incident is not None and incident not in alone:
            continue
        why = "relevant but in no incident" if incident is None else "the only article of its incident"
        rows.append(_row("unlinked", 0, incident, article["article_id"], None, None, [], why,
                         quotes.of_article(article["article_id"], "force_type"),
                         correction=(incident, "merge") if incident else (article["article_id"], "relevant")))
    return rows


def near_threshold(tables: dict[str, pd.DataFrame], quotes: QuoteBook, threshold: float, margin: float) -> list[dict]:
    """Articles whose relevance score is within `margin` of the threshold."""
    rows = []
    for article in tables["articles"].to_dict("records"):
        distance = abs(float(article["relevance_score"]) - threshold)
        if distance > margin:
            continue
        incident = article["incident_id"] if isinstance(article["incident_id"], str) else None
        decided = "relevant" if article["relevant"] else "not relevant"
        rows.append(_row("near_threshold", margin - distance, incident, article["article_id"], "relevant",
                         str(bool(article["relevant"])).lower(), [],
                         f"{decided}: score {float(article['relevance_score']):.2f} against threshold {threshold:.2f}",
                         quotes.of_article(article["article_id"], "relevant"),
                         correction=(article["article_id"], "relevant")))
    return rows


def not_stated(tables: dict[str, pd.DataFrame], quotes: QuoteBook) -> list[dict]:
    """Incidents with no value in a core field."""
    members = _members(tables["incidents"])
    rows = []
    for incident in tables["incidents"].to_dict("records"):
        missing = [name for name in CORE_FIELDS if _unstated(incident[name])]
        if not missing:
            continue
        articles = members[incident["incident_id"]]
        rows.append(_row("not_stated", len(missing), incident["incident_id"], None, missing[0], None, [],
                         f"no article states {', '.join(missing)}",
                         " | ".join(filter(None, (quotes.of_article(a, "force_type") for a in articles)))
                         or "(no sentence reports the force)"))
    return rows


def _unstated(value: object) -> bool:
    return bool(pd.isna(value)) or value == NOT_STATED


def _members(incidents: pd.DataFrame) -> dict[str, list[str]]:
    return {row["incident_id"]: sorted(row["article_ids"]) for row in incidents.to_dict("records")}


def _row(kind: str, measure: float, incident: str | None, article: str | None, field: str | None, value: str | None,
         others: list[str], why: str, quotes: str, correction: tuple[str, str] | None = None) -> dict:
    target, corrected = correction or (incident, field)
    return {"kind": kind, "_measure": measure, "incident_id": incident, "article_id": article, "field": field,
            "value": value, "other_values": "; ".join(others), "why": why, "quotes": quotes,
            "correction": correction_line(target, corrected)}


def correction_line(target: str, field: str) -> str:
    """A line of the corrections file with the target and field filled in and the rest to fill."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([target, field, "", "", "", "", ""])
    return buffer.getvalue()


def summary(queue: pd.DataFrame, out: Path, shown: int = 10) -> str:
    """The counts by kind and the first rows, for the terminal."""
    counts = queue["kind"].value_counts()
    lines = [f"uofdb review: {len(queue)} rows ("
             + ", ".join(f"{int(counts.get(kind, 0))} {kind}" for kind in KINDS) + f") -> {out}"]
    for row in queue.head(shown).to_dict("records"):
        subject = row["incident_id"] if isinstance(row["incident_id"], str) else row["article_id"]
        field = f" {row['field']}" if isinstance(row["field"], str) else ""
        lines.append(f"  {row['rank']:>3}. {row['kind']}: {subject}{field}: {row['why']}")
    if len(queue) > shown:
        lines.append(f"  ... and {len(queue) - shown} more in {out}")
    return "\n".join(lines)
