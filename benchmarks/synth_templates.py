"""Templates for the synthetic corpus: a dev article cut into fixed text and slots that can be rewritten.

A slot is a span of the article that holds a value a synthetic copy changes: a
person's first name or surname, a date, a year, a clock time, an age, a place of
the incident's district, the force's official name or a street name. Each kind is
found by a pattern below; overlapping finds keep the longest. A template keeps the
article's opening paragraphs (headline, dateline, lead) in place and lets the
others be shuffled, so copies of one source differ in the order of their paragraphs
as well as in their values.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Union

import ahocorasick

from etl.datelines import printed_published_date
from schema import vocab

# Paragraphs up to and including the first of one line this long stay in place: the headline line,
# the printed dateline, captions (several lines) and the lead, which the dateline reader and the
# lead signals rely on.
LEAD_MIN_CHARS = 120
TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr)"
FEMALE_TITLES = ("Mrs", "Ms", "Miss")
# Capitalised words that follow a title or precede a surname but are not names.
NOT_NAMES = frozenset({
    "Mr", "Mrs", "Ms", "Miss", "Dr", "The", "A", "An", "In", "On", "At", "By", "Of", "And", "But", "He", "She", "His",
    "Her", "It", "They", "This", "That", "Justice", "Speaker", "Police", "Officer", "Officers", "Coroner", "Judge",
    "Lord", "Lady", "Sir", "Dame", "Director", "Commissioner", "Chief", "Inspector", "Detective", "Constable",
    "Sergeant", "Superintendent", "Commander", "Family", "Friends", "Said", "When", "After", "Mayor", "Deputy",
    "Assistant", "Senior", "Prime", "Minister", "Home", "Secretary", "Office", "Inner", "North", "South", "East",
    "West", "Greater", "Central", "New", "Great", "Court", "Hall", "House", "News", "Times", "Post", "Mail", "Press",
    "Association", "Media", "Channel", "Radio", "Telegraph", "Guardian", "Independent", "Standard", "Evening",
    "Echo", "Herald", "Today", "Online", "Live", "Daily", "Sunday", "Weekly", "Photograph", "Picture", "Image",
    "Credit", "Published", "Updated", "Share", "Follow", "Read", "More", "Getty", "Images", "Reuters"})
# Capitalised words that make a "street" a building or an institution ("Police Station", "Crown Court").
NOT_STREETS = NOT_NAMES | frozenset({"Crown", "Magistrates", "Magistrates'", "County", "High", "Royal", "Old",
                                     "Railway", "Underground", "Tube", "Bus", "Fire", "Ambulance", "Scotland"})


@dataclass(frozen=True)
class Slot:
    """A span to rewrite: its kind, the text as written and what it means (`parts`, by kind)."""

    kind: str
    text: str
    parts: tuple


Segment = Union[str, Slot]


@dataclass(frozen=True)
class Template:
    """One source article: its gold row and its paragraphs as fixed text and slots."""

    article_id: str
    gold: dict
    head: tuple[tuple[Segment, ...], ...]  # paragraphs kept in place
    body: tuple[tuple[Segment, ...], ...]  # paragraphs, shuffled in each copy
    separator: str = "\n\n"  # between paragraphs: a blank line, or a line break in a text without blank lines

    def slots(self) -> list[Slot]:
        return [segment for paragraph in self.head + self.body for segment in paragraph if isinstance(segment, Slot)]


def template(article_id: str, text: str, gold: dict, place_names: frozenset[str], force: str | None) -> Template:
    """The article cut into paragraphs of text and slots; `place_names` are the places of its district.
    The paragraphs through the lead and through the printed dateline (as `etl.datelines` reads it) stay
    in place; the rest are the body."""
    separator = "\n\n" if "\n\n" in text.strip() else "\n"
    paragraphs = text.split(separator)
    lead = next((index for index, paragraph in enumerate(paragraphs)
                 if len(paragraph) >= LEAD_MIN_CHARS and "\n" not in paragraph.strip()), len(paragraphs) - 1)
    head_end = max(lead, _paragraph_at(paragraphs, separator, _dateline_end(text)))
    reference = _reference_year(gold)
    cut = [tuple(segments(paragraph, reference, place_names, force)) for paragraph in paragraphs]
    return Template(article_id, gold, tuple(cut[: head_end + 1]), tuple(cut[head_end + 1:]), separator)


def _dateline_end(text: str) -> int:
    """Where the dateline the text prints ends (0 when it prints none)."""
    found = printed_published_date(text)
    return found[2] if found else 0


def _paragraph_at(paragraphs: list[str], separator: str, offset: int) -> int:
    """The index of the paragraph holding character `offset` of the joined text."""
    at = 0
    for index, paragraph in enumerate(paragraphs):
        at += len(paragraph) + len(separator)
        if offset < at:
            return index
    return len(paragraphs) - 1


def _reference_year(gold: dict) -> int | None:
    """The year a date written without one belongs to: the article's dateline, else the incident's."""
    for field in ("published_date", "incident_date"):
        if gold.get(field):
            return int(gold[field][:4])
    return None


def segments(text: str, reference_year: int | None, place_names: frozenset[str], force: str | None) -> list[Segment]:
    """`text` as fixed strings and slots, in order; where finds overlap, the longest wins."""
    found = sorted(_finds(text, reference_year, place_names, force), key=lambda find: (find[0], find[0] - find[1]))
    out: list[Segment] = []
    at = 0
    for start, end, slot in found:
        if start < at:
            continue
        if start > at:
            out.append(text[at:start])
        out.append(slot)
        at = end
    if at < len(text):
        out.append(text[at:])
    return out


def _finds(text: str, reference_year: int | None, place_names: frozenset[str], force: str | None):
    """Every (start, end, Slot) the patterns find in `text`."""
    # Earlier kinds win ties between finds of the same span (a place over a street's name).
    if force and force in text:
        for match in re.finditer(re.escape(force), text):
            yield match.start(), match.end(), Slot("force", force, (force,))
    for name in place_names:
        if name in text:
            for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                yield match.start(), match.end(), Slot("place", name, (name,))
    yield from _name_finds(text)
    yield from _date_finds(text, reference_year)
    yield from _time_finds(text)
    yield from _age_finds(text)
    yield from _street_finds(text)


# ---- dates ----------------------------------------------------------------------------------

def _month_pattern() -> str:
    names = sorted(vocab.months(), key=len, reverse=True)
    return "|".join(re.escape(name) for name in names)


_MONTHS = _month_pattern()
_DAY = r"(?P<d>[0-3]?\d)(?P<ord>st|nd|rd|th)?"
_DATE_PATTERNS = {
    "dmy": re.compile(rf"\b{_DAY}(?P<of> of)? (?P<m>{_MONTHS})\b(?:(?P<ysep>,? )(?P<y>(?:19|20)\d\d)\b)?"),
    "mdy": re.compile(rf"\b(?P<m>{_MONTHS}) {_DAY}\b(?:(?P<ysep>,? )(?P<y>(?:19|20)\d\d)\b)?"),
    "my": re.compile(rf"\b(?P<m>{_MONTHS}) (?P<y>(?:19|20)\d\d)\b"),
    "num": re.compile(r"\b(?P<d>[0-3]?\d)(?P<sep>[/.])(?P<m>[01]?\d)(?P=sep)(?P<y>(?:19|20)\d\d|\d\d)\b"),
    "iso": re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    "year": re.compile(r"(?<![\w/.-])(?P<y>(?:19|20)\d\d)(?![\w/-])"),
}


def _date_finds(text: str, reference_year: int | None):
    months = vocab.months()
    for form, pattern in _DATE_PATTERNS.items():
        for match in pattern.finditer(text):
            groups = match.groupdict()
            if form == "year":
                yield match.start(), match.end(), Slot("year", match.group(), (int(groups["y"]),))
                continue
            month = months[groups["m"]] if form in ("dmy", "mdy", "my") else int(groups["m"])
            year = _year(groups["y"], reference_year)
            day = int(groups["d"]) if form != "my" else 1
            if year is None or not _valid(year, month, day):
                continue
            yield match.start(), match.end(), Slot("date", match.group(), (form, dt.date(year, month, day),
                                                                           groups["y"] is not None, groups))


def _year(written: str | None, reference_year: int | None) -> int | None:
    if written is None:
        return reference_year
    return int(written) if len(written) == 4 else 2000 + int(written)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def month_styles() -> dict[int, list[str]]:
    """Month number -> its names in the vocabulary's order (the full name first, then short forms)."""
    styles: dict[int, list[str]] = {}
    for name, number in vocab.months().items():
        styles.setdefault(number, []).append(name)
    return styles


