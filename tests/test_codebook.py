"""The codebook is declared once, used everywhere, and matches shared/FIELDS.md."""
from __future__ import annotations

import re

import pytest

from conftest import SHARED
from schema.codebook import COLUMNS, EVENT_FIELDS, NOT_STATED, TABLES, data_dictionary

FIELDS_MD = SHARED / "FIELDS.md"


def test_every_declared_column_is_used_by_a_table_and_described():
    used = {name for table in TABLES.values() for name in table.columns}
    assert used == set(COLUMNS)
    assert all(len(column.description) > 20 for column in COLUMNS.values())


def test_every_event_field_declares_how_incidents_merge_it():
    assert all(COLUMNS[name].merge for name in EVENT_FIELDS)


def _codebook_rows() -> dict[str, str]:
    rows = {}
    for line in FIELDS_MD.read_text().splitlines():
        match = re.match(r"\| (\w+) \| ([^|]+) \| (.+) \|$", line)
        if match and match.group(1) not in ("field", "table"):
            rows[match.group(1)] = match.group(3)
    return rows


def test_every_article_level_field_of_fields_md_is_declared():
    rows = _codebook_rows()
    assert "shots_fired" in rows  # the table was parsed
    missing = [name for name in rows if name not in COLUMNS and name != "incident_key"]
    assert missing == []


@pytest.mark.parametrize("name", ["force_type", "outcome", "referral_body", "terrorism_status", "subject_gender"])
def test_vocabularies_match_fields_md(name):
    written = set(re.findall(r"`(\w+)`", _codebook_rows()[name]))
    assert written == set(COLUMNS[name].values)
    assert NOT_STATED in COLUMNS[name].values


def test_published_tables_hold_what_fields_md_requires():
    required = {
        "articles": {"article_id", "source_path", "published_date", "headline", "relevant", "incident_id"} | set(EVENT_FIELDS) - {"borough_code", "incident_date_precision"},
        "incidents": {"incident_id", "borough_code", "incident_date_precision", "n_articles", "article_ids"} | set(EVENT_FIELDS),
        "evidence": {"article_id", "field", "value", "start", "end", "quote", "rule"},
        "rejects": {"source_path", "row_key", "stage", "reason"},
    }
    for table, columns in required.items():
        assert columns <= set(TABLES[table].columns), table


def test_the_data_dictionary_lists_every_published_column():
    rows = data_dictionary()
    assert {(row["table_name"], row["column_name"]) for row in rows} == {
        (name, column) for name, table in TABLES.items() if table.published for column in table.columns}


def test_the_committed_data_dictionary_is_generated_from_the_codebook():
    from conftest import REPO
    from schema.docs import markdown

    assert (REPO / "docs" / "codebook.md").read_text() == markdown(), "run `uofdb codebook > docs/codebook.md`"
