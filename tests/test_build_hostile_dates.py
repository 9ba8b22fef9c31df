"""Dates out of any news range and several forces with no district never stop a build (issue: hostile input)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl import params as params_module
from etl.build import build
from etl.extract import dates
from etl.extract.document import read_document
from etl.linking.clustering import candidate_pairs
from etl.linking.features import Features


def test_a_date_out_of_range_in_the_text_is_no_date():
    doc = read_document("Officers opened fire on a man on 30 December 9999.")
    assert dates.anchor_date(doc) == (None, None)
    assert dates.incident_date(read_document("Police shot a man on 1 January 0001.", dt.date(2020, 5, 1)),
                               dt.date(2020, 5, 1)) == (None, None, None)


def test_linking_compares_days_at_the_end_of_the_calendar():
    late = [Features(article_id=name, published=None, date=dt.date.max, month=None, forces=frozenset({"Kent Police"}),
                     borough=None, age=None, gender=None, outcome=None, force_type=None, weapon=None, shots=None,
                     time=None, location=None) for name in ("a", "b")]
    assert candidate_pairs(late, window_days=3, max_block=50) == {(0, 1)}


def test_a_build_of_hostile_dates_and_joined_forces_publishes_every_article(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(" date 0001-01-01 Test\nArmed police shot a man in Leeds yesterday.\n")
    (raw / "b.txt").write_text("Armed police shot a man in Leeds on 31 December 9999. He died.\n")
    (raw / "c.txt").write_text("Officers from Greater Manchester Police and West Midlands Police opened fire on a man "
                               "on 30 December 9999.\n")
    build(raw, tmp_path / "out", params_module.load(None))
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet")
    assert sorted(articles["article_id"]) == ["a", "b", "c"]
    assert articles["incident_date"].isna().all()
    forces = dict(zip(articles["article_id"], articles["force"]))
    assert forces["c"] == "Greater Manchester Police; West Midlands Police"
