"""What an article says about its incident, in the form the linker compares.

Besides the extracted fields, news reports of one event share proper names: the
person police used force on, streets and places, the months and years a later
story returns to, and who is speaking (a watchdog, a hearing). The extract stage
reads these once from each article (`etl.extract.link_features`) and writes them,
with their spans, to the link_features table; `features_of` builds the linker's
view from an article's extracted fields and those rows, without the text.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Iterable, Mapping

import pandas as pd

from etl.extract.link_features import (AS_OF, AUTHORITY, MONTH, PERSON, PLACE_NAME, PROMINENT_SURNAME, STREET_NAME,
                                       SURNAME, WORD, YEAR, is_street, normalise_place)
from schema.codebook import NOT_STATED


# The one empty set every Features without some kind of name holds: each `frozenset()` is an object
# of its own (216 bytes), and an article lacks most kinds.
NO_NAMES: frozenset = frozenset()


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
    people: frozenset[str] = NO_NAMES    # "first last" of named people
    surnames: frozenset[str] = NO_NAMES
    prominent: frozenset[str] = NO_NAMES  # surnames the article repeats: its subject, not a passing mention
    words: frozenset[str] = NO_NAMES      # "w:" + other capitalised words inside sentences
    streets: frozenset[str] = NO_NAMES
    places: frozenset[str] = NO_NAMES
    months: frozenset[tuple[int, int]] = NO_NAMES  # (year, month) mentioned in the text
    mentioned: frozenset[str] = NO_NAMES  # every street, place and capitalised word, normalised
    years: frozenset[int] = NO_NAMES
    authority: int = 0             # 2 watchdog statement or findings, 1 inquest or trial report, 0 news report
    as_of: dt.date | None = None   # when the account was written: published, else the latest date it mentions
    copy_of: str | None = None


def stated(value: object) -> object | None:
    """The value, or None when it is null or not_stated."""
    if isinstance(value, str):  # (most values: tested first, for the linker calls this millions of times)
        return None if value == NOT_STATED or not value.strip() else value
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return value


def features_of(row: dict, clues: Iterable | None = None) -> Features:
    """The linker's view of one article row: extracted fields, published_date, copy marks, and its
    rows of the link_features table: `clues`, else the row's `link_features` (dicts or LinkFeatures
    of kind and value, or (kind, value) pairs)."""
    found = values_by_kind(clues if clues is not None else row.get("link_features"))
    date, month = _incident_day_and_month(row)
    location = normalise_place(stated(row.get("location")))
    published = stated(row.get("published_date"))
    words = frozenset(sys.intern("w:" + word) for word in found[WORD])
    streets = frozenset(found[STREET_NAME]) | _if(location, is_street(location))
    places = frozenset(found[PLACE_NAME]) | _if(location, not is_street(location))
    months = frozenset((int(value[:4]), int(value[5:7])) for value in found[MONTH])
    surnames = frozenset(found[SURNAME])
    as_of = found[AS_OF]
    age, shots = stated(row.get("subject_age")), stated(row.get("shots_fired"))
    return Features(
        article_id=str(row["article_id"]), published=published, date=date, month=month,
        forces=frozenset(str(stated(row.get("force")) or "").split("; ")) - {""},
        borough=stated(row.get("borough")), age=None if age is None else int(age),
        gender=stated(row.get("subject_gender")), outcome=stated(row.get("outcome")),
        force_type=stated(row.get("force_type")), weapon=stated(row.get("weapon_recovered")),
        shots=None if shots is None else int(shots), time=stated(row.get("incident_time")), location=location,
        people=frozenset(found[PERSON]), surnames=surnames,
        prominent=frozenset(found[PROMINENT_SURNAME]) & surnames,
        words=words, streets=streets, places=places,
        mentioned=streets | places | frozenset(found[WORD]), months=months,  # (the read words, held once)
        years=frozenset(int(value) for value in found[YEAR]),
        authority=max((int(value) for value in found[AUTHORITY]), default=0),
        as_of=published or (dt.date.fromisoformat(max(as_of)) if as_of else None), copy_of=copy_target(row))


def interned(features: Features, held: dict[frozenset, frozenset]) -> Features:
    """The features with each set of names replaced by the equal set `held` already holds (and the
    new ones added to it): many articles give the same force, years, places and names, and one
    object for each distinct set is what lets the linker hold a large corpus. Equal values: the
    same comparisons, the same links."""
    changes = {}
    for name in _SET_FIELDS:
        value = getattr(features, name)
        if value is not NO_NAMES:
            kept = held.setdefault(value, value) if value else NO_NAMES
            if kept is not value:
                changes[name] = kept
    return replaced(features, changes)


def without_names(features: Features) -> Features:
    """The features without their sets of names (people, streets, places, words, dates mentioned):
    what merging a group reads (its forces, authority, dates and copy mark) and not what linking compared."""
    return replaced(features, {name: NO_NAMES for name in _SET_FIELDS
                               if name != "forces" and getattr(features, name) is not NO_NAMES})


def replaced(features: Features, changes: dict[str, object]) -> Features:
    """`dataclasses.replace(features, **changes)`, the features themselves when nothing changes. The
    copy is made from the fields as they are, not by running `__init__` again (Features has no
    `__post_init__`, so the object is the one `replace` makes): the linker makes hundreds of thousands."""
    if not changes:
        return features
    unknown = set(changes) - _FIELD_NAMES
    if unknown:
        raise TypeError(f"Features has no field {', '.join(sorted(unknown))}")
    copy = object.__new__(Features)
    copy.__dict__.update(features.__dict__)
    copy.__dict__.update(changes)
    return copy


_SET_FIELDS = tuple(item.name for item in fields(Features) if item.type.startswith("frozenset"))
_FIELD_NAMES = frozenset(item.name for item in fields(Features))


def values_by_kind(rows: Iterable | None) -> dict[str, list[str]]:
    """The values of an article's link features, by kind (every kind present, possibly empty)."""
    found: dict[str, list[str]] = defaultdict(list)
    for item in rows if rows is not None else ():
        # (exact types first: an isinstance test against the Mapping ABC is slow, run once a row)
        if type(item) is tuple:
            kind, value = item
        elif type(item) is dict or isinstance(item, Mapping):
            kind, value = item["kind"], item["value"]
        else:
            kind, value = item.kind, item.value
        # (interned: a name many articles give is then held once, not once per article)
        found[kind].append(sys.intern(str(value)))
    return found


def _if(place: str | None, condition: bool) -> frozenset[str]:
    return frozenset([place]) if place and condition else frozenset()


def _incident_day_and_month(row: dict) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The incident's day, and its month: from the day, or from a month-precision period ("2016-08")."""
    day = stated(row.get("incident_date"))
    if day is not None:
        return day, (day.year, day.month)
    period = stated(row.get("incident_period"))
    if period is not None and len(str(period)) >= 7:
        return None, (int(str(period)[:4]), int(str(period)[5:7]))
    return None, None


def copy_target(row: dict) -> str | None:
    """The article a row marks itself a copy of (`duplicate_of`, else `copy_of`), or None."""
    for column in ("duplicate_of", "copy_of"):
        target = stated(row.get(column))
        if target is not None and str(target) != str(row["article_id"]):
            return str(target)
    return None