def render_date(slot: Slot, days: int, styles: dict[int, list[str]]) -> str:
    """The date of `slot` moved by `days`, written the way the slot wrote it."""
    form, day, has_year, groups = slot.parts
    new = day + dt.timedelta(days=days)
    if form == "iso":
        return new.isoformat()
    if form == "num":
        year = str(new.year) if len(groups["y"]) == 4 else f"{new.year % 100:02d}"
        return (f"{new.day:0{len(groups['d'])}d}{groups['sep']}{new.month:0{len(groups['m'])}d}"
                f"{groups['sep']}{year}")
    names = styles[vocab.months()[groups["m"]]]
    month = _same_style(groups["m"], names, styles[new.month])
    if form == "my":
        return f"{month} {new.year}"
    day_text = f"{new.day}{_ordinal(new.day) if groups['ord'] else ''}"
    year = f"{groups['ysep']}{new.year}" if has_year else ""
    if form == "dmy":
        return f"{day_text}{groups['of'] or ''} {month}{year}"
    return f"{month} {day_text}{year}"


def _same_style(written: str, old_names: list[str], new_names: list[str]) -> str:
    index = old_names.index(written)
    return new_names[min(index, len(new_names) - 1)]


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


# ---- clock times ----------------------------------------------------------------------------

_TIME_PATTERNS = (
    re.compile(r"\b(?P<h>1[0-2]|0?[1-9])(?:(?P<sep>[.:])(?P<m>[0-5]\d))?(?P<space> ?)(?P<ap>am|pm|a\.m\.|p\.m\.)"),
    re.compile(r"\b(?P<h>[01]?\d|2[0-3])(?P<sep>:)(?P<m>[0-5]\d)(?![\d.:])"),
)


