"""Ingest in batches and on several processes: the same tables as in one batch on one, copies found across batches."""
from __future__ import annotations

import hashlib
import json

import pyarrow.parquet as pq
import pytest

from etl import cli, ingest
from etl.tables import read_table

# Invented reports, each long enough to be compared for copies, each in its own words.
PLACES = ("Alderley", "Brackwell", "Corrington", "Dunmere", "Eastholt", "Fenwick", "Garrowby", "Hollinside")
ANIMALS = ("heron", "badger", "otter", "kestrel", "stoat", "lapwing", "marten", "curlew")
COLOURS = ("amber", "cobalt", "crimson", "ochre", "slate", "teal", "umber", "violet")


def report(number: int) -> str:
    place, animal, colour = PLACES[number % 8], ANIMALS[number * 3 % 8], COLOURS[number * 5 % 8]
    return (f"Report {number}. Officers in {place} were called at {number % 12 + 1} o'clock to a {colour} van "
            f"parked near the {animal} sanctuary, where a man aged {20 + number} had been seen carrying a "
            f"crowbar. The constable who arrived first asked him to put it down; he ran towards the canal "
            f"and was stopped with a Taser near lock number {number + 3}. He was taken to the {colour} ward "
            f"of the {place} infirmary and later arrested. Neighbours said the street had been quiet since "
            f"the {animal} festival ended in week {number + 7} of the season.")


def near_copy(text: str) -> str:
    """The report as another outlet runs it: a headline before it and a line after it."""
    return "Taser used by the canal. " + text + " Subscribe to our evening bulletin."


def write_corpus(raw):
    """Ten articles in eleven files: a copy and a duplicate read long after their originals, an export, bad files."""
    raw.mkdir(parents=True)
    for number in range(6):
        (raw / f"{number:02d}.txt").write_text(f" date 2024-05-{number + 1:02d} Report {number}\n{report(number)}\n")
    (raw / "07_copy.txt").write_text(f" date 2024-05-20 Copy\n{near_copy(report(1))}\n")
    (raw / "08_again.txt").write_text((raw / "02.txt").read_text().replace("Officers", "OFFICERS"))  # case aside, the same
    records = [{"id": "w1", "published": "2024-04-30", "text": near_copy(report(4))},
               {"id": "w2", "text": report(40)}, "not an object"]
    (raw / "09_wire.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records) + "{broken\n")
    (raw / "10_empty.txt").write_text("   \n")
    (raw / "11_binary.txt").write_bytes(b"\x00\x01\x02 binary")


def ingested(raw, out, **settings):
    return ingest.run(raw, out, settings)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def corpus(tmp_path):
    write_corpus(tmp_path / "raw")
    return tmp_path / "raw"


@pytest.fixture
def small_tasks(monkeypatch):
    # One file a task, so two processes each read part of even this small corpus.
    monkeypatch.setattr(ingest, "FILES_PER_TASK", 1)


def test_two_processes_write_the_same_files_byte_for_byte_as_one(corpus, tmp_path, small_tasks):
    one = ingested(corpus, tmp_path / "one", jobs=1)
    two = ingested(corpus, tmp_path / "two", jobs=2)
    for name in ("ingested.parquet", "ingest_rejects.parquet"):
        assert digest(tmp_path / "one" / name) == digest(tmp_path / "two" / name)
    assert (one.documents, one.files, one.article_count) == (two.documents, two.files, two.article_count) == (14, 11, 10)


def test_small_batches_give_the_same_table_in_more_row_groups(corpus, tmp_path, small_tasks):
    whole = ingested(corpus, tmp_path / "whole", jobs=1)
    batched = ingested(corpus, tmp_path / "batched", jobs=2, batch_articles=2)
    assert pq.ParquetFile(tmp_path / "whole" / "ingested.parquet").num_row_groups == 1
    # 10 articles, about 2 a group (a group ends where an article id says, `stable_batches`), never more than 4
    groups = pq.ParquetFile(tmp_path / "batched" / "ingested.parquet").metadata
    assert groups.num_row_groups >= 3
    assert max(groups.row_group(group).num_rows for group in range(groups.num_row_groups)) <= 4
    assert batched.articles.equals(whole.articles)
    assert batched.rejects.equals(whole.rejects)
    assert digest(tmp_path / "batched" / "ingest_rejects.parquet") == digest(tmp_path / "whole" / "ingest_rejects.parquet")


def test_a_copy_whose_original_is_in_another_batch_is_still_marked(corpus, tmp_path, small_tasks):
    articles = ingested(corpus, tmp_path / "out", jobs=2, batch_articles=1).articles.set_index("article_id")
    assert articles.loc["07_copy", "copy_of"] == "01"
    assert articles.loc["08_again", "duplicate_of"] == "02"
    # The wire copy was published before the report it copies, so the report is the copy.
    assert articles.loc["04", "copy_of"] == "09_wire.jsonl:w1"
    assert articles["copy_of"].notna().sum() == 2 and articles["duplicate_of"].notna().sum() == 1


def test_what_run_returns_is_what_it_wrote(corpus, tmp_path, small_tasks):
    result = ingested(corpus, tmp_path / "out", jobs=2, batch_articles=3)
    assert result.rejects.equals(read_table(tmp_path / "out" / "ingest_rejects.parquet", "rejects"))
    assert result.article_count == len(result.articles) == 10
    assert sorted(result.rejects["check_id"]) == ["ingest.binary", "ingest.empty", "ingest.malformed_json",
                                                  "ingest.not_a_record"]


def test_the_scratch_files_are_gone_after_the_stage(corpus, tmp_path, small_tasks):
    ingested(corpus, tmp_path / "out", jobs=2, batch_articles=2)
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["ingest_rejects.parquet", "ingested.parquet"]


def test_the_same_articles_in_memory_as_on_disk(corpus, tmp_path):
    entries = [(entry[0], entry[1], entry[2]) for entry in ingest.input_entries(corpus)]
    in_memory = ingest.parse_documents(entries)
    on_disk = ingested(corpus, tmp_path / "out", jobs=1)
    assert in_memory.articles.equals(on_disk.articles)
    assert in_memory.rejects.equals(on_disk.rejects)


def test_a_batch_of_no_articles_is_refused_by_name(corpus, tmp_path):
    with pytest.raises(ValueError, match="ingest.batch_articles must be at least 1"):
        ingested(corpus, tmp_path / "out", batch_articles=0)


def test_the_ingest_command_takes_jobs(corpus, tmp_path, small_tasks, capsys):
    assert cli.main(["ingest", "--raw", str(corpus), "--interim", str(tmp_path / "cli"), "--jobs", "2"]) == 0
    assert "14 documents in 11 files = 10 articles + 4 rejected" in capsys.readouterr().out
    ingested(corpus, tmp_path / "direct", jobs=1)
    assert digest(tmp_path / "cli" / "ingested.parquet") == digest(tmp_path / "direct" / "ingested.parquet")
