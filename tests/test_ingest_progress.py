"""Progress: a bar with the counts on a terminal, a few plain lines in a log."""
from __future__ import annotations

import io

from etl import ingest
from etl.progress import Progress


def run(progress: Progress, steps: int) -> None:
    with progress:
        for step in range(steps):
            progress.count(read=2, rejected=int(step % 10 == 0))
            progress.advance()


def test_a_log_gets_about_ten_lines_with_the_counts():
    stream = io.StringIO()
    run(Progress("ingest", 100, "files", stream=stream, terminal=False, min_seconds=0), 100)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "uofdb ingest: 10/100 files: 20 read, 1 rejected"
    assert lines[-1] == "uofdb ingest: 100/100 files: 200 read, 10 rejected"
    assert 10 <= len(lines) <= 11


def test_a_log_is_not_flooded_when_steps_are_fast():
    stream = io.StringIO()
    run(Progress("extract", 10_000, "articles", stream=stream, terminal=False, min_seconds=60), 10_000)
    assert stream.getvalue().splitlines() == ["uofdb extract: 10000/10000 articles: 20000 read, 1000 rejected"]


def test_a_terminal_gets_a_bar_with_the_counts():
    stream = io.StringIO()
    run(Progress("extract", 50, "articles", stream=stream, terminal=True), 50)
    shown = stream.getvalue()
    assert "\r" in shown and "uofdb extract" in shown and "50/50" in shown
    assert "read=100" in shown and "rejected=5" in shown


def test_ingest_counts_files_documents_and_rejects(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Police fired.")
    (raw / "b.jsonl").write_text('{"text": "one"}\n{"text": "two"}\nbroken\n')
    stream = io.StringIO()
    result = ingest.run(raw, tmp_path / "interim", progress=Progress("ingest", 0, "files", stream=stream, terminal=False))
    assert (result.files, result.documents, len(result.articles)) == (2, 4, 3)
    assert stream.getvalue().splitlines()[-1] == "uofdb ingest: 2/2 files: 4 read, 1 rejected"
