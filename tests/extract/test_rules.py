"""Rule names are a closed set: every evidence row names one, none holds a value."""
from __future__ import annotations

import re

import pytest

from etl.extract import extract_article
from etl.extract.rules import RULES, markdown
from etl.extract.text import Found


def test_a_rule_outside_the_closed_set_is_refused():
    with pytest.raises(ValueError, match="not one of the rule names"):
        Found("borough", "Leeds", 0, 5, "borough:guessed")


def test_rule_names_hold_no_values():
    for name in RULES:
        # field:way of reading, or one word for a value no reading gave (a correction)
        assert re.fullmatch(r"[a-z_]+(:[a-z_]+)?", name), name


def test_every_evidence_row_names_a_rule_and_keeps_its_sentence():
    text = ("A 27-year-old man was shot by armed police in Leeds on Friday night. "
            "He is in a stable condition in hospital. The IOPC has been informed.")
    fields, evidence = extract_article("leeds", text, None)
    assert fields["relevant"]
    assert {row["rule"] for row in evidence} <= set(RULES)
    age = next(row for row in evidence if row["field"] == "subject_age")
    assert age["quote"] == "27-year-old"
    assert age["sentence"] == "A 27-year-old man was shot by armed police in Leeds on Friday night."


def test_the_committed_rule_list_is_generated_from_the_registry():
    from conftest import REPO

    assert (REPO / "docs" / "rules.md").read_text() == markdown(), "run `uofdb rules > docs/rules.md`"
