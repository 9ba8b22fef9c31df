"""Read an article once: its sentences and every vocabulary mention, with spans.

`read_document` is the one pass over an article's text. It splits the body into
sentences (aware of the abbreviations in `schema/vocab/abbreviations.csv`, so "Mr.",
"St. Helens" and "p.m." do not end a sentence), finds every name of a place, force,
watchdog, place abroad and weapon in one pass of a multi-pattern matcher generated
from `schema/vocab`, and marks the sentences that report police force. Relevance
and every field rule read the `Document`; none of them scans the text again for
these names.

The same pass finds, in each sentence, the trigger words of every rule's patterns
(`etl.extract.triggers`: the literal words a pattern cannot match without, read
from the pattern): `Document.may_match` and `Document.sentences_for` tell a rule
the sentences a pattern can match in, so it runs the pattern there only.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Sequence

import ahocorasick

from etl.extract import cues
from etl.extract.text import Sentence, record
from etl.extract.triggers import SentenceTriggers, find_triggers, trigger_text
from schema import vocab

# Kinds of vocabulary mention. Names are matched case-sensitively as news writes them;
# weapon terms (lower-case in the vocabulary) in any case.
PLACE, FORCE, WATCHDOG, ABROAD, WEAPON = "place", "force", "watchdog", "abroad", "weapon"


@record
class Mention:
    """A vocabulary name found at text[start:end]: its kind, its value (a district code, a
    force's official name, a watchdog's code, a country, a weapon category) and its sentence."""

    kind: str
    value: str
    start: int
    end: int
    sentence: int
    name: str


@dataclass(frozen=True)
class Document:
    """One article as every rule reads it."""

    text: str
    body_start: int
    published: dt.date | None
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    # (force type, match) for each report of police force, per sentence (empty tuple when none).
    force_mentions: tuple[tuple[tuple[str, re.Match], ...], ...] = field(repr=False)
    # Whether each sentence reports police using force on someone, of whatever kind.
    force_sentence: tuple[bool, ...] = field(repr=False)
    # Whether each sentence holds a force stem (`cues.has_force_words`): none, no force pattern can match.
    force_words: tuple[bool, ...] = field(repr=False)
    # The trigger words of the gated patterns in each sentence (`etl.extract.triggers`).
    triggers: SentenceTriggers = field(repr=False, compare=False)

    def of(self, kind: str, sentence: int | None = None) -> list[Mention]:
        """The mentions of one kind, in text order; within one sentence when given."""
        return list(self._by_kind.get((kind, sentence), ()))

    @functools.cached_property
    def _by_kind(self) -> dict[tuple[str, int | None], list[Mention]]:
        # One index, built on first use, so asking sentence by sentence stays linear in the article.
        index: dict[tuple[str, int | None], list[Mention]] = {}
        for mention in self.mentions:
            index.setdefault((mention.kind, None), []).append(mention)
            index.setdefault((mention.kind, mention.sentence), []).append(mention)
        return index

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [sentence.start for sentence in self.sentences]

    def sentence_of(self, offset: int) -> Sentence | None:
        """The sentence that contains a text offset."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and self.sentences[index].start <= offset < self.sentences[index].end:
            return self.sentences[index]
        return None

    def may_match(self, pattern: re.Pattern) -> set[int] | range:
        """The indices of the sentences the pattern can match in: those that hold one of its trigger
        words (`etl.extract.triggers`); all of them for a pattern with none. Rules that read several
        patterns per sentence take these sets once, before their loop."""
        return self.triggers.may_match(pattern)

    def can_match(self, pattern: re.Pattern, sentence: Sentence) -> bool:
        """False when the pattern cannot match in the sentence: none of its trigger words is there."""
        return sentence.index in self.triggers.may_match(pattern)

    def sentences_for(self, pattern: re.Pattern) -> Sequence[Sentence]:
        """The sentences the pattern can match in, in order (all of them for a pattern with no trigger words)."""
        indices = self.triggers.may_match(pattern)
        if isinstance(indices, range):
            return self.sentences  # (a tuple: not copied)
        return [self.sentences[index] for index in sorted(indices)]

    def sentences_holding(self, words) -> list[Sentence]:
        """The sentences that hold one of `words` (lower case) in any case, in order: a pattern that
        matches only those words (as `re.IGNORECASE` reads them) can match nowhere else.
        (Read from the trigger pass's lower-cased text, which has the text's offsets.)"""
        folded, indices = self.triggers.text, set()
        for word in words:
            at = folded.find(word)
            while at != -1:
                sentence = self.sentence_of(at)
                if sentence is not None and at + len(word) <= sentence.end:
                    indices.add(sentence.index)
                at = folded.find(word, at + 1)
        return [self.sentences[index] for index in sorted(indices)]

    @property
    def body(self) -> str:
        return self.text[self.body_start:]


