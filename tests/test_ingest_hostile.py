"""Issue 9, ingest side: no input ends the build, no document is lost to its name, every reject names
the file, the record and the problem, memory stays bounded, and no published date reads the clock.

Every test writes real files and checks documents read = articles + error rejects.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from etl import ingest, params
from etl.build import build, documents_rejected
from etl.cli import main
from etl.readers import Document, Options, Reject, document_id, parse_published, read_file
from etl.tables import write_table

STORY = "Armed officers shot a man in Croydon on Tuesday, the Metropolitan Police said. The IOPC was told."
MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def jsonl(*records) -> str:
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records)


def ingest_folder(raw: Path, out: Path, settings_: dict | None = None) -> ingest.Ingested:
    result = ingest.run(raw, out, settings_)
    errors = int((result.rejects["severity"] == "error").sum())
    assert result.documents == len(result.articles) + errors  # nothing lost, nothing counted twice
    return result


def reasons(result: ingest.Ingested) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(source_path, row_key) -> (check_id, severity, reason) of every reject."""
    rows = result.rejects.astype(object).where(result.rejects.notna(), "")
    return {(row["source_path"], row["row_key"]): (row["check_id"], row["severity"], row["reason"])
            for row in rows.to_dict("records")}


def assert_nothing_lost(out: Path, summary) -> None:
    articles = pd.read_parquet(out / "articles.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert summary.documents == len(articles) + documents_rejected(rejects)


# --- 1. no input stops the build -------------------------------------------------------

def test_out_of_range_dates_surrogates_and_non_utf8_names_build_and_are_flagged(tmp_path):
    raw = tmp_path / "raw"
    write(raw / "zero.jsonl", jsonl({"id": "z", "published": "0001-01-01T00:00:00Z", "text": STORY + " yesterday"},
                                    {"id": "far", "published": "9999-12-31", "text": STORY + " Far."}))
    write(raw / "old.txt", " date 0001-01-01 Shot yesterday\n\n" + STORY + " It happened yesterday.")
    write(raw / "surrogates.jsonl", '{"id": "s\\udc00", "title": "T\\ud800", "text": "Armed police shot \\ud800 a man."}\n')
    write(Path(os.fsdecode(bytes(raw) + b"/caf\xe9.txt")), STORY)
    summary = build(raw, tmp_path / "out", params.load(None))
    assert_nothing_lost(tmp_path / "out", summary)
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet").set_index("article_id")
    assert set(articles.index) == {"zero.jsonl:z", "zero.jsonl:far", "old", "surrogates.jsonl:s\ufffd", "caf\\xe9"}
    assert articles["published_date"].isna().all()
    assert articles.loc["surrogates.jsonl:s\ufffd", "text"] == "Armed police shot \ufffd a man."
    assert articles.loc["surrogates.jsonl:s\ufffd", "headline"] == "T\ufffd"
    assert articles.loc["caf\\xe9", "source_path"] == "caf\\xe9.txt"
    rejects = pd.read_parquet(tmp_path / "out" / "rejects.parquet")
    flagged = dict(zip(rejects["source_path"] + " " + rejects["row_key"].fillna(""), rejects["check_id"]))
    assert flagged == {"zero.jsonl line 1": "ingest.bad_published_date", "zero.jsonl line 2": "ingest.bad_published_date",
                       "old.txt ": "ingest.bad_dateline", "surrogates.jsonl line 1": "ingest.invalid_unicode",
                       "caf\\xe9.txt ": "ingest.file_name"}
    assert (rejects["severity"] == "warning").all()
    assert rejects["reason"].str.contains("outside the years 1900 to 2099").sum() == 3


YEAR_DATES = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
DATE_FORMATS = ["{d.year:04d}-{d.month:02d}-{d.day:02d}", "{d.year:04d}-{d.month:02d}-{d.day:02d}T00:00:00Z",
                "{d.day} {d:%B} {d.year:04d}", "{d.day}/{d.month}/{d.year:04d}",
                "{d:%a}, {d.day:02d} {d:%b} {d.year:04d} 10:00:00 GMT", "{d:%B} {d.day}, {d.year:04d}"]


@settings(max_examples=300, deadline=None)
@given(date=YEAR_DATES, form=st.sampled_from(DATE_FORMATS))
def test_published_dates_from_year_1_to_9999_are_read_or_flagged_never_raised(date, form):
    published, problem = parse_published(form.format(d=date))
    if published is None:
        assert problem and "published_date left empty" in problem
    else:
        assert 1900 <= published.year <= 2099 and problem is None
        assert published == date


# Any code point, lone surrogates included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(ANY_TEXT, min_size=1, max_size=6), dates=st.lists(st.one_of(YEAR_DATES.map(str), ANY_TEXT), max_size=6),
       name=ANY_TEXT)
