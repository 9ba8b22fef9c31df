"""Validation: a failing row goes to rejects with the check it failed; the rest publish."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.validate import validate_tables
from schema.codebook import COLUMNS, TABLES
from schema.models import conform


def incidents(*rows):
    base = {name: COLUMNS[name].unstated for name in TABLES["incidents"].columns}
    return conform(pd.DataFrame([{**base, "n_articles": 1, "article_ids": ["a"], **row} for row in rows]), "incidents")


def test_a_bad_row_is_rejected_with_its_check_and_the_rest_publish():
    tables = {"incidents": incidents({"incident_id": "uof-good", "outcome": "fatal"},
                                     {"incident_id": "uof-bad", "outcome": "dead"})}
    kept, rejects = validate_tables(tables)
    assert list(kept["incidents"]["incident_id"]) == ["uof-good"]
    reject = rejects.iloc[0]
    assert reject["row_key"] == "incidents:uof-bad"
    assert reject["check_id"] == "incidents.outcome.isin"
    assert reject["stage"] == "validate" and reject["severity"] == "error"
    assert "dead" in reject["reason"]


def test_cross_field_rules_reject_by_their_stable_id():
    articles = conform(pd.DataFrame([{
        "article_id": "x", "source_path": "x.txt", "sha256": "0", "encoding": "utf-8", "text": "t",
        "relevant": True, "relevance_score": 5.0, "published_date": dt.date(2020, 1, 1),
        "incident_date": dt.date(2020, 2, 1), "incident_date_precision": "day",
        **{name: COLUMNS[name].unstated for name in ("force_type", "outcome", "referral_body", "terrorism_status",
                                                      "weapon_recovered", "subject_gender")},
    }]), "articles")
    kept, rejects = validate_tables({"articles": articles})
    assert kept["articles"].empty
    assert "articles.incident_date.not_after_published" in set(rejects["check_id"])