def read_document(text: str, published: dt.date | None = None, body_start: int = 0) -> Document:
    """The document of an article: sentences, vocabulary mentions and force sentences."""
    sentences = tuple(split_sentences(text, body_start))
    lowered = _lowered(text)
    folded = trigger_text(lowered)
    if folded is lowered:  # the weapon terms are looked for in the trigger pass, on the same text
        triggers = find_triggers(folded, sentences, _weapon_words())
        mentions = tuple(find_mentions(text, sentences, lowered, triggers.also))
    else:
        triggers = find_triggers(folded, sentences)
        mentions = tuple(find_mentions(text, sentences, lowered))
    if folded is lowered and len(lowered) == len(text.lower()):
        # Each sentence's own lower case is then its part of `lowered`, letter for letter (no
        # letter folded or lengthened): a force stem is in it where the trigger pass found one.
        with_stems = triggers.may_match(cues.FORCE_STEM_WORDS)
        force_words = tuple(sentence.index in with_stems for sentence in sentences)
    else:
        force_words = tuple(cues.has_force_words(sentence.text) for sentence in sentences)
    gates = cues.ForceGates(triggers)
    force_mentions = tuple(cues.all_force_mentions(sentence, gates=gates) if words else ()
                           for sentence, words in zip(sentences, force_words))
    force_sentence = tuple(bool(found) or (sentence.index in gates.unnamed_in
                                           and cues.reports_unnamed_force(sentence, gates=gates))
                           for sentence, found in zip(sentences, force_mentions))
    return Document(text, body_start, published, sentences, mentions, force_mentions, force_sentence,
                    force_words, triggers)


# --- sentences -------------------------------------------------------------------------

# A candidate end: . ! ? (with closing quotes or brackets) before whitespace, or a line break. (Each
# alternative starts with its own character, so `re` skips to the next of the four, not trying each place.)
_CLOSING = r"[\"'”’)\]]*(?=\s)"
_CANDIDATE_END = re.compile(rf"\n|\.{_CLOSING}|!{_CLOSING}|\?{_CLOSING}")
# The word before a candidate end: the last run of word characters and dots in the 20 characters before
# it. (One anchored match, the greedy `.*` backing off to the last other character, instead of a search
# that tries every start in the window.)
_WORD_BEFORE = re.compile(r"(?:.*[^\w.])?([\w.]+)$", re.S)
_NEXT_START = re.compile(r"\s*([\"'“‘(\[]*)(\S)")


def split_sentences(text: str, start: int = 0) -> list[Sentence]:
    """The sentences of text[start:], with offsets, skipping blank ones.

    A sentence ends at . ! ? before whitespace, or at a line break (captions,
    bylines and headlines stand on lines of their own), but not after an
    abbreviation ("Mr.", "Det. Supt.", "St. Helens", "p.m. on") or an initial,
    and not before a word in lower case.
    """
    found, position = [], start
    for candidate in _CANDIDATE_END.finditer(text, start):
        written = candidate.group()
        if written != "\n" and not _ends_sentence(text, candidate):
            continue
        end = candidate.start() if written == "\n" else candidate.end()
        _add(found, text, position, end)
        position = candidate.end()
    _add(found, text, position, len(text))
    return found


def _ends_sentence(text: str, candidate: re.Match) -> bool:
    if candidate.group()[0] != ".":
        return True
    word = _WORD_BEFORE.match(text, max(0, candidate.start() - 20), candidate.start())
    following = _NEXT_START.match(text, candidate.end())
    next_char = following.group(2) if following else ""
    if next_char and (next_char.islower() or next_char in ",;:"):
        return False  # "at 9 p.m. on Friday", "the U.S. embassy"
    if word:
        token = word.group(1).rstrip(".")
        if _abbreviations().get(token, "time") != "time":
            return False  # "Mr. Smith", "St. Helens", "Det. Supt. Jones"
        if len(token) == 1 and token.isupper():
            return False  # an initial: "J. Smith"
    return True


@functools.cache
def _abbreviations() -> dict[str, str]:
    return vocab.abbreviations()


