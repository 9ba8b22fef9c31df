"""An incident's value of each field, chosen by the rule the codebook declares, with its provenance.

A stated value beats not_stated/null. Where articles disagree the more authoritative
account wins (a watchdog's statement or findings, then an inquest or trial report,
then news), and among equals the later one (`latest`); the codebook's special rules
are `most_serious` (force_type), `earliest` (subject_age: the age at the incident,
from the first report) and `at_the_time` (referral_body: the watchdog that held the
role where and when it happened). A `with:<field>` column comes from the same article
as <field>. Copies of an article count once: they are left out of the choice.

Besides the merged fields, an incident has columns derived from them alone
(`derived_columns`): its year, nation and region, and its multi-valued fields as lists.
"""
from __future__ import annotations

import datetime as dt

from etl.linking.features import Features, features_of, stated
from schema import vocab
from schema.codebook import COLUMNS, EVENT_FIELDS, FORCE_TYPES, NOT_STATED

JOIN = "; "  # how the codebook joins several values of one field (force, weapon_recovered)


def merge_group(group: list[dict]) -> tuple[dict, list[dict]]:
    """The merged fields of one incident, and one provenance row per field.

    Each article dict may carry its `Features` under "_features" (computed when absent).
    """
    evidence = [article for article in group if not _features(article).copy_of] or group
    chosen: dict[str, dict | None] = {}
    merged: dict[str, object] = {}
    for name in EVENT_FIELDS:
        rule = COLUMNS[name].merge
        if not rule.startswith("with:"):
            chosen[name], merged[name] = _choose(rule, name, evidence, merged)
    for name in EVENT_FIELDS:
        rule = COLUMNS[name].merge
        if rule.startswith("with:"):
            companion = chosen.get(rule.removeprefix("with:"))
            fallback = _by_authority([a for a in evidence if stated(a.get(name)) is not None])
            chosen[name] = companion if companion is not None else (fallback[-1] if fallback else None)
            merged[name] = chosen[name].get(name) if chosen[name] is not None else COLUMNS[name].unstated
    provenance = [_provenance(name, merged[name], chosen[name], evidence) for name in EVENT_FIELDS]
    return {**merged, **derived_columns(merged)}, provenance


def derived_columns(fields: dict) -> dict:
    """The incident columns that follow from its merged fields: year, nation, region and the list columns."""
    nation, region = nation_and_region(stated(fields.get("borough_code")), parts(fields.get("force")))
    return {"incident_year": year_of(stated(fields.get("incident_period"))), "nation": nation, "region": region,
            "forces": parts(fields.get("force")), "weapons_recovered": parts(fields.get("weapon_recovered"))}


def parts(joined: object) -> list[str]:
    """The values of a joined field as a sorted list; empty when null."""
    return sorted(str(joined).split(JOIN)) if stated(joined) is not None else []


def year_of(period: str | None) -> int | None:
    """The year of an incident_period (YYYY-MM-DD, YYYY-MM or YYYY); None without one."""
    return int(period[:4]) if period else None


def nation_and_region(district_code: str | None, forces: list[str]) -> tuple[str, str]:
    """Nation and region names of the district; without one, those all the territorial forces' districts share.

    A special force (British Transport Police) covers no district and tells nothing; forces
    whose districts lie in several nations or regions leave that one not stated.
    """
    if district_code in vocab.districts():
        nation, region = vocab.shared_region({district_code})
    else:
        nation, region = vocab.shared_region({code for force in forces for code in vocab.force_districts(force)})
    return nation or NOT_STATED, region or NOT_STATED


def _features(article: dict) -> Features:
    if "_features" not in article:
        article["_features"] = features_of(article)
    return article["_features"]


def _by_authority(articles: list[dict]) -> list[dict]:
    """Weakest account first: news before hearings before the watchdog, earlier before later."""
    return sorted(articles, key=lambda a: (_features(a).authority, _features(a).as_of or dt.date.min, a["article_id"]))


def _by_time(articles: list[dict]) -> list[dict]:
    """First account first; accounts of unknown date last."""
    return sorted(articles, key=lambda a: (_features(a).as_of is None, _features(a).as_of or dt.date.min, a["article_id"]))


def _choose(rule: str, name: str, articles: list[dict], merged: dict) -> tuple[dict | None, object]:
    stated_in = [a for a in articles if stated(a.get(name)) is not None]
    unstated = COLUMNS[name].unstated
    if not stated_in:
        return None, unstated
    if rule == "most_serious":
        top = min(stated_in, key=lambda a: FORCE_TYPES.index(a[name]))
        best = [a for a in stated_in if a[name] == top[name]]
        source = _by_authority(best)[-1]
        return source, source[name]
    if rule == "earliest":
        source = _by_time(stated_in)[0]
        return source, source[name]
    if rule == "at_the_time":
        return _body_at_the_time(stated_in, merged)
    source = _by_authority(stated_in)[-1]
    return source, source[name]


def _body_at_the_time(articles: list[dict], merged: dict) -> tuple[dict, str]:
    """The watchdog that held the role where and when it happened; the first account's when that is unknown."""
    district = vocab.district_by_name().get(merged.get("borough")) if stated(merged.get("borough")) else None
    when = _when(articles, merged)
    body = vocab.referral_body_for(district.country, when) if district and when else None
    if body is None:
        source = _by_time(articles)[0]
        return source, source["referral_body"]
    # An article naming the successor body for an older incident still tells us it was referred.
    naming = [a for a in articles if a["referral_body"] == body]
    return (_by_authority(naming)[-1] if naming else _by_authority(articles)[-1]), body


def _when(articles: list[dict], merged: dict) -> dt.date | None:
    """When it happened, as far as known: the incident date, else the first account's date (it happened by then).

    Without any date the body cannot be placed in time (None: the latest body would be a guess).
    """
    day = stated(merged.get("incident_date"))
    if day is not None:
        return day
    dates = [_features(article).published or _features(article).as_of for article in articles]
    return min((date for date in dates if date is not None), default=None)


def as_text(value: object) -> str | None:
    """A field value as text for the provenance table: dates ISO, numbers plain, unstated null."""
    value = stated(value)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _provenance(name: str, value: object, source: dict | None, articles: list[dict]) -> dict:
    chosen = as_text(value)
    seen = {as_text(a.get(name)) for a in articles} - {None, chosen}
    return {"field": name, "chosen_value": chosen, "source_article_id": source["article_id"] if source else None,
            "merge_rule": COLUMNS[name].merge, "other_values": sorted(seen)}
