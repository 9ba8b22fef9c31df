"""The reference vocabularies of schema/vocab: consistent with each other and the codebook."""
from __future__ import annotations

import re
from datetime import date

import pytest

from schema import vocab

GSS_PREFIXES = {
    "England": ("E06", "E07", "E08", "E09"),
    "Wales": ("W06",),
    "Scotland": ("S12",),
    "Northern Ireland": ("N09",),
}


def test_every_district_code_is_a_gss_code_of_its_country():
    for code, district in vocab.districts().items():
        assert re.fullmatch(r"[ENSW]\d{8}", code), code
        assert code.startswith(GSS_PREFIXES[district.country]), (code, district.country)


def test_districts_count_318_england_and_wales_32_scotland_11_northern_ireland():
    countries = [d.country for d in vocab.districts().values()]
    assert countries.count("England") + countries.count("Wales") == 331 - 17 + 4  # April 2023
    assert countries.count("Wales") == 22
    assert countries.count("Scotland") == 32
    assert countries.count("Northern Ireland") == 11


def test_districts_stand_as_since_april_2023():
    by_name = vocab.district_by_name()
    assert by_name["Cumberland"].code == "E06000063"
    assert by_name["Westmorland and Furness"].code == "E06000064"
    assert by_name["North Yorkshire"].code == "E06000065"
    assert by_name["Somerset"].code == "E06000066"
    assert by_name["North Northamptonshire"].code == "E06000061"
    for gone in ("Allerdale", "Barrow-in-Furness", "Carlisle", "Copeland", "Eden", "South Lakeland",
                 "Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale", "Scarborough", "Selby",
                 "Mendip", "Sedgemoor", "South Somerset", "Somerset West and Taunton"):
        assert gone not in by_name, gone
    assert by_name["Cumberland"].force == by_name["Westmorland and Furness"].force == "Cumbria Constabulary"
    assert by_name["Somerset"].force == "Avon and Somerset Constabulary"


@pytest.mark.parametrize("place, district", [
    ("Carlisle", "Cumberland"), ("Workington", "Cumberland"), ("Whitehaven", "Cumberland"),
    ("Allerdale", "Cumberland"),
    ("Kendal", "Westmorland and Furness"), ("Barrow-in-Furness", "Westmorland and Furness"),
    ("Penrith", "Westmorland and Furness"), ("South Lakeland", "Westmorland and Furness"),
    ("Windermere", "Westmorland and Furness"), ("Ulverston", "Westmorland and Furness"),
    ("Harrogate", "North Yorkshire"), ("Scarborough", "North Yorkshire"), ("Selby", "North Yorkshire"),
    ("Skipton", "North Yorkshire"), ("Northallerton", "North Yorkshire"), ("Ryedale", "North Yorkshire"),
    ("Richmond, North Yorkshire", "North Yorkshire"),
    ("Taunton", "Somerset"), ("Yeovil", "Somerset"), ("Bridgwater", "Somerset"), ("Frome", "Somerset"),
    ("Mendip", "Somerset"), ("Somerset West and Taunton", "Somerset"),
])
def test_places_of_the_districts_replaced_in_2023_map_to_the_new_unitaries(place, district):
    assert vocab.districts()[vocab.places()[place]].name == district


def test_richmond_alone_is_not_a_place():
    assert "Richmond" not in vocab.places()  # London's Richmond upon Thames or North Yorkshire's


def test_district_codes_and_names_are_unique():
    rows = vocab._rows("districts.csv")
    assert len({r["code"] for r in rows}) == len(rows)
    assert len({r["name"] for r in rows}) == len(rows)
    assert len(vocab.district_by_name()) == len(rows)


