"""The sources of the synthetic corpus (benchmarks/synth.py): the dev corpus's incidents and irrelevant
articles, cut into templates, with what a copy of each may rewrite and keep true.

A value is rewritten only where every article that states it writes it in a form a
template rewrites (a place of the district, the force's official name, a clock time, an
age); dates move by whole weeks within the limits that keep the gold names true (the
dev corpus's date range, the changes of the incident's force and watchdog).
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from schema import vocab
from synth_templates import Slot, Template, template, time_hours

GOLD_FIELDS = ("article_id", "published_date", "relevant", "incident_key", "incident_date", "incident_time",
               "borough", "location", "force", "force_type", "outcome", "referral_body", "terrorism_status",
               "weapon_recovered", "subject_age", "subject_gender", "shots_fired")
# gold_incidents.jsonl: the scored fields (no location: it is not scored)
INCIDENT_FIELDS = ("incident_key", "article_ids") + tuple(name for name in GOLD_FIELDS[4:] if name != "location")
WORD_KINDS = ("surname", "first", "street", "place")  # slots replaced by a word drawn per incident
MAX_YEAR_SHIFT = 25  # years a copy may move; the dev corpus's own date range bounds it further
DAYS_PER_YEAR = 365.2425  # the Gregorian mean, to move a year no date of the incident falls in
MAX_HOUR_SHIFT = 2  # hours a clock time may move: "evening" and "night" stay true
MAX_AGE_SHIFT = 6  # years an age may move
MIN_AGE = 14  # no younger subject after a shift
WHOLE_UK = ("Great Britain", "UK")  # countries of the special forces (British Transport Police, ...)
LONDON_CODES = "E09"  # GSS prefix of the London boroughs: a force covering them keeps "London" in its texts true

class CorpusError(ValueError):
    """The source corpus is missing a file or a gold row is unusable."""


@dataclass(frozen=True)
class Source:
    """One dev incident (or one irrelevant article) and what a copy of it may rewrite."""

    key: str | None
    templates: tuple[Template, ...]
    incident: dict | None
    weeks: tuple[int, ...]  # whole weeks a copy may move its dates by
    year_spans: tuple[tuple[dt.date, dt.date], ...]  # the first and last date of each year its dates fall in
    hour_shifts: tuple[int, ...]
    age_shifts: tuple[int, ...]
    ages: frozenset[int]
    district: vocab.District | None  # the district a copy may move, None when it stays
    force_to: tuple[str, ...]  # forces a copy may move to; empty when the force stays
    words: tuple[Slot, ...] = ()  # the first slot of each name, street and place its articles write


def read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    """The rows of a gold file, each an object with the `required` keys."""
    if not path.is_file():
        raise CorpusError(f"{path}: no such file (the source corpus needs articles/, gold.jsonl, gold_incidents.jsonl)")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorpusError(f"{path}: line {number}: not JSON ({error})") from None
        missing = [name for name in required if not isinstance(row, dict) or name not in row]
        if missing:
            raise CorpusError(f"{path}: line {number}: no {', '.join(missing)}")
        rows.append(row)
    return rows


def load_sources(corpus: Path) -> tuple[list[Source], list[Source]]:
    """The dev corpus as sources: its incidents, and its irrelevant articles as distractors."""
    gold = read_jsonl(corpus / "gold.jsonl", GOLD_FIELDS)
    incidents = {row["incident_key"]: row for row in read_jsonl(corpus / "gold_incidents.jsonl", INCIDENT_FIELDS)}
    texts = {}
    for row in gold:
        path = corpus / "articles" / f"{row['article_id']}.txt"
        if not path.is_file():
            raise CorpusError(f"{corpus / 'gold.jsonl'}: article {row['article_id']}: no file {path}")
        texts[row["article_id"]] = path.read_text(encoding="utf-8")
    bounds = _date_bounds(gold)
    by_key = defaultdict(list)
    for row in gold:
        if row["relevant"]:
            by_key[row["incident_key"]].append(row)
    sources = []
    for key in sorted(by_key):
        if key not in incidents:
            raise CorpusError(f"{corpus / 'gold_incidents.jsonl'}: no row for incident_key {key!r}")
        sources.append(source(key, [(row, texts[row["article_id"]]) for row in by_key[key]], incidents[key], bounds))
    distractors = [source(None, [(row, texts[row["article_id"]])], None, bounds)
                   for row in gold if not row["relevant"]]
    if not sources:
        raise CorpusError(f"{corpus / 'gold.jsonl'}: no relevant articles to copy")
    return sources, distractors


def _date_bounds(gold: list[dict]) -> tuple[dt.date, dt.date]:
    """The dev corpus's first and last dates: copies stay within them (no incident in the future)."""
    days = [dt.date.fromisoformat(row[name]) for row in gold for name in ("published_date", "incident_date")
            if row.get(name)]
    return min(days), max(days)