def test_any_code_point_and_any_date_in_a_jsonl_export_is_written_as_valid_text(texts, dates, name):
    records = [{"id": text[:5], "title": text, "published": dates[index] if index < len(dates) else None,
                "text": "Police shot " + text} for index, text in enumerate(texts)]
    content = "".join(json.dumps(record) + "\n" for record in records).encode()  # ensure_ascii: \ud800 escapes
    source = (name.replace("/", "_") or "x") + ".jsonl"
    file_name = ingest.safe_name(source)
    result = ingest.parse_documents([(file_name, content)])
    assert result.documents == len(result.articles) + int((result.rejects["severity"] == "error").sum())
    for column in ("article_id", "source_path", "headline", "text"):
        for value in result.articles[column].dropna():
            value.encode("utf-8")  # no lone surrogate survives
    for value in result.rejects["reason"]:
        value.encode("utf-8")
    assert result.articles["article_id"].is_unique
    with tempfile.TemporaryDirectory() as folder:  # the articles table can be written (it raised here)
        write_table(result.articles, "ingested", Path(folder) / "ingested.parquet")
        write_table(result.rejects, "rejects", Path(folder) / "rejects.parquet")


# --- 2. ids unique by construction -----------------------------------------------------

def test_same_names_in_other_folders_or_formats_are_all_articles_with_readable_ids(tmp_path):
    raw = tmp_path / "raw"
    page = "<html><body><article><p>{}</p></article></body></html>"
    write(raw / "a" / "story.txt", STORY + " A.")
    write(raw / "b" / "story.txt", STORY + " B.")
    write(raw / "story.txt", STORY + " Top.")
    write(raw / "story.html", page.format(STORY + " Page."))
    write(raw / "story.html.txt", STORY + " Odd name.")
    write(raw / "export.csv", "id,text\n7,First csv record.\n")
    write(raw / "export.jsonl", jsonl({"id": 7, "text": "First jsonl record."}, {"text": "No id."}))
    write(raw / "site" / "one" / "index.html", page.format(STORY + " One."))
    write(raw / "site" / "two" / "index.html", page.format(STORY + " Two."))
    write(raw / "000_05d707c832ca879f.txt", STORY + " Corpus.")
    result = ingest_folder(raw, tmp_path / "interim")
    ids = dict(zip(result.articles["source_path"] + "|" + result.articles["article_id"], result.articles["article_id"]))
    assert sorted(result.articles["article_id"]) == sorted([
        "a/story", "b/story", "story", "story.html", "story.html.txt", "export.csv:7", "export.jsonl:7",
        "export.jsonl:2", "site/one/index.html", "site/two/index.html", "000_05d707c832ca879f"])
    assert result.rejects.empty and len(ids) == 11
    # Stable: the same file has the same id whatever else the folder holds.
    for keep in ("b/story.txt", "export.jsonl", "site/two/index.html"):
        alone = tmp_path / "alone" / keep
        write(alone, (raw / keep).read_bytes())
    alone = ingest_folder(tmp_path / "alone", tmp_path / "interim2")
    assert set(alone.articles["article_id"]) <= set(result.articles["article_id"])
    assert set(alone.articles["article_id"]) == {"b/story", "export.jsonl:7", "export.jsonl:2", "site/two/index.html"}


@pytest.mark.parametrize("path, expected", [
    ("000_05d707c832ca879f.txt", "000_05d707c832ca879f"), ("a/story.txt", "a/story"), ("story.txt.gz", "story"),
    ("STORY.TXT", "STORY"), ("story.html", "story.html"), ("story.html.gz", "story.html"[:0] + "story.html.gz"),
    ("story.html.txt", "story.html.txt"), ("export.jsonl:7.txt", "export.jsonl:7.txt"), ("report.v2.txt", "report.v2"),
])
def test_document_ids(path, expected):
    assert document_id(path) == expected


