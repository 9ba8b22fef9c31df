"""The diff of two builds: an added, removed, split or changed incident, and nothing else."""
from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE
from etl import diff, params
from etl.build import build
from etl.cli import main
from etl.linking import ids

# Invented: a report of an incident the sample does not hold.
LEEDS = """ date 2024-05-02 Man Tasered by police in Leeds city centre

West Yorkshire Police officers fired a Taser at a 29-year-old man on Briggate in Leeds on Wednesday evening after he threatened shoppers with a knife.

The man was arrested at the scene and a knife was recovered, the force said. He has since been charged with affray and will appear before Leeds magistrates.
"""


@pytest.fixture(scope="module")
def with_leeds(tmp_path_factory):
    """The sample and one more article, built."""
    root = tmp_path_factory.mktemp("with-leeds")
    shutil.copytree(SAMPLE, root / "raw")
    (root / "raw" / "leeds_taser.txt").write_text(LEEDS)
    build(root / "raw", root / "out", params.load(None))
    return root / "out"


def test_one_more_article_of_a_new_incident_is_exactly_one_added_incident(sample_build, with_leeds):
    changes = diff.run(sample_build, with_leeds)
    assert changes.to_dict("records") == [{"change": "added", "old_incident_id": None,
                                           "incident_id": ids.founder_id("leeds_taser"), "field": None,
                                           "old_value": None, "new_value": None}]


def test_the_other_way_round_it_is_exactly_one_removed_incident(sample_build, with_leeds):
    changes = diff.run(with_leeds, sample_build)
    assert list(zip(changes["change"], changes["old_incident_id"])) == [("removed", ids.founder_id("leeds_taser"))]


def test_a_build_compared_with_itself_has_no_changes(sample_build):
    assert diff.run(sample_build, sample_build).empty


def test_an_article_joining_an_incident_changes_it_field_by_field(tmp_path, sample_build):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    late = raw / "004_e6b98754552abfdd.txt"
    shutil.copy(late, raw / "004_copy_kept_apart.txt")
    late.unlink()
    build(raw, tmp_path / "out", params.load(None))
    changes = diff.run(sample_build, tmp_path / "out")
    changed = changes[changes["change"] == "changed"]
    assert set(changes["change"]) == {"changed"} and changed["incident_id"].nunique() == 1
    articles = changed.set_index("field").loc["article_ids"]
    assert "004_e6b98754552abfdd" in articles["old_value"] and "004_copy_kept_apart" in articles["new_value"]


def test_merges_and_splits_follow_the_articles(tmp_path, sample_build):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    kensington, dagenham = ids.founder_id("000_05d707c832ca879f"), ids.founder_id("002_85bf2c3dba8d54e4")
    corrections = tmp_path / "corrections.csv"
    corrections.write_text("target,field,value,reason,source,reviewer,date\n"
                           f"{dagenham},merge,{kensington},one event,,R,2026-11-30\n")
    settings = params.load(None)
    settings["paths"]["corrections"] = str(corrections)
    build(raw, tmp_path / "merged", settings)
    changes = diff.run(sample_build, tmp_path / "merged")
    assert [(row["change"], row["old_incident_id"], row["incident_id"])
            for row in changes.to_dict("records") if row["change"] != "changed"] == [("merged", dagenham, kensington)]
    back = diff.run(tmp_path / "merged", sample_build)
    assert [(row["change"], row["old_incident_id"], row["incident_id"])
            for row in back.to_dict("records") if row["change"] != "changed"] == [("split", kensington, dagenham)]


def test_uofdb_diff_prints_and_writes_the_changes(sample_build, with_leeds, tmp_path, capsys):
    assert main(["diff", str(sample_build), str(with_leeds), "--out", str(tmp_path / "diff.csv")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith(": 1 added, 0 removed, 0 merged, 0 renamed, 0 split, 0 changed")
    assert printed[1] == f"  added {ids.founder_id('leeds_taser')}"
    assert (tmp_path / "diff.csv").read_text().splitlines()[0] == ",".join(diff.COLUMNS)


def test_a_folder_that_is_no_build_is_one_clear_error(tmp_path, sample_build, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["diff", str(tmp_path / "empty"), str(sample_build)]) == 2
    assert "not a build or release folder" in capsys.readouterr().err
