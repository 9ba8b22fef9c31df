"""Readers: HTML pages, JSONL and CSV exports and gzip, read from real files into articles or rejects."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import pickle

import pandas as pd
import pytest

from etl import ingest
from etl.readers import JSON_NESTING, Refused, json_record
from etl.tables import read_table

STORY = ("Armed officers shot a man in Barking on Thursday night, the Metropolitan Police said. "
         "He died at the scene. The IOPC has been informed.")

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Man shot dead by police in Barking | East London Echo</title>
<meta property="og:site_name" content="East London Echo">
<meta property="og:title" content="Man shot dead by police in Barking">
<meta property="article:published_time" content="2023-11-24T09:30:00+00:00">
<link rel="canonical" href="https://echo.example/news/barking-shooting">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article><h1>Man shot dead by police in Barking</h1>
<p>{story}</p>
<p>A cordon remained in place on Friday morning while forensic officers examined the scene, and residents
were asked to avoid the area.</p>
</article>
<footer>Copyright 2023 East London Echo. All rights reserved.</footer>
</body></html>"""


def write(path, content: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def ingest_folder(tmp_path, params=None):
    result = ingest.run(tmp_path / "raw", tmp_path / "interim", params)
    assert result.documents == len(result.articles) + int((result.rejects["severity"] == "error").sum())
    return result


def jsonl(*records) -> bytes:
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records).encode()


# --- HTML ----------------------------------------------------------------------------

def test_an_html_page_gives_its_main_text_headline_date_outlet_and_url(tmp_path):
    write(tmp_path / "raw" / "echo-barking.html", PAGE.format(story=STORY).encode())
    result = ingest_folder(tmp_path)
    row = result.articles.iloc[0]
    assert row["article_id"] == "echo-barking.html"  # other formats than .txt keep their suffix
    assert row["published_date"] == dt.date(2023, 11, 24)
    assert row["headline"] == "Man shot dead by police in Barking"
    assert row["outlet"] == "East London Echo"
    assert row["url"] == "https://echo.example/news/barking-shooting"
    assert STORY in row["text"]
    assert "Sport" not in row["text"] and "Copyright" not in row["text"]  # navigation and footer are not the article
    assert result.rejects.empty


def test_an_html_page_with_only_markup_is_rejected_as_empty(tmp_path):
    write(tmp_path / "raw" / "blank.htm", b"<html><head><script>var x = 1;</script></head><body><nav></nav></body></html>")
    result = ingest_folder(tmp_path)
    assert result.articles.empty
    reject = result.rejects.iloc[0]
    assert (reject["source_path"], reject["check_id"], reject["severity"]) == ("blank.htm", "ingest.empty", "error")
    assert "no article text" in reject["reason"]


# --- JSONL ---------------------------------------------------------------------------

def test_jsonl_records_become_articles_and_a_broken_line_is_rejected_with_its_number(tmp_path):
    write(tmp_path / "raw" / "scrape.jsonl", jsonl(
        {"url": "https://a.example/1", "title": "Police shoot man", "published_at": "2023-11-24T10:00:00Z",
         "text": STORY, "source": {"id": "echo", "name": "East London Echo"}},
        '{"url": "https://a.example/2", "title": "Broken", "text": "unterminated',
        {"link": "https://a.example/3", "headline": "Second story", "date": "Fri, 24 Nov 2023 18:00:00 GMT",
         "body": "Officers used a Taser on a man in Leeds."},
    ))
    result = ingest_folder(tmp_path)
    assert list(result.articles["article_id"]) == ["scrape.jsonl:1", "scrape.jsonl:3"]
    first, second = result.articles.to_dict("records")
    assert (first["url"], first["headline"], first["outlet"]) == ("https://a.example/1", "Police shoot man", "East London Echo")
    assert first["published_date"] == dt.date(2023, 11, 24) and first["text"] == STORY
    assert (second["url"], second["published_date"]) == ("https://a.example/3", dt.date(2023, 11, 24))
    reject = result.rejects.iloc[0]
    assert (reject["source_path"], reject["row_key"], reject["check_id"]) == ("scrape.jsonl", "line 2", "ingest.malformed_json")
    assert "malformed JSON on line 2" in reject["reason"] and "scrape.jsonl" in reject["reason"]
    assert result.documents == 3


