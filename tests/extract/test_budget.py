"""The extract stage's time budget: an article still being read after it is a named reject."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.extract import Budget, TimeBudgetExceeded, extract_all


def articles(*texts: str) -> pd.DataFrame:
    return pd.DataFrame([{"article_id": f"a{index}", "source_path": f"a{index}.txt", "text": text,
                          "published_date": dt.date(2024, 5, 3)} for index, text in enumerate(texts)])


def test_an_article_over_the_budget_is_a_reject_and_the_others_are_read():
    rejects: list[dict] = []
    batch = articles("Armed officers shot a man in Leeds on Friday night.", "Officers Tasered a man in Hull.")
    extractions, _, _ = extract_all(batch, rejects=rejects, seconds_per_article=0.0)
    assert extractions.empty
    assert [row["check_id"] for row in rejects] == ["extract.time_budget", "extract.time_budget"]
    assert rejects[0]["row_key"] == "articles:a0" and "extract.seconds_per_article" in rejects[0]["reason"]


def test_without_a_budget_every_article_is_read():
    rejects: list[dict] = []
    extractions, _, _ = extract_all(articles("Armed officers shot a man in Leeds on Friday night."), rejects=rejects)
    assert len(extractions) == 1 and rejects == []


def test_a_budget_not_yet_spent_does_not_stop_the_reading():
    budget = Budget(60)
    budget.check("anything")  # raises nothing
    assert isinstance(TimeBudgetExceeded("x"), Exception) and TimeBudgetExceeded.check_id == "extract.time_budget"
