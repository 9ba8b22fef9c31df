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
    """A UK local authority district (ONS LTLA April 2021, S12 council area, N09 district).

    region_code is its ONS region (E12...) in England, else its nation's code (regions.csv);
    valid_from the day it was formed, None when formed before the records here (before 2009).
    """

    code: str
    name: str
    country: str
    force: str
    region_code: str = ""
    valid_from: datetime.date | None = None


@dataclass(frozen=True)
class Region:
    """An ONS region of England (E12...), or Wales, Scotland or Northern Ireland as a whole."""

    code: str
    name: str
    nation: str


@dataclass(frozen=True)
class Force:
    """A police force by its official name; kind is 'territorial' or 'special'.

    valid_from / valid_to are the first and last days the force held that name (None =
    not bounded: before records here, or still in existence); successor is the force
    that took over its area on the next day (None for a force that still exists).
    """

    name: str
    kind: str
    country: str
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    successor: str | None = None


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
    return {r["code"]: District(r["code"], r["name"], r["country"], r["force"], r["region_code"],
                                _date(r["valid_from"]))
            for r in _rows("districts.csv")}


@cache
def regions() -> dict[str, Region]:
    """Return the nine ONS regions of England and the three other nations keyed by GSS code ('E12000007' London)."""
    return {r["code"]: Region(r["code"], r["name"], r["nation"]) for r in _rows("regions.csv")}


@cache
def district_by_name() -> dict[str, District]:
    """Return every UK district keyed by its official short name (e.g. 'Kensington and Chelsea')."""
    return {d.name: d for d in districts().values()}


def shared_region(district_codes: frozenset[str] | set[str]) -> tuple[str | None, str | None]:
    """Return the nation and the region name that all these districts lie in; None for one they do not share (or no district)."""
    found = {regions()[districts()[code].region_code] for code in district_codes}
    nations = {region.nation for region in found}
    return (next(iter(nations)) if len(nations) == 1 else None,
            next(iter(found)).name if len(found) == 1 else None)


@cache
def places() -> dict[str, str]:
    """Return place name as written (e.g. 'Dagenham') -> GSS code of the district containing it.

    The hand-compiled places.csv (neighbourhoods, towns, landmarks) over places_gb.csv
    (UK towns and villages from GeoNames, located with the ONS postcode directory); a
    name in both takes the hand row's district.
    """
    found = {r["place"]: r["district_code"] for r in _rows("places_gb.csv")}
    found.update((r["place"], r["district_code"]) for r in _rows("places.csv"))
    return found


@cache
def forces() -> dict[str, Force]:
    """Return every police force keyed by its official name, present and past (e.g. 'Strathclyde Police')."""
    return {r["force"]: Force(r["force"], r["kind"], r["country"], _date(r["valid_from"]),
                              _date(r["valid_to"]), r["successor"] or None)
            for r in _rows("forces.csv")}


@cache
def force_districts(force: str) -> frozenset[str]:
    """Return the GSS codes of the districts a territorial force covers (covered, for a past force).

    A past force listed in force_areas.csv (the eight Scottish forces before April 2013)
    covers its rows there; any other past force covers its successor's districts (the
    RUC those of the PSNI). Special forces and unknown names cover no district.
    """
    rows = [r["district_code"] for r in _rows("force_areas.csv") if r["force"] == force]
    if rows:
        return frozenset(rows)
    current = frozenset(code for code, d in districts().items() if d.force == force)
    if current:
        return current
    known = forces().get(force)
    if known is not None and known.successor and known.successor != force:
        return force_districts(known.successor)
    return frozenset()


def force_at(force: str, on: datetime.date | None, district_code: str | None = None) -> str:
    """Return the official name the force had on that date ('Police Scotland' in 2010 in Glasgow -> 'Strathclyde Police').

    force is an official name from forces(), present or past. A later date follows the
    successors ('Strathclyde Police' in 2015 -> 'Police Scotland'); an earlier one goes back
    to the predecessor ('Police Service of Northern Ireland' on 1998-05-01 -> 'Royal Ulster
    Constabulary'). Where several forces merged (Police Scotland), district_code picks the
    one that covered that district; without it, or when it fits none, the name is returned
    unchanged. on None, or a name not in forces(), returns force as given.
    """
    if on is None or force not in forces():
        return force
    current, seen = forces()[force], {force}
    while (current.valid_to is not None and on > current.valid_to and current.successor
           and current.successor not in seen and current.successor in forces()):
        seen.add(current.successor)
        current = forces()[current.successor]
    while current.valid_from is not None and on < current.valid_from:
        before = [f for f in forces().values() if f.successor == current.name and f.name not in seen]
        if district_code is not None:
            before = [f for f in before if district_code in force_districts(f.name)]
        if len(before) != 1:
            break  # several predecessors and no district to choose between them
        current = before[0]
        seen.add(current.name)
    return current.name