def test_jsonl_records_use_their_own_id_and_a_repeated_id_keeps_its_record_with_the_line_added(tmp_path):
    write(tmp_path / "raw" / "feed.jsonl", jsonl({"id": "abc", "text": "one"}, {"id": "abc", "text": "two"}, {"id": 7, "text": "three"}))
    result = ingest_folder(tmp_path)
    assert list(result.articles["article_id"]) == ["feed.jsonl:abc", "feed.jsonl:abc@2", "feed.jsonl:7"]
    reject = result.rejects.iloc[0]
    assert (reject["row_key"], reject["check_id"], reject["severity"]) == ("line 2", "ingest.duplicate_record_id", "warning")
    assert "'feed.jsonl:abc@2'" in reject["reason"] and "give the records distinct ids" in reject["reason"]


@pytest.mark.parametrize("line, check_id, words", [
    ('{"title": "No text here", "url": "https://x.example"}', "ingest.missing_text_column", "has no text field"),
    ('{"text": "   "}', "ingest.empty", "empty"),
    ('["a", "list"]', "ingest.not_a_record", "is a JSON list"),
    ('{"text": "ok", "published": "not a date at all"}', "ingest.bad_published_date", "not a date we can read"),
])
def test_bad_jsonl_records_are_rejected_or_flagged_with_the_reason(tmp_path, line, check_id, words):
    write(tmp_path / "raw" / "x.jsonl", jsonl({"text": "A good record."}, line))
    result = ingest_folder(tmp_path)
    reject = result.rejects.iloc[0]
    assert (reject["source_path"], reject["row_key"], reject["check_id"]) == ("x.jsonl", "line 2", check_id)
    assert words in reject["reason"]
    flagged_only = reject["severity"] == "warning"
    assert len(result.articles) == (2 if flagged_only else 1)


# --- CSV -----------------------------------------------------------------------------

def test_csv_rows_with_quoted_newlines_are_one_article_each(tmp_path):
    write(tmp_path / "raw" / "archive.csv", (
        'Headline,Link,Publish Date,Body,Publisher\r\n'
        '"Man shot, police say",https://b.example/1,24/11/2023,"First paragraph.\r\n\r\nSecond paragraph, with ""quotes"".",Echo\r\n'
        'Taser used,https://b.example/2,2023-11-25,Officers used a Taser.,Gazette\r\n'
        '\r\n'
    ).encode())
    result = ingest_folder(tmp_path)
    rows = result.articles.to_dict("records")
    assert [row["article_id"] for row in rows] == ["archive.csv:1", "archive.csv:2"]
    assert rows[0]["text"] == 'First paragraph.\n\nSecond paragraph, with "quotes".'
    assert (rows[0]["headline"], rows[0]["url"], rows[0]["outlet"]) == ("Man shot, police say", "https://b.example/1", "Echo")
    assert rows[0]["published_date"] == dt.date(2023, 11, 24)  # day first, as written in the UK
    assert rows[1]["published_date"] == dt.date(2023, 11, 25)
    assert result.rejects.empty and result.documents == 2


def test_a_csv_without_a_text_column_is_rejected_naming_its_columns(tmp_path):
    write(tmp_path / "raw" / "links.csv", b"title,url\nA story,https://c.example/1\n")
    result = ingest_folder(tmp_path)
    reject = result.rejects.iloc[0]
    assert (reject["source_path"], reject["check_id"]) == ("links.csv", "ingest.missing_text_column")
    assert pd.isna(reject["row_key"])  # the whole file
    assert "title, url" in reject["reason"] and "ingest.columns.text in params.yaml" in reject["reason"]


def test_params_name_the_columns_of_an_unusual_export(tmp_path):
    write(tmp_path / "raw" / "odd.csv", b"story_id,copy,when,where_from\nS1,Police fired two shots.,2023-01-02,Echo\n")
    params = {"columns": {"id": "story_id", "text": "copy", "published": "when", "outlet": "where_from"}}
    row = ingest_folder(tmp_path, params).articles.iloc[0]
    assert (row["article_id"], row["text"], row["published_date"], row["outlet"]) == (
        "odd.csv:S1", "Police fired two shots.", dt.date(2023, 1, 2), "Echo")


