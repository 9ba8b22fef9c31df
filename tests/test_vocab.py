"""The reference vocabularies of schema/vocab: consistent with each other and the codebook."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

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


def test_forces_are_43_plus_scotland_and_northern_ireland_plus_3_special_plus_10_past():
    current = [f.kind for f in vocab.forces().values() if f.valid_to is None]
    assert current.count("territorial") == 43 + 2
    assert current.count("special") == 3
    past = {name for name, f in vocab.forces().items() if f.valid_to is not None}
    assert past == {"Royal Ulster Constabulary", "Hampshire Constabulary", "Strathclyde Police",
                    "Lothian and Borders Police", "Tayside Police", "Grampian Police", "Northern Constabulary",
                    "Fife Constabulary", "Central Scotland Police", "Dumfries and Galloway Constabulary"}
    assert {"Metropolitan Police Service", "Police Scotland", "British Transport Police",
            "Avon and Somerset Constabulary", "Devon and Cornwall Police"} <= set(vocab.forces())


def test_every_current_territorial_force_polices_at_least_one_district():
    used = {d.force for d in vocab.districts().values()}
    territorial = {name for name, f in vocab.forces().items()
                   if f.kind == "territorial" and f.valid_to is None}
    assert territorial == used


def test_every_past_force_hands_over_to_a_successor_the_next_day():
    forces = vocab.forces()
    for name, force in forces.items():
        if force.valid_to is None:
            assert force.successor is None, name
            continue
        successor = forces[force.successor]
        assert successor.valid_from == force.valid_to + timedelta(days=1), name
        assert successor.country == force.country and successor.kind == force.kind == "territorial"
        assert vocab.force_districts(name) <= vocab.force_districts(force.successor), name
        assert vocab.force_districts(name), name


def test_force_history_dates():
    forces = vocab.forces()
    assert forces["Royal Ulster Constabulary"].valid_to == date(2001, 11, 3)
    assert forces["Police Service of Northern Ireland"].valid_from == date(2001, 11, 4)
    assert forces["Strathclyde Police"].valid_to == date(2013, 3, 31)
    assert forces["Police Scotland"].valid_from == date(2013, 4, 1)
    assert forces["Hampshire Constabulary"].successor == "Hampshire and Isle of Wight Constabulary"
    assert forces["Hampshire and Isle of Wight Constabulary"].valid_from.year == 2022


def test_the_eight_scottish_forces_covered_the_32_council_areas_once_each():
    scottish = [name for name, f in vocab.forces().items() if f.successor == "Police Scotland"]
    assert len(scottish) == 8
    covered = [code for name in scottish for code in vocab.force_districts(name)]
    council_areas = {code for code, d in vocab.districts().items() if d.country == "Scotland"}
    assert sorted(covered) == sorted(council_areas)
    assert "S12000049" in vocab.force_districts("Strathclyde Police")  # Glasgow City
    assert "S12000036" in vocab.force_districts("Lothian and Borders Police")  # City of Edinburgh
    assert "S12000017" in vocab.force_districts("Northern Constabulary")  # Highland


def test_force_areas_name_known_past_forces_and_districts():
    for row in vocab._rows("force_areas.csv"):
        assert vocab.forces()[row["force"]].valid_to is not None, row
        assert row["district_code"] in vocab.districts(), row


@pytest.mark.parametrize("force, on, district_code, expected", [
    ("Police Service of Northern Ireland", date(1998, 5, 1), None, "Royal Ulster Constabulary"),
    ("Police Service of Northern Ireland", date(2001, 11, 3), None, "Royal Ulster Constabulary"),
    ("Police Service of Northern Ireland", date(2001, 11, 4), None, "Police Service of Northern Ireland"),
    ("Royal Ulster Constabulary", date(2005, 1, 1), None, "Police Service of Northern Ireland"),
    ("Royal Ulster Constabulary", date(1990, 1, 1), None, "Royal Ulster Constabulary"),
    ("Police Scotland", date(2010, 6, 1), "S12000049", "Strathclyde Police"),
    ("Police Scotland", date(2010, 6, 1), "S12000036", "Lothian and Borders Police"),
    ("Police Scotland", date(2013, 3, 31), "S12000042", "Tayside Police"),
    ("Police Scotland", date(2013, 4, 1), "S12000042", "Police Scotland"),
    ("Police Scotland", date(2010, 6, 1), None, "Police Scotland"),  # cannot tell which
    ("Police Scotland", date(2010, 6, 1), "E09000022", "Police Scotland"),  # a district none covered
    ("Strathclyde Police", date(2015, 1, 1), None, "Police Scotland"),
    ("Strathclyde Police", date(2009, 1, 1), None, "Strathclyde Police"),
    ("Strathclyde Police", None, None, "Strathclyde Police"),
    ("Hampshire and Isle of Wight Constabulary", date(2015, 1, 1), None, "Hampshire Constabulary"),
    ("Hampshire Constabulary", date(2023, 1, 1), None, "Hampshire and Isle of Wight Constabulary"),
    ("Metropolitan Police Service", date(1990, 1, 1), "E09000022", "Metropolitan Police Service"),
    ("British Transport Police", date(2005, 1, 1), None, "British Transport Police"),
    ("Police Service of Northern Ireland", None, None, "Police Service of Northern Ireland"),
    ("Not A Force", date(2005, 1, 1), None, "Not A Force"),
])
def test_force_at(force, on, district_code, expected):
    assert vocab.force_at(force, on, district_code) == expected


@pytest.mark.parametrize("district_code, on, expected", [
    ("S12000049", date(2010, 1, 1), "Strathclyde Police"),
    ("S12000049", date(2020, 1, 1), "Police Scotland"),
    ("S12000049", None, "Police Scotland"),
    ("S12000006", date(2000, 1, 1), "Dumfries and Galloway Constabulary"),
    ("N09000003", date(1995, 1, 1), "Royal Ulster Constabulary"),
    ("N09000003", date(2010, 1, 1), "Police Service of Northern Ireland"),
    ("E06000046", date(2015, 6, 1), "Hampshire Constabulary"),
    ("E06000046", date(2023, 6, 1), "Hampshire and Isle of Wight Constabulary"),
    ("E09000022", date(1995, 1, 1), "Metropolitan Police Service"),
    ("E09000001", date(1995, 1, 1), "City of London Police"),
    ("E06000063", date(2010, 1, 1), "Cumbria Constabulary"),
    ("X99999999", date(2010, 1, 1), None),
])
def test_territorial_force(district_code, on, expected):
    assert vocab.territorial_force(district_code, on) == expected


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
    ("RUC", "Royal Ulster Constabulary"),
    ("Royal Ulster Constabulary", "Royal Ulster Constabulary"),
    ("PSNI", "Police Service of Northern Ireland"),
    ("Strathclyde Police", "Strathclyde Police"),
    ("Lothian & Borders Police", "Lothian and Borders Police"),
    ("Fife Police", "Fife Constabulary"),
    ("Hampshire Constabulary", "Hampshire Constabulary"),
    ("Hampshire Police", "Hampshire Constabulary"),
    ("Hampshire and Isle of Wight Constabulary", "Hampshire and Isle of Wight Constabulary"),
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


def test_generated_places_are_in_known_districts_and_not_district_or_hand_names():
    districts = vocab.districts()
    names = set(vocab.district_by_name())
    hand = {r["place"] for r in vocab._rows("places.csv")}
    rows = vocab._rows("places_gb.csv")
    assert len(rows) > 3000
    assert len({r["place"] for r in rows}) == len(rows)
    for row in rows:
        assert row["district_code"] in districts, row
        assert row["place"] not in names and row["place"] not in hand, row
        assert row["kind"] in ("area", "town"), row
        assert row["geonameid"].isdigit(), row


def test_places_cover_every_district_of_all_four_countries():
    covered = set(vocab.places().values()) | {d.code for d in vocab.districts().values()}
    countries = {vocab.districts()[code].country for code in vocab.places().values()}
    assert countries == {"England", "Wales", "Scotland", "Northern Ireland"}
    assert covered == set(vocab.districts())
    assert len(set(vocab.places().values())) > 340


def test_no_generated_place_is_an_english_word_or_a_name_left_out_on_purpose():
    for name in ("Street", "Hook", "Sale", "Deal", "March", "Ash", "Hamilton", "Leigh", "Newcastle",
                 "Hayes", "Richmond", "Wells", "Eden", "Craven", "Copeland", "Hambleton", "Stanley",
                 "Melbourne", "Houston", "California", "Washington", "Appleby"):
        assert name not in vocab.places(), name


@pytest.mark.parametrize("place, district", [
    ("St Columb Major", "Cornwall"), ("St. Columb Major", "Cornwall"),
    ("Deganwy", "Conwy"), ("Pontyclun", "Rhondda Cynon Taf"), ("Cockenzie", "East Lothian"),
    ("Winchburgh", "West Lothian"), ("Frizington", "Cumberland"), ("Arnside", "Westmorland and Furness"),
    ("Snainton", "North Yorkshire"), ("Lympsham", "Somerset"), ("Stokenchurch", "Buckinghamshire"),
])
def test_generated_place_examples(place, district):
    assert vocab.districts()[vocab.places()[place]].name == district


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


def test_places_abroad_are_no_uk_place_and_no_crown_dependency():
    abroad = vocab.places_abroad()
    uk = set(vocab.district_by_name()) | set(vocab.places())
    assert not set(abroad) & uk
    for name in ("Jersey", "Guernsey", "Isle of Man", "United Kingdom", "England", "Scotland", "Wales",
                 "Northern Ireland", "Ireland", "London", "Birmingham", "Boston", "Perth", "Hamilton",
                 "Victoria", "Washington", "Durham", "Cambridge", "Newport", "Richmond", "Kingston"):
        assert name not in abroad, name


def test_places_abroad_rows_are_well_formed():
    rows = vocab._rows("places_abroad.csv")
    assert len({r["name"] for r in rows}) == len(rows)
    countries = {r["country"] for r in rows if r["kind"] == "country"}
    for row in rows:
        assert row["kind"] in ("country", "state", "capital", "city"), row
        assert row["name"] == row["name"].strip() and row["name"], row
        assert row["country"] in countries, row  # every place names a country that is itself a row
    assert len(countries) > 190


@pytest.mark.parametrize("name, country", [
    ("the US", "United States"), ("USA", "United States"), ("America", "United States"),
    ("Texas", "United States"), ("New Jersey", "United States"), ("California", "United States"),
    ("Ontario", "Canada"), ("Queensland", "Australia"), ("New South Wales", "Australia"),
    ("France", "France"), ("Paris", "France"), ("Sao Paulo", "Brazil"), ("São Paulo", "Brazil"),
    ("Republic of Ireland", "Ireland"), ("Dublin", "Ireland"), ("the Netherlands", "Netherlands"),
    ("Georgia", "Georgia"), ("Tokyo", "Japan"), ("Lagos", "Nigeria"), ("Toronto", "Canada"),
])
def test_place_abroad_examples(name, country):
    assert vocab.places_abroad()[name] == country


def test_strict_places_abroad_leave_out_names_that_read_as_people_or_words():
    strict = vocab.places_abroad(strict=True)
    assert {"Jordan", "Chad", "Georgia", "Turkey"} <= set(vocab.places_abroad())
    assert not {"Jordan", "Chad", "Georgia", "Turkey"} & set(strict)
    assert strict["France"] == "France" and strict["Texas"] == "United States"


def test_every_vocab_accessor_is_defined_once():
    import ast
    import collections

    tree = ast.parse(Path(vocab.__file__).read_text(encoding="utf-8"))
    names = collections.Counter(node.name for node in tree.body if isinstance(node, ast.FunctionDef))
    assert [name for name, count in names.items() if count > 1] == []
