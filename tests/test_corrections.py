"""Corrections in the build: data/corrections.csv changes values with provenance, merges, splits and
relevance, follows renamed incidents, and reports stale and invalid rows without stopping the build."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from conftest import REPO, SAMPLE
from etl import params
from etl.build import build
from etl.cli import main
from etl.corrections import FILE_COLUMNS
from etl.tables import read_table

HEADER = ",".join(FILE_COLUMNS)
KENSINGTON = "000_05d707c832ca879f"  # the founding article of the sample's Kensington incident
ALSO_KENSINGTON = "001_889257f659f5e718"
DAGENHAM = "002_85bf2c3dba8d54e4"
LATE_DAGENHAM = "004_e6b98754552abfdd"


def build_with(tmp_path, lines: list[str], raw=SAMPLE, name="out", previous=None) -> dict:
    """Build `raw` with a corrections file of `lines`; the published tables by name."""
    corrections = tmp_path / f"{name}-corrections.csv"
    corrections.write_text("\n".join([HEADER] + lines) + "\n")
    settings = params.load(None)
    settings["paths"]["corrections"] = str(corrections)
    out = tmp_path / name
    build(raw, out, settings, previous_release=previous)
    return {table: read_table(out / f"{table}.parquet", table)
            for table in ("articles", "incidents", "incident_fields", "evidence", "rejects", "corrections")}


def incident_of(tables: dict, article_id: str) -> str:
    articles = tables["articles"]
    return articles.loc[articles["article_id"] == article_id, "incident_id"].iloc[0]


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> dict:
    """The sample built with an empty corrections file: the ids a reviewer sees."""
    return build_with(tmp_path_factory.mktemp("plain"), [])


def test_an_empty_corrections_file_changes_nothing_and_lists_nothing(plain):
    assert len(plain["corrections"]) == 0
    assert "correction" not in set(plain["evidence"]["rule"])
    assert len(plain["incidents"]) == 2


def test_a_field_correction_changes_the_value_with_its_provenance(tmp_path, plain):
    dagenham = incident_of(plain, DAGENHAM)
    tables = build_with(tmp_path, [f"{dagenham},subject_age,41,the inquest gave his age as 41,"
                                   "https://example.org/inquest,A. Reviewer,2026-11-30"])
    incident = tables["incidents"].set_index("incident_id").loc[dagenham]
    assert incident["subject_age"] == 41
    provenance = tables["incident_fields"].set_index(["incident_id", "field"]).loc[(dagenham, "subject_age")]
    assert (provenance["chosen_value"], provenance["merge_rule"]) == ("41", "correction")
    assert list(provenance["other_values"]) == ["40"]
    evidence = tables["evidence"][tables["evidence"]["rule"] == "correction"]
    assert list(evidence["field"]) == ["subject_age"] and list(evidence["value"]) == ["41"]
    detail = evidence["detail"].iloc[0]
    assert "replaced 40" in detail and "the inquest gave his age as 41" in detail and "line 2" in detail
    row = tables["corrections"].iloc[0]
    assert (row["status"], row["incident_id"], row["replaced_value"]) == ("applied", dagenham, "40")


def test_a_borough_correction_sets_its_code_too(tmp_path, plain):
    dagenham = incident_of(plain, DAGENHAM)
    tables = build_with(tmp_path, [f"{dagenham},borough,Havering,the house stands over the border,,R,2026-11-30"])
    incident = tables["incidents"].set_index("incident_id").loc[dagenham]
    assert (incident["borough"], incident["borough_code"]) == ("Havering", "E09000016")
    assert not (tables["rejects"]["severity"] == "error").any()


def test_the_columns_that_follow_from_a_corrected_field_follow_it(tmp_path, plain):
    dagenham = incident_of(plain, DAGENHAM)
    assert plain["incidents"].set_index("incident_id").loc[dagenham, "region"] == "London"
    tables = build_with(tmp_path, [f"{dagenham},borough,Cardiff,the house stands in Cardiff,,R,2026-11-30",
                                   f"{dagenham},incident_date,2019-05-04,the inquest gave the day,,R,2026-11-30"])
    incident = tables["incidents"].set_index("incident_id").loc[dagenham]
    assert (incident["nation"], incident["region"], incident["incident_year"]) == ("Wales", "Wales", 2019)


def test_an_article_id_target_corrects_the_incident_that_article_is_in(tmp_path, plain):
    tables = build_with(tmp_path, [f"{ALSO_KENSINGTON},outcome,non_fatal,he survived,,R,2026-11-30"])
    kensington = incident_of(plain, KENSINGTON)
    assert tables["incidents"].set_index("incident_id").loc[kensington, "outcome"] == "non_fatal"
    assert tables["corrections"].iloc[0]["incident_id"] == kensington


def test_a_merge_correction_makes_two_incidents_one_and_later_corrections_follow_it(tmp_path, plain):
    kensington, dagenham = incident_of(plain, KENSINGTON), incident_of(plain, DAGENHAM)
    tables = build_with(tmp_path, [f"{dagenham},merge,{kensington},one event reported twice,,R,2026-11-30",
                                   f"{dagenham},shots_fired,2,the watchdog counted two shots,,R,2026-11-30"])
    incidents = tables["incidents"]
    assert len(incidents) == 1 and incidents["n_articles"].iloc[0] == 5
    merged = incidents["incident_id"].iloc[0]
    assert merged == kensington  # the earliest published founder names the merged incident
    assert incidents["shots_fired"].iloc[0] == 2
    statuses = tables["corrections"].set_index("line")["status"]
    assert statuses[2] == "applied" and statuses[3] == "followed"
    assert tables["corrections"].set_index("line").loc[3, "incident_id"] == merged


def test_a_split_correction_takes_an_article_off_its_incident(tmp_path, plain):
    dagenham = incident_of(plain, DAGENHAM)
    tables = build_with(tmp_path, [f"{LATE_DAGENHAM},split,,reports another call-out,,R,2026-11-30"])
    assert len(tables["incidents"]) == 3
    alone = tables["incidents"][tables["incidents"]["article_ids"].map(lambda ids: list(ids) == [LATE_DAGENHAM])]
    assert len(alone) == 1 and alone["n_articles"].iloc[0] == 1
    assert incident_of(tables, DAGENHAM) == dagenham
    assert tables["corrections"].iloc[0]["status"] == "applied"


def test_a_relevance_correction_takes_an_article_out_before_clustering(tmp_path, plain):
    kensington = incident_of(plain, KENSINGTON)
    tables = build_with(tmp_path, [f"{ALSO_KENSINGTON},relevant,false,a round-up of older news,,R,2026-11-30"])
    article = tables["articles"].set_index("article_id").loc[ALSO_KENSINGTON]
    assert not article["relevant"] and pd.isna(article["incident_id"])
    assert list(tables["incidents"].set_index("incident_id").loc[kensington, "article_ids"]) == [KENSINGTON]
    evidence = tables["evidence"][(tables["evidence"]["rule"] == "correction")]
    assert list(zip(evidence["article_id"], evidence["field"], evidence["value"])) == [
        (ALSO_KENSINGTON, "relevant", "false")]
    assert "replaced true" in evidence["detail"].iloc[0]


# Invented: an article the extractor rightly finds not relevant (no force used).
AMNESTY = """ date 2024-06-03 Knife amnesty opens in Bristol

