"""Ingest: every file becomes an article or a reject with a reason a user can act on."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl import ingest
from etl.tables import read_table


def write(path, content: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_the_dateline_gives_published_date_and_headline(tmp_path):
    write(tmp_path / "raw" / "a.txt", b" date 2023-11-24 Man shot by police\n\nOfficers fired two shots.")
    articles, rejects = ingest.run(tmp_path / "raw", tmp_path / "interim")
    row = articles.iloc[0]
    assert row["article_id"] == "a"
    assert row["published_date"] == dt.date(2023, 11, 24)
    assert row["headline"] == "Man shot by police"
    assert "Officers fired two shots." in row["text"]
    assert rejects.empty


def test_an_article_without_dateline_has_no_published_date(tmp_path):
    write(tmp_path / "raw" / "b.txt", b"A man has died in a police shooting.")
    articles, _ = ingest.run(tmp_path / "raw", tmp_path / "interim")
    assert articles.iloc[0]["published_date"] is None
    assert pd.isna(articles.iloc[0]["headline"])


def test_tables_are_written_and_read_back(tmp_path):
    write(tmp_path / "raw" / "sub" / "c.txt", " date 2021-12-11 Headline\nBody".encode())
    ingest.run(tmp_path / "raw", tmp_path / "interim")
    articles = read_table(tmp_path / "interim" / "ingested.parquet", "ingested")
    assert list(articles["source_path"]) == ["sub/c.txt"]
    assert articles.iloc[0]["sha256"] == __import__("hashlib").sha256(b" date 2021-12-11 Headline\nBody").hexdigest()


@pytest.mark.parametrize("name, content, check_id, words", [
    ("empty.txt", b"", "ingest.empty", "empty"),
    ("blank.txt", b"  \n\n ", "ingest.empty", "empty"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "ingest.binary", "binary"),
    ("notes.pdf", b"%PDF-1.4 some text", "ingest.unsupported_format", "unsupported file type '.pdf'"),
])
def test_unusable_files_are_rejected_with_the_reason(tmp_path, name, content, check_id, words):
    write(tmp_path / "raw" / "good.txt", b"Police fired a shot.")
    write(tmp_path / "raw" / name, content)
    articles, rejects = ingest.run(tmp_path / "raw", tmp_path / "interim")
    assert list(articles["article_id"]) == ["good"]
    reject = rejects.iloc[0]
    assert (reject["source_path"], reject["check_id"], reject["severity"]) == (name, check_id, "error")
    assert name in reject["reason"] and words in reject["reason"]


def test_a_latin1_file_is_read_with_the_fallback_and_flagged(tmp_path):
    write(tmp_path / "raw" / "latin.txt", "Café owner said armed officers arrived at 9pm.".encode("latin-1"))
    articles, rejects = ingest.run(tmp_path / "raw", tmp_path / "interim")
    assert articles.iloc[0]["text"].startswith("Café owner")
    assert articles.iloc[0]["encoding"] == "cp1252"
    assert (rejects.iloc[0]["check_id"], rejects.iloc[0]["severity"]) == ("ingest.not_utf8", "warning")
    assert "latin.txt" in rejects.iloc[0]["reason"] and "UTF-8" in rejects.iloc[0]["reason"]


def test_an_unreadable_file_is_rejected(tmp_path):
    articles, rejects = ingest.parse_documents([("locked.txt", PermissionError(13, "Permission denied"))])
    assert articles.empty
    assert rejects.iloc[0]["check_id"] == "ingest.unreadable"
    assert "Permission denied" in rejects.iloc[0]["reason"]


def test_the_same_file_name_in_two_folders_gives_two_articles(tmp_path):
    write(tmp_path / "raw" / "a" / "x.txt", b"first")
    write(tmp_path / "raw" / "b" / "x.txt", b"second")
    articles, rejects = ingest.run(tmp_path / "raw", tmp_path / "interim")
    assert list(articles["article_id"]) == ["a/x", "b/x"]
    assert list(articles["source_path"]) == ["a/x.txt", "b/x.txt"]
    assert rejects.empty


def test_an_impossible_dateline_date_is_flagged_not_fatal(tmp_path):
    write(tmp_path / "raw" / "d.txt", b" date 2023-02-30 Headline\nBody")
    articles, rejects = ingest.run(tmp_path / "raw", tmp_path / "interim")
    assert articles.iloc[0]["published_date"] is None
    assert rejects.iloc[0]["check_id"] == "ingest.bad_dateline"


def test_an_empty_raw_folder_is_a_clear_error(tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(ingest.EmptyCorpusError, match="holds no article files"):
        ingest.run(tmp_path / "raw", tmp_path / "interim")


def test_hidden_files_are_not_articles(tmp_path):
    write(tmp_path / "raw" / ".DS_Store", b"\x00\x01")
    write(tmp_path / "raw" / "a.txt", b"text")
    articles, rejects = ingest.run(tmp_path / "raw", tmp_path / "interim")
    assert list(articles["article_id"]) == ["a"] and rejects.empty
