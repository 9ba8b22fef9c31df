"""The synthetic scale corpus (benchmarks/synth.py): it builds with nothing lost, its gold lines up
with the build, it is a function of its seed, and each incident's rewritten values agree between its
articles and its gold rows."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import REPO, SHARED
from etl import cli
from schema import vocab

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_scale  # noqa: E402
import synth  # noqa: E402

DEV = SHARED / "corpus" / "dev"
THURSDAY = 3  # date.weekday()

# An invented source corpus: one incident in two reports and one irrelevant article.
FIRST_REPORT = """ date 2019-03-08 Armed police shoot man in Leeds

Armed officers from West Yorkshire Police shot a man, 34, in Leeds at about 9.15pm on Thursday after reports of a man with a gun near a row of shops.

The 34-year-old was taken to hospital with injuries that are not life-threatening.

West Yorkshire Police said the force had referred the shooting to the Independent Office for Police Conduct.

Neighbours said they heard two loud bangs. One said the street was usually quiet."""
SECOND_REPORT = """ date 2019-03-12 Man shot by police in Leeds is named

The man shot by West Yorkshire Police officers in Leeds on 7 March 2019 has been named as Jonah Pike, 34.

Mr Pike remains in hospital, the force said. The IOPC has begun an investigation.

West Yorkshire Police said two officers had been placed on restricted duties while the watchdog investigates."""
LIBRARY = """ date 2019-05-02 Leeds library reopens after repairs

The central library in Leeds reopened on Tuesday after repairs to its roof, the council said on Wednesday afternoon.

