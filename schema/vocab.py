"""The vocabularies as data: districts, places, forces, watchdogs, weapons (schema/vocab/*.csv)."""
from __future__ import annotations

import csv
import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

VOCAB_DIR = Path(__file__).parent / "vocab"
WEAPON_CATEGORIES: tuple[str, ...] = ("firearm", "imitation_firearm", "knife", "other")


@dataclass(frozen=True)
class District:
    code: str
    name: str
    country: str
    force: str


@dataclass(frozen=True)
class Force:
    name: str
    kind: str
    country: str


@dataclass(frozen=True)
class ReferralBody:
    body: str
    name: str
    country: str
    valid_from: datetime.date
    valid_to: datetime.date | None


def _rows(name: str) -> list[dict[str, str]]:
    with open(VOCAB_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def districts() -> dict[str, District]:
    """Every UK local authority district, by GSS code."""
    return {row["code"]: District(row["code"], row["name"], row["country"], row["force"]) for row in _rows("districts.csv")}


@functools.cache
def district_by_name() -> dict[str, District]:
    """Every district, by its official short name."""
    return {district.name: district for district in districts().values()}


@functools.cache
def places() -> dict[str, str]:
    """Places inside districts, as written, to the district's GSS code."""
    path = VOCAB_DIR / "places.csv"
    return {row["place"]: row["district_code"] for row in _rows("places.csv")} if path.exists() else {}


@functools.cache
def forces() -> dict[str, Force]:
    """Every UK police force, by official name."""
    return {row["force"]: Force(row["force"], row["kind"], row["country"]) for row in _rows("forces.csv")}


@functools.cache
def force_aliases() -> dict[str, str]:
    """Names news uses for forces, as written, to the official name."""
    return {row["alias"]: row["force"] for row in _rows("force_aliases.csv")}


@functools.cache
def referral_bodies() -> dict[str, ReferralBody]:
    """The police watchdogs, by code (IOPC, IPCC, PIRC, PONI)."""
    return {row["body"]: ReferralBody(row["body"], row["name"], row["country"],
                                      datetime.date.fromisoformat(row["valid_from"]),
                                      datetime.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None)
            for row in _rows("referral_bodies.csv")}


@functools.cache
def referral_body_aliases() -> dict[str, str]:
    """Names news uses for the watchdogs, as written, to their code."""
    return {row["alias"]: row["body"] for row in _rows("referral_body_aliases.csv")}


def referral_body_for(country: str, on: datetime.date | None) -> str | None:
    """The body that held the watchdog role in `country` on `on` (the current one when `on` is None)."""
    holders = [body for body in referral_bodies().values() if country in body.country.split(" and ") or body.country == country]
    if on is None:
        current = [body for body in holders if body.valid_to is None]
        return current[0].body if current else None
    for body in holders:
        if body.valid_from <= on and (body.valid_to is None or on <= body.valid_to):
            return body.body
    return None


@functools.cache
def weapon_terms() -> dict[str, str]:
    """Lower-case weapon words to their category."""
    return {row["term"].lower(): row["category"] for row in _rows("weapon_terms.csv")}
