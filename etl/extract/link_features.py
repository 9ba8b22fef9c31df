"""What an article says that helps tell which incident it reports: the linker's clues.

Besides the extracted fields, news reports of one event share proper names: the
person police used force on (named in follow-ups, at inquests and trials), streets
and places; a later story names the month or year it returns to; a watchdog's
findings or a hearing outrank a first report. `link_features` reads these from the
`Document` once, at the extract stage, each with the span that gave it, so the link
stage compares them without reading the text again (`etl.linking.features`).

The rules are those of how news writes names: a run of capitalised words not made
of common words, places or titles is a personal name; "Mr Rigg" gives a surname; a
capitalised run ending in a street suffix (schema/vocab/street_suffixes.csv) is a
street; places are the document's place mentions below the district.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict

from etl.extract.document import FORCE, PLACE, Document
from etl.extract.text import record
from etl.extract.places import street_suffix_pattern
from etl.extract.triggers import fast_start, gated
from schema import vocab
from schema.codebook import LINK_FEATURE_KINDS

# The kinds of clue, the closed set of the codebook (the `kind` column of the link_features table).
PERSON, SURNAME, PROMINENT_SURNAME, WORD, STREET_NAME, PLACE_NAME, MONTH, YEAR, AUTHORITY, AS_OF = LINK_FEATURE_KINDS

STREET = gated(re.compile(rf"\b((?:[A-Z][a-z'’]+\s){{1,3}}{street_suffix_pattern()})\b"))
_NAME_WORD = r"(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# The first name word written to start with its capital (the same words: "McNeil", "Mark", "O'Neill"),
# so that `re` skips to the capitals (`triggers.led_by_first_character`).
_FIRST_NAME_WORD = r"[A-Z](?:(?<=M)a?c[A-Z]|(?<=O)['’][A-Z])?[a-z]+(?:-[A-Z][a-z]+)?"
_PARTICLE = r"(?:de|da|van|von|der|den|di|del|la|le|al|bin|ibn)"
PERSON_NAME = gated(re.compile(rf"\b{_FIRST_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{1,3}}\b"))
HONORIFIC = gated(re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+((?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"))
# People named after a rank or office speak for an institution and recur across
# unrelated incidents (a force's spokesperson, a watchdog director): not evidence.
OFFICIAL_BEFORE = fast_start(re.compile(
    r"(?:Commissioner|Commander|Superintendent|Inspector|Sergeant|Constable|Chief|Director|director|Minister|Secretary|"
    r"Judge|Justice|Coroner|coroner|Mayor|MP|spokesman|spokeswoman|spokesperson|Assistant|Deputy|Officer|Detective|"
    r"Lord|Lady|Sir|Dame|Dr|Professor|By|by|Reporter|Editor|Supt|DCI|DI|DS|DC|PC|Insp|Sgt|QC|KC)\.?\s*[-–:]?\s*$"))
OFFICIAL_LOOKBACK = 40  # characters before a name searched for a rank or office
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
Last Updated Google Maps Archant
""".split())
CAPITALISED = gated(re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"))
# A capitalised word after a lowercase word or a comma is a name of something, not a sentence start.
INNER_CAPITALISED = gated(re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}\b"))
_YEAR = r"(19[5-9]\d|20[0-4]\d)"
YEAR_MENTION = gated(re.compile(rf"\b{_YEAR}\b"))
# Who wrote it: a watchdog's statement or findings outranks an inquest or trial report,
# which outranks a first news report (shared/FIELDS.md, incident-level values).
WATCHDOG_AUTHOR = gated(re.compile(
    r"\b(?:IOPC|IPCC|PIRC|Police Ombudsman|Independent Office for Police Conduct|Independent Police Complaints Commission|"
    r"Police Investigations and Review Commissioner)\b[^.]{0,80}\b(?:has found|found that|concluded|has concluded|"
    r"investigation (?:has )?found|report (?:has )?found|recommend|published|findings)"))
HEARING = gated(re.compile(r"\b(?:inquest|jury|coroner|trial|court heard|was told|verdict|sentenced|convicted|acquitted)\b",
                     re.IGNORECASE))
AUTHORITY_WITHIN = 1500  # who is speaking shows in the opening of the article
WATCHDOG_FINDINGS, HEARING_REPORT = 2, 1


@record
class LinkFeature:
    """A clue of one kind, its value (lowercase names, "YYYY-MM", "YYYY", an ISO date, an authority
    level) and the span of the article text that gave it (for an article-wide value, the deciding phrase)."""

    kind: str
    value: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.kind not in LINK_FEATURE_KINDS:
            raise ValueError(f"link feature kind {self.kind!r} is not one of {LINK_FEATURE_KINDS}")

    def row(self, article_id: str, text: str) -> dict:
        """The link_features table row, with the quoted span."""
        return {"article_id": article_id, "kind": self.kind, "value": self.value,
                "start": self.start, "end": self.end, "quote": text[self.start:self.end]}


def link_features(doc: Document) -> list[LinkFeature]:
    """Every clue the article gives, once per kind and value (at its first span), in text order per kind."""
    found: list[LinkFeature] = []
    people, surnames = person_names(doc)
    found += people + surnames + prominent_surnames(doc, surnames)
    found += proper_words(doc) + streets_in(doc) + places_in(doc)
    dates = dates_mentioned(doc)
    found += dates
    found += [item for item in (authority_of(doc), latest_day(doc, dates)) if item is not None]
    return _first_of_each(found)


def _first_of_each(found: list[LinkFeature]) -> list[LinkFeature]:
    seen, kept = set(), []
    for item in found:
        if (item.kind, item.value) not in seen:
            seen.add((item.kind, item.value))
            kept.append(item)
    return kept


def _matches(doc: Document, pattern: re.Pattern, limit: int | None = None):
    """(match, offset of its sentence) for each match of pattern in the sentences (up to text offset limit);
    a gated pattern is run only in the sentences that hold its trigger words."""
    if limit is None:
        return [(match, sentence.start) for sentence in doc.sentences_for(pattern)
                for match in pattern.finditer(sentence.text)]
    return _matches_before(doc, pattern, limit)


def _matches_before(doc: Document, pattern: re.Pattern, limit: int):
    for sentence in doc.sentences_for(pattern):
        if sentence.start >= limit:
            return
        for match in pattern.finditer(sentence.text[:limit - sentence.start]):
            yield match, sentence.start


def _at(kind: str, value: str, match: re.Match, offset: int, group: int = 0) -> LinkFeature:
    return LinkFeature(kind, value, offset + match.start(group), offset + match.end(group))


# --- names -----------------------------------------------------------------------------------

def _vocabulary_spans(doc: Document) -> list[tuple[int, int]]:
    """Spans of the places and forces the document names (districts, gazetteer places, force names)."""
    return [(mention.start, mention.end) for mention in doc.mentions if mention.kind in (PLACE, FORCE)]


_WORD = re.compile(r"\S+")


def _names_a_place(spans: list[tuple[int, int]], match: re.Match, start: int) -> bool:
    """Whether some run of the match's words is a place or force the document names
    ("Leeds", "Milton Keynes"; not the "Sutton" of "Sutton-Mattocks")."""
    end = start + len(match.group())
    if not any(first < end and start < last for first, last in spans):
        return False  # no place or force overlaps the match
    words = [(start + word.start(), start + word.end()) for word in _WORD.finditer(match.group())]
    starts, ends = {first for first, _ in words}, {last for _, last in words}
    return any((first <= start or first in starts) and (last >= end or last in ends)
               for first, last in spans if first < end and start < last)


def person_names(doc: Document) -> tuple[list[LinkFeature], list[LinkFeature]]:
    """Named people ("first last", lowercase) and their surnames, officials and places excluded."""
    vocabulary = _vocabulary_spans(doc)
    people, surnames = [], []
    for sentence in doc.sentences:
        alone = None  # the sentence as a name on a line of its own would be written
        for match in PERSON_NAME.finditer(sentence.text):
            name = match.group()
            start, end = sentence.start + match.start(), sentence.start + match.end()
            if alone is None:
                alone = sentence.text.rstrip(".,;:")
            if name == alone:
                continue  # a name on a line of its own: a byline or a caption's credit
            words = [word for word in name.split() if word[0].isupper()]
            # (the cheap checks first: each only drops the match)
            if len(words) < 2 or any(word in NOT_NAME for word in words) \
                    or OFFICIAL_BEFORE.search(doc.text, max(0, start - OFFICIAL_LOOKBACK), start) \
                    or _names_a_place(vocabulary, match, start):
                continue
            people.append(LinkFeature(PERSON, f"{words[0].lower()} {words[-1].lower()}", start, end))
            last = name.rfind(words[-1])
            surnames.append(LinkFeature(SURNAME, words[-1].lower(), start + last, start + last + len(words[-1])))
    for match, offset in _matches(doc, HONORIFIC):
        if match.group(1) not in NOT_NAME:
            surnames.append(_at(SURNAME, match.group(1).lower(), match, offset, 1))
    return people, surnames


def prominent_surnames(doc: Document, surnames: list[LinkFeature]) -> list[LinkFeature]:
    """Surnames the article writes at least twice (its subject, not a passing mention), at their second mention."""
    wanted = {item.value for item in surnames}
    if not wanted:
        return []  # no surname to count
    seen: dict[str, list[tuple[int, int]]] = defaultdict(list)
    # (a capitalised word that is a surname holds it in lower case: the other sentences are not read)
    for sentence in doc.sentences_holding(wanted):
        for match in CAPITALISED.finditer(sentence.text):
            word = match.group().lower()
            if word in wanted:
                seen[word].append((sentence.start + match.start(), sentence.start + match.end()))
    return sorted((LinkFeature(PROMINENT_SURNAME, word, *spans[1]) for word, spans in seen.items() if len(spans) >= 2),
                  key=lambda item: item.start)


def proper_words(doc: Document) -> list[LinkFeature]:
    """Capitalised words inside sentences ("bannockburn"): places and names the vocabularies lack."""
    names = _place_and_force_names()  # districts, places and forces are compared as such, not as words
    if not doc.sentences:
        return []
    # One scan of the body, not one per sentence: the same words. A word holds no whitespace and only
    # whitespace lies between sentences; nor does one start a sentence in the body's scan: the space
    # before it would follow a line break or a sentence's last character, never a lower-case letter or comma.
    begin = doc.sentences[0].start
    return [LinkFeature(WORD, word.lower(), begin + match.start(), begin + match.end())
            for match in INNER_CAPITALISED.finditer(doc.text[begin:doc.sentences[-1].end])
            if (word := match.group()) not in NOT_NAME and word not in names]


@functools.cache
def _place_and_force_names() -> frozenset[str]:
    """Every name of a district, place or force in schema/vocab (a word that is one is no rare clue)."""
    names = {district.name for district in vocab.districts().values()} | set(vocab.places())
    names |= {force.name for force in vocab.forces().values()} | set(vocab.force_aliases())
    return frozenset(names)


# --- places ----------------------------------------------------------------------------------

_DROPPED = re.compile(r"['’.]")  # apostrophes and dots: "St. John's" is "st johns"
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def normalise_place(name: str | None) -> str | None:
    """A place or street name in one comparable form: lowercase, no apostrophes or punctuation."""
    if not name:
        return None
    text = _DROPPED.sub("", str(name).lower())
    text = _SEPARATORS.sub(" ", text).strip()
    return text or None


def is_street(place: str | None) -> bool:
    """A normalised place name that ends like a street ("kirkstall gardens"), not a town ("stirling")."""
    return bool(place) and bool(STREET.search(place.title() + " "))


def streets_in(doc: Document) -> list[LinkFeature]:
    found = []
    for match, offset in _matches(doc, STREET):
        name = normalise_place(match.group(1))
        if name:
            found.append(_at(STREET_NAME, name, match, offset, 1))
    return found


def places_in(doc: Document) -> list[LinkFeature]:
    """Places below the district (towns, areas) the document names."""
    districts = _district_names()
    return [LinkFeature(PLACE_NAME, name, mention.start, mention.end)
            for mention in doc.of(PLACE) if mention.name not in districts and (name := normalise_place(mention.name))]


@functools.cache
def _district_names() -> frozenset[str]:
    return frozenset(district.name for district in vocab.districts().values())


# --- dates and authority ---------------------------------------------------------------------

_MONTH_NAMES = "|".join(re.escape(name) for name in sorted(vocab.months(), key=len, reverse=True))
# Declared with the other patterns, before any document is read, so every document's one pass looks for their words.
MONTH_YEAR_MENTION = gated(re.compile(rf"\b({_MONTH_NAMES})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+{_YEAR}\b"))
DAY_MONTH_YEAR_MENTION = gated(re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES}),?\s+{_YEAR}\b"))


