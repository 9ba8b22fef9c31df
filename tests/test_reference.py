"""The districts and forces tables: every district with its nation and ONS region, every force with its area."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from etl.reference import districts_table, forces_table
from schema import vocab
from schema.codebook import REGIONS
from schema.models import model

ENGLISH_REGIONS = REGIONS[:9]


def test_every_district_is_listed_once_with_a_region_of_its_nation():
    districts = districts_table()
    model("districts").validate(districts)
    assert sorted(districts["district_code"]) == sorted(vocab.districts())
    english = districts[districts["nation"] == "England"]
    assert set(english["region"]) == set(ENGLISH_REGIONS)
    others = districts[districts["nation"] != "England"]
    assert (others["region"] == others["nation"]).all()


def test_london_is_exactly_the_33_boroughs():
    districts = districts_table()
    london = districts[districts["region"] == "London"]
    assert len(london) == 33 and london["district_code"].str.startswith("E09").all()


def test_region_sizes_are_those_of_ons_for_april_2023_districts():
    counts = Counter(districts_table()["region"])
    assert [counts[region] for region in ENGLISH_REGIONS] == [12, 35, 15, 35, 30, 45, 33, 64, 27]
    assert (counts["Wales"], counts["Scotland"], counts["Northern Ireland"]) == (22, 32, 11)


@pytest.mark.parametrize("district, region", [
    ("Leeds", "Yorkshire and The Humber"), ("North Lincolnshire", "Yorkshire and The Humber"),
    ("Bristol", "South West"), ("Luton", "East of England"), ("Milton Keynes", "South East"),
    ("Darlington", "North East"), ("Cumberland", "North West"), ("Rutland", "East Midlands"),
    ("Herefordshire", "West Midlands"), ("Cardiff", "Wales"), ("Glasgow City", "Scotland"),
])
def test_districts_lie_in_their_ons_region(district, region):
    districts = districts_table().set_index("district_name")
    assert districts.at[district, "region"] == region


def test_districts_formed_since_2009_carry_their_first_day():
    districts = districts_table().set_index("district_name")
    assert districts.at["Cumberland", "valid_from"] == dt.date(2023, 4, 1)
    assert districts.at["Buckinghamshire", "valid_from"] == dt.date(2020, 4, 1)
    assert districts.at["Belfast", "valid_from"] == dt.date(2015, 4, 1)
    assert districts.at["Leeds", "valid_from"] is None


def test_forces_have_the_nation_and_region_of_their_area_and_their_dates():
    forces = forces_table()
    model("forces").validate(forces)
    assert sorted(forces["force_name"]) == sorted(vocab.forces())
    by_name = forces.set_index("force_name")
    assert tuple(by_name.loc["Metropolitan Police Service", ["nation", "region"]]) == ("England", "London")
    assert tuple(by_name.loc["Dyfed-Powys Police", ["nation", "region"]]) == ("Wales", "Wales")
    assert tuple(by_name.loc["British Transport Police", ["force_kind", "nation", "n_districts"]]) == (
        "special", "not_stated", 0)
    assert by_name.at["Strathclyde Police", "valid_to"] == dt.date(2013, 3, 31)
    assert by_name.at["Strathclyde Police", "successor"] == "Police Scotland"
    assert by_name.at["Strathclyde Police", "n_districts"] == 12
