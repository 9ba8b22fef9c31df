"""Patterns for how English news reports police force, shared by the field rules.

A pattern here describes a way of writing, not a particular article: "shot by
police", "officers fired", "was Tasered", "restrained by officers".
"""
from __future__ import annotations

import re

from etl.extract.text import Sentence

POLICE = re.compile(
    r"\b(?:police(?:man|men|woman|women)?|officers?|constables?|PCs?|marksm[ae]n|detectives?|"
    r"sergeants?|inspectors?|(?:armed|firearms|specialist) (?:officers|police|response)|"
    r"(?-i:Met|MPS|PSNI|BTP|GMP|Scotland Yard|Constabulary))\b", re.I)

# Each force type: phrases that name police force on a person by themselves, and
# phrases that do so only when police are the subject of the same sentence.
FORCE_PATTERNS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "firearm": (
        re.compile(r"\b(?:(?:shot|killed|wounded|injured) (?:dead )?by (?:an? |the )?(?:armed |firearms |specialist firearms |counter[- ]terrorism )?(?:police|officers?|marksm[ae]n|cops?)|"
                   r"(?:fatal |non-fatal )?police shootings?|shooting by (?:armed )?police|police (?:marksm[ae]n|marksmen) (?:shot|fired)|"
                   r"(?:police|officers?|marksm[ae]n) (?:opened fire|fired (?:at|on|upon|(?:a |two |three |several |\w+ )?shots?|a round|rounds|their|his|her))|"
                   r"(?:police|officers?) shot (?:the|a|him|her|dead)|"
                   r"shots? (?:was|were) fired by (?:armed )?(?:police|officers?|an? officer|marksm[ae]n)|"
                   r"(?:police|officers?) (?:discharged|used) (?:a |their |his |her )?(?:firearms?|weapons?|guns?))\b", re.I),
        re.compile(r"\b(?:shot dead|fatally shot|was shot|were shot|been shot|shots? (?:was|were|had been) fired|opened fire|gunshot wounds?|"
                   r"fired (?:a |two |three |several |\w+ )?shots?|discharged (?:a |their |his |her )?(?:firearm|weapon))\b", re.I),
    ),
    "taser": (
        re.compile(r"\b(?:Taser(?:ed|s)?|tasered|tasering|stun gun|(?:conducted energy|electroshock) (?:device|weapon))\b", re.I),
        re.compile(r"(?!x)x"),
    ),
    "restraint": (
        re.compile(r"\b(?:restrained by (?:police|officers?)|(?:police|officers?) (?:restrained|pinned|held (?:him|her) down|knelt on)|"
                   r"police restraint|restraint by (?:police|officers?)|(?:prone|physical) restraint|restraint position|"
                   r"(?:leg|limb) restraints?|died (?:after|following) (?:being )?(?:restrained|restraint))\b", re.I),
        re.compile(r"\b(?:restrained|restraint|pinned (?:down|to the ground)|held (?:him|her) down|handcuffed|"
                   r"(?:neck|chest) compression|chokehold|headlock)\b", re.I),
    ),
    "vehicle": (
        re.compile(r"\b(?:(?:hit|struck|knocked (?:down|over)|run over|killed) by (?:a |an )?(?:marked |unmarked )?police (?:car|vehicle|van|motorcycle|motorbike|bike|carrier)|"
                   r"police (?:car|vehicle|van|motorcycle) (?:hit|struck|collided with|knocked|ran over)|"
                   r"collision (?:with|involving) (?:a |an )?(?:marked |unmarked )?police (?:car|vehicle|van|motorcycle))\b", re.I),
        re.compile(r"\b(?:tactical contact|rammed|boxed in|knocked (?:him|her) off)\b", re.I),
    ),
    "other": (
        re.compile(r"\b(?:baton rounds?|plastic bullets?|rubber bullets?|attenuating energy projectiles?|AEPs?|"
                   r"(?:struck|hit|beaten) (?:with|by) (?:a )?(?:police )?batons?|(?:CS|PAVA|pepper) spray(?:ed)?|"
                   r"bitten by (?:a )?police dog|police dog bit)\b", re.I),
        re.compile(r"\b(?:batons?|CS gas|sprayed)\b", re.I),
    ),
}

# An officer as the victim: "an officer was shot", "PC … was stabbed". Reports of
# this kind are not police force on a person unless other cues say so.
OFFICER_VICTIM = re.compile(
    r"\b(?:(?:police )?officers?|PCs?|constables?|sergeants?|policem[ae]n|policewom[ae]n) (?:\w+ ){0,3}(?:was|were|had been|has been) "
    r"(?:shot|stabbed|killed|murdered|attacked|injured|wounded)\b", re.I)


def force_mentions(sentence: Sentence) -> list[tuple[str, re.Match]]:
    """(force type, match) for every report of police force in the sentence."""
    found = []
    police_in_sentence = bool(POLICE.search(sentence.text))
    for force_type, (by_itself, with_police) in FORCE_PATTERNS.items():
        found.extend((force_type, match) for match in by_itself.finditer(sentence.text))
        if police_in_sentence:
            taken = [(match.start(), match.end()) for kind, match in found]
            for match in with_police.finditer(sentence.text):
                if not any(start < match.end() and match.start() < end for start, end in taken):
                    found.append((force_type, match))
    return found


def is_force_sentence(sentence: Sentence) -> bool:
    """True when the sentence reports police using force on someone."""
    return bool(force_mentions(sentence))
