"""Reference vocabularies for uofdb: districts, places, forces, watchdogs, weapons.

Each function reads one CSV from ``schema/vocab/`` once (the result is cached)
and returns a plain dict. Standard library only. Treat the returned dicts as
read-only: they are shared between callers.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOCAB_DIR = Path(__file__).parent / "vocab"

WEAPON_CATEGORIES: tuple[str, ...] = ("firearm", "imitation_firearm", "knife", "other")


@dataclass(frozen=True)
class District:
    """A UK local authority district (ONS LTLA April 2021, S12 council area, N09 district)."""

    code: str
    name: str
    country: str
    force: str


@dataclass(frozen=True)
class Force:
    """A police force by its official name; kind is 'territorial' or 'special'."""

    name: str
    kind: str
    country: str


@dataclass(frozen=True)
class ReferralBody:
    """A police watchdog and the dates it held the role (valid_to None = still in office)."""

    body: str
    name: str
    country: str
    valid_from: datetime.date
    valid_to: datetime.date | None


def _rows(filename: str) -> list[dict[str, str]]:
    """Return the rows of one vocabulary CSV as dicts."""
    with (VOCAB_DIR / filename).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _date(text: str) -> datetime.date | None:
    """Return the ISO date in text, or None when text is empty."""
    return datetime.date.fromisoformat(text) if text else None


@cache
def districts() -> dict[str, District]:
    """Return every UK district keyed by its ONS GSS code (e.g. 'E09000020')."""
    return {r["code"]: District(r["code"], r["name"], r["country"], r["force"])
            for r in _rows("districts.csv")}


@cache
def district_by_name() -> dict[str, District]:
    """Return every UK district keyed by its official short name (e.g. 'Kensington and Chelsea')."""
    return {d.name: d for d in districts().values()}


@cache
def places() -> dict[str, str]:
    """Return place name as written (e.g. 'Dagenham') -> GSS code of the district containing it."""
    return {r["place"]: r["district_code"] for r in _rows("places.csv")}


@cache
def forces() -> dict[str, Force]:
    """Return every police force keyed by its official name."""
    return {r["force"]: Force(r["force"], r["kind"], r["country"]) for r in _rows("forces.csv")}


@cache
def force_aliases() -> dict[str, str]:
    """Return alias as written (case-sensitive, e.g. 'the Met') -> official force name."""
    return {r["alias"]: r["force"] for r in _rows("force_aliases.csv")}


@cache
def referral_bodies() -> dict[str, ReferralBody]:
    """Return every police watchdog keyed by its code: IOPC, IPCC, PIRC, PONI."""
    return {r["body"]: ReferralBody(r["body"], r["name"], r["country"],
                                    _date(r["valid_from"]), _date(r["valid_to"]))
            for r in _rows("referral_bodies.csv")}


@cache
def referral_body_aliases() -> dict[str, str]:
    """Return alias as written (case-sensitive, e.g. 'Police Ombudsman') -> body code."""
    return {r["alias"]: r["body"] for r in _rows("referral_body_aliases.csv")}


def _covers(body_country: str, country: str) -> bool:
    """Return whether a body's jurisdiction ('England and Wales', ...) includes country."""
    return country == body_country or country in body_country.split(" and ")


def referral_body_for(country: str, on: datetime.date | None) -> str | None:
    """Return the code of the body holding the watchdog role in country on that date.

    country is 'England', 'Wales', 'Scotland' or 'Northern Ireland' (or 'England and
    Wales'). When on is None, return the latest body for that country. Return None
    when no body covers the country or date (e.g. Scotland before April 2013).
    """
    candidates = [b for b in referral_bodies().values() if _covers(b.country, country)]
    if on is None:
        return max(candidates, key=lambda b: b.valid_from).body if candidates else None
    for b in candidates:
        if b.valid_from <= on and (b.valid_to is None or on <= b.valid_to):
            return b.body
    return None


@cache
def weapon_terms() -> dict[str, str]:
    """Return lower-case weapon term (e.g. 'imitation firearm') -> one of WEAPON_CATEGORIES."""
    return {r["term"]: r["category"] for r in _rows("weapon_terms.csv")}
