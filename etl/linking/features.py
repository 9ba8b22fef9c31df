"""What an article says about its incident, in the form the linker compares.

Besides the extracted fields, news reports of one event share proper names: the
person police used force on (named in follow-ups, at inquests and trials), streets
and places. These are read from the article text with simple rules of how news
writes them: a run of capitalised words not made of common words, places or
titles is a personal name; "Mr Rigg" gives a surname; a capitalised run ending in
Road, Street, Lane, ... is a street.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from schema import vocab
from schema.codebook import NOT_STATED

STREET = re.compile(
    r"\b((?:[A-Z][a-z'’]+\s){1,3}(?:Road|Street|Lane|Avenue|Way|Close|Drive|Gardens|Place|Square|Crescent|Terrace|Hill|"
    r"Grove|Row|Walk|Parade|Estate|Broadway|Mews|Rise|Wharf|Yard|Bridge|Green))\b")
_NAME_WORD = r"(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_PARTICLE = r"(?:de|da|van|von|der|den|di|del|la|le|al|bin|ibn)"
PERSON = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{1,3}}\b")
HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+((?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)")
# People named after a rank or office speak for an institution and recur across
# unrelated incidents (a force's spokesperson, a watchdog director): not evidence.
OFFICIAL_BEFORE = re.compile(
    r"(?:Commissioner|Commander|Superintendent|Inspector|Sergeant|Constable|Chief|Director|director|Minister|Secretary|"
    r"Judge|Justice|Coroner|coroner|Mayor|MP|spokesman|spokeswoman|spokesperson|Assistant|Deputy|Officer|Detective|"
    r"Lord|Lady|Sir|Dame|Dr|Professor|By|by|Reporter|Editor|Supt|DCI|DI|DS|DC|PC|Insp|Sgt|QC|KC)\.?\s*$")
# Capitalised words that start sentences or name institutions, days and months: never part of a personal name.
NOT_NAME = frozenset("""
The A An He She It They We I You His Her Their This That These Those There Here In On At Of For From With By To And But Or
If When While After Before As Police Officer Officers Constable Constabulary Service Office Independent Conduct Commission
Commissioner Court Crown Coroner Inquest Road Street Lane Avenue Station Hospital University College School Council Home
Secretary Government Minister Department Justice Ministry Met Metropolitan National Royal British Northern Southern
Eastern Western North South East West Greater City County Borough Street Park Square Bridge Gardens Green Church Centre
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September
October November December Mr Mrs Ms Miss Dr Sir Lady Lord Taser Armed Firearms Unit Team Squad Investigation Investigations
Review Standards Professional Directorate Authority Agency Branch Command Federation Crime Criminal Prosecution Prosecutor
Prosecutors Inquiry Jury Trial Report Reports Watchdog Chief Assistant Deputy Detective Superintendent Inspector Sergeant
Commander Mayor Prime Labour Conservative Party Parliament House Commons Lords Twitter Facebook Instagram News Press
Association Times Guardian Telegraph Mail Sun Mirror Sky BBC ITV Reuters Evening Standard Echo Post Herald Gazette
Counter Terrorism Terror Emergency Ambulance Fire Rescue Hospital Health Mental Trust Foundation Family Families Campaign
Justice Christmas Easter New Year Day Night Morning Evening Live Update Updates Breaking Picture Image Photo Video Credit
Gate Close Way Place Estate Lane Drive Avenue Terrace Crescent Grove Row Walk Parade Mews Hill Yard Wharf Room Published
Date Operation Photograph Pictures Ltd Limited Flickr Getty Images PA Kingdom United Villa Express Vauxhall Ford
God Muslim Christian Islamic State Brazilian British English Scottish Welsh Irish Australian American
""".split())
CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
# A capitalised word after a lowercase word or a comma is a name of something, not a sentence start.
INNER_CAPITALISED = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}\b")
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?\s+(19[5-9]\d|20[0-4]\d)\b")
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(MONTHS) + r"),?\s+(19[5-9]\d|20[0-4]\d)\b")
# Who wrote it: a watchdog's statement or findings outranks an inquest or trial report,
# which outranks a first news report (shared/FIELDS.md, incident-level values).
WATCHDOG_AUTHOR = re.compile(
    r"\b(?:IOPC|IPCC|PIRC|Police Ombudsman|Independent Office for Police Conduct|Independent Police Complaints Commission|"
    r"Police Investigations and Review Commissioner)\b[^.]{0,80}\b(?:has found|found that|concluded|has concluded|"
    r"investigation (?:has )?found|report (?:has )?found|recommend|published|findings)")
HEARING = re.compile(r"\b(?:inquest|jury|coroner|trial|court heard|was told|verdict|sentenced|convicted|acquitted)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Features:
    """One relevant article as the linker sees it."""

    article_id: str
    published: dt.date | None
    date: dt.date | None           # incident date, when stated to the day
    month: tuple[int, int] | None  # incident (year, month), when stated at least to the month
    forces: frozenset[str]
    borough: str | None
    age: int | None
    gender: str | None
    outcome: str | None
    force_type: str | None
    weapon: str | None
    shots: int | None
    time: str | None
    location: str | None
    people: frozenset[str] = field(default_factory=frozenset)    # "first last" of named people
    surnames: frozenset[str] = field(default_factory=frozenset)
    prominent: frozenset[str] = field(default_factory=frozenset)  # surnames the article repeats: its subject, not a passing mention
    words: frozenset[str] = field(default_factory=frozenset)      # "w:" + other capitalised words inside sentences
    streets: frozenset[str] = field(default_factory=frozenset)
    places: frozenset[str] = field(default_factory=frozenset)
    months: frozenset[tuple[int, int]] = field(default_factory=frozenset)  # (year, month) mentioned in the text
    mentioned: frozenset[str] = field(default_factory=frozenset)  # every street, place and capitalised word, normalised
    years: frozenset[int] = field(default_factory=frozenset)
    authority: int = 0             # 2 watchdog statement or findings, 1 inquest or trial report, 0 news report
    as_of: dt.date | None = None   # when the account was written: published, else the latest date it mentions
    copy_of: str | None = None


def stated(value: object) -> object | None:
    """The value, or None when it is null or not_stated."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and (value == NOT_STATED or not value.strip()):
        return None
    return value