def test_an_unknown_column_field_in_params_is_a_clear_error(tmp_path):
    write(tmp_path / "raw" / "a.txt", b"text")
    with pytest.raises(ValueError, match="unknown ingest.columns field"):
        ingest.run(tmp_path / "raw", tmp_path / "interim", {"columns": {"body": "text"}})


# --- gzip ----------------------------------------------------------------------------

def test_gzipped_files_of_every_format_are_read_like_the_originals(tmp_path):
    write(tmp_path / "raw" / "plain.txt.gz", gzip.compress(b" date 2023-11-24 Headline\nPolice fired a shot."))
    write(tmp_path / "raw" / "page.html.gz", gzip.compress(PAGE.format(story=STORY).encode()))
    write(tmp_path / "raw" / "feed.jsonl.gz", gzip.compress(jsonl({"text": "one"}, {"text": "two"})))
    write(tmp_path / "raw" / "table.csv.gz", gzip.compress(b"text\nthree\n"))
    result = ingest_folder(tmp_path)
    articles = result.articles.set_index("article_id")
    assert sorted(articles.index) == ["feed.jsonl.gz:1", "feed.jsonl.gz:2", "page.html.gz", "plain", "table.csv.gz:1"]
    assert articles.loc["plain", "published_date"] == dt.date(2023, 11, 24)
    assert articles.loc["plain", "source_path"] == "plain.txt.gz"
    assert articles.loc["page.html.gz", "headline"] == "Man shot dead by police in Barking"
    assert result.rejects.empty


def test_a_corrupt_gzip_file_is_rejected(tmp_path):
    write(tmp_path / "raw" / "bad.txt.gz", gzip.compress(b"some text")[:12])
    write(tmp_path / "raw" / "notgzip.csv.gz", b"text\nplain, not compressed\n")
    result = ingest_folder(tmp_path)
    assert result.articles.empty
    assert list(result.rejects["check_id"]) == ["ingest.bad_gzip", "ingest.bad_gzip"]
    assert all("not a readable gzip file" in reason for reason in result.rejects["reason"])


# --- limits and encodings ------------------------------------------------------------

def test_an_article_above_the_size_limit_is_rejected_as_too_large(tmp_path):
    write(tmp_path / "raw" / "huge.txt", b"Police. " * 200_000)  # 1.6 MB
    write(tmp_path / "raw" / "feed.jsonl", jsonl({"text": "small"}, {"text": "x" * 300_000}))
    result = ingest_folder(tmp_path, {"max_article_mb": 0.25})
    assert list(result.articles["article_id"]) == ["feed.jsonl:1"]
    rejects = result.rejects.set_index("source_path")
    assert rejects.loc["huge.txt", "check_id"] == "ingest.too_large"
    assert "1.5 MB, above the 0.25 MB limit ingest.max_article_mb" in rejects.loc["huge.txt", "reason"]
    assert (rejects.loc["feed.jsonl", "check_id"], rejects.loc["feed.jsonl", "row_key"]) == ("ingest.too_large", "line 2")


def test_a_file_above_the_file_limit_is_not_read(tmp_path):
    write(tmp_path / "raw" / "dump.jsonl", jsonl(*({"text": "x" * 1000} for _ in range(2000))))  # about 2 MB
    result = ingest_folder(tmp_path, {"max_file_mb": 1})
    assert result.articles.empty
    reject = result.rejects.iloc[0]
    assert reject["check_id"] == "ingest.too_large" and "too large" in reject["reason"] and "max_file_mb" in reject["reason"]


def test_a_gzip_bomb_stops_at_the_file_limit(tmp_path):
    write(tmp_path / "raw" / "bomb.txt.gz", gzip.compress(b"a" * (3 * 1024 * 1024)))
    reject = ingest_folder(tmp_path, {"max_file_mb": 1}).rejects.iloc[0]
    assert reject["check_id"] == "ingest.too_large" and "uncompressed file" in reject["reason"]


def test_text_in_no_known_encoding_is_rejected_as_undecodable(tmp_path):
    write(tmp_path / "raw" / "garbage.txt", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x41]) * 50)
    reject = ingest_folder(tmp_path).rejects.iloc[0]
    assert (reject["check_id"], reject["severity"]) == ("ingest.undecodable", "error")
    assert "undecodable" in reject["reason"] and "re-save the file as UTF-8" in reject["reason"]


