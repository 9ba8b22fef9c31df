"""Where it happened and who: borough (with its ONS code), location, force, watchdog.

Names come from the document's vocabulary mentions (`etl.extract.document`), found
once per article from `schema/vocab/`. Mentions in sentences that report the force
itself count more than mentions elsewhere, so the place of the incident beats
places merely quoted.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from etl.extract.document import FORCE, PLACE, WATCHDOG, Document, Mention
from etl.extract.text import Found
from schema import vocab


def street_suffix_pattern() -> str:
    """An alternation of the street suffixes of schema/vocab ("Road", "Close", "Estate", ...)."""
    return "(?:" + "|".join(re.escape(suffix) for suffix in vocab.street_suffixes()) + ")"


STREET_SUFFIX = street_suffix_pattern()
INCIDENT_WEIGHT = 3  # a mention in a sentence that reports the force, against 1 elsewhere


def uk_mentions(doc: Document) -> int:
    """How many times the article names a UK district, place, police force or watchdog."""
    return sum(1 for mention in doc.mentions if mention.kind in (PLACE, FORCE, WATCHDOG))


def _weight(doc: Document, mention: Mention) -> int:
    return INCIDENT_WEIGHT if doc.force_sentence[mention.sentence] else 1


def borough(doc: Document) -> tuple[Found, Found] | None:
    """The district where it happened (name and GSS code), by weighted mentions."""
    text = doc.text
    scores, first = defaultdict(int), {}
    for mention in doc.of(PLACE):
        if _names_something_else(text, mention.end) or _is_residence(text, mention.start):
            continue
        scores[mention.value] += _weight(doc, mention)
        first.setdefault(mention.value, mention)
    if not scores:
        return None
    code = max(scores, key=lambda code: (scores[code], -first[code].start))
    mention = first[code]
    district = vocab.districts()[code]
    rule = "borough:district_name" if mention.name == district.name else "borough:place_in_district"
    return (Found("borough", district.name, mention.start, mention.end, rule),
            Found("borough_code", code, mention.start, mention.end, rule))


# A place name followed by these words names a street ("Kirkstall Gardens" in London)
# or an institution whose place is not the incident's ("Liverpool Crown Court").
_NOT_THE_PLACE = re.compile(rf"\s+(?:{STREET_SUFFIX}|(?:Crown |Magistrates'? |Coroner'?s'? |County |High )?Court|"
                            r"Prison|University|College|Cathedral|F\.?C\.?|Football Club|Echo|Post|Times|Evening)\b")


def _names_something_else(text: str, end: int) -> bool:
    return bool(_NOT_THE_PLACE.match(text, end))


# Where someone lives or comes from is not where force was used: "Mr Clark, 35, of
# Winteringham, North Lincolnshire", "the 36-year-old, from Bolton".
_RESIDENCE = re.compile(r"(?:\bfrom|,\s+of|\bnative of|\bborn in|\bgrew up in)\s+(?:[A-Z0-9][\w'’-]*\s+){0,4}(?:[\w'’-]+,\s+)?$")


def _is_residence(text: str, start: int) -> bool:
    return bool(_RESIDENCE.search(text[max(0, start - 50):start]))


def force(doc: Document, borough_found: Found | None) -> Found | None:
    """The force whose officers used force.

    Forces named in a sentence that reports the force are its agents; when one such
    sentence names several ("officers from the Met and City of London Police fired"),
    they are all recorded, sorted and joined. Otherwise the best-weighted force named
    wins, so a force merely quoted loses to the one whose officers acted; with none
    named, the territorial force of the place.
    """
    mentions = doc.of(FORCE)
    joint = _forces_acting_together(doc, mentions)
    if joint:
        return joint
    if mentions:
        scores, first = defaultdict(int), {}
        for mention in mentions:
            scores[mention.value] += _weight(doc, mention)
            first.setdefault(mention.value, mention)
        name = max(scores, key=lambda name: (scores[name], -first[name].start))
        return Found("force", name, first[name].start, first[name].end, "force:named")
    if borough_found is not None:
        district = vocab.district_by_name()[borough_found.value]
        return Found("force", district.force, borough_found.start, borough_found.end, "force:territorial_force_of_borough")
    return None


def _forces_acting_together(doc: Document, mentions: list[Mention]) -> Found | None:
    """Several forces named in one sentence that reports the force, as one joined value."""
    by_sentence = defaultdict(list)
    for mention in mentions:
        if doc.force_sentence[mention.sentence]:
            by_sentence[mention.sentence].append(mention)
    for group in by_sentence.values():
        names = sorted({mention.value for mention in group})
        if len(names) > 1:
            return Found("force", "; ".join(names), group[0].start, group[-1].end, "force:several_named_acting")
    return None


_NAME = r"(?:[A-Z][\w'’-]+ ){0,3}"
JUNCTION = re.compile(rf"\bjunction (?:of|between) ({_NAME}{STREET_SUFFIX}) (?:and|with) ({_NAME}(?:{STREET_SUFFIX})?)\b")
STREET = re.compile(rf"\b(?:in|on|at|near|off|outside) ((?:[A-Z][\w'’-]+ ){{1,3}}{STREET_SUFFIX})\b")


def location(doc: Document, borough_found: Found | None) -> Found | None:
    """The street, junction or place as written: a junction, else a street, else the place name."""
    text = doc.text
    ordered = sorted(doc.sentences, key=lambda sentence: not doc.force_sentence[sentence.index])
    for pattern, rule in ((JUNCTION, "location:junction"), (STREET, "location:street")):
        for sentence in ordered:
            match = pattern.search(sentence.text)
            if match:
                start = sentence.start + (match.start() if pattern is JUNCTION else match.start(1))
                end = sentence.start + match.end()
                return Found("location", text[start:end], start, end, rule)
    if borough_found is not None:
        return Found("location", text[borough_found.start:borough_found.end], borough_found.start, borough_found.end, "location:place_name")
    return None


# The watchdog unnamed: "the police watchdog", or its own statement's words
# ("we have begun an independent investigation", "we attended the post-incident procedure").
UNNAMED_WATCHDOG = re.compile(r"\b(?:police )?watchdog\b|\b(?:we|our)\b[^.]{0,60}\b(?:independent investigation|post[- ]incident procedures?)\b", re.I)


def referral_body(doc: Document, country: str | None, on: dt.date | None) -> Found | None:
    """The watchdog the article names; an unnamed "police watchdog" is the body holding the role there and then."""
    named = doc.of(WATCHDOG)
    if named:
        bodies = {mention.value for mention in named}
        # An article naming two (an IPCC-era case reported after 2018) names the one of its time first.
        preferred = vocab.referral_body_for(country, on) if country else None
        chosen = next((mention for mention in named if mention.value == preferred), None) if len(bodies) > 1 else None
        chosen = chosen or named[0]
        return Found("referral_body", chosen.value, chosen.start, chosen.end, "referral:named")
    if country is None:
        return None
    for sentence in doc.sentences:
        match = UNNAMED_WATCHDOG.search(sentence.text)
        if match:
            body = vocab.referral_body_for(country, on)
            if body:
                return Found("referral_body", body, sentence.start + match.start(), sentence.start + match.end(),
                             "referral:unnamed_watchdog_for_place_and_date")
    return None
