"""Relevance: a specific incident of UK police force on a person, not crime or policy in general."""
from __future__ import annotations

import pytest

from etl.extract.relevance import relevance
from etl.extract.text import sentences

THRESHOLD = 3


@pytest.mark.parametrize("text", [
    "A man has been shot dead by armed police in east London. The IOPC is investigating.",
    "A man was Tasered by officers outside a pub on Saturday night.",
    "A man died after being restrained by police officers at his home, the watchdog said.",
    "A teenager was struck by a police car during a pursuit in Leeds.",
])
def test_reports_of_police_force_on_a_person_are_relevant(text):
    assert relevance(sentences(text), THRESHOLD).relevant


@pytest.mark.parametrize("text", [
    "A man was shot dead in a drive-by shooting. Police are appealing for witnesses.",
    "A police officer was shot and wounded while on patrol. A man has been arrested.",
    "More than 200 weapons were handed in during a gun amnesty, police said.",
    "Figures show armed police were deployed 18,000 times in the year to March, statistics released today show.",
    "Police shot a dog that attacked a child in a park.",
    "Police in Minneapolis shot a man during a traffic stop in the United States.",
])
def test_crime_officer_victims_policy_statistics_animals_and_abroad_are_not(text):
    assert not relevance(sentences(text), THRESHOLD).relevant


def test_relevance_has_evidence_and_a_score():
    text = "A man was shot dead by police in Leeds."
    judged = relevance(sentences(text), THRESHOLD)
    assert judged.score >= THRESHOLD
    assert text[judged.evidence.start:judged.evidence.end] == "shot dead by police"
    assert judged.evidence.rule.startswith("relevance:score=")
