"""Incident dates: find date phrases with our own patterns, resolve them to days.

Phrases are found by pattern (dateparser's own search misreads news prose) and
resolved here: absolute ones to the day written, relative ones ("on Thursday
night", "yesterday", "in the early hours of Saturday", "on New Year's Eve") counted
back from an anchor: the article's published date, or when it has no dateline the
latest full date written in the text (an embedded tweet's date counts). A weekday
with no anchor gives no date: we never invent a day the text does not give. A day
and month written with their weekday and no year ("Friday 13 March") take the
latest year up to the anchor in which that day is that weekday.

Month and weekday names come from `schema/vocab` (months.csv, weekdays.csv). Every
pattern is linear in the text, and a date out of range ("31 December 9999", year 1)
gives no date rather than an error.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from etl.datelines import YEARS
from etl.extract.document import Document
from etl.extract.text import NUMBER, Found, Sentence, number_value
from etl.extract.triggers import fast_start, gated
from schema import vocab


def _alternation(names) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


_MONTH_NUMBERS = {name.lower(): number for name, number in vocab.months().items()}
_WEEKDAY_NUMBERS = {name.lower(): number for name, number in vocab.weekdays().items()}  # ISO: Monday is 1
_MONTH = rf"(?:{_alternation(vocab.months())})"
# Any weekday form before a written date ("Sat 3 May"); in prose only the full names
# ("on Saturday"), as "Sun" and "Sat" are also words and titles ("The Sun").
_WEEKDAY = rf"(?:{_alternation(vocab.weekdays())})"
_WEEKDAY_FULL = rf"(?:{_alternation(name for name in vocab.weekdays() if name.endswith('day'))})"
_ORDINAL = r"(?:st|nd|rd|th)?"

DAY_MONTH_YEAR = gated(re.compile(rf"\b(?:(?P<weekday>{_WEEKDAY})\b\.?,?\s+)?(?:the\s+)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(\d{{4}}))?"))
MONTH_DAY_YEAR = gated(re.compile(rf"\b(?:(?P<weekday>{_WEEKDAY})\b\.?,?\s+)?({_MONTH})\b\.?\s+(\d{{1,2}}){_ORDINAL}\b(?:,?\s+(\d{{4}}))?"))
MONTH_YEAR = gated(re.compile(rf"\b(?:in|during|since|of|from|on|until|by|late|early|mid)[\s-]+({_MONTH})\s+(\d{{4}})\b"))
# Bylines and page furniture write dates as numbers, day first in the UK: 14.09.10, 03/09/21.
NUMERIC_DATE = fast_start(re.compile(r"(?<![\d./])(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?![\d./])"))
YEAR_ONLY = gated(re.compile(r"\bin\s+((?:19|20)\d{2})\b(?![-/])"))
RELATIVE_PERIOD = gated(re.compile(r"\b((?:earlier |later )?this month|last month|(?:earlier |later )?this year|last year)\b", re.I))
RELATIVE_DAY = gated(re.compile(r"\b(yesterday|last night|overnight|earlier today|this (?:morning|afternoon|evening)|today|tonight)\b", re.I))
WEEKDAY_PHRASE = gated(re.compile(rf"\b(?:(last|this|on|early on|late on|in the early hours of|early|late|the early hours of)\s+)?({_WEEKDAY_FULL})(?:\s+(morning|afternoon|evening|night))?\b"))
# Days news names instead of writing them: "on New Year's Eve", "on Boxing Day" (month, day).
NAMED_DAYS = {"new year's eve": (12, 31), "hogmanay": (12, 31), "new year's day": (1, 1), "christmas eve": (12, 24),
              "christmas day": (12, 25), "boxing day": (12, 26), "bonfire night": (11, 5), "guy fawkes night": (11, 5),
              "halloween": (10, 31), "hallowe'en": (10, 31), "valentine's day": (2, 14)}
NAMED_DAY = gated(re.compile(r"\b(?:on|of|over|during|at|before|after|since)\s+(?:the\s+)?("
                       + "|".join(re.escape(name).replace("'", "['’]?") for name in sorted(NAMED_DAYS, key=len, reverse=True))
                       + r")\b(?:,?\s+(\d{4})\b)?", re.I))

_NAMED_DAY_PLAIN = {name.replace("'", ""): month_day for name, month_day in NAMED_DAYS.items()}

RELATIVE_OFFSETS = {"yesterday": -1, "last night": -1, "overnight": 0, "earlier today": 0, "today": 0,
                    "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0}

# Words that place a sentence at the incident itself, and words that place it at a later
# event (a statement, a hearing, a tweet): dates in the first kind are the incident's.
INCIDENT_CUES = gated(re.compile(
    r"\b(?:shot|shoot(?:ing|s)?|fired|opened fire|gunfire|Taser(?:ed)?|tasered|stun gun|restrain(?:ed|t|ing)|"
    r"pinned|held down|died|killed|death|collided|struck|hit by|called to|were called|was called|attended|"
    r"stopped|confronted|arrested|incident|happened|took place|occurred|was detained|"
    r"attack(?:ed)?|stabb(?:ed|ing)|assault(?:ed)?|struggle|(?:police|firearms|armed|planned) operation)\b", re.I))
LATER_EVENT_CUES = gated(re.compile(
    r"\b(?:inquest|trial|court|jury|hearing|sentenced|charged|acquitted|convicted|verdict|"
    r"said on|statement|announced|published|report(?:ed)? on|tweet(?:ed)?|posted|funeral|vigil|protest|"
    r"appeal(?:ed)?|investigation (?:began|was launched)|launched (?:an|a) (?:investigation|inquiry|probe)|"
    r"hearings?|inquiry|evidential|coroner|updated|last updated)\b", re.I))


@dataclass(frozen=True)
class DatePhrase:
    start: int
    end: int
    value: dt.date | None  # None when it cannot be resolved to a day or month
    precision: str          # "day", "month" or "year"
    rule: str               # a date rule of etl/extract/rules.py, without its "date:" prefix
    detail: str = ""        # where a missing year came from, what it was counted back from


def _date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it is no real date (31 February) or outside the years news
    reports (`etl.datelines.YEARS`: "31 December 9999" is no incident's date)."""
    if year not in YEARS:
        return None
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _shift(value: dt.date | None, days: int) -> dt.date | None:
    """The date `days` later (earlier when negative), or None past the calendar's ends."""
    if value is None:
        return None
    try:
        return value + dt.timedelta(days=days)
    except OverflowError:
        return None


