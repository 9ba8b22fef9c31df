"""The published date a page prints near its top, read from its page furniture.

A document whose metadata gives no date (no ` date YYYY-MM-DD` first line, no HTML
metadata) usually still prints a dateline above or beside its first paragraphs:
"Published: 10:32 BST, 5 June 2019", "Last Updated: Friday, 11 May 2007, 16:43 GMT",
"First published on Tue 3 Jan 2017", "Wednesday 07 November 2018 21:12 GMT",
"14.07.2009", "Jane Smith and John Doe 14.09.10". `printed_published_date` finds it.

Only lines of page furniture are read, never sentences of prose: "On 5 June 2019
police were called" is the incident, not the day the page was published. A date
counts when it stands on a line of its own (with its weekday, clock time and zone),
after a label at the start of a line or of a "|"-separated part of one (Published,
Posted, Updated, First published, Last updated, Date, Issued), after a byline of
names, in a syndication credit ("This article ... was written by ..., for ... on"),
or run into the start of one of the first lines ("5 June 2019Police were called...",
as scraped pages glue the dateline to the lede). Unlabelled datelines must stand in
the head (`HEAD_LINES`, `HEAD_CHARS`); labelled ones may stand a little further down.

Numeric dates are day/month/year, as UK pages print them ("03/09/21" is 3 September
2021); two-digit years 00-69 are 20xx and 70-99 19xx; a date must be a real day, and
a weekday printed with it must be its weekday. A month alone, a range ("7 May - 6 June
2019") or a date inside a URL is not a dateline. Where several are printed, a
"published" label wins, then an unlabelled dateline, then an "updated" label, then a
date run into a line's text; ties go to the first in the text. The clock is never read.

Month and weekday names come from `schema/vocab` (months.csv, weekdays.csv), matched
case-insensitively with an optional full stop ("Sept.", "MARCH").
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from schema import vocab

HEAD_LINES = 15           # non-blank lines in which an unlabelled dateline may stand
HEAD_CHARS = 1500         # ... and the characters they must start within
LABELLED_LINES = 40       # the same for a labelled one ("First published on ...")
LABELLED_CHARS = 4000
LEAD_LINES = 3            # a date run into the text only in the first non-blank lines
FURNITURE_CHARS = 120     # a longer line is prose, unless a label starts it
BYLINE_CHARS = 90
LABEL_CHARS = 60          # a label and clock time before a date on a long line
FILLER_CHARS = 100        # weekday, clock time and zone before a date
SYNDICATED_CHARS = 600
MAX_NAMES = 8
YEARS = range(1900, 2100)  # the years a news date can have; also the extractor's (etl.extract.dates)

# Preference among the datelines a page prints (lower wins).
PUBLISHED, PRINTED, UPDATED, LEAD = range(4)

SEPARATOR = re.compile(r"[|•·]")
STRIP = " \t-–—:,;.()[]•|/"
RUN_IN = re.compile(r" ?[A-Z]")
DIGIT = re.compile(r"\d")
# What every date `_patterns().date` finds holds: four digits in a row (a year) or a digit, a separator
# and a digit (`5/6/19`). A line without it holds no date, so it is not read for one (a line's
# digits alone, as in "a 15-year-old", are most often no date's).
MAYBE_DATE = re.compile(r"\d(?:\d\d\d|[./-]\d)")
_ORDINAL = r"(?:st|nd|rd|th)?"
_TIME = r"\b\d{1,2}(?:[:.]\d{2}){1,2}(?:\s*[ap]\.?m\b\.?)?|\b\d{1,2}\s*[ap]\.?m\b\.?"
_ZONE = r"\b(?-i:GMT|BST|UTC|UK|CET|CEST|EDT|EST|PDT|PST)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?\b"
_PUNCT = r"[\s,;:()\[\]\-–—./]"
LABEL = re.compile(r"""
    (?:this\s+)?(?:(?:article|story|page|post)\s+)?(?:was\s+)?
    (?:(?:originally|first|last|date)\s+)?
    (?P<label>published|posted|updated|modified|edited|issued|released|dated|date|publication|release)
    (?:\s+(?:date|on|at))*
    """, re.I | re.X)
UPDATE_LABELS = ("updated", "modified", "edited")
LABEL_WORD = re.compile(r"\b(?:published|posted|updated|modified|edited|issued|released|dated?|publication|release"
                        r"|born|died|incident|occurred|event|hearing|inquest)\b", re.I)
SYNDICATED = re.compile(r"this\s+article\b.*\bwas\s+(?:written|published)\s+by\b.*\bon\Z", re.I | re.S)
NAME = re.compile(r"[A-Z][^\W\d_]*")
BYLINE = re.compile(r"(?:By\s+)?(?P<names>[A-Z][^\W\d_]*(?:['’.-][^\W\d_]+)*\.?"
                    r"(?:(?:\s+|\s*,\s*|\s+and\s+|\s*&\s*)[A-Z][^\W\d_]*(?:['’.-][^\W\d_]+)*\.?)*)")


@dataclass(frozen=True)
class _Patterns:
    date: re.Pattern
    filler_tail: re.Pattern
    filler_head: re.Pattern
    weekday: re.Pattern
    months: dict[str, int]
    weekdays: dict[str, int]


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@functools.cache
def _patterns() -> _Patterns:
    """Patterns built once from the month and weekday names of schema/vocab."""
    months = {name.lower(): number for name, number in vocab.months().items()}
    weekdays = {name.lower(): number for name, number in vocab.weekdays().items()}
    month, weekday = _alternation(months), _alternation(weekdays)
    # (a date that starts with its month is tried only where a month's name can start, `initials`:
    # most places in a line fail that one test rather than every name of the alternation)
    initials = "".join(sorted({re.escape(name[0]) for name in months}))
    date = re.compile(rf"""(?<![\w/.-])(?:
          (?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>\d\d?)-(?P<iso_d>\d\d?)
        | (?P<num_d>\d\d?)(?P<sep>[./-])(?P<num_m>\d\d?)(?P=sep)(?P<num_y>\d{{4}}|\d\d)
        | (?P<dmy_d>\d\d?){_ORDINAL}(?:\s+of)?(?:\s+|-)(?P<dmy_m>{month})\b\.?,?(?:\s+|-)(?P<dmy_y>\d{{4}})
        | (?=[{initials}])(?P<mdy_m>{month})\b\.?\s+(?P<mdy_d>\d\d?){_ORDINAL},?\s+(?P<mdy_y>\d{{4}})
        )(?![\d/]|\.\d)""", re.I | re.X)
    filler = rf"{_PUNCT}|\b(?:{weekday})\b\.?|{_TIME}|{_ZONE}"
    return _Patterns(
        date=date,
        filler_tail=re.compile(rf"(?:{filler})*\Z", re.I),
        filler_head=re.compile(rf"(?:{_PUNCT}|\bat\b|{_TIME}|{_ZONE})*", re.I),
        weekday=re.compile(rf"\b({weekday})\b", re.I),
        months=months, weekdays=weekdays)


def printed_published_date(text: str) -> tuple[dt.date, int, int] | None:
    """(date, start, end) of the dateline the page prints near its top, or None.

    `start`/`end` are character offsets into `text` of the dateline as printed: its
    label, weekday, date and clock time (not a byline's names, nor prose after it).
    Pure, and reads only the first `LABELLED_CHARS` characters.
    """
    head_text = text[:LABELLED_CHARS] if text else ""
    if not DIGIT.search(head_text):
        return None
    patterns = _patterns()
    best: tuple[int, dt.date, int, int] | None = None
    line_start, non_blank = 0, 0
    for line in head_text.split("\n"):
        if non_blank >= LABELLED_LINES:
            break
        if line and not line.isspace():  # (a line with more than whitespace, as `line.strip()` says)
            if MAYBE_DATE.search(line):
                head = non_blank < HEAD_LINES and line_start < HEAD_CHARS
                for rank, date, start, end in _line_datelines(patterns, line, head, non_blank < LEAD_LINES):
                    if best is None or rank < best[0]:  # ties: the first printed
                        best = (rank, date, line_start + start, line_start + end)
                if best is not None and best[0] == PUBLISHED:
                    break
            non_blank += 1
        line_start += len(line) + 1
    return None if best is None else best[1:]


def _line_datelines(patterns: _Patterns, line: str, head: bool, lead: bool):
    """(rank, date, start, end) of each dateline on one line, in order."""
    long_line = len(line) > FURNITURE_CHARS
    bounds = [0] + [match.end() for match in SEPARATOR.finditer(line)] + [len(line) + 1]
    for part_start, part_stop in zip(bounds, bounds[1:]):
        part_end = part_stop - 1  # the separator's own offset, or the line's end
        for match in patterns.date.finditer(line, part_start, part_end):
            before, after = line[part_start:match.start()], line[match.end():part_end]
            if long_line and len(before) > LABEL_CHARS and "article" not in before.lower():
                continue  # deep in a paragraph of prose: no label can start it
            if _in_url(line, match.start(), match.end()):
                continue
            # before = words + filler (weekday, clock time, zone, punctuation) + the date
            filler_start = patterns.filler_tail.search(before, max(0, len(before) - FILLER_CHARS)).start()
            words, filler = before[:filler_start].strip(STRIP), before[filler_start:]
            # after = the date + filler (clock time, zone) + any text
            trailer = patterns.filler_head.match(after).end()
            rank = _rank(words, filler, after, after[trailer:].strip(), part_start == 0, long_line, len(line),
                         head, lead)
            if rank is None:
                continue
            date = _date(patterns, match)
            if date is None or not _weekday_agrees(patterns, filler, date):
                continue
            if rank == LEAD:
                start = match.start()
            elif rank != PRINTED and LABEL.fullmatch(words):
                start = part_start + _leading(before)  # from the label
            else:
                start = part_start + filler_start + _leading(filler)  # from the weekday or clock time
            yield rank, date, start, match.end() + len(after[:trailer].rstrip(STRIP))


def _leading(text: str) -> int:
    return len(text) - len(text.lstrip(STRIP))


def _rank(words: str, filler: str, after: str, trailing_text: str, line_start: bool, long_line: bool,
          line_length: int, head: bool, lead: bool) -> int | None:
    """How strong a dateline a date is, from the words around it on its line; None when it is prose."""
    if words:
        label = LABEL.fullmatch(words)
        if label:
            return UPDATED if label.group("label").lower() in UPDATE_LABELS else PUBLISHED
        if len(words) <= SYNDICATED_CHARS and SYNDICATED.search(words):
            return PUBLISHED
    if not head:
        return None
    if not words:
        if not trailing_text:
            return None if long_line else PRINTED
        # The dateline run into the first words of the lede: "5 June 2019Police ..."
        return LEAD if lead and line_start and RUN_IN.match(after) else None
    if trailing_text or line_length > BYLINE_CHARS or ":" in filler or LABEL_WORD.search(words):
        return None  # "Incident Date: 26 June 2001" is a field of a report, not a byline
    byline = BYLINE.fullmatch(words)
    names = len(NAME.findall(byline.group("names"))) if byline else 0
    return PRINTED if 2 <= names <= MAX_NAMES else None  # two names at least: "Born 5 June 1980" is none


def _date(patterns: _Patterns, match: re.Match) -> dt.date | None:
    """The day a date match names, day first for numeric dates; None when it is not a real day."""
    groups = match.groupdict()
    if groups["iso_y"]:
        day, month, year = groups["iso_d"], int(groups["iso_m"]), int(groups["iso_y"])
    elif groups["num_y"]:
        day, month, year = groups["num_d"], int(groups["num_m"]), int(groups["num_y"])
        if len(groups["num_y"]) == 2:
            year += 2000 if year < 70 else 1900
    elif groups["dmy_y"]:
        day, month, year = groups["dmy_d"], patterns.months[groups["dmy_m"].lower()], int(groups["dmy_y"])
    else:
        day, month, year = groups["mdy_d"], patterns.months[groups["mdy_m"].lower()], int(groups["mdy_y"])
    if year not in YEARS:
        return None
    try:
        return dt.date(year, month, int(day))
    except ValueError:
        return None


def _weekday_agrees(patterns: _Patterns, filler: str, date: dt.date) -> bool:
    """False when the weekday printed just before the date is not that date's weekday."""
    found = patterns.weekday.findall(filler)
    return not found or patterns.weekdays[found[-1].lower()] == date.isoweekday()


def _in_url(line: str, start: int, end: int) -> bool:
    """True when the date is part of a web address ("https://example.com/2019/06/05/...")."""
    token_start = max(line.rfind(" ", 0, start), line.rfind("\t", 0, start)) + 1
    token_end = line.find(" ", end)
    token = line[token_start:len(line) if token_end < 0 else token_end].lower()
    return "://" in token or "www." in token or ".co" in token and "/" in token


def written_date(text: str) -> dt.date | None:
    """The day a short metadata value writes, or None: "24 November 2023", "24/11/2023",
    "Friday, November 24, 2023 09:30 GMT". The value must be only the date with its weekday,
    clock time, zone and punctuation; numeric dates are day first; the year must be in `YEARS`;
    a printed weekday must agree. Relative values ("2 days ago") are not dates. No clock is read.
    """
    if not text or len(text) > 200 or not DIGIT.search(text):
        return None
    patterns = _patterns()
    match = patterns.date.search(text)
    if match is None:
        return None
    before, after = text[:match.start()], text[match.end():]
    if patterns.filler_tail.fullmatch(before) is None or patterns.filler_head.match(after).end() != len(after):
        return None
    date = _date(patterns, match)
    if date is None or not _weekday_agrees(patterns, before, date):
        return None
    return date
