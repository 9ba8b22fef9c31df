"""The ingest stage's cache: a file is parsed again only when its bytes, its path, the code or the settings changed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import ingest
from etl.progress import Silent

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "raw"
TABLES = ("ingested", "ingest_rejects")
ONE_PROCESS = {"jobs": 1}  # (the workers would be this process's forks: monkeypatching reaches them only here)


def written(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.parquet").read_bytes() for name in TABLES}


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(SAMPLES, folder)
    (folder / "notes.txt").write_bytes(b"\x00\x01binary, not an article")  # a reject is cached too
    return folder


def test_a_build_from_the_cache_writes_what_a_build_without_it_writes(tmp_path, raw):
    plain = ingest.run(raw, tmp_path / "plain")
    first = ingest.run(raw, tmp_path / "first", cache=tmp_path / "cache")
    again = ingest.run(raw, tmp_path / "again", cache=tmp_path / "cache")
    assert (plain.cached, first.cached, again.cached) == (0, 0, 6)
    assert written(tmp_path / "first") == written(tmp_path / "plain") == written(tmp_path / "again")
    assert len(again.rejects) == 1 and again.rejects["check_id"].iloc[0] == "ingest.binary"


def test_after_one_file_changes_only_it_is_read_again(tmp_path, raw):
    ingest.run(raw, tmp_path / "before", cache=tmp_path / "cache")
    changed = sorted(raw.glob("*.txt"))[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOfficers said the man was treated in hospital.\n",
                       encoding="utf-8")
    after = ingest.run(raw, tmp_path / "after", cache=tmp_path / "cache")
    assert after.cached == 5
    ingest.run(raw, tmp_path / "clean")
    assert written(tmp_path / "after") == written(tmp_path / "clean")
    texts = dict(zip(after.articles["source_path"], after.articles["text"]))
    assert texts[changed.name].rstrip().endswith("treated in hospital.")


def test_a_file_moved_to_another_path_is_read_again(tmp_path, raw):
    ingest.run(raw, tmp_path / "before", cache=tmp_path / "cache")
    moved = sorted(raw.glob("*.txt"))[0]
    moved.rename(raw / f"renamed-{moved.name}")
    after = ingest.run(raw, tmp_path / "after", cache=tmp_path / "cache")
    assert after.cached == 5
    assert f"renamed-{moved.name}" in set(after.articles["source_path"])


def test_other_settings_start_a_new_cache_and_remove_the_older_file(tmp_path, raw):
    ingest.run(raw, tmp_path / "before", cache=tmp_path / "cache")
    stricter = ingest.run(raw, tmp_path / "after", {"max_article_mb": 0.5}, cache=tmp_path / "cache")
    assert stricter.cached == 0
    assert len(list((tmp_path / "cache").glob("ingest-*.sqlite"))) == 1
    assert ingest.ingest_version(ingest.Options()) != ingest.ingest_version(ingest.Options(max_article_mb=0.5))


def test_a_file_above_the_cached_size_is_parsed_every_time(tmp_path, raw, monkeypatch):
    largest = max(raw.glob("*.txt"), key=lambda path: path.stat().st_size)
    monkeypatch.setattr(ingest, "CACHED_FILE_MB", (largest.stat().st_size - 1) / ingest.MB)
    ingest.run(raw, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    again = ingest.run(raw, tmp_path / "again", ONE_PROCESS, cache=tmp_path / "cache")
    assert again.cached == 5
    assert largest.name in set(again.articles["source_path"])
    ingest.run(raw, tmp_path / "clean", ONE_PROCESS)
    assert written(tmp_path / "again") == written(tmp_path / "clean")


def test_a_fetched_page_takes_the_url_of_its_record_as_it_is_now(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    page = raw / "page.html"
    page.write_text("<html><head><title>Police fired a Taser</title></head><body><p>Officers fired a Taser at a "
                    "man in a street on Monday, police said.</p></body></html>", encoding="utf-8")
    record = raw / f"page.html{ingest.FETCH_RECORD_SUFFIX}"
    record.write_text('{"url": "https://news.example/first", "fetched_at": "2024-01-02T03:04:05Z"}', encoding="utf-8")
    first = ingest.run(raw, tmp_path / "first", cache=tmp_path / "cache")
    record.write_text('{"url": "https://news.example/second", "fetched_at": "2024-01-03T03:04:05Z"}', encoding="utf-8")
    again = ingest.run(raw, tmp_path / "again", cache=tmp_path / "cache")
    assert again.cached == 1
    assert list(first.articles["url"]) == ["https://news.example/first"]
    assert list(again.articles["url"]) == ["https://news.example/second"]


def test_the_progress_line_counts_the_files_from_the_cache(tmp_path, raw):
    ingest.run(raw, tmp_path / "first", cache=tmp_path / "cache")
    progress = Silent("ingest", 0, "files")
    ingest.run(raw, tmp_path / "again", progress=progress, cache=tmp_path / "cache")
    assert progress.counts["cached"] == 6
    assert "6 cached" in progress.line()


def wire_copies(raw: Path) -> None:
    """Three outlets' versions of one wire story (two near-identical, one retold) in the raw folder."""
    story = ("Armed officers shot a man who was threatening people with a knife in a shopping street on "
             "Tuesday evening, the force said. Paramedics treated him at the scene and he was taken to "
             "hospital, where his condition was described as serious. A knife was recovered. The force has "
             "referred the shooting to the police watchdog, which will investigate as is usual after a "
             "police shooting. Road closures were expected to stay in place for some hours.")
    (raw / "outlet-a.txt").write_text("Man shot by police\n\n" + story + "\n", encoding="utf-8")
    (raw / "outlet-b.txt").write_text("Police shoot knifeman\n\n" + story + " Witnesses said they heard two shots.\n",
                                      encoding="utf-8")


def test_a_rebuild_takes_the_similarity_of_pairs_compared_before(tmp_path, raw, monkeypatch):
    from etl import duplicates

    wire_copies(raw)
    first = ingest.run(raw, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    ingest.run(raw, tmp_path / "clean", ONE_PROCESS)
    assert first.articles["copy_of"].notna().sum() == 1
    measured = []
    monkeypatch.setattr(duplicates, "jaccard", lambda left, right: measured.append(1) or 0.0)
    ingest.run(raw, tmp_path / "again", ONE_PROCESS, cache=tmp_path / "cache")
    assert measured == []  # (no pair compared again, and the copy still marked)
    assert written(tmp_path / "again") == written(tmp_path / "first") == written(tmp_path / "clean")
