"""What the extract stage reads for the linker: people, streets, places, dates mentioned, who
is speaking; each clue at the span of the text that gave it. Invented sentences only."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl.extract import extract_all, extract_article, extract_with_link_features
from etl.extract.document import read_document
from etl.extract.link_features import LinkFeature, link_features, normalise_place
from etl.linking.features import features_of
from schema.codebook import LINK_FEATURE_KINDS, TABLES


def clues(text: str, published: dt.date | None = None, body_start: int = 0) -> list[LinkFeature]:
    return link_features(read_document(text, published, body_start))


def values(text: str, kind: str, **kwargs) -> set[str]:
    return {item.value for item in clues(text, **kwargs) if item.kind == kind}


def test_the_person_named_is_found_and_spokespeople_are_not():
    text = ("The man was named as Tobias Aldergrove de Whinmoor. Mr Whinmoor, 27, was a plasterer. "
            "Assistant Commissioner Harriet Quell said officers would co-operate. By Wendell Frost.")
    assert values(text, "person") == {"tobias whinmoor"}
    assert values(text, "surname") == {"whinmoor"}
    assert values(text, "prominent_surname") == {"whinmoor"}  # written twice: the article's subject


def test_a_name_in_passing_is_not_prominent():
    text = "Police shot a man in Stretford on Tuesday, a week after Orrin Blakewell was tasered nearby."
    assert values(text, "surname") == {"blakewell"}
    assert values(text, "prominent_surname") == set()


def test_places_institutions_days_and_bylines_are_not_people():
    text = ("Officers from Greater Manchester Police went to Kensington Road on Monday.\n"
            "Rosalind Pettifer\nHome affairs correspondent\n"
            "The Independent Office for Police Conduct said on Tuesday December it was investigating.")
    assert values(text, "person") == set()


def test_a_place_inside_a_hyphenated_surname_does_not_hide_the_person():
    text = "Counsel to the inquest, Imogen Sutton-Farrowby, asked the officer why he fired."
    assert values(text, "person") == {"imogen sutton-farrowby"}


def test_streets_compare_without_apostrophes_or_case():
    assert values("He was shot in Wheeley's Lane.", "street") == values("Police in Wheeleys Lane said", "street")
    assert normalise_place("Junction of Kensington Road and Palace Gate") == "junction of kensington road and palace gate"


def test_places_below_the_district_come_from_the_documents_mentions_not_districts():
    doc = read_document("Armed police were called to a house in Headingley, Leeds, on Friday.")
    assert {item.value for item in link_features(doc) if item.kind == "place"} == {"headingley"}
    assert "place" in {mention.kind for mention in doc.mentions}


def test_capitalised_words_inside_sentences_are_rare_clues_but_places_are_not():
    text = "The man was stopped near the Quillmoor roundabout in Leeds by officers on patrol."
    assert values(text, "word") == {"quillmoor"}


def test_months_and_years_a_later_story_mentions():
    text = "He died in March 2019. The inquest opened on 4 June 2021 and sat again on 9 Sept 2021."
    assert values(text, "month") == {"2019-03", "2021-06", "2021-09"}
    assert values(text, "year") == {"2019", "2021"}
    assert values(text, "as_of") == {"2021-09-09"}  # the latest full date mentioned


def test_the_dateline_year_counts_as_mentioned():
    text = " date 2020-02-01 Watchdog statement\nOfficers shot a man last week."
    assert values(text, "year", published=dt.date(2020, 2, 1), body_start=17) == {"2020"}


def test_a_later_year_than_any_full_date_gives_its_first_day():
    assert values("The trial opened on 3 May 2021. It ended in 2022.", "as_of") == {"2022-01-01"}


def test_a_watchdogs_findings_outrank_a_hearing_which_outranks_news():
    assert values("The IOPC has found that the officer acted lawfully.", "authority") == {"2"}
    assert values("An inquest jury found he was lawfully killed.", "authority") == {"1"}
    assert values("Police shot a man in Leeds on Friday.", "authority") == set()


def test_every_clue_quotes_the_text_it_was_read_from():
    text = ("Armed officers shot Cassius Penhallow in Tamarind Close, Headingley, on 12 August 2019. "
            "Mr Penhallow, 31, survived. An inquest jury heard the IOPC has found no misconduct.")
    found = clues(text)
    assert {item.kind for item in found} <= set(LINK_FEATURE_KINDS)
    assert len({(item.kind, item.value) for item in found}) == len(found)  # once per kind and value
    quotes = {item.kind: text[item.start:item.end] for item in found}
    assert quotes["person"] == "Cassius Penhallow"
    assert quotes["street"] == "Tamarind Close"
    assert quotes["as_of"] == "12 August 2019"
    assert quotes["authority"].startswith("IOPC has found")
    assert quotes["prominent_surname"] == "Penhallow"


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        LinkFeature("nickname", "x", 0, 1)


def test_the_extract_stage_writes_link_features_for_relevant_articles_only():
    relevant = ("Armed police shot a man dead in Tamarind Close, Headingley, on Friday. He was named as "
                "Cassius Penhallow. Mr Penhallow, 31, had been holding a knife, West Yorkshire Police said.")
    other = "The council approved a new cycle lane along the Otley Road in Headingley yesterday."
    fields, evidence, rows = extract_with_link_features("a", relevant, dt.date(2023, 3, 4))
    assert fields["relevant"] and (fields, evidence) == extract_article("a", relevant, dt.date(2023, 3, 4))
    assert {"article_id", "kind", "value", "start", "end", "quote"} == set(rows[0])
    assert all(row["quote"] == relevant[row["start"]:row["end"]] for row in rows)
    assert not extract_with_link_features("b", other, dt.date(2023, 3, 4))[2]
    articles = pd.DataFrame([{"article_id": "a", "text": relevant, "published_date": dt.date(2023, 3, 4)},
                             {"article_id": "b", "text": other, "published_date": dt.date(2023, 3, 4)}])
    _, _, table = extract_all(articles)
    assert list(table.columns) == list(TABLES["link_features"].columns)
    assert set(table["article_id"]) == {"a"}


def test_the_linker_builds_its_view_from_the_rows_without_the_text():
    text = "Police shot Cassius Penhallow in Tamarind Close in March 2019. Mr Penhallow was 31."
    rows = [item.row("a", text) for item in clues(text)]
    features = features_of({"article_id": "a", "published_date": None, "location": "Tamarind Close",
                            "link_features": rows})
    assert features.people == {"cassius penhallow"} and features.prominent == {"penhallow"}
    assert features.streets == {"tamarind close"} and features.months == {(2019, 3)} and features.years == {2019}
    assert features.as_of == dt.date(2019, 1, 1) and features.authority == 0