def features_of(row: dict) -> Features:
    """The linker's view of one article row (extracted fields, published_date, optional text and copy marks)."""
    text = stated(row.get("text")) or ""
    date, month = _incident_day_and_month(row)
    people, surnames = person_names(text)
    counts = Counter(word.lower() for word in CAPITALISED.findall(text))
    location = normalise_place(stated(row.get("location")))
    months, years = dates_mentioned(text)
    published = stated(row.get("published_date"))
    words = proper_words(text)
    streets = streets_in(text) | _if(location, is_street(location))
    places = places_in(text) | _if(location, not is_street(location))
    age, shots = stated(row.get("subject_age")), stated(row.get("shots_fired"))
    return Features(
        article_id=str(row["article_id"]), published=published, date=date, month=month,
        forces=frozenset(str(stated(row.get("force")) or "").split("; ")) - {""},
        borough=stated(row.get("borough")), age=None if age is None else int(age),
        gender=stated(row.get("subject_gender")), outcome=stated(row.get("outcome")),
        force_type=stated(row.get("force_type")), weapon=stated(row.get("weapon_recovered")),
        shots=None if shots is None else int(shots), time=stated(row.get("incident_time")), location=location,
        people=people, surnames=surnames, prominent=frozenset(name for name in surnames if counts[name] >= 2),
        words=words, streets=streets, places=places,
        mentioned=streets | places | {word[2:] for word in words}, months=months, years=years, authority=authority_of(text),
        as_of=published or _latest_day(text, years), copy_of=_copy_target(row))


def _if(place: str | None, condition: bool) -> frozenset[str]:
    return frozenset([place]) if place and condition else frozenset()


def is_street(place: str | None) -> bool:
    """A normalised place name that ends like a street ("kirkstall gardens"), not a town ("stirling")."""
    return bool(place) and bool(STREET.search(place.title() + " "))