def _add(found: list[Sentence], text: str, start: int, end: int) -> None:
    # Trim surrounding whitespace so spans quote exactly the words (str.strip's whitespace is str.isspace's).
    piece = text[start:end]
    words = piece.strip()
    if words:
        start += len(piece) - len(piece.lstrip())
        found.append(Sentence(start, start + len(words), words, len(found)))


# --- vocabulary mentions ----------------------------------------------------------------

def find_mentions(text: str, sentences: tuple[Sentence, ...], lowered: str | None = None,
                  weapon_words: list[tuple[int, int, tuple]] | None = None) -> list[Mention]:
    """Every vocabulary name in the sentences, leftmost-longest and whole words only (`lowered`: the
    text in lower case, when the caller has it; `weapon_words`: (start, end, entries) of each weapon
    term found in it from the first sentence's start to the last one's end, when the caller has them)."""
    if not sentences:
        return []
    begin, finish = sentences[0].start, sentences[-1].end
    candidates = []
    for last, (length, entries) in _names().iter(text, begin, finish):
        start, end = last - length + 1, last + 1
        if _whole_word(text, start, end):
            candidates.append((start, end, entries))
    if weapon_words is None:
        lowered = _lowered(text) if lowered is None else lowered
        weapon_words = [(last - length + 1, last + 1, entries)
                        for last, (length, entries) in _words().iter(lowered, begin, finish)]
    candidates += [(start, end, entries) for start, end, entries in weapon_words if _whole_word(text, start, end)]
    return _leftmost_longest(text, candidates, sentences)


def _leftmost_longest(text: str, candidates: list, sentences: tuple[Sentence, ...]) -> list[Mention]:
    candidates.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    found, taken_to, index = [], -1, 0
    for start, end, entries in candidates:
        if start < taken_to:
            continue
        while index < len(sentences) - 1 and sentences[index].end <= start:
            index += 1
        if not sentences[index].start <= start < sentences[index].end:
            continue  # between sentences (in a stripped gap)
        taken_to = end
        found.extend(Mention(kind, value, start, end, index, text[start:end]) for kind, value in entries)
    return found


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _lowered(text: str) -> str:
    """text in lower case, letter for letter (so offsets still index the original)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


def _automaton(entries: dict[str, list[tuple[str, str]]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, values in entries.items():
        automaton.add_word(key, (len(key), tuple(values)))
    automaton.make_automaton()
    return automaton


@functools.cache
def _names() -> ahocorasick.Automaton:
    """Places, forces, watchdogs and places abroad, case-sensitive, generated from schema/vocab."""
    entries: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, kind: str, value: str) -> None:
        for form in {name, name.replace("'", "’"), name.replace("’", "'")}:
            if (kind, value) not in entries.setdefault(form, []):
                entries[form].append((kind, value))

    for code, district in vocab.districts().items():
        add(district.name, PLACE, code)
    for place, code in vocab.places().items():
        add(place, PLACE, code)
    for alias, name in force_aliases().items():
        add(alias, FORCE, name)
    for alias, body in vocab.referral_body_aliases().items():
        add(alias, WATCHDOG, body)
    for name, country in {**vocab.places_abroad(), **vocab.police_abroad()}.items():
        add(name, ABROAD, country)
    # A name that is both a place and a force ("Durham" is not, "Durham Constabulary" is)
    # keeps both readings: the rules decide which one the sentence means.
    return _automaton(entries)


@functools.cache
def _words() -> ahocorasick.Automaton:
    """Weapon terms, matched in any case."""
    return _automaton(_weapon_entries())


@functools.cache
def _weapon_words() -> frozenset[tuple[str, tuple[tuple[str, str], ...]]]:
    """Weapon terms as the trigger pass looks for them too: (term, its entries)."""
    return frozenset((form, tuple(values)) for form, values in _weapon_entries().items())


def _weapon_entries() -> dict[str, list[tuple[str, str]]]:
    entries: dict[str, list[tuple[str, str]]] = {}
    for term, category in vocab.weapon_terms().items():
        for form in (term, term + "s"):
            entries.setdefault(form, [(WEAPON, category)])
    return entries


def force_aliases() -> dict[str, str]:
    """Force aliases, plus the lower-case "police" spelling many outlets use ("Metropolitan police")."""
    aliases = dict(vocab.force_aliases())
    for alias, name in vocab.force_aliases().items():
        for word in ("Police", "Constabulary"):
            if alias.endswith(" " + word):
                aliases.setdefault(alias[: -len(word)] + word.lower(), name)
    return aliases

