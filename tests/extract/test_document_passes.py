"""The document's passes give what each pass on its own would: the weapon terms found in the trigger
pass are those of the vocabulary's own pass, and sentences end where the plain candidate pattern says."""
from __future__ import annotations

import re

import pytest

import etl.extract  # noqa: F401  (imports every rule module, so every gated pattern is declared)
from etl.extract import document
from etl.extract.document import find_mentions, read_document


def _texts() -> list[str]:
    from conftest import SHARED
    from tests_sentences import all_test_sentences

    return all_test_sentences() + [path.read_text(encoding="utf-8")
                                   for path in sorted((SHARED / "corpus" / "dev" / "articles").glob("*.txt"))]


@pytest.fixture(scope="module")
def texts():
    return _texts()


def test_weapon_terms_from_the_trigger_pass_are_the_vocabulary_pass(texts):
    for text in texts + ["A KNIFE and two knives. Stun guns! ſhot with a Taser."]:
        doc = read_document(text)
        assert list(doc.mentions) == find_mentions(text, doc.sentences), text[:80]


def test_the_trigger_pass_reports_its_other_words_wherever_found():
    from etl.extract.triggers import find_triggers

    doc = read_document("He had a knife. Police said.")
    found = find_triggers(doc.triggers.text, doc.sentences, frozenset({("knife", "K"), ("said. x", "Z")}))
    assert found.also == [(9, 14, "K")]
    assert doc.may_match(etl.extract.cues.POLICE) == {1}


# The candidate ends as first written: one class of three characters, or a line break.
PLAIN_CANDIDATE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n")


def test_the_candidate_ends_are_the_plain_patterns(texts):
    for text in texts + ["Yes.\" No!) What?” \nEnd.'\t", "a.\n\n.b ? !"]:
        assert [match.span() for match in document._CANDIDATE_END.finditer(text)] == \
               [match.span() for match in PLAIN_CANDIDATE_END.finditer(text)]


EDGE_TEXTS = [" date 2020-01-02 He said his piece.\nHer? HIMSELF!\n\nShe\n", "x.He hers. \"She\" (him) herſelf ſhe",
              "Ship Hethersett; the hermit. Thence HE, she-wolf, his-and-hers."]


def test_only_whitespace_lies_between_sentences(texts):
    # (what a scan of the whole body instead of each sentence relies on)
    for text in texts + EDGE_TEXTS:
        doc = read_document(text, body_start=etl.extract.dateline_end(text))
        ends = [sentence.end for sentence in doc.sentences]
        starts = [sentence.start for sentence in doc.sentences[1:]] + [len(text)]
        assert all(text[end:start].isspace() or end == start for end, start in zip(ends, starts)), text[:80]


def test_the_pronouns_of_one_scan_of_the_body_are_each_sentences_own(texts):
    from etl.extract.events import PRONOUN, _pronoun_gender, _pronouns_by_sentence

    for text in texts + EDGE_TEXTS:
        doc = read_document(text, body_start=etl.extract.dateline_end(text))
        one_by_one = [{gender: [match.span() for match in PRONOUN.finditer(sentence.text)
                                if _pronoun_gender(match.group()) == gender] for gender in ("male", "female")}
                      for sentence in doc.sentences]
        assert _pronouns_by_sentence(doc) == one_by_one, text[:80]
    doc = read_document(EDGE_TEXTS[0], body_start=etl.extract.dateline_end(EDGE_TEXTS[0]))
    assert _pronouns_by_sentence(doc)[1:3] == [{"male": [], "female": [(0, 3)]}, {"male": [(0, 7)], "female": []}]


def test_the_sentences_holding_a_word_hold_it_in_any_case():
    doc = read_document("Mr Harlow spoke. Nobody answered. HARLOW left.\nharl\now")
    assert [sentence.index for sentence in doc.sentences_holding({"harlow"})] == [0, 2]
    assert [sentence.index for sentence in doc.sentences_holding({"answer", "left"})] == [1, 2]
    assert doc.sentences_holding({"nobody harlow"}) == [] and doc.sentences_holding(set()) == []


