"""Incident ids: a function of the inputs alone, and aliases from a previous release.

**The rule.** An incident is named after its founding article: the earliest published
of its articles (undated articles after every dated one; ties, and undated articles
among themselves, by `article_id`). Its id is `uof-` and the first 12 hex digits of
the SHA-256 of the founder's `article_id`. Nothing else goes in: not the build
history, not the output folder, not the order files are read in, not the other
incidents. Any fresh clone building the same articles gets the same ids, and a build
made in steps (40 articles, then all of them) gets the ids of a build of all at once.

**What keeps an id and what changes it.** Adding articles that join other incidents,
or that join this one with a later (or equal, with a greater id) published date,
never renames it: news is mostly added after the first report, so ids are stable as
a corpus grows. The id changes when
- a report published before the founder joins the incident (a first report found late);
- the founder leaves the incident (relinked elsewhere, judged not relevant, removed);
- the founder's `article_id` changes (the file is renamed or moved: ids come from the
  path under the raw folder) or its published date is corrected;
- two incidents merge (the merged one has one founder) or one splits.
No rule that picks a member of the group can avoid these (the id must come from the
articles, and they are what changes), so continuity is explicit instead:
`incident_aliases` maps each id of a previous release (`uofdb build --previous-release
DIR`) to the incident(s) its articles are in today (`aliases`).

Two founders' 12-digit hashes colliding (about one chance in 10^14 per pair) would
give both incidents a longer hash, so ids stay unique whatever else is built.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict

PREFIX = "uof-"
DIGITS = 12
CHANGES = ("renamed", "merged", "split", "dropped")


def founder_id(article_id: str, digits: int = DIGITS) -> str:
    return PREFIX + hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:digits]


def publication_order(article: dict) -> tuple:
    published = article.get("published_date")
    published = None if published is None or published != published else published
    return (published is None, published or dt.date.min, article["article_id"])


def founder(group: list[dict]) -> dict:
    """The article an incident is named after: the earliest published (undated last, ties by article_id)."""
    return min(group, key=publication_order)


def assign_ids(groups: list[list[dict]]) -> list[str]:
    """One id per group, in the order of `groups`: each from its founding article alone."""
    founders = [founder(group)["article_id"] for group in groups]
    ids = [founder_id(article) for article in founders]
    digits = DIGITS
    while len(set(ids)) < len(ids) and digits < 64:
        counts = Counter(ids)
        digits += 8
        ids = [founder_id(article, digits) if counts[identifier] > 1 else identifier
               for identifier, article in zip(ids, founders)]
    return ids


def aliases(previous: dict[str, str], current: dict[str, str], carried: list[dict] | None = None) -> list[dict]:
    """Rows of `incident_aliases`: where the articles of each id of a previous release are today.

    `previous` and `current` map article_id -> incident_id (the previous release's articles
    table, today's membership). An id that is an incident's id today means that incident and
    has no row. Any other id of the previous release has one row per incident of today
    holding some of its articles, most shared first: `renamed` (all in one incident that
    holds no other previous incident's articles), `merged` (all in one incident that also
    holds another previous incident's articles), `split` (in several incidents), `dropped`
    (none is in an incident today: incident_id null). `carried` are the previous release's
    own alias rows: they are followed through today's rows, so an id cited two releases ago
    still resolves.
    """
    members: dict[str, list[str]] = defaultdict(list)
    holders: dict[str, set[str]] = defaultdict(set)
    for article, old in previous.items():
        members[old].append(article)
        if article in current:
            holders[current[article]].add(old)
    rows: list[dict] = []
    moved: dict[str, list[dict]] = {}
    for old in sorted(members):
        counts = Counter(current[a] for a in members[old] if a in current)
        if set(counts) == {old}:
            continue
        if not counts:
            moved[old] = [_row(old, None, "dropped", 0)]
            continue
        for new, shared in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            change = "split" if len(counts) > 1 else "merged" if len(holders[new]) > 1 else "renamed"
            moved.setdefault(old, []).append(_row(old, new, change, shared))
    for old in sorted(moved):
        rows.extend(moved[old])
    for row in carried or []:
        target = row["incident_id"]
        if target is None or target not in moved:
            rows.append(_row(row["previous_incident_id"], target, row["change"], row["shared_articles"]))
        else:
            rows.extend(_row(row["previous_incident_id"], later["incident_id"], later["change"], later["shared_articles"])
                        for later in moved[target])
    today = set(current.values())
    seen, unique = set(), []
    for row in rows:
        key = (row["previous_incident_id"], row["incident_id"])
        if key not in seen and row["previous_incident_id"] not in today:
            seen.add(key)
            unique.append(row)
    return unique


def _row(previous_id: str, incident_id: str | None, change: str, shared: int) -> dict:
    return {"previous_incident_id": previous_id, "incident_id": incident_id, "change": change,
            "shared_articles": int(shared)}