Avon and Somerset Constabulary has opened a two-week knife amnesty in Bristol, with bins at five police stations.
"""


def test_a_relevance_correction_can_bring_an_article_in_as_an_incident(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / "amnesty.txt").write_text(AMNESTY)
    tables = build_with(tmp_path, ["amnesty,relevant,true,a reviewer read it so,,R,2026-11-30"], raw=raw)
    article = tables["articles"].set_index("article_id").loc["amnesty"]
    assert article["relevant"] and isinstance(article["incident_id"], str)
    assert len(tables["incidents"]) == 3
    row = tables["corrections"].iloc[0]
    assert (row["status"], row["replaced_value"]) == ("applied", "false")


INVALID = [
    ("uof-335c85cab0c3,colour,red,no such field,,R,2026-11-30", "corrections.unknown_field", "'colour'"),
    ("uof-335c85cab0c3,force_type,pistol,not in the vocabulary,,R,2026-11-30", "corrections.bad_value", "'pistol'"),
    ("uof-335c85cab0c3,incident_date,2021-13-01,a month that is not,,R,2026-11-30", "corrections.bad_date", "2021-13-01"),
    ("uof-335c85cab0c3,outcome,fatal,typed on a bad day,,R,30/11/2026", "corrections.bad_date", "30/11/2026"),
    ("no-such-article,relevant,false,unknown article,,R,2026-11-30", "corrections.unknown_id", "no-such-article"),
    ("uof-335c85cab0c3,subject_age,two hundred,not a number,,R,2026-11-30", "corrections.bad_value", "two hundred"),
    ("uof-335c85cab0c3,outcome,fatal,,,R,2026-11-30", "corrections.missing_reason", "no reason"),
    ("uof-335c85cab0c3,borough_code,E09000016,derived,,R,2026-11-30", "corrections.unknown_field", "correct borough"),
    ("004_e6b98754552abfdd,split,uof-335c85cab0c3,move it,,R,2026-11-30", "corrections.bad_value", "split takes no value"),
    ("uof-335c85cab0c3,relevant,false,an incident is no article,,R,2026-11-30", "corrections.unknown_id", "needs an article_id"),
]


def test_each_invalid_correction_is_a_rejects_row_naming_its_line_and_the_build_goes_on(tmp_path, plain):
    dagenham = incident_of(plain, DAGENHAM)
    good = f"{dagenham},subject_age,41,the inquest gave 41,,R,2026-11-30"
    tables = build_with(tmp_path, [line for line, _, _ in INVALID] + [good])
    rejects = tables["rejects"][tables["rejects"]["stage"] == "link"].reset_index(drop=True)
    assert len(rejects) == len(INVALID)
    for number, (_, check_id, words) in enumerate(INVALID, start=2):
        row = rejects[rejects["row_key"] == f"corrections:line {number}"].iloc[0]
        assert (row["check_id"], row["severity"]) == (check_id, "error")
        assert f"corrections.csv line {number}:" in row["reason"] and words in row["reason"]
    statuses = tables["corrections"].set_index("line")["status"]
    assert list(statuses) == ["invalid"] * len(INVALID) + ["applied"]
    assert tables["incidents"].set_index("incident_id").loc[dagenham, "subject_age"] == 41


def test_a_file_without_the_header_is_one_reject_and_no_correction(tmp_path):
    corrections = tmp_path / "corrections.csv"
    corrections.write_text("incident,what\nuof-335c85cab0c3,fatal\n")
    settings = params.load(None)
    settings["paths"]["corrections"] = str(corrections)
    build(SAMPLE, tmp_path / "out", settings)
    rejects = read_table(tmp_path / "out" / "rejects.parquet", "rejects")
    assert list(rejects["check_id"]) == ["corrections.bad_file"]
    assert "line 1" in rejects["reason"].iloc[0] and "target" in rejects["reason"].iloc[0]


def test_a_file_that_is_not_utf8_is_one_reject_naming_it(tmp_path):
    corrections = tmp_path / "corrections.csv"
    corrections.write_bytes((HEADER + "\nuof-335c85cab0c3,outcome,fatal,caf\xe9 owner said so,,R,2026-11-30\n").encode("latin-1"))
    settings = params.load(None)
    settings["paths"]["corrections"] = str(corrections)
    build(SAMPLE, tmp_path / "out", settings)
    rejects = read_table(tmp_path / "out" / "rejects.parquet", "rejects")
    assert list(rejects["check_id"]) == ["corrections.bad_file"] and "not a UTF-8 CSV file" in rejects["reason"].iloc[0]
    assert len(read_table(tmp_path / "out" / "incidents.parquet", "incidents")) == 2


def test_a_spreadsheets_byte_order_mark_is_no_part_of_the_header(tmp_path, plain):
    corrections = tmp_path / "corrections.csv"
    dagenham = incident_of(plain, DAGENHAM)
    corrections.write_text("\ufeff" + HEADER + f"\n{dagenham},subject_age,41,the inquest,,R,2026-11-30\n")
    settings = params.load(None)
    settings["paths"]["corrections"] = str(corrections)
    build(SAMPLE, tmp_path / "out", settings)
    assert read_table(tmp_path / "out" / "incidents.parquet", "incidents").set_index("incident_id").loc[dagenham, "subject_age"] == 41


def test_a_correction_to_a_renamed_incident_follows_its_alias_and_one_to_a_dropped_incident_is_stale(tmp_path, plain):
    kensington, dagenham = incident_of(plain, KENSINGTON), incident_of(plain, DAGENHAM)
    previous = tmp_path / "previous"
    build(SAMPLE, previous, params.load(None))
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / f"{KENSINGTON}.txt").unlink()  # the founder goes: the incident is renamed after 001
    for article in ("002_85bf2c3dba8d54e4", "003_cb0df9d2d026721b", LATE_DAGENHAM):
        (raw / f"{article}.txt").unlink()  # every Dagenham article goes: the incident is dropped
    tables = build_with(tmp_path, [f"{kensington},outcome,non_fatal,he survived,,R,2026-11-30",
                                   f"{dagenham},outcome,non_fatal,he survived,,R,2026-11-30",
                                   "uof-000000000000,outcome,fatal,never an id,,R,2026-11-30"],
                        raw=raw, name="after", previous=previous)
    renamed = incident_of(tables, ALSO_KENSINGTON)
    assert renamed != kensington
    rows = tables["corrections"].set_index("line")
    assert (rows.loc[2, "status"], rows.loc[2, "incident_id"]) == ("followed", renamed)
    assert tables["incidents"].set_index("incident_id").loc[renamed, "outcome"] == "non_fatal"
    assert list(rows.loc[[3, 4], "status"]) == ["stale", "stale"]
    stale = tables["rejects"][tables["rejects"]["check_id"] == "corrections.stale"]
    assert list(stale["severity"]) == ["warning", "warning"]
    assert dagenham in stale["reason"].iloc[0] and "line 3" in stale["reason"].iloc[0]


def test_dvc_reruns_the_link_stage_when_the_corrections_file_changes():
    pipeline = yaml.safe_load((REPO / "dvc.yaml").read_text())
    assert "${paths.corrections}" in pipeline["stages"]["link"]["deps"]
    declared = yaml.safe_load((REPO / "params.yaml").read_text())["paths"]["corrections"]
    assert (REPO / declared).read_text() == HEADER + "\n"  # shipped empty: the header only


def test_the_link_stage_command_reads_the_corrections_file_of_its_params_file(tmp_path, plain):
    dagenham = incident_of(plain, DAGENHAM)
    (tmp_path / "corrections.csv").write_text(HEADER + f"\n{dagenham},subject_age,41,the inquest,,R,2026-11-30\n")
    (tmp_path / "params.yaml").write_text("paths:\n  corrections: corrections.csv\n")  # relative to the file
    settings, interim = ["--params", str(tmp_path / "params.yaml")], tmp_path / "interim"
    assert main([*settings, "ingest", "--raw", str(SAMPLE), "--interim", str(interim)]) == 0
    for stage in ("extract", "link"):
        assert main([*settings, stage, "--interim", str(interim)]) == 0
    corrections = read_table(interim / "corrections.parquet", "corrections")
    assert list(corrections["status"]) == ["applied"]
    assert read_table(interim / "incidents.parquet", "incidents").set_index("incident_id").loc[dagenham, "subject_age"] == 41