def test_a_txt_beside_its_own_gz_is_the_one_id_left_to_the_guard_and_named(tmp_path):
    write(tmp_path / "raw" / "story.txt", STORY)
    write(tmp_path / "raw" / "story.txt.gz", gzip.compress(STORY.encode()))
    result = ingest_folder(tmp_path / "raw", tmp_path / "interim")
    assert list(result.articles["article_id"]) == ["story"]
    (check, severity, reason), = reasons(result).values()
    assert (check, severity) == ("ingest.duplicate_article_id", "error")
    assert "story.txt.gz" in reason and "story.txt" in reason


# --- 3. per-record rejects ------------------------------------------------------------

def test_one_bad_jsonl_record_rejects_only_itself(tmp_path):
    deep = '{"text": ' + "[" * 950 + '"x"' + "]" * 950 + "}"
    write(tmp_path / "raw" / "export.jsonl", jsonl(
        {"text": "Good one."}, '{"text": "Big number.", "views": ' + "9" * 5000 + "}", deep,
        '{"text": "Deep json.", "x": ' + "[" * 5000 + "]" * 5000 + "}", {"text": "Good two."}))
    result = ingest_folder(tmp_path / "raw", tmp_path / "interim")
    texts = dict(zip(result.articles["article_id"], result.articles["text"]))
    assert texts == {"export.jsonl:1": "Good one.", "export.jsonl:2": "Big number.", "export.jsonl:5": "Good two."}
    found = reasons(result)
    assert found[("export.jsonl", "line 3")][0] == "ingest.too_deep"
    assert "nested more than 32 levels" in found[("export.jsonl", "line 3")][2]
    assert found[("export.jsonl", "line 4")][0] == "ingest.malformed_json"
    assert "line 4" in found[("export.jsonl", "line 4")][2] and result.documents == 5


def test_a_nul_in_one_csv_row_rejects_that_row_only(tmp_path):
    write(tmp_path / "raw" / "export.csv", b"id,text\n1,First row.\n2,Broken \x00 row.\n3,Third row.\n")
    result = ingest_folder(tmp_path / "raw", tmp_path / "interim")
    assert list(result.articles["article_id"]) == ["export.csv:1", "export.csv:3"]
    check, severity, reason = reasons(result)[("export.csv", "row 2")]
    assert (check, severity) == ("ingest.binary", "error") and "export.csv: row 2 (line 3)" in reason and "NUL" in reason


def test_an_unterminated_quote_is_rejected_and_the_rows_after_it_are_still_read(tmp_path):
    write(tmp_path / "raw" / "export.csv", 'id,text\n1,First row.\n2,"Quote never closed.\n3,Third row.\n4,"Fourth, quoted."\n')
    result = ingest_folder(tmp_path / "raw", tmp_path / "interim")
    assert list(result.articles["text"]) == ["First row.", "Third row.", "Fourth, quoted."]
    check, severity, reason = reasons(result)[("export.csv", "row 2")]
    assert (check, severity) == ("ingest.malformed_csv", "error")
    assert "row 2 (line 3) opens a quoted field that is never closed" in reason
    assert result.documents == 4


def test_a_csv_record_too_large_is_skipped_without_losing_the_next(tmp_path):
    write(tmp_path / "raw" / "export.csv", "text\nsmall\n\"" + "x, y\n" * 100_000 + "\"\nafter\n")
    result = ingest_folder(tmp_path / "raw", tmp_path / "interim", {"max_article_mb": 0.01})
    assert list(result.articles["text"]) == ["small", "after"]
    assert reasons(result)[("export.csv", "row 2")][0] == "ingest.too_large"


# --- 4. bounded memory -----------------------------------------------------------------

def test_gzip_bombs_are_read_as_streams_and_their_size_reported_right(tmp_path):
    raw = tmp_path / "raw"
    write(raw / "bomb.txt.gz", gzip.compress(b"a" * (64 * MB), compresslevel=1))
    write(raw / "line.jsonl.gz", gzip.compress(b'{"text": "' + b"b" * (32 * MB) + b'"}\n{"text": "After the long line."}\n',
                                               compresslevel=1))
    tracemalloc.start()
    try:
        result = ingest_folder(raw, tmp_path / "interim")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 24 * MB, f"peak {peak / MB:.0f} MB"
    assert list(result.articles["text"]) == ["After the long line."]
    found = reasons(result)
    check, _, reason = found[("bomb.txt.gz", "")]
    assert check == "ingest.too_large" and "more than 1 MB once decompressed from" in reason
    assert found[("line.jsonl.gz", "line 1")][0] == "ingest.too_large"


