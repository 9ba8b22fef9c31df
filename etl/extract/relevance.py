"""Relevance: does the article report a specific incident of UK police force on a person?

A score adds signals for police force on someone ("shot by police", "was Tasered",
"restrained by officers", a watchdog investigating) and subtracts signals for the
codebook's exclusions (an officer as the victim, amnesties, statistics, animals,
events abroad). The threshold is a build parameter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.cues import FORCE_PATTERNS, KILLED_BY_POLICE, OFFICER_TRIED, OFFICER_VICTIM, POLICE, has_force_words
from etl.extract.text import Found, Sentence

WATCHDOG = re.compile(r"\b(?:IOPC|IPCC|PIRC|Police Ombudsman|Independent Office for Police Conduct|"
                      r"Independent Police Complaints Commission|Police Investigations and Review Commissioner|police watchdog)\b")
STATISTICS = re.compile(r"\b(?:statistics|figures (?:show|published|released)|per cent|percentage|annual(?:ly)?|"
                        r"in the year to|year ending|rose by|fell by|number of times|were used \d|discharged \d+ times)\b", re.I)
POLICY = re.compile(r"\b(?:amnesty|surrender (?:bins?|scheme)|consultation|roll[- ]out|rolled out|to be issued|will be (?:armed|issued|given)|"
                    r"training|guidance|funding|pilot scheme|trial of)\b", re.I)
ANIMAL = re.compile(r"(?<!police )\b(?:dogs?|deer|bulls?|cows?|horses?|badgers?|fox(?:es)?|animals?|swans?|beasts?|livestock|cattle|sheep|boars?)\b", re.I)
ANIMAL_ARTICLE = 3  # this many animal words, and no more people, make an article about an animal
ANIMAL_PENALTY = 10
ANIMAL_TARGET = re.compile(r"\b(?:shot|shoot|destroyed|put down|tasered|killed) (?:a|the|an|two|three) (?:[\w-]+ )?"
                           r"(?:dogs?|deer|bulls?|cows?|horses?|badgers?|fox(?:es)?|animals?|swans?|beasts?|cattle|sheep|boars?)\b", re.I)
# A shooting by someone else: the gunman, a drive-by, a murder appeal.
CIVILIAN = re.compile(r"\b(?:gunm[ae]n|shooter|drive-by|gang|murder (?:inquiry|investigation)|appeal(?:ing)? for (?:witnesses|information)|"
                      r"shot by (?:a|an|his|her) (?:man|woman|gunman|partner|neighbour|friend)|armed robbers?)\b", re.I)
ABROAD = re.compile(r"\b(?:United States|US police|American police|in the US|U\.S\.|France|Paris|Germany|Australia|"
                    r"Canada|New York|California|Texas|Chicago|Minneapolis|Florida|India|Brazil|South Africa)\b")

PERSON = re.compile(r"\b(?:man|woman|boy|girl|teenager|youth|motorist|pedestrian|rider|driver|suspect|Mr|Mrs|Ms|Miss)\b")

FORCE_BY_ITSELF = 3
FORCE_WITH_POLICE = 1
WATCHDOG_SIGNAL = 1
WATCHDOG_WITH_FORCE = 3
MAX_FORCE_SENTENCES = 3
NO_UK_PLACE = -3


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    evidence: Found


def relevance(sentences: list[Sentence], threshold: float, uk_mentions: int = 1) -> Relevance:
    """The relevance score of an article from its sentences, and the evidence for it.

    `uk_mentions` counts the UK places, forces and watchdogs the article names:
    incidents abroad are out of scope.
    """
    score, strongest, force_sentences, victim_sentences = 0.0, None, 0, 0
    for sentence in sentences:
        signal = _force_signal(sentence)
        if signal and force_sentences < MAX_FORCE_SENTENCES:
            force_sentences += 1
            score += signal[0]
            if strongest is None or signal[0] > strongest[0]:
                strongest = signal
        victim_sentences += bool(OFFICER_VICTIM.search(sentence.text) and not (signal and signal[0] == FORCE_BY_ITSELF))
    if victim_sentences and not (strongest and strongest[0] == FORCE_BY_ITSELF):
        # An officer attacked, and no report of police force back: not our kind of incident.
        score -= 2 * min(victim_sentences, 2)
    text = " ".join(sentence.text for sentence in sentences)
    animals = len(ANIMAL.findall(text))
    if ANIMAL_TARGET.search(text) or (animals >= ANIMAL_ARTICLE and animals >= len(PERSON.findall(text))):
        # Force on an animal, however it is described, is not force on a person.
        score -= ANIMAL_PENALTY
    score -= min(2, len(CIVILIAN.findall(text)))
    if not uk_mentions:
        score += NO_UK_PLACE
    if WATCHDOG.search(text):
        # A watchdog only investigates the police, so its "fatal shooting" is a police shooting.
        # A review of Taser use in general names no one: a specific incident names a person.
        specific = any(weak.search(text) for _, weak in FORCE_PATTERNS.values()) and PERSON.search(text)
        score += WATCHDOG_WITH_FORCE if specific else WATCHDOG_SIGNAL
    score -= min(3, len(STATISTICS.findall(text))) + min(3, len(POLICY.findall(text)))
    if len(ABROAD.findall(text)) > uk_mentions:
        score -= 2
    relevant = score >= threshold
    if strongest:
        _, sentence, match = strongest
        start, end = sentence.start + match.start(), sentence.start + match.end()
    else:
        start, end = (sentences[0].start, sentences[0].end) if sentences else (0, 0)
    return Relevance(relevant, score, Found("relevant", relevant, start, end, f"relevance:score={score:g}"))


def _force_signal(sentence: Sentence) -> tuple[int, Sentence, re.Match] | None:
    """The strongest report of police force in a sentence: its weight, sentence and match."""
    tried = OFFICER_TRIED.search(sentence.text)  # "officer cleared of murder" names no force word
    if tried:
        return FORCE_BY_ITSELF, sentence, tried
    if not has_force_words(sentence.text):
        return None
    for by_itself in [strong for strong, _ in FORCE_PATTERNS.values()] + [KILLED_BY_POLICE]:
        match = by_itself.search(sentence.text)
        if match:
            return FORCE_BY_ITSELF, sentence, match
    if POLICE.search(sentence.text):
        for _, with_police in FORCE_PATTERNS.values():
            match = with_police.search(sentence.text)
            if match:
                return FORCE_WITH_POLICE, sentence, match
    return None
