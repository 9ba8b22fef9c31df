"""Trigger words hide nothing: a pattern finds the same matches in a sentence whether or not the
sentence is first checked for the pattern's trigger words (`etl.extract.triggers`)."""
from __future__ import annotations

import re
import sys

import pytest

import etl.extract  # noqa: F401  (imports every rule module, so every gated pattern is declared)
from etl.extract import triggers
from etl.extract.document import _lowered, read_document, split_sentences

GATED = [pattern for _, pattern in triggers.gated_patterns()]


def _texts() -> list[str]:
    from conftest import SHARED
    from tests_sentences import all_test_sentences

    return all_test_sentences() + [path.read_text(encoding="utf-8")
                                   for path in sorted((SHARED / "corpus" / "dev" / "articles").glob("*.txt"))]


@pytest.fixture(scope="module")
def documents():
    return [read_document(text) for text in _texts()]


@pytest.mark.parametrize("written, fast", triggers.fast_patterns(), ids=lambda pattern: pattern.pattern[:50])
def test_the_first_character_lookahead_finds_the_same_matches(written, fast, documents):
    """The pattern rules run finds what the pattern as written does, in every sentence and whole text."""
    for doc in documents:
        for text in [doc.text] + [sentence.text for sentence in doc.sentences]:
            assert [(match.span(), match.groups()) for match in fast.finditer(text)] == \
                   [(match.span(), match.groups()) for match in written.finditer(text)], text
    assert fast.groupindex == written.groupindex and fast.flags == written.flags


def test_patterns_are_gated():
    assert len(GATED) > 50
    assert sum(triggers.trigger_words(pattern) is not None for pattern in GATED) > 45


@pytest.mark.parametrize("pattern", GATED, ids=lambda pattern: pattern.pattern[:50])
def test_the_trigger_prefilter_hides_nothing(pattern, documents):
    """Every sentence of these tests and of the dev corpus: the same matches with and without the prefilter."""
    checked = 0
    for doc in documents:
        possible = doc.may_match(pattern)
        for sentence in doc.sentences:
            found = [match.span() for match in pattern.finditer(sentence.text)]
            if sentence.index not in possible:
                assert found == [], (pattern.pattern[:60], sentence.text)
            checked += bool(found)
    assert checked or triggers.trigger_words(pattern) is not None


