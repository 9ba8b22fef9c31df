"""The pandera models and Arrow schemas are generated from the codebook."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pytest

from etl.tables import to_arrow
from schema.codebook import COLUMNS, PUBLISHED, TABLES
from schema.models import arrow_schema, conform, empty_frame, model, row_checks, surely_passes


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


# ---- surely_passes: the model's checks on Arrow rows at once ---------------------------------

BAD_INCIDENTS = [
    {"force_type": "gun"}, {"incident_time": "9pm"}, {"incident_time": "24:00"}, {"incident_time": "21:00\n"},
    {"incident_time": "\u0662\u0661:\u0660\u0660"}, {"subject_age": -1},  # (a newline after, Arabic-Indic digits)
    {"force": "Leeds Police"}, {"weapon_recovered": "knife; spoon"}, {"weapon_recovered": ""},
    {"borough_code": "E09000002"}, {"borough": None}, {"forces": ["Leeds Police"]},
    {"forces": ["West Yorkshire Police", None]}, {"weapons_recovered": ["spoon"]}, {"region": "Yorkshire"},
    {"nation": "Britain"}, {"incident_id": None}, {"n_articles": 0}, {"article_ids": None},
]
GOOD_INCIDENTS = [
    {}, {"incident_time": None}, {"force": "City of London Police; Metropolitan Police Service"},
    {"weapon_recovered": "knife; other", "weapons_recovered": ["knife", "other"]}, {"subject_age": 0},
    {"borough": None, "borough_code": None}, {"forces": []}, {"incident_date": dt.date(2020, 5, 1)},
]


def as_read(frame, table):
    """The rows as a stage may have written them: of the codebook's types, nulls and all (to_arrow
    refuses a null where the codebook has none)."""
    fields = [field.with_nullable(True).with_type(pa_arrow.string()) if pa_arrow.types.is_dictionary(field.type)
              else field.with_nullable(True) for field in arrow_schema(table)]
    return pa_arrow.Table.from_pandas(frame, schema=pa_arrow.schema(fields), preserve_index=False)


def model_passes(frame, table):
    try:
        model(table).validate(frame, lazy=True)
        return True
    except pa.errors.SchemaErrors:
        return False


@pytest.mark.parametrize("overrides", BAD_INCIDENTS + GOOD_INCIDENTS)
def test_rows_surely_pass_in_arrow_exactly_when_they_pass_the_model(overrides):
    row = incident(**overrides)
    assert surely_passes(as_read(row, "incidents"), "incidents") == model_passes(row, "incidents")
    assert model_passes(row, "incidents") == (overrides in GOOD_INCIDENTS)


def test_a_batch_surely_passes_only_when_every_row_does():
    rows = pd.concat([incident(incident_id=f"uof-{n}") for n in range(3)] + [incident(outcome="dead")],
                     ignore_index=True)
    assert not surely_passes(to_arrow(rows, "incidents"), "incidents")
    assert surely_passes(to_arrow(rows.iloc[:3], "incidents"), "incidents")


@pytest.mark.parametrize("table, rows, check", [
    ("evidence", [{"start": 9, "end": 3}], "evidence.span.ordered"),
    ("evidence", [{"start": -1, "end": 3}], "greater_than_or_equal_to"),
    ("evidence", [{"quote": None}], "not_nullable"),
    ("articles", [{"incident_date": dt.date(2020, 4, 1)}], "articles.incident_date.not_after_published"),
    ("articles", [{"relevant": False, "incident_id": "uof-1"}], "articles.incident_id.only_when_relevant"),
    ("articles", [{"relevance_score": float("nan")}], "not_nullable"),
])
def test_rows_failing_a_rule_of_their_table_do_not_surely_pass(table, rows, check):
    frame = table_rows(table, rows)
    with pytest.raises(pa.errors.SchemaErrors) as failure:
        model(table).validate(frame, lazy=True)
    assert any(str(name).startswith(check) for name in failure.value.failure_cases["check"])
    assert not surely_passes(as_read(frame, table), table)
    assert surely_passes(to_arrow(table_rows(table, [{}]), table), table)


def table_rows(table, rows):
    base = {"evidence": {"article_id": "a", "field": "outcome", "value": "fatal", "start": 0, "end": 8,
                         "quote": "Officers", "sentence": "Officers were called.", "rule": "test"},
            "articles": {"article_id": "a", "source_path": "a.txt", "sha256": "0", "encoding": "utf-8", "text": "t",
                         "relevant": True, "relevance_score": 5.0, "published_date": dt.date(2020, 3, 1),
                         "incident_date": dt.date(2020, 2, 1), "incident_date_precision": "day",
                         **{name: COLUMNS[name].unstated for name in TABLES["articles"].columns
                            if COLUMNS[name].unstated is not None}}}[table]
    return conform(pd.DataFrame([{**base, **row} for row in rows]), table)


def test_rows_not_of_the_codebook_arrow_types_are_left_to_the_model():
    rows = to_arrow(table_rows("evidence", [{}]), "evidence")
    narrow = rows.set_column(rows.schema.get_field_index("start"), "start", rows["start"].cast(pa_arrow.int32()))
    assert model_passes(table_rows("evidence", [{}]), "evidence")
    assert not surely_passes(narrow, "evidence")  # (conform would make it Int64; the model decides)
    assert not surely_passes(rows.drop_columns(["detail"]), "evidence")


def test_a_time_python_reads_loosely_is_left_to_the_model():
    # (Python's $ also matches before a final newline, RE2's does not: the model has the last word)
    row = incident(incident_time="21:00\n")
    assert not surely_passes(to_arrow(row, "incidents"), "incidents")


# The checks of the pandera models that `surely_passes` tests in Arrow (besides each table's row checks,
# which it runs itself): a model given another kind of check must have it added there first.
CHECKS_TESTED_IN_ARROW = {"isin", "greater_than_or_equal_to", "less_than_or_equal_to", "str_matches",
                          "parts_in_vocabulary", "items_are_strings", "items_in_vocabulary"}


@pytest.mark.parametrize("table", list(TABLES))
def test_every_check_of_a_model_is_one_surely_passes_knows(table):
    schema = model(table).to_schema()
    column_checks = {check.name for column in schema.columns.values() for check in column.checks}
    frame_checks = {check.name for check in schema.checks}
    assert column_checks <= CHECKS_TESTED_IN_ARROW, f"surely_passes does not test {column_checks - CHECKS_TESTED_IN_ARROW}"
    assert frame_checks == {check.check_id for check in row_checks(table, "error")}
