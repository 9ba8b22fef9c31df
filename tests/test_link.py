"""Linking: articles about one event become one incident with a stable id and merged fields.

Rows are written the way the extract stage hands them over (one dict per relevant
article, fields as extracted), with the link features the extract stage reads from
short texts written for the test (`read_document` + `link_features`); the linker
itself never sees the text.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from etl import link
from etl.extract.document import read_document
from etl.extract.link_features import link_features
from etl.tables import write_table
from schema.codebook import COLUMNS, EVENT_FIELDS


def article(article_id, published=None, text="", **fields):
    row = {name: COLUMNS[name].unstated for name in EVENT_FIELDS}
    clues = [item.row(article_id, text) for item in link_features(read_document(text, published))]
    row.update({"article_id": article_id, "published_date": published, "relevant": True, "link_features": clues,
                "text": text})  # the text only to write the ingested table of the stage tests
    row.update(fields)
    return row


DAGENHAM = dict(force="Metropolitan Police Service", borough="Barking and Dagenham", borough_code="E09000002")
CROYDON = dict(force="Metropolitan Police Service", borough="Croydon", borough_code="E09000008")
LEEDS = dict(force="West Yorkshire Police", borough="Leeds", borough_code="E08000035")


def groups(articles, window_days=3):
    return sorted(sorted(a["article_id"] for a in group) for group in link.cluster(articles, window_days))


def test_reports_of_one_event_link_and_an_undated_report_joins_them():
    # The undated follow-up joins by what follow-ups repeat: the place and the person's name.
    first = "Officers shot Tomas Okafor in Weston Green. Mr Okafor was taken to hospital."
    articles = [
        article("a", dt.date(2023, 11, 24), first, incident_date=dt.date(2023, 11, 23), location="Weston Green", **DAGENHAM),
        article("b", dt.date(2023, 11, 24), "The man, named locally as Tomas Okafor, was shot. Mr Okafor is 40.",
                incident_date=dt.date(2023, 11, 23), **DAGENHAM),
        article("c", None, "The family of Tomas Okafor, 40, spoke of their shock. Mr Okafor is recovering.",
                location="Weston Green", subject_age=40, **DAGENHAM),
    ]
    assert groups(articles) == [["a", "b", "c"]]


def test_same_day_shootings_in_different_places_stay_apart():
    day = dt.date(2024, 1, 30)
    shooting = dict(incident_date=day, force_type="firearm", outcome="fatal", subject_gender="male", shots_fired=2)
    articles = [
        article("a", day, "Armed officers shot a man dead in Rainham Road on Tuesday.", location="Rainham Road", **shooting, **DAGENHAM),
        article("b", day, "A man was shot dead by police in Rainham Road, Dagenham.", location="Rainham Road", **shooting, **DAGENHAM),
        article("c", day, "Police shot a man in London Road, Croydon, on Tuesday.", location="London Road", **shooting, **CROYDON),
        article("d", day, "A pensioner has died after armed officers shot him in a Leeds car park.", **shooting, **LEEDS),
    ]
    assert groups(articles) == [["a", "b"], ["c"], ["d"]]


def test_events_of_one_place_months_apart_stay_apart():
    articles = [article("a", incident_date=dt.date(2020, 1, 1), **LEEDS),
                article("b", incident_date=dt.date(2020, 6, 1), **LEEDS)]
    assert groups(articles) == [["a"], ["b"]]


def test_an_inquest_years_later_joins_the_first_report_through_the_named_man_and_street():
    first = article("first", dt.date(2019, 3, 16),
                    "Armed police shot a man dead in Moor Lane, Leeds, on Friday. He was named by his family as "
                    "Daniel Okafor. Mr Okafor, 31, was a father of two.",
                    incident_date=dt.date(2019, 3, 15), location="Moor Lane", subject_age=31, outcome="fatal", **LEEDS)
    other = article("other", dt.date(2019, 3, 16), "Police used a Taser on a woman in Kirkgate, Leeds.",
                    incident_date=dt.date(2019, 3, 15), location="Kirkgate", subject_gender="female", force_type="taser", **LEEDS)
    inquest = article("inquest", dt.date(2022, 6, 2),
                      "An inquest jury has found that Daniel Okafor was lawfully killed when he was shot by police in "
                      "Moor Lane in March 2019. Mr Okafor, 34, had been holding an imitation firearm.",
                      location="Moor Lane", subject_age=34, outcome="fatal", weapon_recovered="imitation_firearm", **LEEDS)
    assert groups([first, other, inquest]) == [["first", "inquest"], ["other"]]


def test_a_name_mentioned_in_passing_does_not_join_another_place():
    subject = article("stretford", None, "Desmond Amos was tasered in Stretford. Mr Amos, 34, was arrested.",
                      incident_date=dt.date(2020, 5, 6), **dict(force="Greater Manchester Police", borough="Trafford"))
    elsewhere = article("haringey", None, "Police shot a man in Burgoyne Road, Haringey, two days before "
                        "Desmond Amos was tasered in Stretford.",
                        incident_date=dt.date(2020, 5, 4), location="Burgoyne Road",
                        **dict(force="Metropolitan Police Service", borough="Haringey"))
    assert groups([subject, elsewhere]) == [["haringey"], ["stretford"]]


def test_a_copy_joins_the_article_it_copies_and_counts_once():
    original = article("orig", dt.date(2023, 5, 2), incident_date=dt.date(2023, 5, 1), subject_age=25, **LEEDS)
    later = article("later", dt.date(2023, 5, 3), incident_date=dt.date(2023, 5, 1), subject_age=25, outcome="non_fatal", **LEEDS)
    copy = article("copy", dt.date(2023, 5, 9), outcome="fatal", duplicate_of="orig")
    (group,) = link.cluster([original, later, copy], 3)
    assert sorted(a["article_id"] for a in group) == ["copy", "later", "orig"]
    assert link.merge_fields(group)["outcome"] == "non_fatal"  # the copy is not a later account


def test_merge_follows_the_codebook_rules():
    first = article("a", dt.date(2019, 3, 16), incident_date=dt.date(2019, 3, 15), force_type="taser",
                    subject_age=52, weapon_recovered="firearm", referral_body="IOPC", **LEEDS)
    later = article("b", dt.date(2021, 11, 16), incident_date=dt.date(2019, 3, 15), force_type="firearm",
                    subject_age=54, weapon_recovered="imitation_firearm", referral_body="not_stated", **LEEDS)
    merged = link.merge_fields([later, first])
    assert merged["force_type"] == "firearm"               # most serious any article reports
    assert merged["subject_age"] == 52                     # age at the incident: the earliest report
    assert merged["weapon_recovered"] == "imitation_firearm"  # the later account wins a conflict
    assert merged["referral_body"] == "IOPC"               # stated beats not stated
    assert merged["borough_code"] == "E08000035"           # travels with borough


def test_the_watchdogs_findings_win_over_a_later_news_report():
    findings = article("findings", dt.date(2020, 2, 1), "The IOPC has found that the officer fired two shots.",
                       shots_fired=2, **LEEDS)
    news = article("news", dt.date(2020, 3, 1), "Police fired three shots, witnesses said.", shots_fired=3, **LEEDS)
    assert link.merge_fields([findings, news])["shots_fired"] == 2


def test_referral_body_is_the_one_of_the_time():
    ipcc_era = article("a", dt.date(2016, 8, 16), incident_date=dt.date(2016, 8, 15), referral_body="IPCC", **LEEDS)
    retold = article("b", dt.date(2019, 7, 31), incident_date=dt.date(2016, 8, 15), referral_body="IOPC", **LEEDS)
    assert link.merge_fields([ipcc_era, retold])["referral_body"] == "IPCC"
    assert link.merge_fields([retold])["referral_body"] == "IPCC"  # referred in 2016: to the IPCC, whatever a later story calls it


def test_conflicts_are_recorded_with_the_chosen_article_and_the_other_values():
    first = article("a", dt.date(2019, 3, 16), incident_date=dt.date(2019, 3, 15), weapon_recovered="firearm", **LEEDS)
    later = article("b", dt.date(2021, 11, 16), incident_date=dt.date(2019, 3, 15), weapon_recovered="imitation_firearm", **LEEDS)
    _, _, fields = link.incidents_from([[first, later]])
    weapon = fields[fields["field"] == "weapon_recovered"].iloc[0]
    assert (weapon["chosen_value"], weapon["source_article_id"], weapon["merge_rule"]) == ("imitation_firearm", "b", "latest")
    assert list(weapon["other_values"]) == ["firearm"]
    borough = fields[fields["field"] == "borough"].iloc[0]
    assert list(borough["other_values"]) == []


def test_incident_ids_do_not_change_when_unrelated_articles_are_added():
    first = [article("a", dt.date(2023, 11, 24), incident_date=dt.date(2023, 11, 23), **DAGENHAM)]
    more = first + [article("z", dt.date(2024, 1, 1), incident_date=dt.date(2023, 12, 31), **LEEDS)]
    before = link.incidents_from(link.cluster(first, 3))[0]
    after = link.incidents_from(link.cluster(more, 3))[0]
    assert set(before["incident_id"]) < set(after["incident_id"])


def _stage_inputs(folder, articles):
    rows = pd.DataFrame(articles)
    ingested = rows[["article_id", "published_date", "text"]].assign(
        source_path=rows["article_id"] + ".txt", sha256="0" * 64, encoding="utf-8", headline=None)
    write_table(ingested, "ingested", folder / "ingested.parquet")
    write_table(rows.assign(relevance_score=5.0), "extractions", folder / "extractions.parquet")
    clues = pd.DataFrame([clue for a in articles for clue in a["link_features"]], columns=["article_id", "kind", "value",
                                                                                       "start", "end", "quote"])
    write_table(clues, "link_features", folder / "link_features.parquet")
    return folder / "ingested.parquet", folder / "extractions.parquet", folder / "link_features.parquet"


def test_an_earlier_report_found_later_renames_the_incident_and_the_alias_keeps_the_old_id(tmp_path):
    known = article("known", dt.date(2023, 11, 25), "Officers shot a man in Rainham Road.",
                    incident_date=dt.date(2023, 11, 23), location="Rainham Road", **DAGENHAM)
    found_later = article("earlier", dt.date(2023, 11, 24), "A man was shot by police in Rainham Road last night.",
                          incident_date=dt.date(2023, 11, 23), location="Rainham Road", **DAGENHAM)
    unrelated = article("leeds", dt.date(2024, 1, 2), incident_date=dt.date(2024, 1, 1), **LEEDS)
    (first := tmp_path / "first").mkdir()
    (second := tmp_path / "second").mkdir()
    (fresh := tmp_path / "fresh").mkdir()
    _, before = link.run(*_stage_inputs(first, [known]), first, 3)
    # A previous release: its articles table (article_id, incident_id), as publish writes it.
    release = tmp_path / "release"
    release.mkdir()
    before.to_parquet(release / "articles.parquet")
    _, after = link.run(*_stage_inputs(second, [known, found_later, unrelated]), second, 3, previous_release=release)
    _, alone = link.run(*_stage_inputs(fresh, [known, found_later, unrelated]), fresh, 3)
    ids = dict(zip(after["article_id"], after["incident_id"]))
    assert ids == dict(zip(alone["article_id"], alone["incident_id"]))  # the release changes no id
    assert ids["known"] == ids["earlier"] == link.incident_id([found_later]) != ids["leeds"]
    aliases = pd.read_parquet(second / "incident_aliases.parquet")
    assert aliases.to_dict("records") == [{"previous_incident_id": before["incident_id"].iloc[0],
                                           "incident_id": ids["known"], "change": "renamed", "shared_articles": 1}]
    assert pd.read_parquet(fresh / "incident_aliases.parquet").empty


def test_a_rebuild_ignores_what_the_output_folder_held_and_aliases_a_given_release(sample_build, raw_copy, tmp_path):
    from etl import params
    from etl.build import build

    # A previous release whose ids were made some other way (by an older rule, by hand).
    release = tmp_path / "release"
    release.mkdir()
    published = pd.read_parquet(sample_build / "articles.parquet")
    renamed = published.assign(incident_id=published["incident_id"].map(lambda i: i and "uof-kept-" + i[-4:]))
    renamed.to_parquet(release / "articles.parquet")
    # The output folder first holds a build without the Dagenham incident's founding article.
    founder = raw_copy / "002_85bf2c3dba8d54e4.txt"
    text = founder.read_text()
    founder.unlink()
    out = tmp_path / "out"
    build(raw_copy, out, params.load(None))
    assert set(pd.read_parquet(out / "articles.parquet")["incident_id"]) != set(published["incident_id"])
    founder.write_text(text)
    build(raw_copy, out, params.load(None), previous_release=release)
    rebuilt = pd.read_parquet(out / "articles.parquet")
    assert rebuilt["incident_id"].tolist() == published["incident_id"].tolist()
    aliases = pd.read_parquet(out / "incident_aliases.parquet")
    expected = (renamed[["incident_id"]].rename(columns={"incident_id": "previous_incident_id"})
                .assign(incident_id=published["incident_id"]).drop_duplicates())
    assert sorted(map(tuple, aliases[["previous_incident_id", "incident_id"]].values.tolist())) == sorted(
        map(tuple, expected.values.tolist()))
    assert set(aliases["change"]) == {"renamed"}


def test_the_undated_sample_article_joins_its_incident(sample_build):
    articles = pd.read_parquet(sample_build / "articles.parquet").set_index("article_id")
    undated = "004_e6b98754552abfdd"
    assert articles.at[undated, "published_date"] is None
    assert articles.at[undated, "incident_id"] == articles.at["002_85bf2c3dba8d54e4", "incident_id"]


def test_the_database_lists_incident_fields_and_conflicts(sample_build):
    with duckdb.connect(str(sample_build / "uofdb.duckdb"), read_only=True) as con:
        per_incident = con.execute("select incident_id, count(*) from incident_fields group by 1").fetchall()
        conflicts = con.execute("select count(*) from conflicts where len(other_values) = 0").fetchall()
        every = con.execute("select count(*) from incident_fields where len(other_values) > 0").fetchall()
        listed = con.execute("select count(*) from conflicts").fetchall()
    assert len(per_incident) == 2 and {n for _, n in per_incident} == {len(EVENT_FIELDS)}
    assert conflicts == [(0,)] and listed == every


def test_the_link_stage_reads_link_features_not_the_text(tmp_path):
    first = article("first", dt.date(2019, 3, 16), "Armed police shot Ellery Thornbury in Moor Lane, Leeds, on Friday. "
                    "Mr Thornbury, 31, survived.", incident_date=dt.date(2019, 3, 15), **LEEDS)
    hearing = article("hearing", dt.date(2022, 6, 2), "An inquest jury heard that Ellery Thornbury was shot in Moor "
                      "Lane in March 2019. Mr Thornbury had a replica pistol.", **LEEDS)
    ingested, extractions, clues = _stage_inputs(tmp_path, [first, hearing])
    assert "text" not in link.read_ingested(ingested)
    _, membership = link.run(ingested, extractions, clues, tmp_path, 3)
    assert membership["incident_id"].nunique() == 1
    # Without the clues the two reports share too little to link.
    write_table(pd.read_parquet(clues).iloc[0:0], "link_features", clues)
    _, membership = link.run(ingested, extractions, clues, tmp_path, 3)
    assert membership["incident_id"].nunique() == 2


def test_pairs_scored_on_two_processes_give_the_same_scores_and_incidents(monkeypatch):
    from etl.linking import clustering, similarity
    from etl.linking.features import features_of

    monkeypatch.setattr(clustering, "PAIRS_PER_TASK", 2)  # several tasks, even for a few pairs

    def reports():
        day = dt.date(2024, 3, 5)
        return [
            article("a", day, "Armed officers shot Ravi Lindqvist in Marsh Lane.", incident_date=day, **DAGENHAM),
            article("b", day, "Ravi Lindqvist was shot by police in Marsh Lane, Dagenham.", incident_date=day, **DAGENHAM),
            article("c", None, "The family of Ravi Lindqvist said Mr Lindqvist was recovering.", **DAGENHAM),
            article("d", day, "Police used a Taser on a woman in Church Street, Croydon.", incident_date=day, **CROYDON),
            article("e", day, "A woman was Tasered by officers in Church Street.", incident_date=day, **CROYDON),
            article("f", day, "Officers shot a man in a Leeds car park.", incident_date=day, **LEEDS),
        ]

    features = [features_of(row) for row in reports()]
    first, second = np.triu_indices(len(features), 1)  # every pair
    model = similarity.fitted_model()
    by_two_processes = clustering.pair_scores(features, first, second, 3, model, jobs=2)
    assert by_two_processes.dtype == np.float64 and len(by_two_processes) == len(first) == 15
    assert by_two_processes.tolist() == clustering.pair_scores(features, first, second, 3, model).tolist()
    by_one = sorted(sorted(a["article_id"] for a in group) for group in link.cluster(reports(), 3, jobs=1))
    by_two = sorted(sorted(a["article_id"] for a in group) for group in link.cluster(reports(), 3, jobs=2))
    assert by_two == by_one
    assert ["a", "b", "c"] in by_one  # (so the grouping compared is not all singletons)


def test_articles_read_for_linking_share_one_object_per_distinct_value(tmp_path):
    from etl.linking.features import NO_NAMES, features_of

    first = article("first", dt.date(2019, 3, 16), "Armed police shot Ellery Thornbury in Moor Lane, Leeds.",
                    incident_date=dt.date(2019, 3, 15), **LEEDS)
    second = article("second", dt.date(2019, 3, 17), "Ellery Thornbury was shot by officers in Moor Lane.",
                     incident_date=dt.date(2019, 3, 15), **LEEDS)
    ingested, extractions, clues = _stage_inputs(tmp_path, [first, second])
    read = link.relevant_articles(link.read_ingested(ingested), link.read_table(extractions, "extractions"),
                                  link.read_clues(clues))
    a, b = read
    assert a["force"] == b["force"] == LEEDS["force"] and a["force"] is b["force"]
    assert a["_features"].streets == b["_features"].streets == frozenset({"moor lane"})
    assert a["_features"].streets is b["_features"].streets
    assert a["_features"].years is NO_NAMES and b["_features"].months is NO_NAMES  # (no dates in the text)
    # The same features as read from the article's own clues, one by one.
    for row in read:
        own = features_of(row, [(clue["kind"], clue["value"]) for clue in
                                {"first": first, "second": second}[row["article_id"]]["link_features"]])
        assert own == row["_features"]


def test_clustered_articles_keep_what_merging_reads_and_not_the_names():
    day = dt.date(2024, 3, 5)
    reports = [article("a", day, "Armed officers shot Ravi Lindqvist in Marsh Lane.", incident_date=day, **DAGENHAM),
               article("b", day, "Ravi Lindqvist was shot by police in Marsh Lane, Dagenham.", incident_date=day,
                       **DAGENHAM)]
    (group,) = link.cluster(reports, 3)
    assert all(a["_features"].people == frozenset() and a["_features"].streets == frozenset() for a in group)
    assert {a["_features"].as_of for a in group} == {day}
    assert link.merge_fields(group)["borough"] == "Barking and Dagenham"
