"""The ingest stage's cache: a file is parsed again only when its bytes, its path, the code or the settings changed."""
from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from etl import duplicates, ingest, ingest_record
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


# --- a rebuild that trusts the files' stat (ingest.trust_file_stat) ------------------------------

STORIES = {
    "a-taser.txt": ("Taser used on man in town centre", "Officers used a Taser on a man who was shouting at "
                    "shoppers outside a bakery on Friday morning, the constabulary said. He was arrested and "
                    "later released on bail. Nobody else was hurt."),
    "b-restraint.txt": ("Teenager restrained at railway station", "A seventeen year old boy was restrained by two "
                        "officers at the railway station on Saturday night after a fight on a platform, a "
                        "spokesperson said. He was taken to a police station and given a warning."),
    "c-dog.txt": ("Police dog bites suspect", "A police dog bit a suspect who ran from a stolen van in a field near "
                  "the ring road on Sunday, officers said. The man was treated for wounds to his leg in hospital."),
    "d-baton.txt": ("Baton drawn at street party", "An officer drew a baton when a street party turned into a brawl "
                    "late on Monday, the force said. Three people were arrested; no one was seriously injured."),
}


@pytest.fixture
def stories(tmp_path, monkeypatch) -> Path:
    """Four invented reports, one a folder; files written a moment ago are trusted (RACY_SECONDS 0)."""
    monkeypatch.setattr(ingest_record, "RACY_SECONDS", 0.0)
    folder = tmp_path / "stories"
    (folder / "later").mkdir(parents=True)
    for name, (headline, text) in STORIES.items():
        (folder / ("later" if name.startswith("d") else "") / name).write_text(f"{headline}\n\n{text}\n", encoding="utf-8")
    return folder


def reads_of_files(monkeypatch) -> list[str]:
    """The names of the files read from here on (in this process: ONE_PROCESS)."""
    names = []
    original = ingest.cacheable_content
    monkeypatch.setattr(ingest, "cacheable_content",
                        lambda source_path, content, cache: names.append(source_path) or original(source_path, content, cache))
    return names


def rebuilt_as_clean(stories: Path, tmp_path: Path, params: dict | None = None) -> tuple[ingest.Ingested, bool]:
    """A rebuild from the cache, and whether it wrote the very bytes a build without a cache writes."""
    settings = {**ONE_PROCESS, **(params or {})}
    again = ingest.run(stories, tmp_path / "again", settings, cache=tmp_path / "cache")
    ingest.run(stories, tmp_path / "clean", settings)
    return again, written(tmp_path / "again") == written(tmp_path / "clean")


