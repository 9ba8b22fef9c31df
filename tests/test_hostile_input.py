"""Hostile input: no string breaks the extractor, no bytes break a reader.

Readers catch anything unexpected as an `ingest.reader_failed` reject so the build
goes on; these tests also require that no input ever gets that far.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from etl.extract import extract_article
from etl.readers import Document, Options, Reject, read_file

# Every code point, control characters and lone surrogates included.
ANY_CHARACTER = st.characters(codec=None, categories=None)
NEWS = ["Armed officers shot a man in Croydon on Tuesday.", " date 2023-11-24 Police shooting\n", "aged 34",
        "The IOPC said.", "shortly before 21:00", "\n\n", "Metropolitan Police", "a knife was recovered",
        "on Thursday night", "fired two shots", "Taser", "£", "\u2028", "\r\n", "\x00", "🚓"]
# Arbitrary text laced with fragments that wake the extractor's rules.
ARTICLE = st.lists(st.one_of(st.sampled_from(NEWS), st.text(ANY_CHARACTER, max_size=40)), max_size=60).map("".join)
PUBLISHED = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
SUFFIXES = [".txt", ".html", ".jsonl", ".csv", ".txt.gz", ".jsonl.gz", ".csv.gz", ".pdf", ""]
MB = 1024 * 1024


def assert_extracted(article_id: str, text: str, fields: dict, evidence: list[dict]) -> None:
    assert fields["article_id"] == article_id and isinstance(fields["relevant"], bool)
    for row in evidence:
        assert 0 <= row["start"] <= row["end"] <= len(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARTICLE, published=PUBLISHED)
def test_the_extractor_never_raises_on_any_string(text, published):
    fields, evidence = extract_article("a", text, published, 3.0)
    assert_extracted("a", text, fields, evidence)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(piece=st.text(ANY_CHARACTER, min_size=1, max_size=30), times=st.integers(1_000, 4_000), published=PUBLISHED)
def test_the_extractor_never_raises_on_huge_lines(piece, times, published):
    text = piece.replace("\n", " ") * times
    fields, evidence = extract_article("a", text, published, 3.0)
    assert_extracted("a", text, fields, evidence)


def test_the_extractor_reads_a_10_mb_article_without_raising():
    # One line, no sentence breaks: the cheapest 10 MB shape (realistic 10 MB prose takes
    # minutes, which is why ingest.max_article_mb keeps such files out of a build).
    text = "armed" * (10 * MB // 5)
    fields, evidence = extract_article("big", text, dt.date(2023, 1, 1), 3.0)
    assert_extracted("big", text, fields, evidence)
    assert fields["relevant"] is False


def assert_read(items: list) -> None:
    assert items, "a file always yields a document or a reject"
    for item in items:
        assert isinstance(item, (Document, Reject))
        if isinstance(item, Reject):
            assert item.check_id != "ingest.reader_failed", item.reason
            assert item.reason.startswith(item.source_path)


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=2_000), suffix=st.sampled_from(SUFFIXES))
def test_readers_never_raise_on_any_bytes(content, suffix):
    assert_read(read_file(f"input{suffix}", content, Options()))


@settings(max_examples=150, deadline=None)
@given(text=ARTICLE, suffix=st.sampled_from(SUFFIXES))
def test_readers_never_raise_on_any_text(text, suffix):
    content = text.encode("utf-8", "surrogatepass")
    if suffix.endswith(".gz"):
        content = gzip.compress(content)
    assert_read(read_file(f"input{suffix}", content, Options()))


RECORD = st.fixed_dictionaries({"text": st.one_of(ARTICLE, st.none(), st.integers(), st.lists(st.text(max_size=10)))},
                               optional={"title": st.text(ANY_CHARACTER, max_size=20),
                                         "published": st.one_of(st.text(ANY_CHARACTER, max_size=30), st.integers()),
                                         "url": st.text(max_size=20), "id": st.text(max_size=5)})
LINE = st.one_of(RECORD.map(json.dumps), st.text(ANY_CHARACTER, max_size=60).map(lambda line: line.replace("\n", " ")))


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=20))
def test_every_jsonl_line_is_one_document_or_one_rejected_document(lines):
    content = "\n".join(lines).encode("utf-8", "surrogatepass")
    items = read_file("export.jsonl", content, Options())
    assert_read(items)
    decided = [item for item in items if isinstance(item, Document) or item.severity == "error"]
    if len(decided) == 1 and decided[0].record is None:
        return  # the whole file was rejected (empty, binary, undecodable): one document
    records = [line for line in content.decode("utf-8", "replace").split("\n") if line.strip()]
    assert len(decided) == len(records)


def test_10_mb_files_of_every_format_are_read_or_rejected_as_too_large():
    text = "Police fired a shot. " * (10 * MB // 21)
    files = {
        "big.txt": text.encode(),
        "big.html": f"<html><body><article><p>{text}</p></article></body></html>".encode(),
        "big.jsonl": (json.dumps({"text": text}) + "\n").encode(),
        "big.csv": ("text\n" + text + "\n").encode(),
    }
    for name, content in files.items():
        items = read_file(name, content, Options())  # the default 1 MB article limit
        assert [(item.check_id, item.severity) for item in items] == [("ingest.too_large", "error")], name
        assert "above the 1 MB limit ingest.max_article_mb" in items[0].reason
    for name in ("big.txt", "big.jsonl", "big.csv"):
        items = read_file(name, files[name], Options(max_article_mb=20))
        assert [type(item) for item in items] == [Document], name
