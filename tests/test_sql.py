"""Every example query in sql/ runs against a real build and answers what its first line says."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from etl.query import fetch, read_sql

EXAMPLES = sorted((REPO / "sql").glob("*.sql"))


def test_there_are_example_queries():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_example_query_runs_safely_and_says_what_it_answers(path: Path, sample_build):
    text = read_sql(str(path))
    assert text.startswith("-- ") and len(text.splitlines()[0]) > 30
    result = fetch(sample_build / "uofdb.duckdb", text, safe=True)
    assert result.num_columns >= 1


def run(name: str, sample_build) -> list[dict]:
    return fetch(sample_build / "uofdb.duckdb", read_sql(str(REPO / "sql" / name)), safe=True).to_pylist()


def test_fatal_shootings_by_region_counts_the_two_london_samples(sample_build):
    assert run("fatal_shootings_by_region.sql", sample_build) == [
        {"nation": "England", "region": "London", "fatal_shootings": 2}]


def test_the_borough_quotes_are_quotes_of_the_chosen_district_inside_their_sentence(sample_build):
    rows = run("borough_quotes.sql", sample_build)
    assert {row["borough"] for row in rows} == {"Barking and Dagenham", "Kensington and Chelsea"}
    assert all(row["quote"] in row["sentence"] for row in rows)


def test_weapons_recovered_leaves_out_incidents_that_do_not_say(sample_build):
    assert run("weapons_recovered.sql", sample_build) == [{"weapon": "firearm", "incidents": 1}]
