"""Patterns for how English news reports police force, shared by the field rules.

A pattern here describes a way of writing, not a particular article: "shot by
police", "officers fired", "was Tasered", "restrained by officers".
"""
from __future__ import annotations

import bisect
import functools
import re

from etl.extract.text import Sentence
from etl.extract.triggers import SentenceTriggers, gated
from schema import vocab

POLICE = gated(re.compile(
    r"\b(?:police(?:man|men|woman|women)?|officers?|constables?|PCs?|marksm[ae]n|detectives?|"
    r"sergeants?|inspectors?|(?:armed|firearms|specialist) (?:officers|police|response)|"
    r"(?-i:Met|MPS|PSNI|BTP|GMP|Scotland Yard|Constabulary))\b", re.I))

# Building blocks. An agent is who used force; "not was/were/been" keeps "an officer
# was shot" (the officer as victim) out of the active-voice patterns.
_AGENT = r"(?:police(?:m[ae]n)?|officers?|marksm[ae]n|cops?|bodyguards?|constables?|sergeants?|PCs?|(?:armed|firearms) (?:officers?|police|unit))"
# "by police", but not "by a police car" or "by a police dog" (a vehicle's or a dog's force, not an officer's hand or gun).
_BY_AGENT = rf"by\s+(?:[\w'’-]+\s+){{0,5}}?{_AGENT}\b(?!\s+(?:car|vehicle|van|motorcycle|motorbike|bike|carrier|dog|horse)s?\b)"
_THEN = r"(?:(?!(?:was|were|been|being|is|are|had been)\b)[\w'’-]+\s+){0,3}?"
_OBJECT = (r"(?:the|a|an|him|her|them|dead\s+(?:the|a|an)|(?-i:[A-Z][\w'’-]+)|"
           r"(?:suspect|attacker|terrorist|knifeman|gunman|man|woman|driver|teenager|youth|boy|girl|assailant|offender)s?|"
           # any other noun straight after the verb ("police shot barrister"), but not a preposition or particle
           r"(?-i:(?!(?:at|into|in|on|onto|from|to|up|back|down|out|off|and|or|but|by|with|for|of|over|through|"
           r"towards|near|outside|inside|after|before|during|while|when|as|dead|once|twice|again|first|last)\b)[a-z][a-z'-]+))\b")


def _patterns(strong: str, with_police: str) -> tuple[re.Pattern, re.Pattern]:
    return gated(re.compile(strong, re.I)), gated(re.compile(with_police, re.I))


