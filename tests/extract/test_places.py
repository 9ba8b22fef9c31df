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


# --- the force by its name at the time ---------------------------------------------------

def force_on(text: str, on: dt.date | None):
    doc = read_document(text)
    place = places.borough(doc)
    found = places.force(doc, place[0] if place else None, on)
    return found.value if found else None


@pytest.mark.parametrize("text, on, expected", [
    ("PSNI officers fired a baton round at a rioter in Lurgan.", dt.date(1998, 5, 1), "Royal Ulster Constabulary"),
    ("PSNI officers fired a baton round at a rioter in Lurgan.", dt.date(2010, 5, 1), "Police Service of Northern Ireland"),
    ("Police Scotland officers sprayed a shoplifter with CS gas in Paisley.", dt.date(2010, 3, 2), "Strathclyde Police"),
    ("Police Scotland officers sprayed a shoplifter with CS gas in Paisley.", dt.date(2019, 3, 2), "Police Scotland"),
    ("Hampshire Police said an officer had Tasered a cyclist in Ryde.", dt.date(2023, 4, 9), "Hampshire and Isle of Wight Constabulary"),
    ("Strathclyde Police said its officers restrained the driver in Paisley.", dt.date(2016, 1, 9), "Police Scotland"),
])
def test_a_named_force_is_named_as_it_was_on_the_incident_date(text, on, expected):
    assert force_on(text, on) == expected


@pytest.mark.parametrize("text, on, expected", [
    ("Officers restrained a teenager on a bus in Paisley.", dt.date(2009, 11, 20), "Strathclyde Police"),
    ("Officers restrained a teenager on a bus in Paisley.", dt.date(2021, 11, 20), "Police Scotland"),
    ("An officer Tasered a man outside a chip shop in Ryde.", dt.date(2015, 6, 1), "Hampshire Constabulary"),
    ("Baton rounds were fired at a crowd in Lurgan.", dt.date(1997, 7, 6), "Royal Ulster Constabulary"),
])
def test_the_territorial_force_of_the_place_is_named_as_it_was_then(text, on, expected):
    assert force_on(text, on) == expected


def test_forces_acting_together_are_each_named_at_the_time_and_never_raise():
    text = "Marksmen from the PSNI and the British Transport Police opened fire on a van."
    assert force_on(text, dt.date(1999, 2, 2)) == "British Transport Police; Royal Ulster Constabulary"
    doc = read_document(text)
    found = places.force(doc, None, dt.date(1999, 2, 2))
    assert places.country(None, found) is None  # two countries of operation
    odd = places.Found("force", "Some Force; Another Force", 0, 1, "force:several_named_acting")
    assert places.country(None, odd) is None


def test_a_force_named_only_as_the_investigator_is_not_the_acting_force():
    text = ("Armed officers shot a man in Carlisle on Friday. The investigation will be led by "
            "Detective Superintendent Ann Smith of Lancashire Constabulary.")
    assert force_on(text, dt.date(2020, 1, 3)) == "Cumbria Constabulary"


def test_a_police_unit_named_after_a_place_gives_its_force_not_a_borough():
    text = "Brixton police said the woman had been restrained by two officers."
    assert borough_of(text) is None
    assert force_on(text, dt.date(2012, 5, 5)) == "Metropolitan Police Service"


@pytest.mark.parametrize("day, period, anchor, expected", [
    (dt.date(2008, 8, 21), "2008-08-21", dt.date(2020, 1, 1), dt.date(2008, 8, 21)),
    (None, "2008-03", dt.date(2020, 1, 1), dt.date(2008, 3, 15)),
    (None, "2008", dt.date(2020, 1, 1), dt.date(2008, 7, 1)),
    (None, None, dt.date(2020, 1, 1), dt.date(2020, 1, 1)),
])
def test_names_are_taken_on_the_day_else_in_the_month_or_year_given(day, period, anchor, expected):
    assert places.named_on(day, period, anchor) == expected


# --- the borough as news reports places -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "The pensioner was Tasered by officers and taken to Wigan Infirmary.",
    "He was restrained and later appeared at Bradford Magistrates' Court charged with assault.",
    "The inquest at Oldham heard that an officer knelt on the man for four minutes.",
    "An inquest jury at the Guildhall, in Bath, found the officer had Tasered him lawfully.",
    "She died in the Royal Victoria Infirmary, Newcastle upon Tyne, a day after she was restrained.",
    "The carpenter, who lived in Barnsley, was shot by police during the siege.",
    "The 44-year-old, from near Rochdale, was Tasered twice by officers.",
    "Police shot a man near Kingston upon Hull on Sunday.",
    "A man was restrained by officers on the outskirts of Wakefield.",
    "The Mayor of Greater Manchester said he was concerned after officers Tasered a boy.",
    "Police in Perth, Australia, shot a man in a shopping centre.",
])
def test_courts_hospitals_homes_wider_areas_and_places_abroad_are_not_the_borough(text):
    assert borough_of(text) is None


def test_a_district_named_after_a_place_in_another_district_is_only_its_wider_area():
    assert borough_of("Officers Tasered a man outside a pub in Telford, Shropshire, overnight.")[0] == "Telford and Wrekin"
    assert borough_of("A woman was struck by a police car in Stretford in Manchester.")[0] == "Trafford"


def test_a_county_after_co_is_not_a_district():
    assert borough_of("Police fired baton rounds at a car near Lisburn, Co Antrim, on Friday.")[0] == "Lisburn and Castlereagh"


def test_a_place_in_the_acting_forces_area_beats_a_homonym_outside_it():
    text = ("South Yorkshire Police said a man was shot by one of its officers on a street in Wheatley. "
            "The force said the shooting in Doncaster was referred to the IOPC.")
    assert borough_of(text)[0] == "Doncaster"


def test_two_districts_tied_in_the_force_sentences_leave_the_borough_unstated():
    text = "Officers Tasered a man in Bolton and restrained a second man in Wigan."
    assert borough_of(text) is None


def test_places_in_scotland_and_northern_ireland_come_from_the_gazetteer():
    assert borough_of("Officers restrained a teenager on a bus in Paisley.")[0] == "Renfrewshire"
    assert borough_of("Baton rounds were fired at a crowd in Lisburn.")[0] == "Lisburn and Castlereagh"


# --- the watchdog of its time and place -------------------------------------------------------

@pytest.mark.parametrize("text, country, on, expected", [
    ("The police watchdog is looking into the restraint.", "England", dt.date(2002, 6, 1), "PCA"),
    ("The police watchdog is looking into the restraint.", "Wales", dt.date(2005, 6, 1), "IPCC"),
    ("The police watchdog is looking into the restraint.", "Northern Ireland", dt.date(2008, 6, 1), "PONI"),
    ("The Police Complaints Authority will supervise the inquiry.", "England", dt.date(2001, 7, 13), "PCA"),
    ("The IOPC (formerly the IPCC) published its report on the shooting.", "England", dt.date(2016, 5, 1), "IOPC"),
    ("The IOPC has apologised for the delays of the IPCC inquiry into the restraint.", "England", dt.date(2008, 7, 1), "IPCC"),
    ("The IOPC has published its findings into the 2015 restraint.", "England", dt.date(2015, 7, 1), "IOPC"),
])
def test_referral_body_of_its_time_and_place_and_a_later_name_kept(text, country, on, expected):
    found = places.referral_body(read_document(text), country, on)
    assert (found.value if found else None) == expected
