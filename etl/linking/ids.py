"""Stable incident ids.

A new incident is named after its founding article (the first published; undated
articles last), so adding unrelated articles never renames anything. When the
previous build's membership (article_id -> incident_id) is given, a group keeps the
id most of its previously known articles had: an article about a known incident
joins it without renaming it, even when the newcomer was published earlier than the
founder. Each previous id goes to one group only (the one holding most of its
articles) and a fresh id never reuses one that is still held.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter


def founder_id(article_id: str) -> str:
    return "uof-" + hashlib.sha256(article_id.encode()).hexdigest()[:12]


def publication_order(article: dict) -> tuple:
    published = article.get("published_date")
    published = None if published is None or published != published else published
    return (published is None, published or dt.date.min, article["article_id"])


def assign_ids(groups: list[list[dict]], previous: dict[str, str] | None = None) -> list[str]:
    """One id per group, in the order of `groups`."""
    previous = previous or {}
    claims = []  # (articles holding the id, group index, id)
    for index, group in enumerate(groups):
        for old_id, held in Counter(previous[a["article_id"]] for a in group if a["article_id"] in previous).items():
            claims.append((-held, index, old_id))
    ids: list[str | None] = [None] * len(groups)
    taken: set[str] = set()
    for _, index, old_id in sorted(claims):
        if ids[index] is None and old_id not in taken:
            ids[index] = old_id
            taken.add(old_id)
    reserved = taken | set(previous.values())
    for index, group in enumerate(groups):
        if ids[index] is None:
            ids[index] = next((candidate for candidate in (founder_id(a["article_id"]) for a in sorted(group, key=publication_order))
                               if candidate not in reserved), founder_id("+".join(sorted(a["article_id"] for a in group))))
            reserved.add(ids[index])
    return ids