def test_utf16_with_a_byte_order_mark_is_read_and_flagged(tmp_path):
    write(tmp_path / "raw" / "windows.txt", "Police fired one shot in Brent.".encode("utf-16"))
    result = ingest_folder(tmp_path)
    assert result.articles.iloc[0]["text"] == "Police fired one shot in Brent."
    assert result.rejects.iloc[0]["check_id"] == "ingest.not_utf8"


def test_the_new_columns_are_written_to_the_ingested_table(tmp_path):
    write(tmp_path / "raw" / "page.html", PAGE.format(story=STORY).encode())
    ingest_folder(tmp_path)
    back = read_table(tmp_path / "interim" / "ingested.parquet", "ingested")
    assert back.iloc[0]["outlet"] == "East London Echo"
    assert {"url", "duplicate_of", "copy_of"} <= set(back.columns)


@pytest.mark.parametrize("name, content", [
    ("breaks.jsonl", "\u2028\n\u2029\n".encode()),
    ("header_only.csv", b"url,title,text\n"),
])
def test_an_export_with_no_records_is_one_empty_reject(tmp_path, name, content):
    write(tmp_path / "raw" / name, content)
    result = ingest_folder(tmp_path)
    assert result.articles.empty
    assert list(result.rejects["check_id"]) == ["ingest.empty"]
    assert name in result.rejects.iloc[0]["reason"]


def test_an_entry_refused_before_reading_crosses_to_a_worker_process_whole():
    refused = pickle.loads(pickle.dumps(Refused("ingest.not_a_file", "a named pipe (FIFO), not a file; not read")))
    assert (refused.check_id, refused.message) == ("ingest.not_a_file", "a named pipe (FIFO), not a file; not read")


def test_a_deeply_nested_record_is_read_the_same_at_any_call_depth():
    nested = "[" * (JSON_NESTING - 50) + "]" * (JSON_NESTING - 50)

    def deeper(levels: int):
        return deeper(levels - 1) if levels else json_record(nested)

    assert deeper(0) == deeper(300)
    with pytest.raises(RecursionError):
        json_record("[" * (JSON_NESTING + 50) + "]" * (JSON_NESTING + 50))


def test_a_file_read_to_the_size_its_stat_gave_is_what_a_read_to_the_limit_gives_even_if_it_changed():
    from etl.readers import read_at_most

    data = bytes(range(60))
    for stated in (0, 10, 59, 60, 80):  # (the stat said fewer bytes than it holds, as many, or more)
        for limit in {stated, 60, 100}:
            if limit >= stated:
                assert read_at_most(io.BytesIO(data), stated, limit) == data[:limit + 1], (stated, limit)


def test_names_suffixes_and_ids_are_cut_from_paths_as_pathlib_cuts_them():
    import random
    from pathlib import PurePosixPath

    from etl.readers import GZIP_SUFFIX, ID_MARKERS, document_id, inner_suffix, posix_name

    def pathlib_suffix(name):  # (inner_suffix as it was written with PurePosixPath)
        path = PurePosixPath(name.lower())
        if path.suffix == GZIP_SUFFIX:
            path = path.with_suffix("")
        return path.suffix

    def pathlib_id(source_path):  # (document_id as it was written with PurePosixPath)
        lower = source_path.lower()
        for ending in (".txt", ".txt" + GZIP_SUFFIX):
            stem = source_path[:-len(ending)]
            if lower.endswith(ending) and PurePosixPath(stem).name:
                last = PurePosixPath(stem).name
                return source_path if ":" in last or last.lower().endswith(ID_MARKERS) else stem
        return source_path

    generator = random.Random(5)
    pieces = ["/", "//", ".", "..", "a", "B", ":", "\\", " ", "é", ".gz", ".GZ", ".txt", ".TXT", ".html", ".jsonl", "x.csv"]
    paths = ["", "/", ".", "a.txt", "a/.txt", "a/b.txt.gz", ".txt", "a/./", "story.html.txt", "x:1.txt", "..gz", "a.gz"]
    paths += ["".join(generator.choice(pieces) for _ in range(generator.randint(1, 8))) for _ in range(5000)]
    for path in paths:
        assert posix_name(path) == PurePosixPath(path).name, path
        assert inner_suffix(path) == pathlib_suffix(path), path
        assert document_id(path) == pathlib_id(path), path