# Each force type: phrases that report police force on a person by themselves, and
# phrases that count only when police are named in the same sentence (weaker).
FORCE_PATTERNS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "firearm": _patterns(
        rf"\b(?:(?:shot|killed|wounded|injured|shot and (?:killed|wounded|injured)|shot dead|fatally shot|gunned down)\s+(?:dead\s+)?{_BY_AGENT}|"
        rf"{_AGENT}\s+{_THEN}(?:shot|shoot|shooting|fatally shot)\s+{_OBJECT}|"
        rf"{_AGENT}\s+{_THEN}(?:opened fire|fired\s+(?:at|on|upon|(?:[\w-]+\s+)?(?:shots?|rounds?|bullets?|times))|discharged\s+(?:a|his|her|their)\s+(?:firearm|weapon|gun))|"
        r"(?:fatal |non-fatal )?police shootings?|shootings? by (?:armed )?police|police marksm[ae]n|"
        rf"shots? (?:was|were|had been) fired (?:from a police|{_BY_AGENT})|"
        # In the UK an attacker who is shot was, nearly always, shot by police.
        r"(?:suspect|attacker|gunman|knifeman|terrorist|assailant|offender|intruder)\s+(?:who\s+)?(?:was|were|has been|had been)\s+(?:shot|fatally shot|Tasered|tasered))",
        r"\b(?:shot dead|fatally shot|was shot|were shot|been shot|being shot|shots? (?:was|were|had been) fired|opened fire|"
        r"gunshot wounds?|fatal shooting|shooting of|shooting (?:the|a|an|him|her)|fired (?:a |two |three |several |\w+ )?shots?|"
        r"discharged (?:a |their |his |her )?(?:firearm|weapon)|"
        # The passive of a watchdog's account: "a firearm was discharged", "the discharge of two rounds".
        r"(?:firearm|weapon|gun|pistol|rifle|carbine|handgun)s? (?:was|were|had been|has been) (?:discharged|fired)|"
        r"(?:rounds?|shots?) (?:was|were|had been|have been) discharged|discharge of (?:a |an |the |\w+ )?(?:firearms?|weapons?|rounds?))\b"),
    "taser": _patterns(
        # A Taser drawn, aimed or red-dotted but not fired is not force on the person (FIELDS.md: discharged).
        r"\b(?:Tasered|tasering|Taser(?:s)? (?:was|were|had been) (?:fired|discharged|used|deployed)|"
        r"(?:fired|discharged|used|deployed) (?:a |an |his |her |their |the )?Tasers?|"
        r"Taser (?:barbs|probes|discharge)|(?:struck|hit|incapacitated) (?:by|with) (?:a )?Taser|stun gun (?:was )?used|"
        r"tased|tasers? (?:him|her|them|his|their|the|a|an)\b|shot (?:\w+ ){0,2}with (?:a |an |his |her |their )?Taser)\b",
        r"\b(?:Tasers?|stun guns?|conducted energy devices?)\b"),
    "restraint": _patterns(
        rf"\b(?:(?:restrained|pinned down|held down|tackled|rugby[- ]tackled|wrestled to the ground|brought to the ground)\s+(?:and [\w-]+\s+)?{_BY_AGENT}|"
        rf"{_AGENT}\s+{_THEN}(?:restrained|pinned|held (?:him|her) down|knelt on|(?:rugby[- ])?tackled|wrestled)\s+{_OBJECT}|"
        r"police restraint|restraint by (?:police|officers?)|(?:prone|physical) restraint|restraint position|"
        r"(?:leg|limb) restraints?|died (?:after|following) (?:being )?(?:restrained|restraint))\b",
        r"\b(?:restrained|restraint|restrain|pinned (?:down|to the ground)|held (?:him|her) down|handcuffed|tackled|"
        r"(?:neck|chest) compression|chokehold|headlock|face down)\b"),
    "vehicle": _patterns(
        rf"\b(?:(?:hit|struck|knocked (?:down|over|off (?:his|her|their) [\w-]+)|run over|rammed|killed) "
        rf"{_BY_AGENT.replace(_AGENT, r'police (?:car|vehicle|van|motorcycle|motorbike|bike|carrier)')}|"
        r"police (?:car|vehicle|van|motorcycle) (?:hit|struck|collided with|knocked|ran over)|"
        r"(?:killed|died|injured) in (?:a )?police (?:crash|collision|chase|pursuit)|"
        r"police (?:car|vehicle|van|motorcycle) (?:crash|collision)|"
        r"(?:collision|crash) (?:with|involving) (?:a |an |the )?(?:[\w-]+ )?(?:marked |unmarked )?(?:police (?:car|vehicle|van|motorcycle)|(?:police )?officer)s?)\b",
        r"\b(?:tactical contact|rammed|boxed in|knocked (?:him|her) off|pursuit|police chase|(?:vehicle|car|van) collided with)\b"),
    "other": _patterns(
        r"\b(?:baton rounds?|plastic bullets?|rubber bullets?|attenuating energy projectiles?|AEPs?|"
        r"(?:struck|hit|beaten) (?:with|by) (?:a )?(?:police )?batons?|(?:CS|PAVA|pepper|Captor|incapacitant) (?:incapacitant )?spray(?:ed)?|"
        r"bitten by (?:a )?police dog|police dog bit|"
        rf"(?:punched|kicked|stamped on|kneed|struck|beaten|hit|assaulted)\s+{_BY_AGENT}|"
        rf"{_AGENT}\s+{_THEN}(?:punched|kicked|stamped on|kneed|struck|beat|hit|pushed|threw)\s+{_OBJECT})\b",
        r"\b(?:batons?|CS gas|sprayed|punched|kicked|stamped on|kneed)\b"),
}

# Force of no stated kind: an inquest's verdict on a death at police hands.
# "Lawfully killed" is the inquest conclusion on a killing in self-defence, in practice by police;
# "unlawfully killed" alone is as often a murder's, so it needs the police named.
KILLED_BY_POLICE = gated(re.compile(rf"\b(?:lawfully|unlawfully) killed {_BY_AGENT}|\b(?:lawful|unlawful) killing\b|"
                                    r"\b(?:was|were|been) lawfully killed\b|\bkilled lawfully\b", re.I))
