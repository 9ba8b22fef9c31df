"""Stage 2, extract: one row of codebook fields per article, each value with its evidence.

`extract_article` is pure and works on one article at a time, so the stage can be
run over any batch or partition of articles (and later in parallel).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from etl.extract import dates, events, places
from etl.extract.relevance import relevance
from etl.extract.text import Found, sentences as split_sentences
from etl.ingest import dateline_end
from etl.progress import Progress
from etl.tables import read_table, write_table
from schema import vocab
from schema.codebook import COLUMNS, EVENT_FIELDS, TABLES

# What a field holds when the article does not say.
UNSTATED = {name: COLUMNS[name].unstated for name in EVENT_FIELDS}


def run(ingested_path: Path, out_dir: Path, relevance_threshold: float,
        progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extract every article of `ingested_path`; write `extractions` and `evidence` to `out_dir`."""
    # load
    articles = read_table(ingested_path, "ingested")
    # process
    extractions, evidence = extract_all(articles, relevance_threshold, progress)
    # save
    write_table(extractions, "extractions", out_dir / "extractions.parquet")
    write_table(evidence, "evidence", out_dir / "evidence.parquet")
    return extractions, evidence


def extract_all(articles: pd.DataFrame, relevance_threshold: float,
                progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Extractions and evidence for a batch of articles, advancing `progress` per article."""
    rows, evidence = [], []
    for article in articles.to_dict("records"):
        fields, found = extract_article(article["article_id"], article["text"], article["published_date"], relevance_threshold)
        rows.append(fields)
        evidence.extend(found)
        if progress is not None:
            progress.count(relevant=int(bool(fields["relevant"])))
            progress.advance()
    columns = TABLES["extractions"].columns
    return pd.DataFrame(rows, columns=list(columns)), pd.DataFrame(evidence, columns=list(TABLES["evidence"].columns))


def extract_article(article_id: str, text: str, published: dt.date | None,
                    relevance_threshold: float) -> tuple[dict, list[dict]]:
    """The codebook fields of one article and the evidence rows behind them."""
    body_start = dateline_end(text)
    sentences = split_sentences(text, body_start)
    judged = relevance(sentences, relevance_threshold, uk_mentions=places.uk_mentions(text, body_start))
    fields = {"article_id": article_id, "relevant": judged.relevant, "relevance_score": judged.score, **UNSTATED}
    found = [judged.evidence]
    if judged.relevant:
        found.extend(event_fields(text, sentences, published, body_start))
        for item in found[1:]:
            fields[item.field] = item.value
        weapons = [item.value for item in found if item.field == "weapon_recovered"]
        if weapons:
            fields["weapon_recovered"] = "; ".join(sorted(weapons))
    return fields, [item.evidence(article_id, text) for item in found]


def event_fields(text: str, sentences: list, published: dt.date | None, body_start: int) -> list[Found]:
    """Every event field the article states, in codebook order."""
    anchor, anchor_phrase = dates.anchor_date(text, published, body_start)
    date_found, period, precision = dates.incident_date(sentences, anchor)
    if date_found and anchor_phrase and date_found.rule.startswith(("weekday", "relative")):
        # Record what the weekday was counted from when there was no dateline.
        date_found = Found(date_found.field, date_found.value, date_found.start, date_found.end,
                           f"{date_found.rule}:anchored_on_text_date_{anchor.isoformat()}")
    forces_named = places.force_mentions_in(text, sentences)
    place = places.borough(text, sentences, [(mention.start, mention.end) for mention, _ in forces_named])
    borough_found = place[0] if place else None
    force_found = places.force(text, sentences, borough_found, forces_named)
    country = _country(borough_found, force_found)
    found = [
        date_found, period, precision, events.incident_time(sentences), *(place or ()),
        places.location(text, sentences, borough_found), force_found, events.force_type(sentences),
        events.outcome(sentences),
        places.referral_body(text, sentences, country, date_found.value if date_found else anchor),
        events.terrorism_status(sentences), *events.weapon_recovered(sentences),
        events.subject_age(sentences), events.subject_gender(sentences), events.shots_fired(sentences),
    ]
    return [item for item in found if item is not None]


def _country(borough_found: Found | None, force_found: Found | None) -> str | None:
    """The UK country of the incident, from its district or else its force."""
    if borough_found is not None:
        return vocab.district_by_name()[borough_found.value].country
    if force_found is not None:
        country = vocab.forces()[force_found.value].country
        return country if country in ("England", "Wales", "Scotland", "Northern Ireland") else None
    return None