def dates_mentioned(doc: Document) -> list[LinkFeature]:
    """The months ("2019-03") and years ("2019") the article mentions."""
    months = vocab.months()
    found = [_at(MONTH, f"{int(match.group(2)):04d}-{months[match.group(1)]:02d}", match, offset)
             for match, offset in _matches(doc, MONTH_YEAR_MENTION)]
    found += [_at(MONTH, f"{int(match.group(3)):04d}-{months[match.group(2)]:02d}", match, offset)
              for match, offset in _matches(doc, DAY_MONTH_YEAR_MENTION)]
    found += [_at(YEAR, match.group(1), match, offset) for match, offset in _matches(doc, YEAR_MENTION)]
    return _dateline_year(doc) + found


def _dateline_year(doc: Document) -> list[LinkFeature]:
    """The year of the dateline before the body (" date 2019-03-16 ..."), which the article states too."""
    if doc.published is None or doc.body_start == 0:
        return []
    year = str(doc.published.year)
    at = doc.text.find(year, 0, doc.body_start)
    return [LinkFeature(YEAR, year, at, at + len(year))] if at >= 0 and YEAR_MENTION.fullmatch(year) else []


def latest_day(doc: Document, mentioned: list[LinkFeature] | None = None) -> LinkFeature | None:
    """The latest full date the article mentions, else the first day of the latest year it mentions (as_of);
    `mentioned`: `dates_mentioned(doc)`, when the caller has it."""
    months = vocab.months()
    latest: tuple[dt.date, LinkFeature] | None = None
    for match, offset in _matches(doc, DAY_MONTH_YEAR_MENTION):
        try:
            day = dt.date(int(match.group(3)), months[match.group(2)], int(match.group(1)))
        except ValueError:
            continue
        if latest is None or day > latest[0]:
            latest = (day, _at(AS_OF, day.isoformat(), match, offset))
    year: tuple[int, LinkFeature] | None = None
    mentioned = dates_mentioned(doc) if mentioned is None else mentioned
    for mention in (item for item in mentioned if item.kind == YEAR):
        if year is None or int(mention.value) > year[0]:
            year = (int(mention.value), LinkFeature(AS_OF, f"{mention.value}-01-01", mention.start, mention.end))
    if year and (latest is None or year[0] > latest[0].year):
        return year[1]
    return latest[1] if latest else None


def authority_of(doc: Document) -> LinkFeature | None:
    """Who is speaking, from the opening: watchdog findings (2) or a hearing (1); None for a news report."""
    for pattern, level in ((WATCHDOG_AUTHOR, WATCHDOG_FINDINGS), (HEARING, HEARING_REPORT)):
        for match, offset in _matches(doc, pattern, AUTHORITY_WITHIN):
            return _at(AUTHORITY, str(level), match, offset)
    return None