# An officer tried for a death: "Met marksman cleared of murder".
OFFICER_TRIED = gated(re.compile(rf"\b{_AGENT}\s+(?:[\w'’-]+\s+){{0,3}}?(?:cleared|acquitted|charged|convicted|found (?:not )?guilty|"
                           r"(?:stood|stands|on) trial|faces? trial)\s+(?:of|for|over)?\s*(?:the\s+|his\s+|her\s+)?"
                           r"(?:murder|manslaughter|killing|death|shooting)", re.I))
# Force whose kind the sentence leaves to another: "police discharged the weapon at a man".
UNNAMED_FORCE = gated(re.compile(rf"\b{_AGENT}\s+{_THEN}(?:discharged|deployed|used|fired)\s+(?:the|their|his|her)\s+(?:weapon|device)\b|"
                           r"\b(?:use of force|force was used|used force)\b", re.I))
# "shot with a Taser", "Taser shot": a Taser, not a firearm.
# The words of a Taser and of less-lethal rounds, and of the animals force may be used on:
# one alternation each, read by every rule that needs them (the animals from schema/vocab).
TASER_WORDS = r"(?:Tasers?|stun guns?)"
LESS_LETHAL_ROUNDS = r"(?:baton rounds?|plastic bullets?|rubber bullets?|attenuat(?:ing|ed) energy projectiles?|AEPs?|bean ?bag rounds?)"
ANIMAL_WORDS = "(?:" + "|".join(sorted(map(re.escape, vocab.animal_words()), key=len, reverse=True)) + ")"
TASER_NEARBY = gated(re.compile(rf"^\W*(?:\w+\W+){{0,3}}?{TASER_WORDS}\b|{TASER_WORDS}\W+(?:\w+\W+){{0,2}}$", re.I))
# "shot with a baton round", "plastic bullets were fired": less-lethal rounds, not a firearm's.
LESS_LETHAL_NEARBY = gated(re.compile(rf"^\W*(?:\w+\W+){{0,5}}?{LESS_LETHAL_ROUNDS}\b|{LESS_LETHAL_ROUNDS}\W+(?:\w+\W+){{0,2}}$", re.I))

# An officer as the victim: "an officer was shot", "PC … was stabbed", headline style
# "Police officer shot dead". Reports of this kind are not police force on a person
# unless other cues say so.
OFFICER_VICTIM = gated(re.compile(
    r"\b(?:police )?(?:officers?|PCs?|constables?|sergeants?|policem[ae]n|policewom[ae]n)\s+(?:[A-Z][\w'’-]+\s+){0,3}"
    r"(?:(?:was|were|had been|has been|is|was being)\s+)?(?:shot|stabbed|killed|murdered|attacked|injured|wounded|knifed)"
    r"(?:\s+dead)?\b(?!\s+(?:the|a|an|him|her|them|at|(?-i:[A-Z])))", re.I))


# Every force pattern above contains one of these stems (checked by a test).
FORCE_STEMS = ("shot", "shoot", "marksm", "punch", "kick", "stamp", "knee", "beat", "push", "threw", "assault", "fire", "firing", "gun", "kill", "wound", "injur", "tase", "stun", "conducted energy",
               "restrain", "pin", "held", "knelt", "tackl", "wrestl", "brought to the ground", "compression", "choke",
               "headlock", "face down", "handcuff", "hit", "struck", "knock", "run over", "collid", "collision", "crash",
               "pursuit", "chase", "rammed", "boxed in", "tactical contact", "baton", "bullet", "projectile", "aep",
               "spray", "cs gas", "dog", "discharg", "round")


# The force stems as a pattern, for the document's trigger pass (`etl.extract.document`): the
# sentences it may match in are those that hold a stem.
FORCE_STEM_WORDS = gated(re.compile("|".join(map(re.escape, FORCE_STEMS)), re.I))


def force_mentions(sentence: Sentence) -> tuple[tuple[str, re.Match], ...]:
    """(force type, match) for every report of police force in the sentence.

    Run once per sentence when the document is read (`etl.extract.document`, which
    also gates each pattern by its trigger words); rules read the result there.
    """
    if not has_force_words(sentence.text):
        return ()  # most sentences name no force at all: skip the dozen patterns
    return all_force_mentions(sentence)


def has_force_words(text: str) -> bool:
    """False when no force pattern can match: none of their stems is in the text."""
    return next(_stems().iter(text.lower()), None) is not None


