"""Relevance: a specific incident of UK police force on a person, not crime or policy in general."""
from __future__ import annotations

import pytest

from etl.extract.document import read_document, split_sentences
from etl.extract.relevance import SIGNALS, fitted_model, relevance


def judge(text: str):
    return relevance(read_document(text))


@pytest.mark.parametrize("text", [
    "A man has been shot dead by armed police in east London. The IOPC is investigating.",
    "A man was Tasered by officers outside a pub in Swindon on Saturday night.",
    "A man died after being restrained by police officers at his home in Luton, the watchdog said.",
    "A teenager was struck by a police car during a pursuit in Leeds.",
    "The IOPC is investigating the fatal shooting of a man in Leeds on Friday.",
    "Police Scotland said the attacker was shot during the incident in Glasgow.",
    "The inquest jury found he was lawfully killed by two officers who shot him in Stockwell.",
    "A pedestrian died in a collision with a Met Police vehicle in Southwark, the IOPC said.",
    "An injured constable managed to taser his attacker in Leyton despite his wounds.",
    "A sergeant rugby tackled the knifeman to the ground in Reading town centre.",
])
def test_reports_of_police_force_on_a_person_are_relevant(text):
    assert judge(text).relevant


@pytest.mark.parametrize("text", [
    "A man was shot dead in a drive-by shooting. Police are appealing for witnesses.",
    "A police officer was shot and wounded while on patrol. A man has been arrested.",
    "More than 200 weapons were handed in during a gun amnesty, police said.",
    "Figures show armed police were deployed 18,000 times in the year to March, statistics released today show.",
    "Police shot a dog that attacked a child in a park.",
    "Police in Minneapolis shot a man during a traffic stop in the United States.",
    "A police officer shot dead inside a custody suite in Croydon was named by the Met.",
    "Police officers in New Zealand shot a man; the IPCA found the shooting justified.",
    "Almost 8,000 more Tasers could be deployed by police in England after the Home Office announced funding.",
    ("The IOPC has published a review of Taser use by police forces in England and Wales. The watchdog looked at "
     "how often officers draw the devices and makes 17 recommendations. Forces have three months to respond."),
    "A police marksman shot the bull after it escaped from a livestock market in Devon. The animal was killed by police marksmen.",
    "Armed police were called to a house in Luton. After a ten-hour stand-off the man gave himself up. No shots were fired.",
    "The IOPC is investigating the death of a man in police custody in Leeds. He was found unresponsive in his cell.",
])
def test_crime_officer_victims_policy_statistics_animals_and_abroad_are_not(text):
    assert not judge(text).relevant


def test_relevance_has_evidence_and_a_score():
    text = "A 38-year-old was shot dead by police outside a pub in Leeds on Friday."
    judged = judge(text)
    assert judged.score >= fitted_model().threshold
    decision, *signals = judged.evidence
    assert decision.rule == "relevance:model" and decision.detail.startswith(f"score {judged.score:.2f} >= threshold")
    assert text[decision.start:decision.end] == "shot dead by police"
    # Each signal present is listed with its value and weight.
    assert {item.rule for item in signals} == {"relevance:signal"}
    named = {item.detail.split(" = ")[0] for item in signals}
    assert "force_reported" in named and named <= set(SIGNALS)
    reported = next(item for item in signals if item.detail.startswith("force_reported"))
    assert reported.detail == f"force_reported = 1 x weight {fitted_model().weights['force_reported']:.2f}"


def test_the_fitted_model_weighs_every_signal_and_force_counts_for_relevance():
    model = fitted_model()
    assert set(model.weights) == set(SIGNALS)
    assert model.weights["force_reported"] > 0 and model.weights["no_uk_place"] < 0


@pytest.mark.parametrize("text", [
    "Met Police marksman cleared of the murder of a man he shot in Streatham Hill.",
    "Bravery awards for police who tackled the terrorist in Reading.",
    "A policeman was stabbed in Leyton on Monday. He managed to taser his attacker, a 41-year-old man, despite his injuries.",
])
def test_trials_tackles_and_force_in_self_defence_are_relevant(text):
    assert judge(text).relevant


def test_the_force_prefilter_hides_nothing():
    """Every sentence of these tests and of the dev corpus gets the same force mentions with and without it."""
    from conftest import SHARED
    from etl.extract import cues
    from tests_sentences import all_test_sentences

    texts = all_test_sentences() + [path.read_text(encoding="utf-8")
                                    for path in sorted((SHARED / "corpus" / "dev" / "articles").glob("*.txt"))]
    checked = 0
    for text in texts:
        for sentence in split_sentences(text):
            found = [(kind, match.span()) for kind, match in cues.force_mentions(sentence)]
            assert found == [(kind, match.span()) for kind, match in cues.all_force_mentions(sentence)], sentence.text
            checked += bool(found)
    assert checked > 100


@pytest.mark.parametrize("text", [
    # A watchdog's own account in the passive, naming the person by role only.
    ("The Police Ombudsman has found that a firearm was discharged by an officer during an operation in Newry "
     "on 3 March 2004. The man, aged 30, was struck in the leg and taken to hospital."),
    # An inquest's conclusion, the police named in the sentence.
    ("An inquest jury found that a 44-year-old man who pointed a shotgun at police in Hackney on 2 June 2009 "
     "was lawfully killed when officers opened fire."),
])
def test_watchdog_passives_and_inquest_conclusions_are_relevant(text):
    assert judge(text).relevant


@pytest.mark.parametrize("text", [
    # Abroad, named by a city and a US state only.
    ("Police in Phoenix, Arizona, shot and killed a man who was holding a knife outside a store on Tuesday, "
     "officers said. The 34-year-old died at the scene."),
    # Opinion on arming the police.
    ("Should every police officer in Britain be armed? After another officer was attacked, the Police Federation "
     "says its members want to carry guns. Critics say routinely arming the police would change policing by consent."),
    # A Taser poll.
    ("A survey of 10,000 officers found that most want to carry a Taser. The poll, published by the federation, "
     "showed support rising since 2017."),
    # Police cars that crashed and struck no one.
    ("Two police cars crashed into each other while responding to a 999 call in Stockport last night. "
     "Both officers were taken to hospital with minor injuries."),
    # A pursuit that ended in a crash into a wall.
    ("A driver who fled from police in a stolen car crashed into a wall in Salford after a short pursuit. "
     "He was arrested at the scene."),
])
def test_hard_negatives_that_look_relevant_are_not(text):
    assert not judge(text).relevant
