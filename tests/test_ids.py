"""Incident ids are a function of the inputs alone; incident_aliases keeps a previous release's ids resolvable.

The end-to-end tests build the sample corpus (data/raw) plus articles invented for the test:
a first report of the Dagenham shooting published a day before any sample article (so it
founds, and names, that incident once it is read) and an unrelated Taser incident in Leeds.
Their names sort after the sample's, so "the first 5 sorted files, then all" is the
issue's "40 articles, then all 87" in small.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from conftest import SAMPLE
from etl import params
from etl.build import build
from etl.linking import ids

FIRST_REPORT = """ date 2023-11-23 Man shot by armed police at a house in Dagenham

Armed officers shot a man at a house in Weston Green, Dagenham, shortly before 9pm tonight, the Metropolitan Police said.

The man, believed to be aged 40, had told officers he had loaded guns and wanted to take his own life. He was pronounced dead at the scene.

The Independent Office for Police Conduct has been informed.
"""
LEEDS_TASER = """ date 2022-03-05 Man tasered by police in Leeds city centre

West Yorkshire Police officers used a Taser on a man in Kirkgate, Leeds, on Friday afternoon after he threatened shoppers with a knife.

The man, 29, was arrested and taken to hospital as a precaution. A knife was recovered at the scene.
"""
DAGENHAM_SAMPLE = "002_85bf2c3dba8d54e4"


def a(article_id, published=None):
    return {"article_id": article_id, "published_date": published}


# --- the rule ------------------------------------------------------------------------

def test_an_incident_is_named_after_its_earliest_published_article_undated_last():
    group = [a("b", dt.date(2020, 1, 2)), a("c"), a("a", dt.date(2020, 1, 2)), a("z", dt.date(2020, 1, 3))]
    assert ids.founder(group)["article_id"] == "a"  # earliest day; the tie goes to the smaller article_id
    assert ids.assign_ids([group]) == [ids.founder_id("a")]
    assert ids.assign_ids([[a("y"), a("x")]]) == [ids.founder_id("x")]  # all undated: by article_id
    assert ids.assign_ids([[a("x"), a("w", dt.date(2030, 1, 1))]]) == [ids.founder_id("w")]  # dated beats undated


def test_an_id_depends_on_its_own_group_only_not_on_the_other_groups_or_their_order():
    groups = [[a("a", dt.date(2020, 1, 1)), a("b", dt.date(2020, 1, 5))], [a("c")], [a("d", dt.date(2019, 1, 1))]]
    alone = [ids.assign_ids([group])[0] for group in groups]
    assert ids.assign_ids(groups) == alone
    assert ids.assign_ids(groups[::-1]) == alone[::-1]
    # A later report joining an incident keeps its id; an earlier one renames it (the documented limit).
    assert ids.assign_ids([groups[0] + [a("e", dt.date(2021, 1, 1))]])[0] == alone[0]
    assert ids.assign_ids([groups[0] + [a("e", dt.date(2019, 1, 1))]])[0] == ids.founder_id("e")


def test_colliding_hashes_get_longer_ids_and_stay_unique(monkeypatch):
    monkeypatch.setattr(ids, "DIGITS", 1)  # 16 possible ids: 40 groups must collide
    groups = [[a(f"article-{n}")] for n in range(40)]
    assigned = ids.assign_ids(groups)
    assert len(set(assigned)) == 40
    assert ids.assign_ids(groups[::-1]) == assigned[::-1]


# --- aliases ---------------------------------------------------------------------------

def test_aliases_say_where_the_articles_of_each_previous_id_went():
    previous = {"a1": "old-a", "a2": "old-a", "b1": "old-b", "c1": "old-c", "c2": "old-c", "d1": "old-d",
                "k1": "kept", "m1": "old-m"}
    current = {"a1": "new-a", "a2": "new-a", "a0": "new-a",  # renamed: an earlier report joined
               "b1": "kept", "k1": "kept",                    # merged into an incident that kept its id
               "c1": "new-c1", "c2": "new-c2",                # split
               "m1": "new-m"}                                 # d1 is in no incident any more
    rows = {(row["previous_incident_id"], row["incident_id"]): (row["change"], row["shared_articles"])
            for row in ids.aliases(previous, current)}
    assert rows == {("old-a", "new-a"): ("renamed", 2), ("old-b", "kept"): ("merged", 1),
                    ("old-c", "new-c1"): ("split", 1), ("old-c", "new-c2"): ("split", 1),
                    ("old-d", None): ("dropped", 0), ("old-m", "new-m"): ("renamed", 1)}
    assert ids.aliases(current, current) == []  # no previous id lost, no row


def test_aliases_of_the_previous_release_are_followed_through_todays():
    carried = [{"previous_incident_id": "older", "incident_id": "old-a", "change": "renamed", "shared_articles": 1},
               {"previous_incident_id": "oldest", "incident_id": "kept", "change": "merged", "shared_articles": 2}]
    rows = ids.aliases({"a1": "old-a", "k1": "kept"}, {"a1": "new-a", "k1": "kept"}, carried)
    assert [(row["previous_incident_id"], row["incident_id"]) for row in rows] == [
        ("old-a", "new-a"), ("older", "new-a"), ("oldest", "kept")]


# --- builds ------------------------------------------------------------------------------

@pytest.fixture
def corpus(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / "zz_first_report.txt").write_text(FIRST_REPORT)
    (raw / "zz_leeds_taser.txt").write_text(LEEDS_TASER)
    return raw


def first_files(raw, count, target):
    target.mkdir()
    for path in sorted(raw.iterdir())[:count]:
        shutil.copy(path, target / path.name)
    return target


def membership(out):
    articles = pd.read_parquet(out / "articles.parquet")
    return dict(zip(articles["article_id"], articles["incident_id"]))


def test_building_some_articles_then_all_into_one_folder_gives_the_ids_of_a_fresh_build(corpus, tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(first_files(corpus, 5, tmp_path / "first"), out, params.load(None))
    before = membership(out)
    build(corpus, out, params.load(None))
    build(corpus, fresh, params.load(None))
    assert membership(out) == membership(fresh)
    assert (pd.read_parquet(out / "incidents.parquet")["incident_id"].tolist()
            == pd.read_parquet(fresh / "incidents.parquet")["incident_id"].tolist())
    # The case history-kept ids got wrong: the first report, read last, founds the Dagenham incident.
    after = membership(fresh)
    assert after[DAGENHAM_SAMPLE] == after["zz_first_report"] == ids.founder_id("zz_first_report")
    assert before[DAGENHAM_SAMPLE] != after[DAGENHAM_SAMPLE]
    assert after["zz_leeds_taser"] == ids.founder_id("zz_leeds_taser")
    # Without a previous release there is nothing to alias.
    assert pd.read_parquet(out / "incident_aliases.parquet").empty


def test_a_previous_release_gives_aliases_from_its_ids_to_todays(corpus, tmp_path):
    release = tmp_path / "release-1"
    build(first_files(corpus, 5, tmp_path / "first"), release, params.load(None))
    old = membership(release)
    out = tmp_path / "out"
    build(corpus, out, params.load(None), previous_release=release)
    build(corpus, tmp_path / "plain", params.load(None))
    assert membership(out) == membership(tmp_path / "plain")  # the release changes no id
    aliases = pd.read_parquet(out / "incident_aliases.parquet")
    new = membership(out)
    assert aliases.to_dict("records") == [{"previous_incident_id": old[DAGENHAM_SAMPLE],
                                           "incident_id": new[DAGENHAM_SAMPLE], "change": "renamed",
                                           "shared_articles": 3}]
    # A cited id of the previous release resolves: it is an incident today, or an alias of one.
    incidents = set(pd.read_parquet(out / "incidents.parquet")["incident_id"])
    resolved = dict(zip(aliases["previous_incident_id"], aliases["incident_id"]))
    assert all(cited in incidents or resolved[cited] in incidents for cited in set(old.values()))

    # The next release follows the aliases of this one: an id cited two releases ago still resolves.
    (corpus / "002_85bf2c3dba8d54e4.txt").rename(corpus / "002_renamed.txt")  # founders unchanged, a member renamed
    later = tmp_path / "release-3"
    build(corpus, later, params.load(None), previous_release=out)
    carried = pd.read_parquet(later / "incident_aliases.parquet")
    assert carried[["previous_incident_id", "incident_id"]].values.tolist() == [[old[DAGENHAM_SAMPLE],
                                                                                new[DAGENHAM_SAMPLE]]]


def test_a_previous_release_that_is_not_one_is_an_error(corpus, tmp_path):
    with pytest.raises(FileNotFoundError, match="previous release"):
        build(corpus, tmp_path / "out", params.load(None), previous_release=tmp_path / "nowhere")
    assert not (tmp_path / "out").exists()