@functools.cache
def _stems():
    """One automaton over every stem: a single pass instead of one substring search per stem."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for stem in FORCE_STEMS:
        automaton.add_word(stem, stem)
    automaton.make_automaton()
    return automaton


class ForceGates:
    """For one document, the sentences each pattern of `all_force_mentions` can match in, taken once
    (`SentenceTriggers.may_match`) so the sentence loop asks a set, not the triggers, per pattern."""

    __slots__ = ("police", "types", "nearby", "unnamed", "unnamed_in")

    def __init__(self, triggers: SentenceTriggers | None):
        def where(pattern: re.Pattern):
            return _EVERYWHERE if triggers is None else triggers.may_match(pattern)

        self.police = where(POLICE)
        self.types = tuple((force_type, by_itself, where(by_itself), with_police, where(with_police))
                           for force_type, (by_itself, with_police) in FORCE_PATTERNS.items())
        self.nearby = tuple((pattern, where(pattern)) for pattern in (TASER_NEARBY, LESS_LETHAL_NEARBY))
        self.unnamed = tuple((pattern, where(pattern)) for pattern in (UNNAMED_FORCE, KILLED_BY_POLICE, OFFICER_TRIED))
        # The sentences one of them can match in (every sentence when one of them has no trigger words).
        self.unnamed_in = (_EVERYWHERE if any(not isinstance(found, (set, frozenset)) for _, found in self.unnamed)
                           else set().union(*(found for _, found in self.unnamed)))


class _Everywhere:
    """The sentences a pattern can match in when no trigger words were looked for: all of them."""

    def __contains__(self, index: object) -> bool:
        return True


_EVERYWHERE = _Everywhere()


def all_force_mentions(sentence: Sentence, triggers: SentenceTriggers | None = None,
                       gates: ForceGates | None = None) -> tuple[tuple[str, re.Match], ...]:
    """What `force_mentions` finds, without its prefilter (the prefilter's tests compare the two);
    with `triggers`, a pattern whose trigger words the sentence lacks is not run (it finds nothing).
    `gates`: `ForceGates(triggers)`, taken once by a caller that reads every sentence of a document."""
    gates = gates or ForceGates(triggers)
    index, text = sentence.index, sentence.text
    found = []
    police_in_sentence = None  # (searched for when a pattern that needs police can match here, once)
    for force_type, by_itself, by_itself_in, with_police, with_police_in in gates.types:
        if index in by_itself_in:
            found.extend((force_type, match) for match in by_itself.finditer(text))
        if index not in with_police_in:
            continue
        if police_in_sentence is None:
            police_in_sentence = index in gates.police and bool(POLICE.search(text))
        if police_in_sentence:
            taken = _Spans(match.span() for _, match in found)
            found.extend((force_type, match) for match in with_police.finditer(text)
                         if not taken.overlaps(*match.span()))
    # (the windows are parts of the sentence: without a Taser's or a round's words it has no such shot)
    nearby = tuple(pattern for pattern, where in gates.nearby if index in where)
    return tuple((kind, match) for kind, match in found
                 if not (kind == "firearm" and nearby and _taser_shot(text, match, nearby)))


class _Spans:
    """Spans to test others against for overlap in log time (a long sentence has many matches)."""

    def __init__(self, spans):
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach, reach = [], -1  # the furthest end among the spans up to each one
        for _, end in ordered:
            reach = max(reach, end)
            self._reach.append(reach)

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self._starts, end)  # spans starting before `end`
        return before > 0 and self._reach[before - 1] > start


# A Taser's or a less-lethal round's words inside a "fired ..." match: "officers fired baton rounds".
NOT_A_FIREARMS_ROUND = re.compile(rf"\b(?:{TASER_WORDS}|{LESS_LETHAL_ROUNDS})\b", re.I)


def _taser_shot(text: str, match: re.Match, patterns: tuple[re.Pattern, ...] | None = None) -> bool:
    """True when a "shot" is a Taser's or a less-lethal round's: "shot with a Taser", "baton rounds were fired"."""
    if NOT_A_FIREARMS_ROUND.search(match.group()):
        return True
    after, before = text[match.end():match.end() + 50], text[max(0, match.start() - 40):match.start()]
    return any(pattern.search(window) for pattern in patterns or (TASER_NEARBY, LESS_LETHAL_NEARBY)
               for window in (after, before))


def reports_unnamed_force(sentence: Sentence, triggers: SentenceTriggers | None = None,
                          gates: ForceGates | None = None) -> bool:
    """True when the sentence reports police force without naming its kind ("used force",
    "lawfully killed", "officer cleared of murder")."""
    gates = gates or ForceGates(triggers)
    if sentence.index not in gates.unnamed_in:
        return False
    return any(pattern.search(sentence.text) for pattern, where in gates.unnamed if sentence.index in where)
