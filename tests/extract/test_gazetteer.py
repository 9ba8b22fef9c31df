"""The gazetteer finds names case-sensitively, longest first, with their spans."""
from __future__ import annotations

from etl.extract.gazetteer import Gazetteer


def test_longest_name_wins_and_spans_are_exact():
    places = Gazetteer({"Kensington": "K", "Kensington and Chelsea": "KC", "Chelsea": "C"})
    text = "Officers from Kensington and Chelsea went to Chelsea."
    found = [(m.name, m.value, text[m.start:m.end]) for m in places.find(text)]
    assert found == [("Kensington and Chelsea", "KC", "Kensington and Chelsea"), ("Chelsea", "C", "Chelsea")]


def test_matching_is_case_sensitive_and_whole_word():
    forces = Gazetteer({"Met": "Metropolitan Police Service"})
    assert [m.name for m in forces.find("They met the Met. Metro lines closed.")] == ["Met"]


def test_names_across_line_breaks_and_apostrophes():
    places = Gazetteer({"King's Lynn": "KL", "Newry, Mourne and Down": "N"})
    text = "in King’s Lynn and Newry, Mourne\nand Down"
    assert [m.value for m in places.find(text)] == ["KL", "N"]


def test_search_within_a_window():
    places = Gazetteer({"Leeds": "L"})
    text = "Leeds and Leeds"
    assert [m.start for m in places.find(text, 5)] == [10]