def test_less_lethal_rounds_are_found_where_a_search_of_the_whole_text_finds_them(texts):
    from etl.extract.events import LESS_LETHAL, _names_less_lethal_rounds

    invented = [" date 2021-03-04 plastic bullets\nwere not used.", "Baton\nrounds. Rubber. Bullets? baton rounds!",
                "Police fired.\nThen AEPs were used.", "Officers fired bean bag rounds.", "No round was fired."]
    for text in texts + invented:
        doc = read_document(text, body_start=etl.extract.dateline_end(text))
        assert _names_less_lethal_rounds(doc) == bool(LESS_LETHAL.search(text)), text[:80]
    assert [_names_less_lethal_rounds(read_document(text, body_start=etl.extract.dateline_end(text)))
            for text in invented] == [True, True, True, True, False]


def test_a_month_and_year_are_looked_for_before_the_words_before_them(texts):
    from etl.extract.dates import MONTH_YEAR, years_by_month

    def every_match(text: str) -> dict[int, int]:
        seen: dict[int, set[int]] = {}
        for match in MONTH_YEAR.finditer(text):
            seen.setdefault(etl.extract.dates._month_number(match.group(1)), set()).add(int(match.group(2)))
        return {month: years.pop() for month, years in seen.items() if len(years) == 1}

    invented = ["It happened in March 2019 and again on 3 March 2019.", "It was since June\n2020, late-May 2021.",
                "On 4 May 2019 in May.", "In March 2019 and in March 2020."]
    for text in texts + invented:
        assert years_by_month(text) == every_match(text), text[:80]
    assert [years_by_month(text) for text in invented] == [{3: 2019}, {6: 2020, 5: 2021}, {}, {3: 2020}]


def test_the_proper_words_of_one_scan_of_the_body_are_each_sentences_own(texts):
    from etl.extract.link_features import (INNER_CAPITALISED, NOT_NAME, WORD, LinkFeature, _place_and_force_names,
                                           proper_words)

    def each_sentence(doc) -> list[LinkFeature]:
        return [LinkFeature(WORD, match.group().lower(), sentence.start + match.start(), sentence.start + match.end())
                for sentence in doc.sentences for match in INNER_CAPITALISED.finditer(sentence.text)
                if match.group() not in NOT_NAME and match.group() not in _place_and_force_names()]

    invented = [" date 2020-01-02 Brown said so Brownlow spoke.", "It was said\n Grimsdyke came. Then, Walmsley ran.",
                "a, Quentin.\nbe Quentin! x Quentin", ""]
    for text in texts + invented:
        doc = read_document(text, body_start=etl.extract.dateline_end(text))
        assert proper_words(doc) == each_sentence(doc), text[:80]
    assert [item.value for item in proper_words(read_document(invented[1]))] == ["walmsley"]  # not after a line break
    assert [item.value for item in proper_words(read_document(invented[2]))] == ["quentin"] * 3


def test_the_day_named_is_the_first_a_search_of_the_whole_body_finds(texts):
    from etl.extract.relevance import DAY_NAMED, _first_in_text

    invented = ["Friday.\nIt rained last night. On 3 March, yesterday.", "last\nnight, 4\nMarch. Overnight", "No day."]
    for text in texts + invented:
        doc = read_document(text, body_start=etl.extract.dateline_end(text))
        whole = DAY_NAMED.search(text, doc.sentences[0].start, doc.sentences[-1].end) if doc.sentences else None
        found = _first_in_text(doc, DAY_NAMED)
        assert (found.span() if found else None) == (whole.span() if whole else None), text[:80]
    assert [(found.group() if (found := _first_in_text(read_document(text), DAY_NAMED)) else None)
            for text in invented] == ["Friday", None, None]
