"""Places, forces and watchdogs, looked up in the vocabularies of schema/vocab."""
from __future__ import annotations

import datetime as dt

import pytest

from etl.extract import places
from etl.extract.document import read_document


def borough_of(text: str):
    found = places.borough(read_document(text))
    return (found[0].value, found[1].value) if found else None


@pytest.mark.parametrize("text, expected", [
    ("Police shot a man at a house in Dagenham.", ("Barking and Dagenham", "E09000002")),
    ("Armed police shot a 41-year-old outside a hotel in Kensington, west London, on Sunday.", ("Kensington and Chelsea", "E09000020")),
    ("Officers Tasered a man in Leeds city centre.", ("Leeds", "E08000035")),
    ("The man was restrained by officers in Glasgow City centre.", ("Glasgow City", "S12000049")),
])
def test_borough_from_district_names_and_places(text, expected):
    assert borough_of(text) == expected


def test_the_place_of_the_force_beats_a_place_merely_mentioned():
    text = "The man, from Leeds, had travelled south. Armed officers shot him in Dagenham."
    assert borough_of(text)[0] == "Barking and Dagenham"


def test_a_force_name_is_not_a_place():
    assert borough_of("Greater Manchester Police said the officers were safe.") is None


def force_of(text: str):
    found = places.force(read_document(text), None)
    return found.value if found else None


@pytest.mark.parametrize("text, expected", [
    ("The Met said officers fired shots.", "Metropolitan Police Service"),
    ("Scotland Yard confirmed the man had died.", "Metropolitan Police Service"),
    ("A spokesman for GMP said a man was Tasered.", "Greater Manchester Police"),
    ("We met officers at the scene.", None),
])
def test_force_by_alias(text, expected):
    assert force_of(text) == expected


def test_no_force_named_means_the_territorial_force_of_the_place():
    text = "Armed officers shot a man in Warrington."
    doc = read_document(text)
    borough_found, _ = places.borough(doc)
    assert places.force(doc, borough_found).value == "Cheshire Constabulary"
    assert places.force(doc, borough_found).rule == "force:territorial_force_of_borough"


@pytest.mark.parametrize("text, expected", [
    ("Armed police boxed in a grey Mercedes at the junction of Harrow Road and Elgin Avenue.",
     "junction of Harrow Road and Elgin Avenue"),
    ("Police shot the man in Weston Green on Thursday.", "Weston Green"),
    ("The man was Tasered on Brixton Hill.", "Brixton Hill"),
])
def test_location_as_written(text, expected):
    assert places.location(read_document(text), None).value == expected


@pytest.mark.parametrize("text, country, on, expected", [
    ("The force has asked the Independent Office for Police Conduct to review the arrest.", "England", None, "IOPC"),
    ("The IPCC, now the IOPC, investigated.", "England", dt.date(2015, 1, 1), "IPCC"),
    ("The police watchdog is investigating.", "England", dt.date(2016, 8, 15), "IPCC"),
    ("The police watchdog is investigating.", "England", dt.date(2023, 11, 23), "IOPC"),
    ("The police watchdog is investigating.", "Scotland", dt.date(2020, 6, 26), "PIRC"),
    ("The Police Ombudsman is investigating.", "Northern Ireland", None, "PONI"),
    ("Officers will review the footage.", "England", None, None),
])
def test_referral_body_named_or_implied_by_place_and_date(text, country, on, expected):
    found = places.referral_body(read_document(text), country, on)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize("text, expected", [
    ("Armed officers shot a man in Kirkstall Gardens, Streatham.", "Lambeth"),
    ("The trial at Liverpool Crown Court heard officers Tasered him in Warrington.", "Warrington"),
])
def test_streets_and_courts_named_after_places_are_not_those_places(text, expected):
    assert borough_of(text)[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("Mr Hollis, 52, of Ulceby, North Lincolnshire, was struck by a police van in Southwark.", "Southwark"),
    ("The 36-year-old, from Bolton, was shot by an officer in Warrington.", "Warrington"),
    ("Muhammed Rodwan, of Villiers Close, Luton, was Tasered in Leyton.", "Waltham Forest"),
])
def test_where_someone_lives_is_not_where_force_was_used(text, expected):
    assert borough_of(text)[0] == expected


def test_forces_acting_together_are_all_recorded():
    text = "Two City of London Police marksmen and four from the Metropolitan police opened fire on the driver."
    assert force_of(text) == "City of London Police; Metropolitan Police Service"


def test_a_force_merely_quoted_loses_to_the_force_that_acted():
    text = ("Greater Manchester Police said it was aware. Officers from Cheshire Constabulary shot the man. "
            "Cheshire Constabulary referred the shooting to the IOPC.")
    assert force_of(text) == "Cheshire Constabulary"


def test_a_watchdogs_own_statement_implies_the_body_of_its_time_and_place():
    text = "Our investigators opened an independent investigation after officers shot a man in Birmingham."
    found = places.referral_body(read_document(text), "England", dt.date(2017, 7, 26))
    assert found.value == "IPCC" and found.rule == "referral:unnamed_watchdog_for_place_and_date"
