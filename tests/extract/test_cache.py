"""etl.extract.cache: an article is extracted again only when it, the extractor or the threshold changed."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from etl import extract, ingest
from etl.extract.cache import ExtractCache, article_key, article_keys, extractor_version

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "raw"
TABLES = ("extractions", "evidence", "link_features", "extract_rejects")


def written(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.parquet").read_bytes() for name in TABLES}


@pytest.fixture
def samples(tmp_path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    return raw


def test_a_build_from_the_cache_writes_what_a_build_without_it_writes(tmp_path, samples):
    ingest.run(samples, tmp_path)
    plain = extract.run(tmp_path / "ingested.parquet", tmp_path / "plain")
    first = extract.run(tmp_path / "ingested.parquet", tmp_path / "first", cache=tmp_path / "cache")
    again = extract.run(tmp_path / "ingested.parquet", tmp_path / "again", cache=tmp_path / "cache", batch_articles=2)
    assert (plain.cached, first.cached, again.cached) == (0, 0, 5)
    assert written(tmp_path / "first") == written(tmp_path / "plain")
    clean = extract.run(tmp_path / "ingested.parquet", tmp_path / "clean", batch_articles=2)
    assert written(tmp_path / "again") == written(tmp_path / "clean")


def test_after_one_article_changes_only_it_is_extracted_again(tmp_path, samples):
    ingest.run(samples, tmp_path)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "before", cache=tmp_path / "cache")
    changed = sorted(samples.glob("*.txt"))[2]
    changed.write_text(changed.read_text(encoding="utf-8").replace("police", "officers", 1), encoding="utf-8")
    ingest.run(samples, tmp_path)
    after = extract.run(tmp_path / "ingested.parquet", tmp_path / "after", cache=tmp_path / "cache")
    assert after.cached == 4
    extract.run(tmp_path / "ingested.parquet", tmp_path / "clean")
    assert written(tmp_path / "after") == written(tmp_path / "clean")


def test_failed_articles_are_not_cached_but_tried_again(tmp_path, samples):
    ingest.run(samples, tmp_path)
    failed = extract.run(tmp_path / "ingested.parquet", tmp_path / "failed", cache=tmp_path / "cache",
                         seconds_per_article=0.0)
    assert (failed.articles, failed.rejected) == (0, 5)
    retried = extract.run(tmp_path / "ingested.parquet", tmp_path / "retried", cache=tmp_path / "cache")
    assert (retried.articles, retried.rejected, retried.cached) == (5, 0, 0)


def test_the_key_changes_with_the_text_the_date_or_the_id():
    article = {"article_id": "a1", "published_date": None, "text": "Police shot a man."}
    keys = {article_key(article), article_key({**article, "text": "Police shot a man!"}),
            article_key({**article, "article_id": "a2"}),
            article_key({**article, "published_date": __import__("datetime").date(2020, 1, 2)})}
    assert len(keys) == 4
    assert article_key(dict(article)) == article_key(article)
    # (where the id ends and the text begins is part of what is hashed)
    assert article_key({**article, "article_id": "a1\0", "text": "x"}) != article_key({**article, "text": "\0x"})
    # (and where the id ends and the date begins: an id that reads like one followed by a date)
    dated = {**article, "published_date": __import__("datetime").date(2020, 1, 2)}
    assert article_key({**article, "article_id": "a12020-01-02"}) != article_key(dated)


def test_the_version_changes_with_the_extractors_code_any_vocabulary_file_and_the_threshold(tmp_path):
    package = tmp_path / "etl"
    (package / "extract").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "extract" / "__init__.py").write_text("from etl.extract import rules\nfrom . import places\n")
    (package / "extract" / "rules.py").write_text("RULES = ()\n")
    (package / "extract" / "places.py").write_text("from etl import tables\n")
    (package / "tables.py").write_text("")
    (package / "link.py").write_text("THRESHOLD = 1\n")  # (another stage's: the extract stage does not import it)
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "forces.csv").write_text("force\nKent Police\n")
    roots = (package, tmp_path / "vocab")
    versions = [extractor_version(None, roots)]
    assert extractor_version(None, roots) == versions[0]
    assert extractor_version(0.4, roots) != versions[0]
    (package / "link.py").write_text("THRESHOLD = 2\n")
    assert extractor_version(None, roots) == versions[0]
    for changed in ("extract/rules.py", "extract/places.py", "tables.py"):  # (imported, directly or not)
        (package / changed).write_text((package / changed).read_text() + "# edited\n")
        versions.append(extractor_version(None, roots))
    (tmp_path / "vocab" / "forces.csv").write_text("force\nKent Police\nEssex Police\n")
    versions.append(extractor_version(None, roots))
    assert len(set(versions)) == len(versions) == 5


def test_a_new_version_starts_empty_and_removes_the_older_file(tmp_path):
    with ExtractCache(tmp_path, "v1") as old:
        old.put_many([("k", {"a": 1})])
        assert old.get_many(["k", "other"]) == {"k": {"a": 1}}
    with ExtractCache(tmp_path, "v2") as new:
        assert new.get_many(["k"]) == {}
    assert [path.name for path in tmp_path.iterdir()] == ["extract-v2.sqlite"]


def tables_of(folder: Path) -> dict[str, "pd.DataFrame"]:
    import pandas as pd

    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}


def test_the_cache_read_in_batches_of_one_gives_the_tables_read_in_one_batch(tmp_path, samples):
    ingest.run(samples, tmp_path)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "first", cache=tmp_path / "cache")
    whole = extract.run(tmp_path / "ingested.parquet", tmp_path / "whole", cache=tmp_path / "cache", batch_articles=5)
    small = extract.run(tmp_path / "ingested.parquet", tmp_path / "small", cache=tmp_path / "cache", batch_articles=1)
    # (the first run's batch of five is written whole from its stored tables; the batches of one are put together)
    assert (whole.cached_batches, small.cached_batches) == (1, 0)
    assert dataclasses.replace(whole, cached_batches=0) == small and small.cached == 5
    for name, frame in tables_of(tmp_path / "whole").items():
        assert frame.equals(tables_of(tmp_path / "small")[name]), name


class LiveResults:
    """A progress that counts, at each batch written, the extraction results alive in this process."""

    def __init__(self):
        self.live: list[int] = []

    def count(self, **_: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        import gc

        self.live.append(sum(isinstance(item, extract.ArticleResult) for item in gc.get_objects()))


def test_cached_results_are_read_a_batch_at_a_time_not_kept(tmp_path, samples):
    ingest.run(samples, tmp_path)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "first", cache=tmp_path / "cache")
    seen = LiveResults()
    extract.run(tmp_path / "ingested.parquet", tmp_path / "again", progress=seen, cache=tmp_path / "cache",
                batch_articles=1)
    # One article a batch: at most the batch being written is alive, not the batches before it nor those read ahead.
    assert len(seen.live) == 5 and max(seen.live) <= 1


def test_a_rebuild_writes_unchanged_batches_from_their_stored_tables(tmp_path, samples):
    ingest.run(samples, tmp_path)
    first = extract.run(tmp_path / "ingested.parquet", tmp_path / "first", cache=tmp_path / "cache", batch_articles=2)
    again = extract.run(tmp_path / "ingested.parquet", tmp_path / "again", cache=tmp_path / "cache", batch_articles=2)
    assert (first.cached_batches, again.cached_batches, again.cached) == (0, 3, 5)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "clean", batch_articles=2)
    assert written(tmp_path / "again") == written(tmp_path / "clean")


def test_after_one_article_changes_only_its_batch_is_put_together_again(tmp_path, samples):
    ingest.run(samples, tmp_path)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "before", cache=tmp_path / "cache", batch_articles=2)
    changed = sorted(samples.glob("*.txt"))[-1]
    changed.write_text(changed.read_text(encoding="utf-8").replace("police", "officers", 1), encoding="utf-8")
    ingest.run(samples, tmp_path)
    after = extract.run(tmp_path / "ingested.parquet", tmp_path / "after", cache=tmp_path / "cache", batch_articles=2)
    # (the changed article's batch, of itself alone here, extracted again; the two others from their stored tables)
    assert (after.cached_batches, after.cached) == (2, 4)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "clean", batch_articles=2)
    assert written(tmp_path / "after") == written(tmp_path / "clean")


def test_a_run_keeps_only_its_own_batches(tmp_path, samples):
    ingest.run(samples, tmp_path)
    for size in (2, 5):
        extract.run(tmp_path / "ingested.parquet", tmp_path / f"by{size}", cache=tmp_path / "cache",
                    batch_articles=size)
    with ExtractCache(tmp_path / "cache", extractor_version(None)) as store:
        # (the batches of two are gone; the one batch of five is kept, under its articles' keys)
        assert store.forget_batches_except(set()) == 1


def test_a_batch_with_a_failed_article_is_not_stored(tmp_path, samples):
    ingest.run(samples, tmp_path)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "failed", cache=tmp_path / "cache",
                seconds_per_article=0.0, batch_articles=2)
    retried = extract.run(tmp_path / "ingested.parquet", tmp_path / "retried", cache=tmp_path / "cache",
                          batch_articles=2)
    assert (retried.rejected, retried.cached_batches) == (0, 0)


def test_stored_batch_tables_come_back_as_they_were_put(tmp_path):
    import pyarrow as pa

    tables = (pa.table({"article_id": ["a", "b"], "relevant": [True, False]}),
              pa.table({"quote": ["x", None]}).replace_schema_metadata({b"codebook": b"evidence"}),
              pa.table({"n": pa.array([], pa.int64())}))
    with ExtractCache(tmp_path, "v1") as store:
        assert not store.have_batch("k") and store.batch_tables("k") is None
        store.put_batch("k", tables, ["key-a", "key-b"], whole=True)
        assert store.have_batch("k")
        assert store.batches_of(["key-a", "key-b", "key-c"]) == {"key-a": "k", "key-b": "k"}
        back = store.batch_tables("k")
    assert all(got.equals(put) and got.schema.metadata == put.schema.metadata for got, put in zip(back, tables))


def test_a_batch_stored_without_its_failed_articles_is_not_written_whole_but_lends_its_rows(tmp_path):
    import pyarrow as pa

    tables = tuple(pa.table({"article_id": ["a"]}) for _ in range(3))
    with ExtractCache(tmp_path, "v1") as store:
        store.put_batch("k", tables, ["key-a"], whole=False)
        assert not store.have_batch("k")
        assert store.batches_of(["key-a", "key-failed"]) == {"key-a": "k"}


def test_a_forgotten_batch_takes_its_articles_with_it_but_not_those_stored_again_since(tmp_path):
    import pyarrow as pa

    tables = tuple(pa.table({"article_id": ["a"]}) for _ in range(3))
    with ExtractCache(tmp_path, "v1") as store:
        store.put_batch("old", tables, ["key-a", "key-b"], whole=True)
        store.put_batch("new", tables, ["key-b"], whole=True)  # (key-b's rows are now those of "new")
        assert store.forget_batches_except({"new"}) == 1
        assert store.batches_of(["key-a", "key-b"]) == {"key-b": "new"}
        assert store.batch_tables("old") is None


def test_after_an_article_failed_the_others_of_its_batch_come_from_the_cache(tmp_path, samples, monkeypatch):
    ingest.run(samples, tmp_path)
    first_id = extract.article_batches(tmp_path / "ingested.parquet", 5).__next__().ids[0]
    real = extract.extract_with_link_features

    def failing_one(article_id, *args, **kwargs):
        if article_id == first_id:
            raise ValueError("an article this test makes fail")
        return real(article_id, *args, **kwargs)

    monkeypatch.setattr(extract, "extract_with_link_features", failing_one)
    failed = extract.run(tmp_path / "ingested.parquet", tmp_path / "failed", cache=tmp_path / "cache")
    assert (failed.articles, failed.rejected) == (4, 1)
    monkeypatch.setattr(extract, "extract_with_link_features", real)
    retried = extract.run(tmp_path / "ingested.parquet", tmp_path / "retried", cache=tmp_path / "cache")
    # (the batch is not written whole from the cache: its failed article is extracted again, the four others are not)
    assert (retried.rejected, retried.cached_batches, retried.cached) == (0, 0, 4)
    extract.run(tmp_path / "ingested.parquet", tmp_path / "clean")
    assert written(tmp_path / "retried") == written(tmp_path / "clean")


def test_after_an_article_is_added_the_batches_it_is_not_in_are_written_from_their_stored_tables(tmp_path, samples):
    ingest.run(samples, tmp_path)
    before = extract.run(tmp_path / "ingested.parquet", tmp_path / "before", cache=tmp_path / "cache", batch_articles=2)
    first = sorted(samples.glob("*.txt"))[0]
    # (read first: every batch would move, were batches cut by count)
    (samples / f"{first.stem}-follow-up.txt").write_text(
        first.read_text(encoding="utf-8").replace("police", "officers", 1), encoding="utf-8")
    ingest.run(samples, tmp_path)
    after = extract.run(tmp_path / "ingested.parquet", tmp_path / "after", cache=tmp_path / "cache", batch_articles=2)
    assert after.articles == before.articles + 1 and after.cached == 5
    # (the batches end after articles whose ids hash so: the new one ends a batch of its own, and the
    # three batches of before are written from their stored tables)
    assert after.cached_batches == 3
    extract.run(tmp_path / "ingested.parquet", tmp_path / "clean", batch_articles=2)
    assert written(tmp_path / "after") == written(tmp_path / "clean")


def test_keys_read_from_arrow_columns_are_the_keys_of_the_articles_as_dicts():
    articles = [{"article_id": "a1", "published_date": dt.date(2021, 5, 4), "text": "Police used a Taser."},
                {"article_id": "a2", "published_date": None, "text": "Officers in Łódź and Zürich — “quoted”."},
                {"article_id": "a3", "published_date": dt.date(2019, 1, 31), "text": ""}]
    rows = pa.Table.from_pylist(articles, schema=pa.schema([("article_id", pa.string()),
                                                            ("published_date", pa.date32()), ("text", pa.string())]))
    expected = [article_key(article) for article in articles]
    assert article_keys(rows) == expected
    # a slice of a batch (its values start inside the buffers), and large strings
    assert article_keys(rows.to_batches()[0].slice(1, 2)) == expected[1:]
    large = rows.cast(pa.schema([("article_id", pa.string()), ("published_date", pa.date32()),
                                 ("text", pa.large_string())]))
    assert article_keys(large) == expected