def _time_finds(text: str):
    for pattern in _TIME_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            hour = int(groups["h"])
            if "ap" in groups:
                half = 12 if groups["ap"].startswith("p") else 0
                hour = hour % 12 + half
            yield match.start(), match.end(), Slot("time", match.group(), (hour, int(groups["m"] or 0), groups))


def render_time(slot: Slot, hours: int) -> str:
    """The time of `slot` moved by `hours` (kept within its half of the day by the caller)."""
    hour, minute, groups = slot.parts
    new = hour + hours
    minutes = f"{groups['sep']}{minute:02d}" if groups.get("m") else ""
    if "ap" in groups:
        return f"{(new - 1) % 12 + 1}{minutes}{groups['space']}{groups['ap']}"
    return f"{new:0{len(groups['h'])}d}{minutes}"


def time_hours(slot: Slot) -> tuple[int, bool]:
    """(hour 0-23, written on the 12-hour clock)."""
    return slot.parts[0], "ap" in slot.parts[2]


# ---- ages -----------------------------------------------------------------------------------

_AGE_PATTERNS = (
    re.compile(r"\b(?P<v>\d{1,2})(?=[- ]years?[- ]old)"),
    re.compile(r"(?<=\baged )(?P<v>\d{1,2})\b"),
    re.compile(r"(?<=\bage of )(?P<v>\d{1,2})\b"),
    re.compile(r"(?<=\bbelieved to be )(?P<v>\d{1,2})\b(?! (?:minutes|hours|days|weeks|months|years|per))"),
    re.compile(r"(?<=[a-z], )(?P<v>\d{1,2})(?=[,.;:)]|\s+(?:was|is|has|had|who|from|of|and|died)\b)"),
    re.compile(r"(?<=[a-z] \()(?P<v>\d{1,2})(?=\))"),
)


def _age_finds(text: str):
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            yield match.start(), match.end(), Slot("age", match.group(), (int(match.group("v")),))


# ---- names ----------------------------------------------------------------------------------

_TITLED = re.compile(rf"\b(?P<title>{TITLES})\.? (?P<surname>[A-Z][a-z]+(?:[A-Z][a-z]+)?)\b")


def surnames(text: str) -> dict[str, str]:
    """Surname after a title -> the title ('Mr', 'Mrs', ...), for the names a text gives a person."""
    found = {}
    for match in _TITLED.finditer(text):
        surname = match.group("surname")
        if surname not in NOT_NAMES and surname not in _NOT_SURNAMES:
            found.setdefault(surname, match.group("title"))
    return found