def parse_absolute(day: str, month: str, year: str | None, anchor: dt.date | None,
                   weekday: str | None = None) -> dt.date | None:
    """A written day and month as a date; with no year written, the anchor's year, or the
    year before when that day would fall after the anchor. With a weekday written and no
    year ("Friday 13 March"), the latest year up to the anchor in which that day is a Friday.
    None when it is no real date."""
    number = _month_number(month)
    if year is not None:
        return _date(int(year), number, int(day))
    if anchor is None:
        return None
    value = _date(anchor.year, number, int(day))
    if value is None or value > anchor:
        value = _date(anchor.year - 1, number, int(day))
    if weekday is None or (value is not None and (value.isoweekday() == _WEEKDAY_NUMBERS[weekday.lower()]
                                                  or (anchor - value).days <= WEEKDAY_SLIP_DAYS)):
        return value  # in the weeks before the dateline a wrong weekday is a slip, not another year
    return _year_of_weekday(int(day), number, _WEEKDAY_NUMBERS[weekday.lower()], anchor)


WEEKDAY_SLIP_DAYS = 60
# A day and month fall on each weekday at least once in 28 years (29 February included).
WEEKDAY_YEARS_BACK = 28


def _year_of_weekday(day: int, month: int, weekday: int, anchor: dt.date) -> dt.date | None:
    """The latest day-and-month on or before the anchor that falls on the ISO weekday, else None."""
    for back in range(WEEKDAY_YEARS_BACK + 1):
        value = _date(anchor.year - back, month, day)
        if value is not None and value <= anchor and value.isoweekday() == weekday:
            return value
    return None


