"""An incident's derived columns: its year, nation and region, and its joined fields as lists."""
from __future__ import annotations

import pytest

from etl.linking.merge import derived_columns, nation_and_region


def test_a_month_only_date_still_gives_the_year():
    assert derived_columns({"incident_period": "2019-07"})["incident_year"] == 2019
    assert derived_columns({"incident_period": "2004"})["incident_year"] == 2004
    assert derived_columns({"incident_period": None})["incident_year"] is None


def test_joined_fields_become_sorted_lists_and_not_stated_an_empty_one():
    derived = derived_columns({"force": "Metropolitan Police Service; City of London Police",
                               "weapon_recovered": "knife; firearm"})
    assert derived["forces"] == ["City of London Police", "Metropolitan Police Service"]
    assert derived["weapons_recovered"] == ["firearm", "knife"]
    unstated = derived_columns({"force": None, "weapon_recovered": "not_stated"})
    assert unstated["forces"] == [] and unstated["weapons_recovered"] == []
    assert derived_columns({"weapon_recovered": "none"})["weapons_recovered"] == ["none"]


@pytest.mark.parametrize("district, forces, expected", [
    ("E08000035", [], ("England", "Yorkshire and The Humber")),          # Leeds
    ("E08000035", ["Metropolitan Police Service"], ("England", "Yorkshire and The Humber")),  # the district wins
    (None, ["Metropolitan Police Service", "City of London Police"], ("England", "London")),
    (None, ["Strathclyde Police"], ("Scotland", "Scotland")),
    (None, ["British Transport Police", "Merseyside Police"], ("England", "North West")),
    (None, ["British Transport Police"], ("not_stated", "not_stated")),
    (None, ["Kent Police", "Essex Police"], ("England", "not_stated")),  # South East and East of England
    (None, ["Police Scotland", "Cumbria Constabulary"], ("not_stated", "not_stated")),
    (None, [], ("not_stated", "not_stated")),
])
def test_nation_and_region_come_from_the_district_else_the_forces_areas(district, forces, expected):
    assert nation_and_region(district, forces) == expected