def test_london_has_33_boroughs_e09000001_to_e09000033_with_short_names():
    london = {code: d.name for code, d in vocab.districts().items() if code.startswith("E09")}
    assert sorted(london) == [f"E09{n:06d}" for n in range(1, 34)]
    assert london["E09000001"] == "City of London"
    assert london["E09000002"] == "Barking and Dagenham"
    assert london["E09000020"] == "Kensington and Chelsea"
    assert london["E09000033"] == "Westminster"


def test_no_district_name_keeps_an_ons_suffix():
    for district in vocab.districts().values():
        assert ", City of" not in district.name and ", County of" not in district.name
    by_name = vocab.district_by_name()
    assert by_name["Bristol"].code == "E06000023"
    assert by_name["Kingston upon Hull"].code == "E06000010"
    assert by_name["Herefordshire"].code == "E06000019"
    assert by_name["Glasgow City"].code == "S12000049"
    assert by_name["City of Edinburgh"].code == "S12000036"
    assert by_name["Newry, Mourne and Down"].code == "N09000010"


@pytest.mark.parametrize("name, force", [
    ("Warrington", "Cheshire Constabulary"),
    ("Telford and Wrekin", "West Mercia Police"),
    ("Luton", "Bedfordshire Police"),
    ("City of London", "City of London Police"),
    ("Lambeth", "Metropolitan Police Service"),
    ("Fife", "Police Scotland"),
    ("Belfast", "Police Service of Northern Ireland"),
    ("Bristol", "Avon and Somerset Constabulary"),
    ("Caerphilly", "Gwent Police"),
    ("North Lincolnshire", "Humberside Police"),
])
def test_a_district_is_policed_by_its_territorial_force(name, force):
    assert vocab.district_by_name()[name].force == force


def test_every_district_force_is_a_territorial_force_of_the_same_country():
    forces = vocab.forces()
    for district in vocab.districts().values():
        force = forces[district.force]
        assert force.kind == "territorial"
        assert force.country == district.country, district


def test_forces_are_43_plus_scotland_and_northern_ireland_plus_3_special():
    kinds = [f.kind for f in vocab.forces().values()]
    assert kinds.count("territorial") == 43 + 2
    assert kinds.count("special") == 3
    assert {"Metropolitan Police Service", "Police Scotland", "British Transport Police",
            "Avon and Somerset Constabulary", "Devon and Cornwall Police"} <= set(vocab.forces())


def test_every_territorial_force_polices_at_least_one_district():
    used = {d.force for d in vocab.districts().values()}
    territorial = {name for name, f in vocab.forces().items() if f.kind == "territorial"}
    assert territorial == used


def test_force_aliases_are_unique_and_name_known_forces():
    rows = vocab._rows("force_aliases.csv")
    aliases = [r["alias"] for r in rows]
    assert len(set(aliases)) == len(aliases)
    assert set(vocab.force_aliases().values()) == set(vocab.forces())
    for name in vocab.forces():
        assert vocab.force_aliases()[name] == name  # the official name is its own alias


@pytest.mark.parametrize("alias, force", [
    ("the Met", "Metropolitan Police Service"),
    ("Scotland Yard", "Metropolitan Police Service"),
    ("GMP", "Greater Manchester Police"),
    ("RUC", "Police Service of Northern Ireland"),
    ("Strathclyde Police", "Police Scotland"),
    ("Avon and Somerset Police", "Avon and Somerset Constabulary"),
    ("Devon & Cornwall Police", "Devon and Cornwall Police"),
    ("BTP", "British Transport Police"),
])
def test_force_alias_examples(alias, force):
    assert vocab.force_aliases()[alias] == force


def test_no_alias_is_a_lower_case_word():
    for alias in list(vocab.force_aliases()) + list(vocab.referral_body_aliases()):
        assert " " in alias or not alias.islower(), alias


def test_every_place_is_in_a_known_district_and_is_not_a_district_name():
    districts = vocab.districts()
    names = set(vocab.district_by_name())
    rows = vocab._rows("places.csv")
    assert len({r["place"] for r in rows}) == len(rows)
    for row in rows:
        assert row["district_code"] in districts, row
        assert row["place"] not in names, row
        assert row["kind"] in ("area", "town", "landmark"), row