def proper_words(text: str) -> frozenset[str]:
    """Capitalised words inside sentences ("w:bannockburn"): places and names the vocabularies lack."""
    places = _place_names()  # districts and gazetteer places are compared as such, not as words
    return frozenset("w:" + word.lower() for word in INNER_CAPITALISED.findall(text)
                     if word not in NOT_NAME and word not in places)


def _incident_day_and_month(row: dict) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The incident's day, and its month: from the day, or from a month-precision period ("2016-08")."""
    day = stated(row.get("incident_date"))
    if day is not None:
        return day, (day.year, day.month)
    period = stated(row.get("incident_period"))
    if period is not None and len(str(period)) >= 7:
        return None, (int(str(period)[:4]), int(str(period)[5:7]))
    return None, None


def _copy_target(row: dict) -> str | None:
    for column in ("duplicate_of", "copy_of"):
        target = stated(row.get(column))
        if target is not None and str(target) != str(row["article_id"]):
            return str(target)
    return None


def person_names(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Named people ("first last", lowercase) and their surnames, officials excluded."""
    people, surnames = set(), set()
    for match in PERSON.finditer(text):
        if OFFICIAL_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            continue
        words = [word for word in match.group().split() if word[0].isupper()]
        if len(words) < 2 or any(word in NOT_NAME for word in words) or _is_place(match.group()):
            continue
        people.add(f"{words[0].lower()} {words[-1].lower()}")
        surnames.add(words[-1].lower())
    for match in HONORIFIC.finditer(text):
        if match.group(1) not in NOT_NAME:
            surnames.add(match.group(1).lower())
    return frozenset(people), frozenset(surnames)


@functools.cache
def _place_names() -> frozenset[str]:
    names = {district.name for district in vocab.districts().values()} | set(vocab.places())
    names |= {force.name for force in vocab.forces().values()} | set(vocab.force_aliases())
    return frozenset(names)


def _is_place(name: str) -> bool:
    words = name.split()
    places = _place_names()
    return name in places or any(" ".join(words[i:j]) in places for i in range(len(words)) for j in range(i + 1, len(words) + 1))


def normalise_place(name: str | None) -> str | None:
    """A place or street name in one comparable form: lowercase, no apostrophes or punctuation."""
    if not name:
        return None
    text = re.sub(r"['’.]", "", str(name).lower())
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text or None


def streets_in(text: str) -> frozenset[str]:
    return frozenset(filter(None, (normalise_place(match.group(1)) for match in STREET.finditer(text))))


def places_in(text: str) -> frozenset[str]:
    """Places below the district (towns, areas) named in the text."""
    from etl.extract.places import place_gazetteer

    districts = {district.name for district in vocab.districts().values()}
    return frozenset(normalise_place(mention.name) for mention in place_gazetteer().find(text)
                     if mention.name not in districts)


def dates_mentioned(text: str) -> tuple[frozenset[tuple[int, int]], frozenset[int]]:
    """(year, month) pairs and years the text mentions."""
    months = {(int(year), MONTHS.index(month) + 1) for month, year in MONTH_YEAR.findall(text)}
    months |= {(int(year), MONTHS.index(month) + 1) for _, month, year in DAY_MONTH_YEAR.findall(text)}
    return frozenset(months), frozenset(int(year) for year in YEAR.findall(text))


def _latest_day(text: str, years: frozenset[int]) -> dt.date | None:
    """The latest full date the text mentions, else the first day of the latest year it mentions."""
    days = []
    for day, month, year in DAY_MONTH_YEAR.findall(text):
        try:
            days.append(dt.date(int(year), MONTHS.index(month) + 1, int(day)))
        except ValueError:
            continue
    latest = max(days, default=None)
    if years and (latest is None or max(years) > latest.year):
        return dt.date(max(years), 1, 1)
    return latest


def authority_of(text: str) -> int:
    if WATCHDOG_AUTHOR.search(text[:1500]):
        return 2
    return 1 if HEARING.search(text[:1500]) else 0