A spokesperson said visitor numbers in the first hours were higher than expected."""
FIELDS = dict(incident_date="2019-03-07", borough="Leeds", force="West Yorkshire Police", force_type="firearm",
              outcome="non_fatal", referral_body="IOPC", terrorism_status="not_stated", weapon_recovered="not_stated",
              subject_age=34, subject_gender="male", shots_fired=None)
NOTHING = dict(incident_date=None, incident_time=None, borough=None, location=None, force=None, force_type="not_stated",
               outcome="not_stated", referral_body="not_stated", terrorism_status="not_stated",
               weapon_recovered="not_stated", subject_age=None, subject_gender="not_stated", shots_fired=None)


def gold_row(article_id: str, published: str, relevant: bool, **fields) -> dict:
    row = {"article_id": article_id, "published_date": published, "relevant": relevant,
           "incident_key": "2019-03-07-leeds" if relevant else None}
    row.update(NOTHING if not relevant else dict(FIELDS, location=None, incident_time=None))
    row.update(fields)
    return {name: row[name] for name in synth.GOLD_FIELDS}


@pytest.fixture(scope="module")
def invented_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("invented")
    (corpus / "articles").mkdir()
    for name, text in (("first", FIRST_REPORT), ("second", SECOND_REPORT), ("library", LIBRARY)):
        (corpus / "articles" / f"{name}.txt").write_text(text, encoding="utf-8")
    rows = [gold_row("first", "2019-03-08", True, incident_time="21:15"),
            gold_row("second", "2019-03-12", True),
            gold_row("library", "2019-05-02", False)]
    synth.write_jsonl(corpus / "gold.jsonl", rows)
    incident = {"incident_key": "2019-03-07-leeds", "article_ids": ["first", "second"], "incident_time": "21:15",
                **FIELDS}
    synth.write_jsonl(corpus / "gold_incidents.jsonl", [{name: incident[name] for name in synth.INCIDENT_FIELDS}])
    return corpus


@pytest.fixture(scope="module")
def invented_copies(invented_corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("copies") / "synth"
    synth.run(300, 7, out, invented_corpus)
    return out


@pytest.fixture(scope="module")
def dev_synth(tmp_path_factory) -> tuple[Path, Path, str]:
    """60 synthetic articles from the dev corpus, seed 1, built with `uofdb build`."""
    root = tmp_path_factory.mktemp("dev-synth")
    synth.run(60, 1, root / "corpus", DEV)
    params = bench_scale.cold_params(REPO / "params.yaml", root)  # nothing read from or written to the checkout
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["--params", str(params), "build", "--raw", str(root / "corpus" / "articles"),
                         "--out", str(root / "out"), "--jobs", "1"]) == 0
    return root / "corpus", root / "out", printed.getvalue()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def text_of(corpus: Path, article_id: str) -> str:
    return (corpus / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")


def test_a_synthetic_build_passes_validation_with_nothing_lost(dev_synth):
    corpus, out, printed = dev_synth
    articles = pd.read_parquet(out / "articles.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert len(articles) == 60
    assert rejects.empty, rejects[["check_id", "reason"]].to_string()
    assert "read 60 documents in 60 files = 60 articles" in printed and "+ 0 rejected" in printed


def test_the_gold_has_one_row_per_built_article_with_the_dev_gold_keys(dev_synth):
    corpus, out, _ = dev_synth
    gold = read_jsonl(corpus / "gold.jsonl")
    dev_keys = list(read_jsonl(DEV / "gold.jsonl")[0])
    assert [list(row) for row in gold] == [dev_keys] * 60
    built = set(pd.read_parquet(out / "articles.parquet")["article_id"])
    assert {row["article_id"] for row in gold} == built
    incidents = read_jsonl(corpus / "gold_incidents.jsonl")
    assert {tuple(row) for row in incidents} == {tuple(read_jsonl(DEV / "gold_incidents.jsonl")[0])}
    members = [article for row in incidents for article in row["article_ids"]]
    assert sorted(members) == sorted(row["article_id"] for row in gold if row["relevant"])
    assert all(row["incident_key"] is None for row in gold if not row["relevant"])
    assert all(1 <= len(row["article_ids"]) <= synth.MAX_ARTICLES_PER_INCIDENT for row in incidents)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_text(tmp_path, invented_corpus):
    # Separate processes with different hash seeds: no result may depend on the order of a set.
    for name, seed, hash_seed in (("one", 3, "1"), ("again", 3, "2"), ("other", 4, "1")):
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--articles", "40", "--seed", str(seed),
                        "--out", str(tmp_path / name), "--corpus", str(invented_corpus)],
                       check=True, capture_output=True, env=dict(os.environ, PYTHONHASHSEED=hash_seed))

    def files(name):
        return {path.relative_to(tmp_path / name): path.read_bytes() for path in (tmp_path / name).rglob("*")
                if path.is_file()}

    assert files("one") == files("again")
    other = files("other")
    assert files("one").keys() == other.keys()
    texts = [key for key in other if key.suffix == ".txt"]
    assert sum(files("one")[key] != other[key] for key in texts) > len(texts) // 2


def test_each_copy_states_its_gold_values_and_its_incident_row_agrees(invented_copies):
    gold = {row["article_id"]: row for row in read_jsonl(invented_copies / "gold.jsonl")}
    incidents = read_jsonl(invented_copies / "gold_incidents.jsonl")
    assert len(incidents) > 20
    for incident in incidents:
        for article_id in incident["article_ids"]:
            row, text = gold[article_id], text_of(invented_copies, article_id)
            assert text.startswith(f" date {row['published_date']} ")
            assert row["borough"] in text and row["force"] in text and f"{row['subject_age']}" in text
            assert vocab.district_by_name()[row["borough"]].code in vocab.force_districts(row["force"])
            assert dt.date.fromisoformat(row["incident_date"]).weekday() == THURSDAY
            for name in ("incident_date", "borough", "force", "subject_age"):
                assert row[name] == incident[name], (article_id, name)
            if row["incident_time"] is not None:
                hour, minute = map(int, row["incident_time"].split(":"))
                assert f"{hour - 12}.{minute:02d}pm" in text
                assert incident["incident_time"] == row["incident_time"]
            assert "Pike" not in text and "Jonah" not in text


def test_copies_vary_their_values_across_incidents(invented_copies):
    incidents = read_jsonl(invented_copies / "gold_incidents.jsonl")
    for name in ("incident_date", "borough", "force", "subject_age", "incident_time"):
        assert len({row[name] for row in incidents}) > 3, name


def test_distractors_keep_the_source_share_and_stay_irrelevant(invented_copies):
    gold = read_jsonl(invented_copies / "gold.jsonl")
    distractors = [row for row in gold if not row["relevant"]]
    assert 0.2 < len(distractors) / len(gold) < 0.5  # one of the three source articles
    for row in distractors:
        assert "library" in text_of(invented_copies, row["article_id"])
        assert row["incident_key"] is None and row["borough"] is None


def test_invented_names_are_no_place_in_the_gazetteer():
    places = set(vocab.places()) | set(vocab.district_by_name()) | set(vocab.places_abroad())
    words = [*synth.STREET_NAMES, *(name for names in synth.FIRST_NAMES.values() for name in names)]
    assert not [word for word in words if word in places]
    assert "Ashford" in places and "Ashford" not in synth.invented_names()  # a two-part name that is a town
    assert len(synth.invented_names()) > 200 and not set(synth.invented_names()) & places


def test_a_folder_that_is_not_empty_is_refused(tmp_path, invented_corpus):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        synth.run(5, 1, tmp_path / "taken", invented_corpus)
    assert [path.name for path in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_a_gold_row_without_its_article_names_the_file_and_the_article(tmp_path, invented_corpus):
    broken = tmp_path / "broken"
    (broken / "articles").mkdir(parents=True)
    for name in ("gold.jsonl", "gold_incidents.jsonl"):
        (broken / name).write_text((invented_corpus / name).read_text())
    with pytest.raises(synth.CorpusError, match=r"gold\.jsonl: article first: no file"):
        synth.run(5, 1, tmp_path / "out", broken)


def test_a_gold_row_without_a_field_names_the_file_the_line_and_the_field(tmp_path, invented_corpus):
    broken = tmp_path / "broken"
    (broken / "articles").mkdir(parents=True)
    rows = read_jsonl(invented_corpus / "gold.jsonl")
    del rows[1]["borough"]
    synth.write_jsonl(broken / "gold.jsonl", rows)
    with pytest.raises(synth.CorpusError, match=r"gold\.jsonl: line 2: no borough"):
        synth.run(5, 1, tmp_path / "out", broken)


def test_benchmark_builds_are_cold_and_read_nothing_of_the_checkout(tmp_path):
    repo_params = tmp_path / "repo-params.yaml"
    repo_params.write_text("paths:\n  raw: data/raw\n  cache: data/cache\nlink:\n  window_days: 5\n")
    written = bench_scale.cold_params(repo_params, tmp_path / "scratch-is-here")
    given = yaml.safe_load(written.read_text())
    assert given["paths"] == {"raw": str(tmp_path / "scratch-is-here" / "paths" / "raw"), "cache": None}
    assert given["link"] == {"window_days": 5}


def test_the_rebuild_benchmark_changes_the_first_relevant_article_of_the_gold(dev_synth):
    corpus, _, _ = dev_synth
    gold = read_jsonl(corpus / "gold.jsonl")
    first = next(row["article_id"] for row in sorted(gold, key=lambda row: row["article_id"]) if row["relevant"])
    assert bench_scale.first_relevant_article(corpus) == corpus / "articles" / f"{first}.txt"
    assert first != min(row["article_id"] for row in gold)  # (the first file is not the answer by chance)