def test_a_compressed_export_stops_at_the_file_limit_keeping_what_it_read(tmp_path):
    lines = jsonl(*({"text": f"Record {number} " + "x" * 1000} for number in range(3000)))
    write(tmp_path / "raw" / "dump.jsonl.gz", gzip.compress(lines.encode()))
    result = ingest_folder(tmp_path / "raw", tmp_path / "interim", {"max_file_mb": 1})
    assert 900 < len(result.articles) < 1100
    (check, severity, reason), = reasons(result).values()
    assert (check, severity) == ("ingest.too_large", "error") and "the rest of the file after line" in reason


# --- 6. relative published dates, no clock ----------------------------------------------

@pytest.mark.parametrize("value", ["2 days ago", "in 2 days", "yesterday", "an hour ago", "Today, 10:32"])
def test_relative_published_dates_are_flagged_and_left_empty(value):
    published, problem = parse_published(value)
    assert published is None and "is relative" in problem and "clock" in problem


CLOCK_SCRIPT = """
import sys
from pathlib import Path
from etl import ingest
ingest.run(Path(sys.argv[1]), Path(sys.argv[2]))
print("dateparser" in sys.modules)
"""


def test_ingest_does_not_depend_on_the_time_zone_or_read_relative_dates(tmp_path):
    write(tmp_path / "raw" / "feed.jsonl", jsonl(
        {"published": "2 days ago", "text": "One."}, {"published": "in 2 days", "text": "Two."},
        {"published": "Fri, 24 Nov 2023 23:30:00 -0800", "text": "Three."}, {"published": 1700784000, "text": "Four."},
        {"published": "24 November 2023", "text": "Five."}))
    write(tmp_path / "raw" / "page.html", '<html><head><meta property="article:published_time" content="2023-11-24T23:30:00-08:00">'
          "</head><body><article><p>" + STORY + "</p></article></body></html>")
    built = {}
    for zone in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):
        out = tmp_path / zone.replace("/", "_")
        run = subprocess.run([sys.executable, "-c", CLOCK_SCRIPT, str(tmp_path / "raw"), str(out)], cwd=ROOT,
                             env={**os.environ, "TZ": zone}, capture_output=True, text=True, check=True)
        assert run.stdout.strip() == "False"  # dateparser (which reads the clock) is never imported
        built[zone] = [(out / name).read_bytes() for name in ("ingested.parquet", "ingest_rejects.parquet")]
    assert built["UTC"] == built["Pacific/Kiritimati"] == built["America/Los_Angeles"]
    articles = pd.read_parquet(tmp_path / "UTC" / "ingested.parquet").set_index("text")
    assert articles.loc["One.", "published_date"] is None and articles.loc["Two.", "published_date"] is None
    assert {articles.loc[text, "published_date"] for text in ("Three.", "Four.", "Five.")} == {dt.date(2023, 11, 24)}


# --- 10. what a user meets ----------------------------------------------------------------

