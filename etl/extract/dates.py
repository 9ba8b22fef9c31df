"""Incident dates: find date phrases with our own patterns, resolve them to days.

Phrases are found by pattern (dateparser's own search misreads news prose), then
absolute ones are normalised with `dateparser` and relative ones ("on Thursday
night", "yesterday", "in the early hours of Saturday") are counted back from an
anchor: the article's published date, or when it has no dateline the latest full
date written in the text (an embedded tweet's date counts). A weekday with no
anchor gives no date: we never invent a day the text does not give.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import dateparser

from etl.extract.document import Document
from etl.extract.text import NUMBER, Found, Sentence, number_value

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINAL = r"(?:st|nd|rd|th)?"

DAY_MONTH_YEAR = re.compile(rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}}))?")
MONTH_DAY_YEAR = re.compile(rf"\b(?:{_WEEKDAY},?\s+)?({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}\b(?:,?\s+(\d{{4}}))?")
MONTH_YEAR = re.compile(rf"\b(?:in|during|since|of|from|on|until|by|late|early|mid)[\s-]+({_MONTH})\s+(\d{{4}})\b")
# Bylines and page furniture write dates as numbers, day first in the UK: 14.09.10, 03/09/21.
NUMERIC_DATE = re.compile(r"(?<![\d./])(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?![\d./])")
YEAR_ONLY = re.compile(r"\bin\s+((?:19|20)\d{2})\b(?![-/])")
RELATIVE_PERIOD = re.compile(r"\b((?:earlier |later )?this month|last month|(?:earlier |later )?this year|last year)\b", re.I)
RELATIVE_DAY = re.compile(r"\b(yesterday|last night|overnight|earlier today|this (?:morning|afternoon|evening)|today|tonight)\b", re.I)
WEEKDAY_PHRASE = re.compile(rf"\b(?:(last|this|on|early on|late on|in the early hours of|early|late|the early hours of)\s+)?({_WEEKDAY})(?:\s+(morning|afternoon|evening|night))?\b")

RELATIVE_OFFSETS = {"yesterday": -1, "last night": -1, "overnight": 0, "earlier today": 0, "today": 0,
                    "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0}

# Words that place a sentence at the incident itself, and words that place it at a later
# event (a statement, a hearing, a tweet): dates in the first kind are the incident's.
INCIDENT_CUES = re.compile(
    r"\b(?:shot|shoot(?:ing|s)?|fired|opened fire|gunfire|Taser(?:ed)?|tasered|stun gun|restrain(?:ed|t|ing)|"
    r"pinned|held down|died|killed|death|collided|struck|hit by|called to|were called|was called|attended|"
    r"stopped|confronted|arrested|incident|happened|took place|occurred|was detained|"
    r"attack(?:ed)?|stabb(?:ed|ing)|assault(?:ed)?|struggle)\b", re.I)
LATER_EVENT_CUES = re.compile(
    r"\b(?:inquest|trial|court|jury|hearing|sentenced|charged|acquitted|convicted|verdict|"
    r"said on|statement|announced|published|report(?:ed)? on|tweet(?:ed)?|posted|funeral|vigil|protest|"
    r"appeal(?:ed)?|investigation (?:began|was launched)|launched (?:an|a) (?:investigation|inquiry|probe)|"
    r"hearings?|inquiry|evidential|coroner|updated|last updated)\b", re.I)


@dataclass(frozen=True)
class DatePhrase:
    start: int
    end: int
    value: dt.date | None  # None when it cannot be resolved to a day or month
    precision: str          # "day", "month" or "year"
    rule: str               # a date rule of etl/extract/rules.py, without its "date:" prefix
    detail: str = ""        # where a missing year came from, what it was counted back from


@functools.cache
def _parser() -> dateparser.date.DateDataParser:
    # One parser for the whole run: building one per phrase costs ten times the parse.
    return dateparser.date.DateDataParser(languages=["en"], settings={"DATE_ORDER": "DMY",
                                                                      "REQUIRE_PARTS": ["day", "month", "year"]})


def parse_absolute(day: str, month: str, year: str | None, anchor: dt.date | None) -> dt.date | None:
    """A written day and month as a date; with no year written, the anchor's year, or the
    year before when that day would fall after the anchor. None when it is no real date."""
    if year is not None:
        return _normalised(day, month, int(year))
    if anchor is None:
        return None
    value = _normalised(day, month, anchor.year)
    return _normalised(day, month, anchor.year - 1) if value and value > anchor else value


@functools.cache
def _normalised(day: str, month: str, year: int) -> dt.date | None:
    data = _parser().get_date_data(f"{int(day)} {month.rstrip('.')} {year}")
    return data.date_obj.date() if data and data.date_obj else None


def absolute_dates(text: str, start: int = 0) -> list[DatePhrase]:
    """Full dates (day, month and year all written) in the text, for anchoring."""
    found = []
    for pattern in (DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        for match in pattern.finditer(text, start):
            if match.group(3):
                value = parse_absolute(*_day_month_year(pattern, match), None)
                if value:
                    found.append(DatePhrase(match.start(), match.end(), value, "day", "absolute_full_date"))
    for match in NUMERIC_DATE.finditer(text, start):
        value = numeric_date(*match.groups())
        if value:
            found.append(DatePhrase(match.start(), match.end(), value, "day", "numeric_date"))
    return sorted(found, key=lambda phrase: phrase.start)


def _day_month_year(pattern: re.Pattern, match: re.Match) -> tuple[str, str, str | None]:
    if pattern is MONTH_DAY_YEAR:
        return match.group(2), match.group(1), match.group(3)
    return match.group(1), match.group(2), match.group(3)


def numeric_date(day: str, month: str, year: str) -> dt.date | None:
    """A day-first numeric date ("14.09.10", "03/09/2021"); None when it is not a real date."""
    full_year = int(year) + (2000 if len(year) == 2 and int(year) < 70 else 1900 if len(year) == 2 else 0)
    try:
        return dt.date(full_year, int(month), int(day))
    except ValueError:
        return None


def anchor_date(doc: Document) -> tuple[dt.date | None, DatePhrase | None]:
    """The day relative words count back from, and the phrase it came from (None for the dateline)."""
    if doc.published is not None:
        return doc.published, None
    dates = absolute_dates(doc.text, doc.body_start)
    if not dates:
        return None, None
    latest = max(dates, key=lambda phrase: (phrase.value, -phrase.start))
    return latest.value, latest


def years_by_month(text: str) -> dict[int, int]:
    """The year the article gives each month it names with one ("in March 2019"), for "on 15 March"."""
    seen: dict[int, set[int]] = {}
    for match in MONTH_YEAR.finditer(text):
        seen.setdefault(_month_number(match.group(1)), set()).add(int(match.group(2)))
    return {month: years.pop() for month, years in seen.items() if len(years) == 1}


def date_phrases(sentence: Sentence, anchor: dt.date | None, month_years: dict[int, int] | None = None) -> list[DatePhrase]:
    """Every date phrase in a sentence, resolved against the anchor where it can be.

    A day and month with no year take the year the article gives that month elsewhere
    ("in March 2019" ... "on 15 March"), else the anchor's.
    """
    month_years = month_years or {}
    text, offset, found, taken = sentence.text, sentence.start, [], []

    def add(match: re.Match, value, precision: str, rule: str, detail: str = "") -> None:
        span = (offset + match.start(), offset + match.end())
        if any(span[0] < end and start < span[1] for start, end in taken):
            return
        taken.append(span)
        found.append(DatePhrase(span[0], span[1], value, precision, rule, detail))

    for pattern, rule in ((DAY_MONTH_YEAR, "day_month_year"), (MONTH_DAY_YEAR, "month_day_year")):
        for match in pattern.finditer(text):
            day, month, year = _day_month_year(pattern, match)
            detail = ""
            if year is None and _month_number(month) in month_years:
                year, detail = str(month_years[_month_number(month)]), "year from the same month elsewhere in the article"
            elif year is None:
                detail = "year from the dateline"
            if year is None and anchor is None:
                continue
            value = parse_absolute(day, month, year, anchor)
            if value and (anchor is None or value <= anchor):
                value, counted = _counted_back(text, match.end(), value)
                add(match, value, "day", rule, "; ".join(part for part in (detail, counted) if part))
    for match in MONTH_YEAR.finditer(text):
        month = _month_number(match.group(1))
        add(match, dt.date(int(match.group(2)), month, 1), "month", "month_year")
    for match in RELATIVE_DAY.finditer(text):
        if anchor is not None:
            add(match, anchor + dt.timedelta(days=RELATIVE_OFFSETS[match.group(1).lower()]), "day", "relative_day")
    for match in WEEKDAY_PHRASE.finditer(text):
        if anchor is not None:
            add(match, weekday_before(anchor, match.group(2), strictly=(match.group(1) or "").lower() == "last"),
                "day", "weekday_from_anchor")
    for match in YEAR_ONLY.finditer(text):
        add(match, dt.date(int(match.group(1)), 1, 1), "year", "year_only")
    for match in RELATIVE_PERIOD.finditer(text):
        if anchor is not None:
            value, precision = relative_period(match.group(1).lower(), anchor)
            add(match, value, precision, "relative_period")
    return sorted(found, key=lambda phrase: phrase.start)


def relative_period(phrase: str, anchor: dt.date) -> tuple[dt.date, str]:
    """The month or year "earlier this month", "last month", "last year" point to: no day is invented."""
    if phrase.endswith("month"):
        if phrase.startswith("last"):
            previous = anchor.replace(day=1) - dt.timedelta(days=1)
            return previous.replace(day=1), "month"
        return anchor.replace(day=1), "month"
    return dt.date(anchor.year - (1 if phrase.startswith("last") else 0), 1, 1), "year"


# "died on 14 April 2016, two days after he was restrained": the force came first.
DAYS_AFTER = re.compile(rf"^,?\s+({NUMBER}) (days?|weeks?) after\b", re.I)


def _counted_back(text: str, end: int, value: dt.date) -> tuple[dt.date, str]:
    """The date a phrase's "N days after ..." points back to (and how), else the date itself."""
    match = DAYS_AFTER.match(text[end:end + 40])
    count = number_value(match.group(1)) if match else None
    if not count:
        return value, ""
    days = count * (7 if match.group(2).lower().startswith("week") else 1)
    return value - dt.timedelta(days=days), f"{days} days before the date written"


