"""The pandera models and Arrow schemas are generated from the codebook."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from schema.codebook import COLUMNS, PUBLISHED, TABLES
from schema.models import arrow_schema, conform, empty_frame, model


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_model_accepts_an_empty_table(table):
    model(table).validate(empty_frame(table))


@pytest.mark.parametrize("table", PUBLISHED)
def test_parquet_fields_carry_codebook_descriptions(table):
    schema = arrow_schema(table)
    assert schema.names == list(TABLES[table].columns)
    for field in schema:
        assert field.metadata[b"description"].decode() == COLUMNS[field.name].description


def incident(**overrides):
    row = {name: COLUMNS[name].unstated for name in TABLES["incidents"].columns}
    row.update(incident_id="uof-1", n_articles=1, article_ids=["a"], borough="Leeds", borough_code="E08000035",
               force="West Yorkshire Police", incident_time="21:00", forces=["West Yorkshire Police"],
               weapons_recovered=[], nation="England", region="Yorkshire and The Humber")
    row.update(overrides)
    return conform(pd.DataFrame([row]), "incidents")


def test_a_good_incident_passes():
    model("incidents").validate(incident())


@pytest.mark.parametrize("overrides, check", [
    ({"force_type": "gun"}, "isin"),
    ({"incident_time": "9pm"}, "str_matches"),
    ({"subject_age": -1}, "greater_than_or_equal_to"),
    ({"force": "Leeds Police"}, "parts_in_vocabulary"),
    ({"weapon_recovered": "knife; spoon"}, "parts_in_vocabulary"),
    ({"borough_code": "E09000002"}, "incidents.borough_code.matches_borough"),
    ({"forces": ["Leeds Police"]}, "items_in_vocabulary"),
    ({"weapons_recovered": ["spoon"]}, "items_in_vocabulary"),
    ({"region": "Yorkshire"}, "isin"),
    ({"nation": "Britain"}, "isin"),
    ({"incident_id": None}, "not_nullable"),
])
def test_values_outside_the_codebook_fail_a_named_check(overrides, check):
    with pytest.raises(pa.errors.SchemaErrors) as failure:
        model("incidents").validate(incident(**overrides), lazy=True)
    assert any(str(name).startswith(check) for name in failure.value.failure_cases["check"])


def test_joined_values_of_the_vocabulary_pass():
    model("incidents").validate(incident(force="City of London Police; Metropolitan Police Service",
                                         weapon_recovered="knife; other"))


def test_incident_id_may_be_null_in_articles_but_not_in_incidents():
    assert arrow_schema("articles").field("incident_id").nullable
    assert not arrow_schema("incidents").field("incident_id").nullable
    assert not arrow_schema("incident_fields").field("incident_id").nullable