def test_a_rebuild_with_nothing_changed_reads_no_file(tmp_path, stories, monkeypatch):
    ingest.run(stories, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    read = reads_of_files(monkeypatch)
    again, same = rebuilt_as_clean(stories, tmp_path)
    assert read == ["a-taser.txt", "b-restraint.txt", "c-dog.txt", "later/d-baton.txt"]  # (all by the clean build)
    assert again.cached == 4 and same
    assert written(tmp_path / "first") == written(tmp_path / "again")


def test_a_file_changed_is_read_again_and_the_others_are_not(tmp_path, stories, monkeypatch):
    ingest.run(stories, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    changed = stories / "b-restraint.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "This report was updated.\n", encoding="utf-8")
    read = reads_of_files(monkeypatch)
    again = ingest.run(stories, tmp_path / "again", ONE_PROCESS, cache=tmp_path / "cache")
    assert read == ["b-restraint.txt"]
    assert again.cached == 3
    assert dict(zip(again.articles["source_path"], again.articles["text"]))["b-restraint.txt"].rstrip().endswith("updated.")
    assert rebuilt_as_clean(stories, tmp_path)[1]


def test_a_file_rewritten_with_its_size_and_mtime_set_back_is_still_seen(tmp_path, stories, monkeypatch):
    ingest.run(stories, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    changed = stories / "c-dog.txt"
    before = changed.stat()
    changed.write_text(changed.read_text(encoding="utf-8").replace("Sunday", "Monday"), encoding="utf-8")
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))  # (what `touch -r` or `cp -p` can do)
    assert (changed.stat().st_size, changed.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    read = reads_of_files(monkeypatch)
    again = ingest.run(stories, tmp_path / "again", ONE_PROCESS, cache=tmp_path / "cache")
    assert read == ["c-dog.txt"]  # (its ctime moved: no tool sets it back)
    assert "on Monday" in dict(zip(again.articles["source_path"], again.articles["text"]))["c-dog.txt"]
    assert rebuilt_as_clean(stories, tmp_path)[1]


def test_without_trusting_the_stat_every_file_is_read_and_a_change_is_seen(tmp_path, stories, monkeypatch):
    untrusting = {**ONE_PROCESS, "trust_file_stat": False}
    ingest.run(stories, tmp_path / "first", untrusting, cache=tmp_path / "cache")
    changed = stories / "c-dog.txt"
    before = changed.stat()
    changed.write_text(changed.read_text(encoding="utf-8").replace("Sunday", "Monday"), encoding="utf-8")
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    read = reads_of_files(monkeypatch)
    again = ingest.run(stories, tmp_path / "again", untrusting, cache=tmp_path / "cache")
    assert sorted(read) == ["a-taser.txt", "b-restraint.txt", "c-dog.txt", "later/d-baton.txt"]
    assert again.cached == 3
    assert rebuilt_as_clean(stories, tmp_path, untrusting)[1]


def test_a_file_added_before_the_others_deleted_or_renamed_gives_the_clean_build(tmp_path, stories):
    ingest.run(stories, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    (stories / "0-first.txt").write_text("Officers fired a Taser in a park\n\nOfficers fired a Taser at a man who "
                                         "threatened walkers with a bottle in a park on Tuesday, police said.\n",
                                         encoding="utf-8")
    added, same = rebuilt_as_clean(stories, tmp_path)
    assert same and "0-first.txt" in set(added.articles["source_path"]) and added.cached == 4
    (stories / "b-restraint.txt").unlink()
    deleted, same = rebuilt_as_clean(stories, tmp_path)
    assert same and "b-restraint.txt" not in set(deleted.articles["source_path"])
    (stories / "later" / "d-baton.txt").rename(stories / "later" / "e-baton.txt")
    renamed, same = rebuilt_as_clean(stories, tmp_path)
    assert same and "later/e-baton.txt" in set(renamed.articles["source_path"]) and renamed.cached == 3


def test_a_rebuild_makes_again_only_the_batches_a_changed_file_is_in(tmp_path, stories, monkeypatch):
    small = {**ONE_PROCESS, "batch_articles": 1}  # (every article its own batch, about)
    ingest.run(stories, tmp_path / "first", small, cache=tmp_path / "cache")
    changed = stories / "a-taser.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "This report was updated.\n", encoding="utf-8")
    made = []
    original = ingest.rows_of
    monkeypatch.setattr(ingest, "rows_of", lambda members, *rest: made.extend(
        article.item.source_path for article in members) or original(members, *rest))
    ingest.run(stories, tmp_path / "again", small, cache=tmp_path / "cache")
    assert made == ["a-taser.txt"]
    monkeypatch.setattr(ingest, "rows_of", original)
    assert rebuilt_as_clean(stories, tmp_path, small)[1]


def test_files_changed_just_before_the_walk_are_not_trusted_next_time(tmp_path, stories, monkeypatch):
    monkeypatch.setattr(ingest_record, "RACY_SECONDS", 3600.0)  # (as if the files were written in the walk's tick)
    ingest.run(stories, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    read = reads_of_files(monkeypatch)
    again = ingest.run(stories, tmp_path / "again", ONE_PROCESS, cache=tmp_path / "cache")
    assert len(read) == 4 and again.cached == 4  # (read and hashed, then taken from the cache by their bytes)


def test_a_file_read_by_a_worker_is_sent_as_the_bytes_its_cache_entry_holds():
    import pickle

    from etl.ingest_record import ParsedFile
    from etl.readers import read_file

    def parts(name, text):
        read = read_file(name, text.encode(), ingest.Options())
        return read, [duplicates.fingerprint(item.text) for item in read]

    read, prints = parts("a.txt", "Officers used a Taser on a man in a park on Tuesday, police said.")
    whole = ParsedFile((), read, prints, False, "k", None, "a.txt")
    # (bytes that say other parts than the file's own: what is sent is what they say)
    other = parts("b.txt", "A man was restrained by officers outside a shop on Friday.")
    sent = dataclasses.replace(whole, pickled=pickle.dumps(other, protocol=pickle.HIGHEST_PROTOCOL))
    for file, (items, fingerprints) in ((sent, other), (whole, (read, prints))):  # (no bytes: sent as its parts)
        back = pickle.loads(pickle.dumps(file, protocol=pickle.HIGHEST_PROTOCOL))
        assert (back.notes, back.items, back.cached, back.key, back.path, back.name) == ((), items, False, "k", None, "a.txt")
        assert back.fingerprints[0].key == fingerprints[0].key
        assert np.array_equal(back.fingerprints[0].shingles, fingerprints[0].shingles)


def parts_written(monkeypatch) -> list[str]:
    """The statements that write a part of the record (`IngestCache.keep_last_run`) from here on."""
    statements = []
    original = ingest_record.IngestCache.__init__

    def traced(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._db.set_trace_callback(lambda sql: statements.append(sql) if "INTO last_run" in sql else None)

    monkeypatch.setattr(ingest_record.IngestCache, "__init__", traced)
    return statements


def test_a_rebuild_writes_again_only_the_part_of_the_record_a_changed_file_is_in(tmp_path, stories, monkeypatch):
    monkeypatch.setattr(ingest_record, "RECORD_FILES_PER_PART", 1)  # (a file a part)
    ingest.run(stories, tmp_path / "first", ONE_PROCESS, cache=tmp_path / "cache")
    changed = stories / "c-dog.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "This report was updated.\n", encoding="utf-8")
    written_parts = parts_written(monkeypatch)
    ingest.run(stories, tmp_path / "again", ONE_PROCESS, cache=tmp_path / "cache")
    assert len(written_parts) == 1
    # (what was kept is the whole record: a rebuild with nothing changed reads no file and writes no part)
    read = reads_of_files(monkeypatch)
    again = ingest.run(stories, tmp_path / "third", ONE_PROCESS, cache=tmp_path / "cache")
    assert read == [] and again.cached == 4 and len(written_parts) == 1
    assert rebuilt_as_clean(stories, tmp_path)[1]


def test_the_parts_of_the_record_hold_every_file_once_and_end_where_the_names_say(monkeypatch):
    monkeypatch.setattr(ingest_record, "RECORD_FILES_PER_PART", 3)
    record = {f"f{number:03d}.txt": (number,) for number in range(40)}
    parts = ingest_record.record_parts(record)
    assert [name for part in parts for name in part] == sorted(record)
    assert all(part[name] == record[name] for part in parts for name in part)
    assert all(len(part) <= 6 for part in parts) and len(parts) > 1
    # (a file added changes its own part only)
    more = ingest_record.record_parts({**record, "f020a.txt": (99,)})
    assert sum(part not in parts for part in more) == 1