@pytest.mark.parametrize("text, expected", [
    (r"\b(?:shot|fired) (?:at|on)\b", {"shot at", "shot on", "fired at", "fired on"}),
    (r"\bMr\.? (?:Smith|Jones)", {"mr smith", "mr. smith", "mr jones", "mr. jones"}),
    (r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+[A-Z]", {"mr", "ms", "miss"}),   # "mrs" holds "mr": it adds nothing
    (r"\b(?:Tasers?|stun guns?)\b", {"taser", "stun gun"}),
    (r"\b(?:aged )?\d{1,2}\b", {triggers.DIGIT}),
    (r"[A-Z][a-z]+", None),                                     # no literal: runs everywhere
    (r"\b(?:the|a|an) man\b", {"the man", "a man", "an man"}),
    (r"\b(?:in|on)\b", None),                                   # words too common to gate
])
def test_trigger_words_are_read_from_the_pattern(text, expected):
    found = triggers.trigger_words(re.compile(text, re.I))
    assert (set(found) if found is not None else None) == expected


def test_the_trigger_text_folds_what_ignorecase_matches():
    """A character IGNORECASE matches to an ASCII letter or digit is that letter in the trigger text,
    and folding keeps what `\\w`, `\\s` and `\\d` match (so offsets and classes are the text's)."""
    letter = re.compile(r"[a-z0-9]", re.I)
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        folded = triggers.trigger_text(_lowered(char))
        assert len(folded) == 1
        if letter.fullmatch(char):
            assert folded.isascii() and re.fullmatch(re.escape(folded), char, re.I), hex(code)


def test_whole_text_patterns_have_spaceless_triggers():
    """`dates.incident_date` skips the month-and-year search of the joined sentences when no sentence
    holds a month: sound only while no trigger word holds a space (one could span two sentences)."""
    from etl.extract import dates

    assert not any(word != word.strip() or " " in word for word in triggers.trigger_words(dates.MONTH_YEAR))


def test_an_undeclared_pattern_is_looked_for_directly():
    doc = read_document("Officers were called. A man was detained on Friday.")
    pattern = re.compile(r"\bdetained\b")
    assert doc.sentences_for(pattern) == [doc.sentences[1]]
    assert [sentence.index for sentence in doc.sentences_for(re.compile(r"\w+"))] == [0, 1]


def test_split_sentences_unchanged_by_lowering():
    text = "İstanbul ſhot. The officer said."
    assert len(triggers.trigger_text(_lowered(text))) == len(text)
    assert [sentence.text for sentence in split_sentences(text)] == ["İstanbul ſhot.", "The officer said."]


def test_the_force_stems_are_the_stem_pattern_triggers(documents):
    """The document reads which sentences hold a force stem from its trigger pass: the same as
    `cues.has_force_words` on each sentence."""
    from etl.extract import cues

    stems = {stem.lower() for stem in cues.FORCE_STEMS}
    words = triggers.trigger_words(cues.FORCE_STEM_WORDS)
    assert words <= stems and all(any(word in stem for word in words) for stem in stems)
    for doc in documents:
        assert list(doc.force_words) == [cues.has_force_words(sentence.text) for sentence in doc.sentences]


@pytest.mark.parametrize("written, led", [
    (r"\b[A-Z][a-z]+\b", r"[A-Z](?<=\b[A-Z])[a-z]+\b"),
    (r"(?<=[a-z] )[A-Z][a-z]{3,}", r"[A-Z](?<=(?<=[a-z] )[A-Z])[a-z]{3,}"),
    (r"\b(?:boy|girl)\b", r"(?:b(?<=\bb)oy|g(?<=\bg)irl)\b"),
    (r"\b(?P<word>van|bus)s?\b", r"(?P<word>v(?<=\bv)an|b(?<=\bb)us)s?\b"),
    (r"\b(?:Mc)?[A-Z][a-z]+", None),      # an optional group: a match may start with either
    (r"\b\d+ shots", None),               # a repeated first character
    (r"\b(?:x?ray|beam)", r"(?:x(?<=\bx)ray|r(?<=\br)ay|b(?<=\bb)eam)"),  # an optional first character
    (r"\b(?:(?:fir|us)ed|hit)", r"(?:f(?<=\bf)ired|u(?<=\bu)sed|h(?<=\bh)it)"),    # a group spread
    (r"\b(?:(?:fir|us)(ed)|hit)", None),  # spreading would copy a capture
    (r"[A-Z]\w+", None),                  # already starts with a character
])
def test_a_pattern_led_by_a_boundary_is_written_to_start_with_its_character(written, led):
    found = triggers.led_by_first_character(re.compile(written))
    assert (found.pattern if found is not None else None) == led
    if found is not None:
        text = "Abel saw a van and two buses; the Boy and girl, Mcgee and Jones, fired 3 shots at Lima; an x-ray beam hit."
        assert [m.span() for m in found.finditer(text)] == [m.span() for m in re.finditer(written, text)]


@pytest.mark.parametrize("written, led", [
    (r"\bshot\b", r"(?-i:[Ssſ])(?<=\bs)hot\b"),
    (r"\b(?:taser|van)s?\b", r"(?-i:[TVtv])(?<=\b(?-i:[TVtv]))(?:(?<=t)aser|(?<=v)an)s?\b"),
    (r"(?:fired|hit) at", r"(?-i:[FHfh])(?:(?<=f)ired|(?<=h)it) at"),
    (r"\b(?P<word>van|bus)\b", None),     # a capture would lose its first character
    (r"\b\d+ shots", None),
])
def test_a_caseless_pattern_starts_with_its_first_characters_in_every_case(written, led):
    found = triggers.led_by_first_character(re.compile(written, re.I))
    assert (found.pattern if found is not None else None) == led
    if found is not None:
        text = "SHOT at the Van; Tasers fired at him, a VAN HIT AT speed, ſhot, the shots hit at 3."
        assert [m.span() for m in found.finditer(text)] == [m.span() for m in re.finditer(written, text, re.I)]


def test_the_other_cases_are_every_character_beyond_ascii_that_ignorecase_matches_to_a_letter():
    beyond = {chr(code) for code in range(0x80, sys.maxunicode + 1)
              if re.fullmatch("[a-z]", chr(code), re.IGNORECASE)}
    assert beyond == set(triggers._OTHER_CASES)


def test_a_pattern_that_starts_with_a_character_is_run_as_written():
    """`re` skips to the characters such a pattern starts with; a lookahead in front would stop it."""
    pattern = re.compile(r"[A-Z][a-z]+ Road")
    assert triggers.with_first_characters(pattern) is pattern


def test_the_sentences_with_a_digit_are_those_a_search_of_each_finds(documents):
    invented = ["No digits here. 1 here. None. Two 22 and 3.\n\n4", "٣ is a digit too. x. 7", "Plain. Words."]
    for doc in documents + [read_document(text) for text in invented]:
        each = {sentence.index for sentence in doc.sentences if triggers.DIGIT_PATTERN.search(sentence.text)}
        if doc.sentences:
            assert triggers._sentences_with_digits(doc.triggers.text, doc.sentences) == each
    doc = read_document(invented[0])
    assert triggers._sentences_with_digits(doc.triggers.text, doc.sentences) == {1, 3, 4}
