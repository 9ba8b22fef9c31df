"""What the linker reads from an article's text: people, streets, dates mentioned, who is speaking."""
from __future__ import annotations

from etl.linking.features import authority_of, dates_mentioned, normalise_place, person_names, streets_in


def test_the_person_named_is_found_and_spokespeople_are_not():
    people, surnames = person_names(
        "The man was named as Jean Charles de Menezes. Mr Menezes, 27, was an electrician. "
        "Assistant Commissioner Matt Twist said officers would co-operate. By Kit Heren.")
    assert people == {"jean menezes"}
    assert surnames == {"menezes"}


def test_places_institutions_and_days_are_not_people():
    people, _ = person_names("Officers from Greater Manchester Police went to Kensington Road on Monday. "
                             "The Independent Office for Police Conduct said on Tuesday December it was investigating.")
    assert people == set()


def test_streets_compare_without_apostrophes_or_case():
    assert streets_in("He was shot in Wheeley's Lane.") == streets_in("Police in Wheeleys Lane said")
    assert normalise_place("Junction of Kensington Road and Palace Gate") == "junction of kensington road and palace gate"


def test_months_and_years_a_later_story_mentions():
    months, years = dates_mentioned("He died in March 2019. The inquest opened on 4 June 2021.")
    assert months == {(2019, 3), (2021, 6)} and years == {2019, 2021}


def test_a_watchdogs_findings_outrank_a_hearing_which_outranks_news():
    assert authority_of("The IOPC has found that the officer acted lawfully.") == 2
    assert authority_of("An inquest jury found he was lawfully killed.") == 1
    assert authority_of("Police shot a man in Leeds on Friday.") == 0