def _vocabulary_names(with_places: bool = True) -> list[str]:
    """Every name of a month, weekday, rank, district, force, watchdog, street suffix or place abroad, and of a
    place in the gazetteer unless `with_places` is false."""
    return [*vocab.months(), *vocab.weekdays(), *vocab.police_ranks(), *vocab.district_by_name(),
            *(vocab.places() if with_places else ()), *vocab.forces(), *vocab.force_aliases(),
            *vocab.referral_body_aliases(), *vocab.street_suffixes(), *vocab.places_abroad(), *vocab.police_abroad(),
            *(body.name for body in vocab.referral_bodies().values())]


def _vocabulary_automaton() -> ahocorasick.Automaton:
    """The vocabulary's names of two words or more, found in a text in one pass."""
    automaton = ahocorasick.Automaton()
    for name in _vocabulary_names():
        if " " in name:
            automaton.add_word(name, len(name))
    automaton.make_automaton()
    return automaton


def _vocabulary_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each vocabulary name of two words or more the text writes as whole words."""
    spans = []
    for end, length in _VOCABULARY.iter(text):
        start, stop = end - length + 1, end + 1
        if (start == 0 or not text[start - 1].isalnum()) and (stop == len(text) or not text[stop].isalnum()):
            spans.append((start, stop))
    return spans


_VOCABULARY = _vocabulary_automaton()
# A word alone is no name when it is one of these, or a word of a district's or a force's name. Places are
# not among them: many share a name with a person ("Lewis", "Kirby"), and the places of the incident's
# district are slots of their own. A pair of
# words is no name when it overlaps a vocabulary name of two words or more ("Thames Valley Police").
_NOT_NAME_WORDS = NOT_NAMES | frozenset(name for name in _vocabulary_names(with_places=False) if " " not in name) | \
    frozenset(word for name in [*vocab.district_by_name(), *vocab.forces(), *vocab.force_aliases()]
              for word in name.split())  # "London", "Kent", "Yorkshire": regions, not people
# After a title a word is a surname unless it is a month, a weekday, a rank or a district.
_NOT_SURNAMES = frozenset(vocab.months()) | frozenset(vocab.weekdays()) | frozenset(vocab.police_ranks()) | \
    frozenset(vocab.district_by_name())
_NAME_PATTERN = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)?\b")


_FULL_NAME = re.compile(r"(?<![\w.’'-])(?P<first>[A-Z][a-z]+) (?P<last>[A-Z][a-z]+(?:[A-Z][a-z]+)?)(?![\w-])")


def _name_finds(text: str):
    """People's names: surnames given with a title in this text and the first names before them, and pairs of
    capitalised words that are no vocabulary's words ("Jane Doe"), as a first name and a surname."""
    known = surnames(text)
    paired = set()
    taken = _vocabulary_spans(text)
    for match in _FULL_NAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        if first in _NOT_NAME_WORDS or last in _NOT_NAME_WORDS or first in known or \
                any(start < match.end() and match.start() < end for start, end in taken):
            continue
        paired.add(last)
        yield match.start("first"), match.end("first"), Slot("first", first, (first, known.get(last, "")))
        yield match.start("last"), match.end("last"), Slot("surname", last, (last, known.get(last, "")))
    known = {**{last: "" for last in paired}, **known}  # "Jane Doe ... Doe said": the surname alone too
    if not known:
        return
    for match in _NAME_PATTERN.finditer(text):
        word = match.group()
        if word in known:
            yield match.start(), match.end(), Slot("surname", word, (word, known[word]))
            before = re.search(r"\b([A-Z][a-z]+) $", text[max(0, match.start() - 30): match.start()])
            if before and before.group(1) not in NOT_NAMES and before.group(1) not in _NOT_NAME_WORDS \
                    and before.group(1) not in known:
                start = match.start() - len(before.group(0))
                yield start, start + len(before.group(1)), Slot("first", before.group(1), (before.group(1), known[word]))


# ---- streets --------------------------------------------------------------------------------

_SUFFIXES = "|".join(re.escape(suffix) for suffix in vocab.street_suffixes())
_STREET = re.compile(rf"\b(?P<base>(?:[A-Z][a-z']+ ){{1,2}})(?P<suffix>{_SUFFIXES})\b")


def _street_finds(text: str):
    for match in _STREET.finditer(text):
        words = match.group("base").split()
        while words and words[0] in NOT_STREETS:
            words = words[1:]
        if not words or any(word in NOT_STREETS for word in words):
            continue
        base = " ".join(words)
        start = match.end("base") - len(base) - 1
        yield start, start + len(base), Slot("street", base, (base,))