# ---- what a source allows -------------------------------------------------------------------

def source(key: str | None, articles: list[tuple[dict, str]], incident: dict | None,
           bounds: tuple[dt.date, dt.date]) -> Source:
    """A source and the rewrites its texts support (see the module's docstring)."""
    def cut(places: frozenset[str], force: str | None) -> tuple[Template, ...]:
        return tuple(template(row["article_id"], text, row, places, force) for row, text in articles)

    district = _district(incident)
    force_to = _forces_to(incident, articles, district)
    force = incident["force"] if force_to else None
    templates = cut(place_names(district.code) if district else frozenset(), force)
    if district and not _stated_everywhere(templates, "borough", lambda slot, value: slot.kind == "place"):
        # An article states the district without naming it or one of its places: the district stays, and
        # so does the force that goes with it.
        district = None
        if incident.get("borough"):
            force_to, force = (), None
        templates = cut(frozenset(), force)
    if key is None:  # a distractor has no subject: every age it writes may move
        ages = frozenset(slot.parts[0] for each in templates for slot in each.slots() if slot.kind == "age")
    else:
        ages = frozenset(value for value in [row.get("subject_age") for row, _ in articles]
                         + [incident.get("subject_age")] if value is not None)
    words = {}
    for slot in (slot for each in templates for slot in each.slots()):
        if slot.kind in WORD_KINDS:
            words.setdefault((slot.kind, slot.text), slot)
    weeks, year_spans = _week_shifts(templates, incident, bounds)
    return Source(key, templates, incident, weeks, year_spans, _hour_shifts(templates), _age_shifts(templates, ages),
                  ages, district, force_to, tuple(words.values()))


def _district(incident: dict | None) -> vocab.District | None:
    if not incident or not incident.get("borough"):
        return None
    return vocab.district_by_name().get(incident["borough"])


def place_names(code: str) -> frozenset[str]:
    """The district's name and the places in it, less names that are another district's name."""
    return _places_by_district().get(code, frozenset()) | {vocab.districts()[code].name}


@functools.cache
def _places_by_district() -> dict[str, frozenset[str]]:
    """District code -> its places in the gazetteer that are not a district's name (read once: it is large)."""
    districts = vocab.district_by_name()
    found = defaultdict(set)
    for place, code in vocab.places().items():
        if place not in districts:
            found[code].add(place)
    return {code: frozenset(names) for code, names in found.items()}


def _movable_forces() -> tuple[str, ...]:
    """Territorial forces of England and Wales, unchanged in name, covering no London borough."""
    return tuple(sorted(name for name, force in vocab.forces().items()
                        if force.kind == "territorial" and force.country in ("England", "Wales")
                        and force.valid_from is None and force.valid_to is None and force.successor is None
                        and vocab.force_districts(name)
                        and not any(code.startswith(LONDON_CODES) for code in vocab.force_districts(name))))


def _forces_to(incident: dict | None, articles: list[tuple[dict, str]], district) -> tuple[str, ...]:
    """The forces a copy may name instead, when every article naming the force writes its official name
    and no other alias of it."""
    if not incident or incident.get("force") not in _movable_forces():
        return ()
    force = incident["force"]
    aliases = [alias for alias, name in vocab.force_aliases().items() if name == force and alias != force]
    for row, text in articles:
        if row.get("force") not in (None, force) or (row.get("force") and force not in text):
            return ()
        if any(alias in text.replace(force, "") for alias in aliases):
            return ()
    if district is not None and district.force != force:
        return ()
    return tuple(name for name in _movable_forces() if name != force)


def _stated_everywhere(templates, name: str, matches) -> bool:
    """Every article with a gold `name` has a slot that states it (so rewriting the slots keeps it true)."""
    for each in templates:
        value = each.gold.get(name)
        if value is not None and not any(matches(slot, value) for slot in each.slots()):
            return False
    return True


