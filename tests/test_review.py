"""The review queue: ranked by kind (a planted conflict first), each row with its quotes and a corrections line."""
from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest

from conftest import SAMPLE
from etl import params, review
from etl.build import build
from etl.cli import main
from etl.corrections import FILE_COLUMNS
from etl.linking import ids
from etl.tables import read_table

KENSINGTON = "000_05d707c832ca879f"
# Invented: a later report of the sample's Kensington shooting that says the man survived.
SURVIVED = """ date 2021-12-14 Man shot by armed police in Kensington is recovering in hospital

The man shot by Metropolitan Police firearms officers on Marloes Road in Kensington on Saturday is recovering in hospital and is in a stable condition, the force said on Tuesday.

Armed officers stopped his car at the junction of Kensington Road and Palace Gate after reports of a man with a firearm, and shots were fired.

The man, who was discharged from hospital on Monday, has been charged and will appear before magistrates.
"""
# Invented: an undated report of another incident, alone and without a date.
UNDATED = """Man Tasered by police in Leeds

West Yorkshire Police officers fired a Taser at a man on Briggate in Leeds after he threatened shoppers with a knife.

The man was arrested at the scene and a knife was recovered, the force said.
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The sample with the two invented articles added, built."""
    root = tmp_path_factory.mktemp("planted")
    raw = root / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / "kensington_follow_up.txt").write_text(SURVIVED)
    (raw / "leeds_undated.txt").write_text(UNDATED)
    build(raw, root / "out", params.load(None))
    return root / "out"


def test_the_planted_conflict_comes_first_with_the_quotes_of_both_sides(planted, tmp_path):
    queue = review.run(planted, tmp_path / "review.csv")
    articles = read_table(planted / "articles.parquet", "articles").set_index("article_id")
    kensington = articles.loc[KENSINGTON, "incident_id"]
    first = queue.iloc[0]
    assert (first["rank"], first["kind"], first["incident_id"], first["field"]) == (1, "conflict", kensington, "outcome")
    assert (first["value"], first["other_values"]) == ("non_fatal", "fatal")
    assert "[kensington_follow_up] non_fatal: \"Man shot by armed police in Kensington is recovering" in first["quotes"]
    assert f"[{KENSINGTON}] fatal: " in first["quotes"]  # and the sentence the sample article says it in
    line = next(csv.reader(io.StringIO(first["correction"])))
    assert len(line) == len(FILE_COLUMNS) and line[:2] == [kensington, "outcome"]


def test_rows_are_ranked_by_kind_and_the_csv_holds_them(planted, tmp_path):
    queue = review.run(planted, tmp_path / "review.csv")
    order = [review.KINDS.index(kind) for kind in queue["kind"]]
    assert order == sorted(order) and list(queue["rank"]) == list(range(1, len(queue) + 1))
    written = pd.read_csv(tmp_path / "review.csv")
    assert list(written.columns) == list(review.COLUMNS) and len(written) == len(queue)


def test_an_article_alone_and_an_incident_without_a_date_are_listed(planted, tmp_path):
    queue = review.run(planted, tmp_path / "review.csv")
    leeds = read_table(planted / "articles.parquet", "articles").set_index("article_id").loc["leeds_undated", "incident_id"]
    alone = queue[(queue["kind"] == "unlinked") & (queue["article_id"] == "leeds_undated")]
    assert len(alone) == 1 and alone["correction"].iloc[0].startswith(f"{leeds},merge,")
    gap = queue[(queue["kind"] == "not_stated") & (queue["incident_id"] == leeds)]
    assert list(gap["field"]) == ["incident_date"]


def test_articles_near_the_threshold_are_listed_nearest_first(planted, tmp_path):
    articles = read_table(planted / "articles.parquet", "articles")
    scores = articles["relevance_score"].astype(float)
    threshold, margin = float(scores.median()), float((scores - scores.median()).abs().median())
    queue = review.run(planted, tmp_path / "review.csv", threshold=threshold, margin=margin)
    near = queue[queue["kind"] == "near_threshold"]
    expected = set(articles.loc[(scores - threshold).abs() <= margin, "article_id"])
    assert set(near["article_id"]) == expected and expected
    by_id = dict(zip(articles["article_id"], scores))
    distances = [abs(by_id[article] - threshold) for article in near["article_id"]]
    assert distances == sorted(distances)


def test_a_conflict_a_correction_settled_is_not_asked_again(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / "kensington_follow_up.txt").write_text(SURVIVED)
    kensington = ids.founder_id(KENSINGTON)
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(",".join(FILE_COLUMNS) + f"\n{kensington},outcome,fatal,he died of his wounds,,R,2026-11-30\n")
    settings = params.load(None)
    settings["paths"]["corrections"] = str(corrections)
    build(raw, tmp_path / "out", settings)
    queue = review.run(tmp_path / "out", tmp_path / "review.csv")
    assert not ((queue["incident_id"] == kensington) & (queue["field"] == "outcome")).any()
    assert queue.iloc[0]["kind"] == "conflict"  # the sample's own conflict is still there


def test_weak_rules_are_the_inferred_ones_and_the_light_ones():
    weak = review.weak_rules()
    assert weak["force:territorial_force_of_borough"] == 0.0
    assert all(weight < review.WEAK_WEIGHT for weight in weak.values())


def test_uofdb_review_prints_a_summary_and_writes_the_csv(planted, tmp_path, capsys):
    assert main(["review", "--processed", str(planted), "--out", str(tmp_path / "queue.csv")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("uofdb review: ") and "conflict" in printed[0]
    assert printed[1].strip().startswith("1. conflict:")
    assert (tmp_path / "queue.csv").is_file()
