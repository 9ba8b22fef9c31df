"""Every format and every bad input through a whole build: nothing lost, nothing counted twice."""
from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from conftest import SAMPLE
from etl import build as build_module, extract, params
from etl.build import LostDocumentsError, build
from etl.cli import main
from test_readers import PAGE

STORY = (SAMPLE / sorted(path.name for path in SAMPLE.glob("*.txt"))[0]).read_text()


def assert_nothing_lost(out, summary) -> None:
    """documents read = articles rows + rejected documents, in the published files themselves."""
    articles = pd.read_parquet(out / "articles.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert summary.documents == len(articles) + build_module.documents_rejected(rejects)
    assert (summary.articles, summary.rejected) == (len(articles), build_module.documents_rejected(rejects))


@pytest.fixture
def mixed_raw(raw_copy):
    """The sample corpus plus one file of each format, a repeat, a copy and the usual bad inputs."""
    body = STORY.split("\n", 1)[1]
    (raw_copy / "page.html").write_text(PAGE.format(story=body.replace("\n", " ")))
    (raw_copy / "export.jsonl").write_text("\n".join([
        json.dumps({"id": "r1", "title": "Repeat", "published": "2023-11-25", "text": STORY}),  # the same text as a .txt
        '{"text": "broken',
        json.dumps({"title": "no text"}),
    ]) + "\n")
    (raw_copy / "archive.csv").write_text('title,body\n"Copy","Syndicated.\n\n' + body.replace('"', '""') + ' More."\n')
    (raw_copy / "feed.jsonl.gz").write_bytes(gzip.compress(json.dumps({"text": "Nothing about police here."}).encode()))
    (raw_copy / "empty.txt").write_bytes(b"")
    (raw_copy / "image.txt").write_bytes(bytes(range(256)))
    (raw_copy / "notes.pdf").write_bytes(b"%PDF-1.4")
    return raw_copy


def test_a_mixed_folder_builds_and_accounts_for_every_document(mixed_raw, tmp_path):
    summary = build(mixed_raw, tmp_path / "out", params.load(None))
    assert_nothing_lost(tmp_path / "out", summary)
    assert (summary.files, summary.documents) == (5 + 7, 5 + 1 + 3 + 1 + 1 + 3)
    assert (summary.articles, summary.rejected) == (5 + 1 + 1 + 1 + 1, 5)
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet").set_index("article_id")
    first = sorted(path.stem for path in SAMPLE.glob("*.txt"))[0]
    assert articles.loc["export.jsonl:r1", "duplicate_of"] == first
    assert articles.loc["archive.csv:1", "copy_of"] in (first, "page.html")
    assert articles.loc["page.html", "outlet"] == "East London Echo"
    assert (summary.duplicates, summary.copies) == (1, int(articles["copy_of"].notna().sum()))
    rejects = pd.read_parquet(tmp_path / "out" / "rejects.parquet")
    reasons = dict(zip(rejects["source_path"] + " " + rejects["row_key"].fillna(""), rejects["check_id"]))
    assert reasons == {"export.jsonl line 2": "ingest.malformed_json", "export.jsonl line 3": "ingest.missing_text_column",
                       "empty.txt ": "ingest.empty", "image.txt ": "ingest.binary", "notes.pdf ": "ingest.unsupported_format"}


def test_the_summary_line_states_the_invariant(mixed_raw, tmp_path, capsys):
    assert main(["build", "--raw", str(mixed_raw), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "read 14 documents in 12 files = 9 articles (" in captured.out and "+ 5 rejected; 1 duplicates" in captured.out
    # Not a terminal: plain progress lines with the counts, no bar.
    assert "uofdb extract: 9/9 articles: 14 read," in captured.err and "5 rejected" in captured.err


def test_a_build_that_loses_a_document_publishes_nothing(raw_copy, tmp_path, monkeypatch):
    real = build_module.validate.run

    def losing_one(interim, out_dir):
        tables = real(interim, out_dir)
        tables["articles"] = tables["articles"].iloc[1:]
        return tables

    monkeypatch.setattr(build_module.validate, "run", losing_one)
    with pytest.raises(LostDocumentsError, match="read 5 documents but have 4 articles"):
        build(raw_copy, tmp_path / "out", params.load(None))
    assert not (tmp_path / "out").exists()


def test_build_extracts_exactly_what_the_extract_stage_writes(mixed_raw, tmp_path):
    build(mixed_raw, tmp_path / "out", params.load(None), interim=tmp_path / "built")
    extract.run(tmp_path / "built" / "ingested.parquet", tmp_path / "staged", params.load(None)["extract"]["relevance_threshold"])
    for name in ("extractions.parquet", "evidence.parquet"):
        assert (tmp_path / "built" / name).read_bytes() == (tmp_path / "staged" / name).read_bytes(), name
