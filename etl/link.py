"""Stage 3, link: group relevant articles into incidents and merge their fields.

A first, simple method: articles are blocked by force and borough; within a block,
dated articles whose incident dates lie within `window_days` of each other form one
incident, and an article with no incident date joins the incident of its block that
shares most with it (place, subject, outcome). Each field is then merged by the rule
the codebook declares for it (`Column.merge`).

`incident_id` is derived from the incident's founding article (the earliest
published), so adding unrelated articles never changes an existing id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

import pandas as pd

from etl.tables import read_table, write_table
from schema import vocab
from schema.codebook import COLUMNS, EVENT_FIELDS, FORCE_TYPES, NOT_STATED

SHARED_FIELDS = ("location", "subject_age", "subject_gender", "outcome", "force_type", "weapon_recovered", "incident_time")


def run(ingested_path: Path, extractions_path: Path, out_dir: Path, window_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link the relevant articles; write `incidents` and `article_incidents` to `out_dir`."""
    # load
    articles = read_table(ingested_path, "ingested")[["article_id", "published_date"]]
    extractions = read_table(extractions_path, "extractions")
    # process
    relevant = extractions[extractions["relevant"]].merge(articles, on="article_id", how="left")
    clusters = cluster(relevant.to_dict("records"), window_days)
    incidents, membership = incidents_from(clusters)
    # save
    write_table(incidents, "incidents", out_dir / "incidents.parquet")
    write_table(membership, "article_incidents", out_dir / "article_incidents.parquet")
    return incidents, membership


def cluster(articles: list[dict], window_days: int) -> list[list[dict]]:
    """Groups of articles that report the same incident."""
    blocks = defaultdict(list)
    for article in articles:
        blocks[(_stated(article.get("force")), _stated(article.get("borough")))].append(article)
    clusters: list[list[dict]] = []
    for key in sorted(blocks, key=str):
        clusters.extend(_cluster_block(blocks[key], window_days))
    return _attach_unplaced(clusters)


def _cluster_block(block: list[dict], window_days: int) -> list[list[dict]]:
    dated = sorted((a for a in block if a.get("incident_date")), key=lambda a: (a["incident_date"], a["article_id"]))
    undated = sorted((a for a in block if not a.get("incident_date")), key=lambda a: a["article_id"])
    groups: list[list[dict]] = []
    for article in dated:
        if groups and (article["incident_date"] - groups[-1][-1]["incident_date"]).days <= window_days:
            groups[-1].append(article)
        else:
            groups.append([article])
    for article in undated:
        best = max(groups, key=lambda group: _shared(article, group), default=None)
        if best is not None and (len(groups) == 1 or _shared(article, best) > 0):
            best.append(article)
        else:
            groups.append([article])
    return groups


def _attach_unplaced(clusters: list[list[dict]]) -> list[list[dict]]:
    """Join a cluster with no borough to the one placed cluster of the same force and date, if there is exactly one."""
    placed = [group for group in clusters if any(_stated(a.get("borough")) for a in group)]
    result = list(placed)
    for group in clusters:
        if group in placed:
            continue
        dates = {a["incident_date"] for a in group if a.get("incident_date")}
        force = {_stated(a.get("force")) for a in group}
        matches = [other for other in placed
                   if force & {_stated(a.get("force")) for a in other}
                   and (not dates or dates & {a["incident_date"] for a in other if a.get("incident_date")})
                   and (dates or _shared(group[0], other) > 1)]
        if len(matches) == 1:
            matches[0].extend(group)
        else:
            result.append(group)
    return result


def _shared(article: dict, group: list[dict]) -> int:
    """How many descriptive fields the article shares with any article of the group."""
    return sum(1 for name in SHARED_FIELDS
               if _stated(article.get(name)) is not None
               and any(_stated(other.get(name)) == _stated(article.get(name)) for other in group))


def _stated(value: object) -> object | None:
    if value is None or value is pd.NA or value == NOT_STATED or (isinstance(value, float) and value != value):
        return None
    return value


def incident_id(group: list[dict]) -> str:
    """A stable id from the founding article: the earliest published, undated ones last."""
    founder = min(group, key=_publication_order)
    return "uof-" + hashlib.sha256(founder["article_id"].encode()).hexdigest()[:12]


def _publication_order(article: dict) -> tuple:
    published = article.get("published_date")
    return (published is None, published or dt.date.min, article["article_id"])


def incidents_from(clusters: list[list[dict]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One merged row per cluster, and the article → incident membership."""
    rows, membership = [], []
    for group in clusters:
        identifier = incident_id(group)
        row = {"incident_id": identifier, **merge_fields(group),
               "n_articles": len(group), "article_ids": sorted(a["article_id"] for a in group)}
        rows.append(row)
        membership.extend({"article_id": a["article_id"], "incident_id": identifier} for a in group)
    incidents = pd.DataFrame(rows).sort_values("incident_id") if rows else pd.DataFrame(columns=["incident_id"])
    return incidents, pd.DataFrame(membership, columns=["article_id", "incident_id"])


def merge_fields(group: list[dict]) -> dict:
    """The incident's value of each field, by the codebook's merge rule for it."""
    ordered = sorted(group, key=_publication_order)
    dated_last = sorted(group, key=lambda a: (a.get("published_date") is not None, a.get("published_date") or dt.date.min, a["article_id"]))
    merged, source = {}, {}
    for name in EVENT_FIELDS:
        rule = COLUMNS[name].merge
        if rule.startswith("with:"):
            continue
        stated = [a for a in (dated_last if rule != "earliest" else ordered) if _stated(a.get(name)) is not None]
        chosen = _choose(rule, name, stated, merged)
        merged[name] = chosen.get(name) if chosen else COLUMNS[name].unstated
        source[name] = chosen
    for name in EVENT_FIELDS:
        rule = COLUMNS[name].merge
        if rule.startswith("with:"):
            companion = source.get(rule.removeprefix("with:"))
            fallback = [a for a in dated_last if _stated(a.get(name)) is not None]
            chosen = companion if companion is not None else (fallback[-1] if fallback else None)
            merged[name] = chosen.get(name) if chosen else COLUMNS[name].unstated
    return merged


def _choose(rule: str, name: str, stated: list[dict], merged: dict) -> dict | None:
    if not stated:
        return None
    if rule == "most_serious":
        return min(stated, key=lambda a: FORCE_TYPES.index(a[name]))
    if rule == "earliest":
        return stated[0]
    if rule == "at_the_time":
        return _body_at_the_time(stated, merged) or stated[-1]
    return stated[-1]  # latest: the later account wins a conflict


def _body_at_the_time(stated: list[dict], merged: dict) -> dict | None:
    """The article naming the watchdog that held the role where and when it happened."""
    district = vocab.district_by_name().get(merged.get("borough")) if merged.get("borough") else None
    if district is None:
        return None
    body = vocab.referral_body_for(district.country, merged.get("incident_date"))
    return next((a for a in reversed(stated) if a["referral_body"] == body), None)