def absolute_dates(text: str, start: int = 0) -> list[DatePhrase]:
    """Full dates (day, month and year all written) in the text, for anchoring."""
    found = []
    for pattern in (DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        for match in pattern.finditer(text, start):
            if match.group(4):
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
        return match.group(3), match.group(2), match.group(4)
    return match.group(2), match.group(3), match.group(4)


def numeric_date(day: str, month: str, year: str) -> dt.date | None:
    """A day-first numeric date ("14.09.10", "03/09/2021"); None when it is not a real date."""
    full_year = int(year) + (2000 if len(year) == 2 and int(year) < 70 else 1900 if len(year) == 2 else 0)
    return _date(full_year, int(month), int(day))


def anchor_date(doc: Document) -> tuple[dt.date | None, DatePhrase | None]:
    """The day relative words count back from, and the phrase it came from (None for the dateline)."""
    if doc.published is not None:
        return doc.published, None
    dates = absolute_dates(doc.text, doc.body_start)
    if not dates:
        return None, None
    latest = max(dates, key=lambda phrase: (phrase.value, -phrase.start))
    return latest.value, latest


# What every MONTH_YEAR match ends with: a month and a year. Far cheaper to look for than the words
# before them, and most articles have none ("on 3 March 2019" has one, so MONTH_YEAR is then run).
MONTH_THEN_YEAR = re.compile(rf"{_MONTH}\s+\d{{4}}\b")


def years_by_month(text: str) -> dict[int, int]:
    """The year the article gives each month it names with one ("in March 2019"), for "on 15 March"."""
    if not MONTH_THEN_YEAR.search(text):
        return {}
    seen: dict[int, set[int]] = {}
    for match in MONTH_YEAR.finditer(text):
        seen.setdefault(_month_number(match.group(1)), set()).add(int(match.group(2)))
    return {month: years.pop() for month, years in seen.items() if len(years) == 1}


def date_phrases(sentence: Sentence, anchor: dt.date | None, month_years: dict[int, int] | None = None,
                 doc: Document | None = None) -> list[DatePhrase]:
    """Every date phrase in a sentence, resolved against the anchor where it can be.

    A day and month with no year take the year the article gives that month elsewhere
    ("in March 2019" ... "on 15 March"), else, with their weekday written, the latest
    year in which the day is that weekday, else the anchor's. A phrase that cannot be
    resolved still holds its words (value None), so no shorter phrase is read inside it.
    With the sentence's `doc`, a pattern runs only where its trigger words are.
    """
    month_years = month_years or {}

    def matches(pattern: re.Pattern):
        return pattern.finditer(text) if doc is None or doc.can_match(pattern, sentence) else ()

    text, offset, found = sentence.text, sentence.start, []
    taken = bytearray(len(text))  # 1 where a phrase already holds the character: linear in the sentence

    def add(match: re.Match, value, precision: str, rule: str, detail: str = "") -> None:
        if taken.find(1, match.start(), match.end()) != -1:
            return
        taken[match.start():match.end()] = b"\x01" * (match.end() - match.start())
        found.append(DatePhrase(offset + match.start(), offset + match.end(), value, precision, rule, detail))

    for pattern, rule in ((DAY_MONTH_YEAR, "day_month_year"), (MONTH_DAY_YEAR, "month_day_year")):
        for match in matches(pattern):
            day, month, year = _day_month_year(pattern, match)
            weekday, detail = match.group("weekday"), ""
            if year is None and _month_number(month) in month_years:
                year, detail = str(month_years[_month_number(month)]), "year from the same month elsewhere in the article"
                written = _date(int(year), _month_number(month), int(day))
                if weekday and written and written.isoweekday() != _WEEKDAY_NUMBERS[weekday.lower()]:
                    add(match, None, "day", rule)  # the weekday and the year disagree: no day
                    continue
            elif year is None and weekday:
                detail = "year in which that day is the weekday written, counted back from the dateline"
            elif year is None:
                detail = "year from the dateline"
            if year is None and anchor is None:
                add(match, None, "day", rule)
                continue
            value = parse_absolute(day, month, year, anchor, weekday if year is None else None)
            if value and (anchor is None or value <= anchor):
                value, counted = _counted_back(text, match.end(), value)
                add(match, value, "day", rule, "; ".join(part for part in (detail, counted) if part))
            else:
                add(match, None, "day", rule)
    for match in matches(NAMED_DAY):
        month, day = _NAMED_DAY_PLAIN[match.group(1).lower().replace("’", "").replace("'", "")]
        year = match.group(2) or (str(month_years[month]) if month in month_years else None)
        if year is None and anchor is None:
            continue
        value = parse_absolute(str(day), str(month), year, anchor)
        if value and (anchor is None or value <= anchor):
            add(match, value, "day", "named_day", "year written" if match.group(2) else "year from the dateline")
    for match in matches(MONTH_YEAR):
        value = _date(int(match.group(2)), _month_number(match.group(1)), 1)
        if value:
            add(match, value, "month", "month_year")
    for match in matches(RELATIVE_DAY):
        if anchor is not None:
            value = _shift(anchor, RELATIVE_OFFSETS[match.group(1).lower()])
            if value:
                add(match, value, "day", "relative_day")
    for match in matches(WEEKDAY_PHRASE):
        if anchor is not None:
            value = weekday_before(anchor, match.group(2), strictly=(match.group(1) or "").lower() == "last")
            if value:
                add(match, value, "day", "weekday_from_anchor")
    for match in matches(YEAR_ONLY):
        add(match, dt.date(int(match.group(1)), 1, 1), "year", "year_only")
    for match in matches(RELATIVE_PERIOD):
        if anchor is not None:
            value, precision = relative_period(match.group(1).lower(), anchor)
            if value:
                add(match, value, precision, "relative_period")
    return sorted(found, key=lambda phrase: phrase.start)


def relative_period(phrase: str, anchor: dt.date) -> tuple[dt.date | None, str]:
    """The month or year "earlier this month", "last month", "last year" point to: no day is invented."""
    if phrase.endswith("month"):
        if phrase.startswith("last"):
            previous = _shift(anchor.replace(day=1), -1)
            return (previous.replace(day=1) if previous else None), "month"
        return anchor.replace(day=1), "month"
    return _date(anchor.year - (1 if phrase.startswith("last") else 0), 1, 1), "year"


# "died on 14 April 2016, two days after he was restrained": the force came first.
DAYS_AFTER = re.compile(rf"^,?\s+({NUMBER}) (days?|weeks?) after\b", re.I)


def _counted_back(text: str, end: int, value: dt.date) -> tuple[dt.date, str]:
    """The date a phrase's "N days after ..." points back to (and how), else the date itself."""
    match = DAYS_AFTER.match(text[end:end + 40])
    count = number_value(match.group(1)) if match else None
    if not count:
        return value, ""
    days = count * (7 if match.group(2).lower().startswith("week") else 1)
    earlier = _shift(value, -days)
    return (earlier, f"{days} days before the date written") if earlier else (value, "")


def weekday_before(anchor: dt.date, weekday: str, strictly: bool = False) -> dt.date | None:
    """The latest `weekday` on or before the anchor (strictly before for "last Friday"); None before year 1."""
    back = (anchor.isoweekday() - _WEEKDAY_NUMBERS[weekday.lower()]) % 7
    if strictly and back == 0:
        back = 7
    return _shift(anchor, -back)


def _month_number(name: str) -> int:
    """The month a name of schema/vocab/months.csv (or its number, as text) stands for."""
    return int(name) if name.isdigit() else _MONTH_NUMBERS[name.rstrip(".").lower()]


# A cue word governs a date phrase that follows it closely ("an inquest jury on Wednesday",
# "launched an investigation today", "died in hospital on 2 February").
CUE_REACH = 40  # characters from the end of a cue to the start of the phrase
# What a hearing was told is the incident's account: "the inquest heard that on 3 March ...".
HEARD_THAT = gated(re.compile(r"\b(?:heard|(?:was|were) told|told(?: [\w-]+){0,3}?) (?:that|how)\b", re.I))
DEATH_CUES = gated(re.compile(r"\b(?:died|dies|death|pronounced dead|passed away|lost (?:his|her|their) life)\b", re.I))
# The force comes before a death: a day in the weeks before the death day is the force's.
DEATH_REACH_DAYS = 31
# Later events that name the date right after them, whatever else the sentence is about:
# "we opened an investigation on 9 April", "the inquest, which opened on Monday".
LATER_EVENT_BEFORE = gated(re.compile(
    r"\b(?:(?:began|begun|started|opened|launched|declared) (?:an?|our|its|the|their) (?:[\w-]+ ){0,2}?(?:investigation|inquiry|probe)|"
    r"(?:which|that) (?:began|opened|resumed|concluded|ended|was adjourned))\b", re.I))
_CUE_RANK = {"incident": 0, "death": 1, "later": 2}  # at one end, the later event names what the words are of


class _Cues(NamedTuple):
    """The cue words of a sentence: their ends in order and what each is a cue of; and whether the
    sentence speaks of the incident (INCIDENT_CUES) and of a later event (LATER_EVENT_CUES)."""

    ends: list[int]
    kinds: list[str]
    about_incident: bool
    later: bool


def _cues(doc: Document, sentence: Sentence) -> _Cues:
    """The cue words of a sentence (each pattern run once: whether it matched is read from its matches)."""
    cues, matched = [], set()
    for name, kind, pattern in (("incident", "incident", INCIDENT_CUES), ("death", "death", DEATH_CUES),
                                ("later", "later", LATER_EVENT_CUES), ("later_before", "later", LATER_EVENT_BEFORE)):
        if doc.can_match(pattern, sentence):
            for match in pattern.finditer(sentence.text):
                cues.append((match.end(), _CUE_RANK[kind], kind))
                matched.add(name)
    cues.sort()
    return _Cues([end for end, _, _ in cues], [kind for _, _, kind in cues], "incident" in matched, "later" in matched)


def _governing_cue(ends: list[int], kinds: list[str], at: int) -> tuple[str | None, int]:
    """The kind and end of the cue closely before a phrase starting at `at`, else (None, -1)."""
    index = bisect.bisect_right(ends, at) - 1
    if index < 0 or at - ends[index] > CUE_REACH:
        return None, -1
    return kinds[index], ends[index]


def _placed(doc: Document, sentence: Sentence, phrases: list[DatePhrase]) -> list[tuple[str, DatePhrase, bool]]:
    """(tier, phrase, is a death day) for each phrase of a sentence that may be the incident's day.

    The sentence's cue words give the tier; a later event named closely before a phrase
    ("an inquest jury on Wednesday") makes it that event's date, unless what follows is
    what the hearing heard ("the tribunal heard that ... on 8 October 2019").
    """
    text = sentence.text
    ends, kinds, about_incident, later = _cues(doc, sentence)
    heard = [match.end() for match in HEARD_THAT.finditer(text)] if doc.can_match(HEARD_THAT, sentence) else []
    placed = []
    for phrase in phrases:
        at = phrase.start - sentence.start
        kind, cue_end = _governing_cue(ends, kinds, at)
        latest_heard = bisect.bisect_right(heard, at) - 1
        recounted = latest_heard >= 0 and heard[latest_heard] >= cue_end
        if kind == "later" and not recounted:
            continue
        if about_incident and not later:
            tier = "in_incident_sentence"
        elif about_incident or recounted:
            tier = "in_hearing_sentence"
        elif not later:
            tier = "elsewhere"
        else:
            continue
        placed.append((tier, phrase, kind == "death"))
    return placed


def incident_date(doc: Document, anchor: dt.date | None) -> tuple[Found | None, Found | None, Found | None]:
    """The incident's date (a day, or None), its period (as far as the text gives it) and its precision.

    Candidates come in tiers: dates in sentences about the incident; then dates in
    sentences that speak of the incident and of a later event (an inquest that
    "heard that on 22 July 2005 ..."); then dates anywhere else that is not about a
    later event. A date a later event names closely ("an inquest jury on Wednesday")
    is that event's. Within a tier the most precise, earliest date wins: the incident
    comes before its aftermath (death in hospital, statements, hearings); and a day of
    death gives way to a day the article gives in the weeks before it.
    """
    tiers: dict[str, list[DatePhrase]] = {"in_incident_sentence": [], "in_hearing_sentence": [], "elsewhere": []}
    deaths: set[DatePhrase] = set()
    # A month-and-year holds a month's name, which has no space: so one holds it whole in a sentence.
    month_years = years_by_month(" ".join(sentence.text for sentence in doc.sentences)) \
        if doc.sentences_for(MONTH_YEAR) else {}
    for sentence in _sentences_with_dates(doc):
        phrases = [phrase for phrase in date_phrases(sentence, anchor, month_years, doc) if phrase.value is not None]
        for tier, phrase, death in _placed(doc, sentence, phrases) if phrases else ():
            tiers[tier].append(phrase)
            if death:
                deaths.add(phrase)
    for tier, phrases in tiers.items():
        best = _most_precise_earliest(phrases)
        if best and best.precision != "day":
            # "in 2016" about the incident, "13 July 2016" in the inquest's account: take the day.
            best = _consistent_day(best, [phrase for later in tiers.values() for phrase in later]) or best
        extra = ""
        if best and best in deaths:
            before = _day_before_death(best, tiers, deaths)
            if before is not None:
                tier, best, extra = before[0], before[1], f"before the death on {best.value.isoformat()}"
        if best:
            rule = f"date:{best.rule}"
            detail = "; ".join(part for part in (TIER_DETAIL[tier], best.detail, extra) if part)
            # A month or a year is recorded as its precision; the day stays null (never invented).
            date_found = Found("incident_date", best.value, best.start, best.end, rule, detail) if best.precision == "day" else None
            return (date_found, Found("incident_period", period_of(best), best.start, best.end, rule, detail),
                    Found("incident_date_precision", best.precision, best.start, best.end, rule, detail))
    return None, None, None


# Every pattern `date_phrases` reads: a sentence that holds none of their trigger words has no date phrase.
PHRASE_PATTERNS = (DAY_MONTH_YEAR, MONTH_DAY_YEAR, NAMED_DAY, MONTH_YEAR, RELATIVE_DAY, WEEKDAY_PHRASE, YEAR_ONLY, RELATIVE_PERIOD)


def _sentences_with_dates(doc: Document) -> list[Sentence]:
    """The sentences some date pattern can match in, in order."""
    indices = set().union(*(doc.may_match(pattern) for pattern in PHRASE_PATTERNS))
    return [doc.sentences[index] for index in sorted(indices)]


def _day_before_death(death: DatePhrase, tiers: dict[str, list[DatePhrase]],
                      deaths: set[DatePhrase]) -> tuple[str, DatePhrase] | None:
    """The (tier, phrase) of a day in the weeks before a day of death, from the first tier that has one."""
    for tier, phrases in tiers.items():
        inside = [phrase for phrase in phrases if phrase.precision == "day" and phrase not in deaths
                  and 0 < (death.value - phrase.value).days <= DEATH_REACH_DAYS]
        if inside:
            return tier, min(inside, key=lambda phrase: (phrase.value, phrase.start))
    return None


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
