"""Where it happened and who: borough (with its ONS code), location, force, watchdog.

Names are looked up in the vocabularies of `schema/vocab/` with a case-sensitive
gazetteer. Mentions in sentences that report the force itself count more than
mentions elsewhere, so the place of the incident beats places merely quoted.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from etl.extract.cues import is_force_sentence
from etl.extract.gazetteer import Gazetteer, Mention
from etl.extract.text import Found, Sentence
from schema import vocab

STREET_SUFFIX = (r"(?:Road|Street|Lane|Avenue|Green|Place|Drive|Way|Close|Gardens|Park|Square|Terrace|Hill|Crescent|Grove|"
                 r"Row|Walk|Parade|Court|Estate|Bridge|Gate|Broadway|Mews|Rise|Vale|Wharf|Yard|Circus|Embankment|Station|Market)")
INCIDENT_WEIGHT = 3  # a mention in a sentence that reports the force, against 1 elsewhere


@functools.cache
def force_gazetteer() -> Gazetteer[str]:
    """Force aliases, plus the lower-case "police" spelling many outlets use ("Metropolitan police")."""
    aliases = dict(vocab.force_aliases())
    for alias, name in vocab.force_aliases().items():
        for word in ("Police", "Constabulary"):
            if alias.endswith(" " + word):
                aliases.setdefault(alias[: -len(word)] + word.lower(), name)
    return Gazetteer(aliases)


@functools.cache
def place_gazetteer() -> Gazetteer[str]:
    """District names and places inside districts, both to district codes."""
    names = {district.name: code for code, district in vocab.districts().items()}
    names.update(vocab.places())
    return Gazetteer(names)


@functools.cache
def watchdog_gazetteer() -> Gazetteer[str]:
    return Gazetteer(vocab.referral_body_aliases())


def uk_mentions(text: str, start: int = 0) -> int:
    """How many times the text names a UK district, place, police force or watchdog."""
    return sum(1 for gazetteer in (force_gazetteer(), watchdog_gazetteer(), place_gazetteer())
               for _ in gazetteer.find(text, start))


def _weights(sentences: list[Sentence]) -> list[tuple[Sentence, int]]:
    return [(sentence, INCIDENT_WEIGHT if is_force_sentence(sentence) else 1) for sentence in sentences]


@dataclass(frozen=True)
class ForceMention(Mention[str]):
    sentence_start: int = 0


def force_mentions_in(text: str, sentences: list[Sentence]) -> list[tuple[ForceMention, int]]:
    """Every force named in the article, with the weight of its sentence."""
    return [(ForceMention(mention.name, mention.value, mention.start, mention.end, sentence.start), weight)
            for sentence, weight in _weights(sentences)
            for mention in force_gazetteer().find(text, sentence.start, sentence.end)]


def borough(text: str, sentences: list[Sentence], masked: list[tuple[int, int]]) -> tuple[Found, Found] | None:
    """The district where it happened (name and GSS code), by weighted mentions.

    `masked` spans (force names such as "Greater Manchester Police") are not places.
    """
    scores, first = defaultdict(int), {}
    for sentence, weight in _weights(sentences):
        for mention in place_gazetteer().find(text, sentence.start, sentence.end):
            if (any(start <= mention.start < end for start, end in masked) or _names_something_else(text, mention.end)
                    or _is_residence(text, mention.start)):
                continue
            scores[mention.value] += weight
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


def force(text: str, sentences: list[Sentence], borough_found: Found | None,
          mentions: list[tuple["ForceMention", int]] | None = None) -> Found | None:
    """The force whose officers used force.

    Forces named in a sentence that reports the force are its agents; when one such
    sentence names several ("officers from the Met and City of London Police fired"),
    they are all recorded, sorted and joined. Otherwise the best-weighted force named
    wins, so a force merely quoted loses to the one whose officers acted; with none
    named, the territorial force of the place.
    """
    mentions = force_mentions_in(text, sentences) if mentions is None else mentions
    joint = _forces_acting_together(mentions)
    if joint:
        return joint
    if mentions:
        scores, first = defaultdict(int), {}
        for mention, weight in mentions:
            scores[mention.value] += weight
            first.setdefault(mention.value, mention)
        name = max(scores, key=lambda name: (scores[name], -first[name].start))
        return Found("force", name, first[name].start, first[name].end, "force:named")
    if borough_found is not None:
        district = vocab.district_by_name()[borough_found.value]
        return Found("force", district.force, borough_found.start, borough_found.end, "force:territorial_force_of_borough")
    return None


def _forces_acting_together(mentions: list[tuple[Mention[str], int]]) -> Found | None:
    """Several forces named in one sentence that reports the force, as one joined value."""
    by_sentence = defaultdict(list)
    for mention, weight in mentions:
        if weight == INCIDENT_WEIGHT:
            by_sentence[mention.sentence_start].append(mention)
    for group in by_sentence.values():
        names = sorted({mention.value for mention in group})
        if len(names) > 1:
            return Found("force", "; ".join(names), group[0].start, group[-1].end, "force:several_named_acting")
    return None


_NAME = r"(?:[A-Z][\w'’-]+ ){0,3}"
JUNCTION = re.compile(rf"\bjunction (?:of|between) ({_NAME}{STREET_SUFFIX}) (?:and|with) ({_NAME}(?:{STREET_SUFFIX})?)\b")
STREET = re.compile(rf"\b(?:in|on|at|near|off|outside) ((?:[A-Z][\w'’-]+ ){{1,3}}{STREET_SUFFIX})\b")


def location(text: str, sentences: list[Sentence], borough_found: Found | None) -> Found | None:
    """The street, junction or place as written: a junction, else a street, else the place name."""
    ordered = [sentence for sentence, weight in sorted(_weights(sentences), key=lambda pair: -pair[1])]
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
WATCHDOG = re.compile(r"\b(?:police )?watchdog\b|\b(?:we|our)\b[^.]{0,60}\b(?:independent investigation|post[- ]incident procedures?)\b", re.I)


def referral_body(text: str, sentences: list[Sentence], country: str | None, on: dt.date | None) -> Found | None:
    """The watchdog the article names; an unnamed "police watchdog" is the body holding the role there and then."""
    named = list(watchdog_gazetteer().find(text))
    if named:
        bodies = {mention.value for mention in named}
        # An article naming two (an IPCC-era case reported after 2018) names the one of its time first.
        preferred = vocab.referral_body_for(country, on) if country else None
        chosen = next((mention for mention in named if mention.value == preferred), None) if len(bodies) > 1 else None
        chosen = chosen or named[0]
        return Found("referral_body", chosen.value, chosen.start, chosen.end, "referral:named")
    if country is None:
        return None
    for sentence in sentences:
        match = WATCHDOG.search(sentence.text)
        if match:
            body = vocab.referral_body_for(country, on)
            if body:
                return Found("referral_body", body, sentence.start + match.start(), sentence.start + match.end(),
                             "referral:unnamed_watchdog_for_place_and_date")
    return None
