"""etl.linking.features and similarity: the linker's copies of an article's features are the values
`dataclasses.replace` gives, and an article is not copied when nothing about it changes."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from etl.extract.link_features import PERSON, STREET_NAME, SURNAME
from etl.linking.features import NO_NAMES, features_of, interned, replaced, without_names
from etl.linking.similarity import has_names, without_common


def reported(article_id="a1", people=(), surnames=(), streets=()) -> object:
    row = {"article_id": article_id, "published_date": dt.date(2024, 3, 6), "incident_date": dt.date(2024, 3, 5),
           "force": "West Yorkshire Police", "borough": "Leeds"}
    clues = ([(PERSON, name) for name in people] + [(SURNAME, name) for name in surnames]
             + [(STREET_NAME, name) for name in streets])
    return features_of(row, clues)


def test_a_replaced_copy_is_what_dataclasses_replace_gives_and_leaves_the_original_alone():
    features = reported(people=["ravi lindqvist"], surnames=["lindqvist"], streets=["marsh lane"])
    copy = replaced(features, {"people": frozenset(), "borough": "Bradford"})
    assert copy == dataclasses.replace(features, people=frozenset(), borough="Bradford")
    assert features.people == {"ravi lindqvist"} and features.borough == "Leeds"
    assert replaced(features, {}) is features
    with pytest.raises(TypeError, match="no field colour"):
        replaced(features, {"colour": "blue"})


def test_interning_shares_equal_sets_and_copies_only_an_article_whose_sets_were_new():
    held: dict = {}
    first = interned(reported("a1", surnames=["lindqvist"], streets=["marsh lane"]), held)
    assert interned(first, held) is first  # (its sets are the ones held: nothing to change)
    second = interned(reported("a2", surnames=["lindqvist"], streets=["marsh lane"]), held)
    assert second.surnames is first.surnames and second.streets is first.streets


def test_common_names_are_taken_out_only_of_an_article_that_has_them():
    features = reported(people=["ravi lindqvist"], surnames=["lindqvist"], streets=["marsh lane"])
    assert without_common(features, frozenset({"london"})) is features
    assert not has_names(features, frozenset({"london"}))
    taken = without_common(features, frozenset({"marsh lane", "lindqvist"}))
    assert has_names(features, frozenset({"marsh lane"}))
    assert taken == dataclasses.replace(features, surnames=frozenset(), streets=frozenset(),
                                        prominent=features.prominent - {"lindqvist"})
    assert without_names(taken).people is NO_NAMES and without_names(taken).forces == features.forces