def test_places_cover_all_33_london_boroughs():
    london = {code for code in vocab.places().values() if code.startswith("E09")}
    assert len(london) == 33


@pytest.mark.parametrize("place, district", [
    ("Dagenham", "Barking and Dagenham"),
    ("Kensington", "Kensington and Chelsea"),
    ("Brixton", "Lambeth"),
    ("Tottenham", "Haringey"),
    ("Walthamstow", "Waltham Forest"),
    ("Canary Wharf", "Tower Hamlets"),
    ("Scunthorpe", "North Lincolnshire"),
    ("Nuneaton", "Nuneaton and Bedworth"),
    ("Telford", "Telford and Wrekin"),
    ("Kirkcaldy", "Fife"),
    ("Stretford", "Trafford"),
    ("Paisley", "Renfrewshire"),
    ("Lurgan", "Armagh City, Banbridge and Craigavon"),
    ("Sutton Coldfield", "Birmingham"),
])
def test_place_examples(place, district):
    assert vocab.districts()[vocab.places()[place]].name == district


def test_referral_bodies_and_their_aliases():
    assert set(vocab.referral_bodies()) == {"IOPC", "IPCC", "PCA", "PIRC", "PONI"}
    assert vocab.referral_bodies()["IOPC"].valid_to is None
    assert vocab.referral_bodies()["IPCC"].valid_to == date(2018, 1, 7)
    assert set(vocab.referral_body_aliases().values()) == set(vocab.referral_bodies())
    assert vocab.referral_body_aliases()["Police Ombudsman"] == "PONI"
    assert vocab.referral_body_aliases()["Independent Police Complaints Commission"] == "IPCC"


@pytest.mark.parametrize("country, on, body", [
    ("England", date(1999, 6, 1), "PCA"),
    ("England", date(2004, 3, 31), "PCA"),
    ("England", date(2004, 4, 1), "IPCC"),
    ("England", date(2017, 1, 1), "IPCC"),
    ("England", date(2018, 1, 7), "IPCC"),
    ("England", date(2018, 1, 8), "IOPC"),
    ("Wales", date(2010, 6, 1), "IPCC"),
    ("Wales", None, "IOPC"),
    ("Scotland", date(2020, 5, 1), "PIRC"),
    ("Scotland", None, "PIRC"),
    ("Scotland", date(2010, 5, 1), None),
    ("Northern Ireland", date(2012, 3, 1), "PONI"),
    ("Northern Ireland", None, "PONI"),
    ("France", date(2020, 1, 1), None),
])
def test_referral_body_for(country, on, body):
    assert vocab.referral_body_for(country, on) == body


def test_weapon_terms_are_lower_case_and_categorised():
    terms = vocab.weapon_terms()
    assert all(term == term.lower() for term in terms)
    assert set(terms.values()) == set(vocab.WEAPON_CATEGORIES)
    assert terms["imitation firearm"] == "imitation_firearm"
    assert terms["firearm"] == "firearm"
    assert terms["bb gun"] == "imitation_firearm"
    assert terms["machete"] == "knife"
    assert terms["hoax suicide vest"] == "other"


def _longest_term(text: str) -> str:
    """The longest weapon term found in text: what a matcher should report."""
    return max((t for t in vocab.weapon_terms() if t in text), key=len)


@pytest.mark.parametrize("text, category", [
    ("officers recovered an imitation firearm", "imitation_firearm"),
    ("an air pistol was found at the scene", "imitation_firearm"),
    ("a self-loading pistol was recovered", "firearm"),
    ("he was holding a nail gun", "other"),
    ("a zombie knife was seized", "knife"),
])
def test_the_longest_weapon_term_decides_the_category(text, category):
    assert vocab.weapon_terms()[_longest_term(text)] == category