def weekday_before(anchor: dt.date, weekday: str, strictly: bool = False) -> dt.date:
    """The latest `weekday` on or before the anchor (strictly before for "last Friday")."""
    back = (anchor.weekday() - WEEKDAYS.index(weekday)) % 7
    if strictly and back == 0:
        back = 7
    return anchor - dt.timedelta(days=back)


def _month_number(name: str) -> int:
    return next(index for index, month in enumerate(MONTHS, 1) if month.lower().startswith(name[:3].lower()))


def incident_date(doc: Document, anchor: dt.date | None) -> tuple[Found | None, Found | None, Found | None]:
    """The incident's date (a day, or None), its period (as far as the text gives it) and its precision.

    Candidates come in tiers: dates in sentences about the incident; then dates in
    sentences that speak of the incident and of a later event (an inquest that
    "heard that on 22 July 2005 ..."); then dates anywhere else that is not about a
    later event. Within a tier the most precise, earliest date wins: the incident
    comes before its aftermath (death in hospital, statements, hearings).
    """
    tiers: dict[str, list[DatePhrase]] = {"in_incident_sentence": [], "in_hearing_sentence": [], "elsewhere": []}
    month_years = years_by_month(" ".join(sentence.text for sentence in doc.sentences))
    for sentence in doc.sentences:
        phrases = [phrase for phrase in date_phrases(sentence, anchor, month_years) if phrase.value is not None]
        if not phrases:
            continue
        about_incident = bool(INCIDENT_CUES.search(sentence.text))
        later = bool(LATER_EVENT_CUES.search(sentence.text))
        if about_incident and not later:
            tiers["in_incident_sentence"].extend(phrases)
        elif about_incident:
            tiers["in_hearing_sentence"].extend(phrases)
        elif not later:
            tiers["elsewhere"].extend(phrases)
    for tier, phrases in tiers.items():
        best = _most_precise_earliest(phrases)
        if best and best.precision != "day":
            # "in 2016" about the incident, "13 July 2016" in the inquest's account: take the day.
            best = _consistent_day(best, [phrase for later in tiers.values() for phrase in later]) or best
        if best:
            rule, detail = f"date:{best.rule}", "; ".join(part for part in (TIER_DETAIL[tier], best.detail) if part)
            # A month or a year is recorded as its precision; the day stays null (never invented).
            date_found = Found("incident_date", best.value, best.start, best.end, rule, detail) if best.precision == "day" else None
            return (date_found, Found("incident_period", period_of(best), best.start, best.end, rule, detail),
                    Found("incident_date_precision", best.precision, best.start, best.end, rule, detail))
    return None, None, None


TIER_DETAIL = {"in_incident_sentence": "in a sentence about the incident",
               "in_hearing_sentence": "in a sentence about the incident and a later hearing",
               "elsewhere": "in a sentence about nothing later"}


def period_of(phrase: DatePhrase) -> str:
    """The date as far as the phrase gives it: "2016-07-13", "2016-07" or "2016"."""
    return phrase.value.isoformat()[:{"day": 10, "month": 7, "year": 4}[phrase.precision]]


def _consistent_day(coarse: DatePhrase, phrases: list[DatePhrase]) -> DatePhrase | None:
    """The earliest day-precision phrase that falls within a month or year phrase."""
    inside = [phrase for phrase in phrases if phrase.precision == "day" and phrase.value.year == coarse.value.year
              and (coarse.precision == "year" or phrase.value.month == coarse.value.month)]
    return min(inside, key=lambda phrase: (phrase.value, phrase.start), default=None)


def _most_precise_earliest(phrases: list[DatePhrase]) -> DatePhrase | None:
    for precision in ("day", "month", "year"):
        candidates = [phrase for phrase in phrases if phrase.precision == precision]
        if candidates:
            return min(candidates, key=lambda phrase: (phrase.value, phrase.start))
    return None