def territorial_force(district_code: str, on: datetime.date | None = None) -> str | None:
    """Return the territorial force of a district on that date (today's when on is None).

    ('E06000046' Isle of Wight on 2015-06-01 -> 'Hampshire Constabulary'; 'S12000049'
    Glasgow City on 2010-01-01 -> 'Strathclyde Police'.) None for an unknown code.
    """
    district = districts().get(district_code)
    if district is None:
        return None
    return force_at(district.force, on, district_code)


@cache
def force_aliases() -> dict[str, str]:
    """Return alias as written (case-sensitive, e.g. 'the Met') -> official force name."""
    return {r["alias"]: r["force"] for r in _rows("force_aliases.csv")}


@cache
def abbreviations() -> dict[str, str]:
    """Return abbreviation written before a full stop (e.g. 'Mr', 'St', 'p.m') -> its kind (title, place, rank, ...)."""
    return {r["abbreviation"]: r["kind"] for r in _rows("abbreviations.csv")}


@cache
def police_abroad() -> dict[str, str]:
    """Return the name of a police force or police watchdog outside the UK (e.g. 'Garda', 'NYPD') -> its country."""
    return {r["name"]: r["country"] for r in _rows("police_abroad.csv")}


@cache
def animal_words() -> tuple[str, ...]:
    """Return the lower-case words for animals police may shoot or Taser ('dog', 'cattle', ...): force on them is out of scope."""
    return tuple(r["word"] for r in _rows("animals.csv"))


@cache
def police_ranks() -> tuple[str, ...]:
    """Return the ranks and titles written before an officer's name ('PC', 'Sgt', 'Inspector', 'officer', ...)."""
    return tuple(r["rank"] for r in _rows("police_ranks.csv"))


@cache
def street_suffixes() -> tuple[str, ...]:
    """Return the words that end a street or estate name ('Road', 'Close', 'Estate', ...)."""
    return tuple(r["suffix"] for r in _rows("street_suffixes.csv"))


@cache
def place_cues() -> dict[str, tuple[str, ...]]:
    """Return kind -> the phrases news writes around a place name that say it is not where force was used.

    'institution': words after a place that make it an institution's name ('Crown Court',
    'Hospital'); 'police_unit': 'police' after a place ('Brixton police'); 'proceeding':
    a court, inquest or hospital sitting 'at'/'in' the place; 'residence': words before a
    place where someone lives or comes from ('from', 'lived in'); 'wider': words before a
    district that make it a wider area ('near', 'outskirts of', 'Greater'); 'county': words
    before any place that make it a county ('Co Antrim', 'County Down'). Longer phrases first.
    """
    found: dict[str, list[str]] = {}
    for r in _rows("place_cues.csv"):
        found.setdefault(r["kind"], []).append(r["phrase"])
    return {kind: tuple(sorted(phrases, key=len, reverse=True)) for kind, phrases in found.items()}


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
def places_abroad(strict: bool = False) -> dict[str, str]:
    """Return a name of a place outside the UK as written (e.g. 'Texas', 'Paris', 'the US') -> its country.

    Countries, US states, Canadian provinces and territories, Australian states and
    territories, and capitals and large foreign cities. No name here is also a UK place
    in districts() or places(), and the Crown dependencies (Jersey, Guernsey, Isle of
    Man) are not abroad. strict=True leaves out the names that can be misread in UK
    news (those with a note: 'Jordan' a first name, 'Turkey' a word, 'Georgia' also a
    US state and a first name).
    """
    return {r["name"]: r["country"] for r in _rows("places_abroad.csv")
            if not (strict and r["note"])}


@cache
def weapon_terms() -> dict[str, str]:
    """Return lower-case weapon term (e.g. 'imitation firearm') -> one of WEAPON_CATEGORIES."""
    return {r["term"]: r["category"] for r in _rows("weapon_terms.csv")}


@cache
def months() -> dict[str, int]:
    """Return month name or short form as written (e.g. 'January', 'Jan', 'Sept') -> month number 1-12."""
    return {r["name"]: int(r["month"]) for r in _rows("months.csv")}


@cache
def weekdays() -> dict[str, int]:
    """Return weekday name or short form as written (e.g. 'Thursday', 'Thu', 'Thurs') -> ISO weekday (Monday 1 .. Sunday 7)."""
    return {r["name"]: int(r["weekday"]) for r in _rows("weekdays.csv")}