def test_links_fifos_and_unreadable_folders_are_rejects_not_silence(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    write(raw / "good.txt", STORY)
    write(tmp_path / "outside" / "passwd.txt", "root:x:0:0:root:/root:/bin/bash")
    write(raw / "locked" / "inside.txt", STORY)
    os.symlink(tmp_path / "outside" / "passwd.txt", raw / "passwd.txt")
    os.symlink(raw / "missing.txt", raw / "dangling.txt")
    os.symlink(raw / "loop_b.txt", raw / "loop_a.txt")
    os.symlink(raw / "loop_a.txt", raw / "loop_b.txt")
    os.symlink(raw, raw / "sub")  # a folder linking to its own parent
    os.symlink(raw / "good.txt", raw / "alias.txt")  # inside the raw folder: read
    os.mkfifo(raw / "pipe.txt")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(ingest.os, "scandir", scandir)
    result = ingest_folder(raw, tmp_path / "interim")
    assert sorted(result.articles["article_id"]) == ["alias", "good"]
    found = {path: (check, severity) for (path, _), (check, severity, _) in reasons(result).items()}
    assert found == {"passwd.txt": ("ingest.outside_raw", "error"), "dangling.txt": ("ingest.broken_link", "error"),
                     "loop_a.txt": ("ingest.link_loop", "error"), "loop_b.txt": ("ingest.link_loop", "error"),
                     "sub": ("ingest.link_loop", "error"), "pipe.txt": ("ingest.not_a_file", "error"),
                     "locked": ("ingest.unreadable", "error")}
    assert "ingest.follow_outside_links" in reasons(result)[("passwd.txt", "")][2]
    assert "named pipe" in reasons(result)[("pipe.txt", "")][2]
    allowed = ingest_folder(raw, tmp_path / "interim2", {"follow_outside_links": True})
    assert "passwd" in set(allowed.articles["article_id"])


def test_misleading_reasons_are_right(tmp_path):
    raw = tmp_path / "raw"
    write(raw / "utf16.txt", STORY.encode("utf-16-le"))
    write(raw / "deep.html", "<html><body>" + "<div>" * 3000 + f"<p>{STORY}</p>" + "</div>" * 3000 + "</body></html>")
    write(raw / "nested.jsonl", jsonl({"text": {"body": STORY}}, {"text": {"format": "html"}}))
    write(raw / "bomb.txt.gz", gzip.compress(b"x" * (5 * MB)))
    result = ingest_folder(raw, tmp_path / "interim")
    texts = dict(zip(result.articles["article_id"], result.articles["text"]))
    assert texts["utf16"] == STORY and texts["nested.jsonl:1"] == STORY and STORY in texts["deep.html"]
    found = reasons(result)
    assert found[("utf16.txt", "")][:2] == ("ingest.not_utf8", "warning")
    assert "UTF-16 (little-endian, without a byte order mark)" in found[("utf16.txt", "")][2]
    assert found[("deep.html", "")][:2] == ("ingest.html_fallback", "warning")
    assert found[("nested.jsonl", "line 2")][0] == "ingest.missing_text_column"
    assert "a JSON object with no text" in found[("nested.jsonl", "line 2")][2]
    bomb = found[("bomb.txt.gz", "")][2]
    assert "more than 1 MB once decompressed" in bomb and "2048" not in bomb


@pytest.mark.parametrize("content", ["\u00a0\u00a0\n\u00a0", "\u200b\u200b", "\ufeff", "\ufeff \u200b\u00a0\n", "\u2028\u3000"])
def test_whitespace_only_and_bom_only_files_and_records_are_empty_rejects(tmp_path, content):
    raw = tmp_path / "raw"
    write(raw / "blank.txt", content.encode("utf-8"))
    write(raw / "bom.txt", b"\xef\xbb\xbf")
    write(raw / "blank.html", f"<html><body><p>{content}</p></body></html>")
    write(raw / "blank.jsonl", jsonl({"text": content}, {"text": "Real text."}))
    result = ingest_folder(raw, tmp_path / "interim")
    assert list(result.articles["article_id"]) == ["blank.jsonl:2"]
    found = reasons(result)
    assert {key: value[:2] for key, value in found.items()} == {
        ("blank.txt", ""): ("ingest.empty", "error"), ("bom.txt", ""): ("ingest.empty", "error"),
        ("blank.html", ""): ("ingest.empty", "error"), ("blank.jsonl", "line 1"): ("ingest.empty", "error")}


def test_escape_sequences_in_file_names_never_reach_the_terminal(tmp_path, capsys):
    raw = tmp_path / "raw"
    write(raw / "red\x1b[31mtitle\x07.txt", STORY)
    write(raw / "bad\x1b]0;owned\x07.jsonl", '{"text": "x", "published": "\\u001b[2J soon"}\n')
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\x07" not in captured.out + captured.err
    assert "red\\x1b[31mtitle\\x07.txt" in captured.err
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet")
    assert set(articles["article_id"]) == {"red\\x1b[31mtitle\\x07", "bad\\x1b]0;owned\\x07.jsonl:1"}


def test_readers_never_raise_whatever_the_input(tmp_path):
    cases = {"a.jsonl": b'{"text": "' + b"\xff" * 10 + b'"}\n', "b.csv": b'text\n"' + b"a" * 10,
             "c.csv": b"\xff\xfe" + "text\nUTF-16 row\n".encode("utf-16-le"), "d.csv.gz": gzip.compress(b"text\nrow\n")[:-6],
             "e.jsonl.gz": gzip.compress(jsonl({"text": "one"}, {"text": "two"}).encode())[:-10]}
    for name, content in cases.items():
        items = read_file(name, content, Options())
        assert items and all(isinstance(item, (Document, Reject)) for item in items), name
        assert not any(isinstance(item, Reject) and item.check_id == "ingest.reader_failed" for item in items), (name, items)