def _boundaries(force: str | None) -> list[dt.date]:
    """Days the incident's force or its watchdog changed name: a copy's incident date never crosses one,
    since the gold force or referral body would change with it. Every force's and watchdog's when the
    force is not one known force (none, or several)."""
    forces = vocab.forces()
    known = forces.get(force)
    family = [item for name, item in forces.items()
              if known is None or name == force or item.successor == force or name == known.successor]
    bodies = [body for body in vocab.referral_bodies().values()
              if known is None or known.country in body.country or known.country in WHOLE_UK]
    days = set()
    for item in family + bodies:
        if item.valid_from:
            days.add(item.valid_from)
        if item.valid_to:
            days.add(item.valid_to + dt.timedelta(days=1))
    return sorted(days)


def _week_shifts(templates, incident, bounds) -> tuple[tuple[int, ...], tuple[tuple[dt.date, dt.date], ...]]:
    """The whole weeks a copy may move its dates by, and the first and last date of each year they fall in.

    A move keeps the gold dates within `bounds` and the incident on the same side of every change of
    its force's or watchdog's name, and moves the gold dates of one year into one year, later years into
    later years, so a year written alone ("in 2013") moves with them."""
    gold_days = [dt.date.fromisoformat(each.gold[name]) for each in templates
                 for name in ("published_date", "incident_date") if each.gold.get(name)]
    if incident and incident.get("incident_date"):
        gold_days.append(dt.date.fromisoformat(incident["incident_date"]))
    by_year = defaultdict(list)  # written dates are rewritten from their own moved day, year and all
    for day in gold_days:
        by_year[day.year].append(day)
    spans = tuple((min(days), max(days)) for _, days in sorted(by_year.items()))
    low, high = -MAX_YEAR_SHIFT * DAYS_PER_YEAR, MAX_YEAR_SHIFT * DAYS_PER_YEAR
    for day in gold_days:
        low, high = max(low, (bounds[0] - day).days), min(high, (bounds[1] - day).days)
    # The names follow the incident's date; an undated incident's articles' dates stand in for it.
    incident_days = [dt.date.fromisoformat(each.gold["incident_date"]) for each in templates
                     if each.gold.get("incident_date")] or gold_days
    for day in incident_days:
        for boundary in _boundaries((incident or {}).get("force")):
            if day < boundary:
                high = min(high, (boundary - day).days - 1)
            else:
                low = max(low, (boundary - day).days)
    weeks = tuple(week for week in range(math.ceil(low / 7), math.floor(high / 7) + 1)
                  if years_after(spans, 7 * week) is not None)
    return weeks or (0,), spans


def years_after(spans: tuple[tuple[dt.date, dt.date], ...], days: int) -> tuple[int, ...] | None:
    """The year each year's dates move to, or None when one year's dates would land in two years or two
    years in one."""
    moved = []
    for first, last in spans:
        year = (first + dt.timedelta(days=days)).year
        if (last + dt.timedelta(days=days)).year != year or (moved and year <= moved[-1]):
            return None
        moved.append(year)
    return tuple(moved)


def _hour_shifts(templates) -> tuple[int, ...]:
    """Hours every clock time may move by, keeping 12-hour times in their half of the day; none unless
    each article's gold time is one of its written times."""
    if not _stated_everywhere(templates, "incident_time", lambda slot, value: slot.kind == "time"
                              and f"{slot.parts[0]:02d}:{slot.parts[1]:02d}" == value):
        return (0,)
    times = [time_hours(slot) for each in templates for slot in each.slots() if slot.kind == "time"]
    allowed = []
    for hours in range(-MAX_HOUR_SHIFT, MAX_HOUR_SHIFT + 1):
        if all(0 <= hour + hours <= 23 and (not twelve or ((hour + hours) // 12 == hour // 12
                                                             and (hour + hours) % 12 and hour % 12))
               for hour, twelve in times):
            allowed.append(hours)
    return tuple(allowed) or (0,)


def _age_shifts(templates, ages: frozenset[int]) -> tuple[int, ...]:
    """Years the subject's ages may move by; none unless each article's gold age is one it writes."""
    if not ages or not _stated_everywhere(templates, "subject_age",
                                          lambda slot, value: slot.kind == "age" and slot.parts[0] == value):
        return (0,)
    return tuple(shift for shift in range(-MAX_AGE_SHIFT, MAX_AGE_SHIFT + 1) if min(ages) + shift >= MIN_AGE) or (0,)
