"""Stage 2, extract: one row of codebook fields per article, each value with its evidence.

`extract_article` is pure and works on one article at a time, so the stage can be
run over any batch or partition of articles; `run` does so on every core (`etl.batches`).
"""
from __future__ import annotations

import collections
import datetime as dt
import functools
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.batches import TableWriter, jobs_to_use, map_batches, stable_batches
from etl.extract import dates, events, places
from etl.extract.cache import BATCH_TABLES, ExtractCache, article_keys, batch_key, extractor_version
from etl.extract.relevance import relevance
from etl.extract.document import Document, read_document
from etl.extract.link_features import link_features
from etl.extract.text import Found
from etl.ingest import dateline_end
from etl.memory import cyclic_gc_paused
from etl.params import DEFAULTS
from etl.progress import Progress
from etl.tables import laid_out_as, read_table, rows_to_arrow
from schema.codebook import COLUMNS, EVENT_FIELDS, TABLES
from schema.models import arrow_schema

# What a field holds when the article does not say.
UNSTATED = {name: COLUMNS[name].unstated for name in EVENT_FIELDS}


@dataclass(frozen=True)
class Extracted:
    """What the extract stage wrote: its row counts, and how many articles came from the cache."""

    articles: int
    relevant: int
    evidence: int
    rejected: int
    cached: int = 0  # articles taken from the cache
    cached_batches: int = 0  # batches written straight from their stored tables


class ArticleResult(NamedTuple):
    """One article's extraction: its row, evidence rows and link_features rows; or its rejects row."""

    fields: dict | None
    evidence: list[dict]
    clues: list[dict]
    reject: dict | None = None


@cyclic_gc_paused()
def run(ingested_path: Path, out_dir: Path, relevance_threshold: float | None = None,
        progress: Progress | None = None, seconds_per_article: float | None = None,
        jobs: int | None = 1, batch_articles: int = DEFAULTS["extract"]["batch_articles"],
        engine: str = "local", scheduler: str | None = None, cache: Path | None = None) -> Extracted:
    """Extract every article of `ingested_path`; write `extractions`, `evidence`, `link_features` and
    `extract_rejects` to `out_dir`.

    The articles are read, extracted and written about `batch_articles` at a time (`stable_batches`), on `jobs` processes
    (None or 0: every core), or on a Dask cluster (`engine="dask"`, at `scheduler`, else a local
    one of `jobs` workers), so memory holds a few batches whatever the corpus's size; the tables
    are the same whatever the engine and `jobs` are (`etl.batches`). With a `cache` folder, an
    article extracted before by the same extractor is taken from it (`etl.extract.cache`).
    """
    # load
    store = ExtractCache(cache, extractor_version(relevance_threshold)) if cache is not None else None
    batches = article_batches(ingested_path, batch_articles, keyed=store is not None)
    # process and save, batch by batch
    # (the workers extract and return Arrow tables; this process alone reads and writes the cache)
    work = functools.partial(extract_batch, relevance_threshold=relevance_threshold,
                             seconds_per_article=seconds_per_article)
    relevant = cached = cached_batches = 0
    in_flight: collections.deque[Lookup] = collections.deque()  # batches sent to the workers, in order
    written: set[str] = set()  # the batch keys of this run
    try:
        with TableWriter("extractions", out_dir / "extractions.parquet") as extractions, \
                TableWriter("evidence", out_dir / "evidence.parquet") as evidence, \
                TableWriter("link_features", out_dir / "link_features.parquet") as clues, \
                TableWriter("rejects", out_dir / "extract_rejects.parquet") as rejects:
            for output in map_batches(work, _to_extract(batches, store, in_flight), jobs_to_use(jobs),
                                      engine=engine, scheduler=scheduler, in_this_process=_few_articles):
                lookup = in_flight.popleft()
                tables, from_cache = (stored_tables(store, lookup) if lookup.stored
                                      else batch_tables(store, lookup, output))
                for writer, table in zip((extractions, evidence, clues, rejects), tables):
                    writer.write_arrow(table)
                if store is not None:
                    written.add(lookup.batch)
                    if not lookup.stored:
                        store.put_batch(lookup.batch, tables[:3], lookup.keys_extracted(tables[0]),
                                        whole=tables[3].num_rows == 0)
                batch_relevant = pc.sum(tables[0]["relevant"]).as_py() or 0
                relevant += batch_relevant
                cached += from_cache
                cached_batches += lookup.stored
                if progress is not None:
                    progress.count(relevant=batch_relevant, rejected=tables[3].num_rows,
                                   **({"cached": from_cache} if store is not None else {}))
                    progress.advance(len(lookup.ids))
        if store is not None:
            store.forget_batches_except(written)
    finally:
        if store is not None:
            store.close()
    return Extracted(extractions.rows, relevant, evidence.rows, rejects.rows, cached, cached_batches)


# Articles a batch may hold to be extracted in the stage's own process, not on a worker: a worker
# takes a second or two to start (it imports the stage), as long as extracting several hundred
# articles takes, so a rebuild that changed a few articles (the rest from the cache) starts none.
LOCAL_ARTICLES = 100


def _few_articles(rows: pa.Table) -> bool:
    return rows.num_rows <= LOCAL_ARTICLES


# The ingested columns the extractor reads of an article.
ARTICLE_COLUMNS = ("article_id", "published_date", "text", "source_path")


@dataclass(frozen=True)
class ArticleBatch:
    """One batch of ingested articles as read (Arrow), their ids, and their cache keys when keyed.
    It stays Arrow to the worker that extracts it: a batch whose tables are stored never becomes
    Python objects, and the others only on the worker."""

    rows: pa.Table
    ids: list[str]
    keys: list[str] | None

    def __len__(self) -> int:
        return self.rows.num_rows


def article_batches(ingested_path: Path, size: int, keyed: bool = False) -> Iterator[ArticleBatch]:
    """The articles of the ingested table in batches of about `size` that end where the articles'
    ids say (`etl.batches.stable_batches`: a rebuild after articles are added keeps the stored tables
    of every batch they are not in), with each article's cache key when `keyed` (`article_keys`)."""
    if size < 1:
        raise ValueError(f"a batch must hold at least one row, not {size}")
    if not ingested_path.exists():
        read_table(ingested_path, "ingested")  # raises the stage's own message for a missing table
    parquet = pq.ParquetFile(ingested_path)
    # (each row as (id, key, its Arrow batch, its place there): light records to find the batches' ends by)
    pieces = ([(article_id, key, batch, place) for place, (article_id, key)
               in enumerate(zip(batch.column("article_id").to_pylist(),
                                article_keys(batch) if keyed else itertools.repeat(None)))]
              for batch in parquet.iter_batches(batch_size=size, columns=list(ARTICLE_COLUMNS)))
    for records in stable_batches(pieces, size, 0):
        yield ArticleBatch(_rows_of(records), [article_id for article_id, _, _, _ in records],
                           [key for _, key, _, _ in records] if keyed else None)


def _rows_of(records: list[tuple]) -> pa.Table:
    """The rows of `records` (id, key, Arrow batch, place), in order, as one table of slices of their batches."""
    slices = []
    for _, run in itertools.groupby(records, key=lambda record: id(record[2])):
        first, *rest = run
        slices.append(first[2].slice(first[3], 1 + len(rest)))
    return pa.Table.from_batches(slices)


@dataclass(frozen=True)
class Lookup:
    """One batch as it waits for its worker: its articles' ids and, with a cache, their keys, the
    batch's key, whether its tables are stored whole (then nothing was sent to a worker), and, for
    each article whose rows a stored batch holds (not sent), that batch's key."""

    ids: list[str]
    keys: list[str] | None = None
    batch: str | None = None
    stored: bool = False
    found_in: dict[str, str] = field(default_factory=dict)

    def keys_extracted(self, extractions: pa.Table) -> list[str]:
        """The keys of the articles that have a row in the batch's `extractions` (those that did not fail)."""
        kept = set(extractions.column("article_id").to_pylist())
        return [key for article_id, key in zip(self.ids, self.keys) if article_id in kept]


def _to_extract(batches, store: ExtractCache | None, in_flight: collections.deque):
    """The articles of each batch to extract (Arrow rows): those whose rows no stored batch holds;
    each batch's `Lookup` is appended to `in_flight` as it is handed on, for the caller to take back
    with the batch's tables. (Only keys wait there: the stored rows are read when the batch is
    written, and the text goes to a worker and is not kept here.) A batch whose tables are stored
    whole hands on no article."""
    for batch in batches:
        if store is None:
            in_flight.append(Lookup(batch.ids))
            yield batch.rows
            continue
        keys = batch.keys
        whole = batch_key(keys)
        if store.have_batch(whole):
            in_flight.append(Lookup(batch.ids, keys, whole, stored=True))
            yield batch.rows.slice(0, 0)
            continue
        found = store.batches_of(keys)
        in_flight.append(Lookup(batch.ids, keys, whole, found_in=found))
        yield batch.rows.take(pa.array([place for place, key in enumerate(keys) if key not in found], pa.int64()))


def stored_tables(store: ExtractCache, lookup: Lookup) -> tuple[tuple[pa.Table, ...], int]:
    """A batch's four tables as stored (its rejects table empty), and how many articles that is."""
    tables = _stored(store, lookup.batch)
    return (*tables, rows_to_arrow([], "rejects")), len(lookup.ids)


def batch_tables(store: ExtractCache | None, lookup: Lookup, fresh: tuple[pa.Table, ...]
                 ) -> tuple[tuple[pa.Table, ...], int]:
    """A batch's four tables from its worker's tables (`fresh`, of the articles sent) and the rows
    stored batches hold of the others, in the articles' order; and how many articles came from the cache."""
    if not lookup.found_in:
        return fresh, 0
    # (the stored batches are read here, a batch at a time, not while the batch waits: usually the
    # one the batch was before a change, or two when an added article moved its end)
    stored = {key: _stored(store, key) for key in dict.fromkeys(lookup.found_in.values())}
    sources = [stored[lookup.found_in[key]] if key in lookup.found_in else fresh
               for key in lookup.keys]
    tables = tuple(rows_in_order(lookup.ids, [source[place] for source in sources], name)
                   for place, name in enumerate(BATCH_TABLES))
    return (*tables, fresh[3]), len(lookup.found_in)


def _stored(store: ExtractCache, key: str) -> tuple[pa.Table, ...]:
    tables = store.batch_tables(key)
    if tables is None:
        raise RuntimeError(f"{store.path}: a stored batch was removed while the extract stage ran "
                           f"(was the cache folder cleared?); run it again")
    return tables


def rows_in_order(ids: list[str], sources: list[pa.Table], table: str) -> pa.Table:
    """Each article's rows of `table`, article by article in the order of `ids`, each taken from its
    own source (a table holding them as one run, as the extract stage writes them), laid out as
    `rows_to_arrow` lays out the same rows (a vocabulary column encoded against the whole vocabulary)."""
    runs = {}  # id(source) -> its rows' (start, end) by article id
    spans: list[list] = []  # [source, start, end]: consecutive articles of one source as one slice
    for article_id, source in zip(ids, sources):
        if id(source) not in runs:
            runs[id(source)] = article_runs(source)
        start, end = runs[id(source)].get(article_id, (0, 0))
        if end == start:
            continue
        if spans and spans[-1][0] is source and spans[-1][2] == start:
            spans[-1][2] = end
        else:
            spans.append([source, start, end])
    pieces = [source.slice(start, end - start) for source, start, end in spans]
    rows = pa.concat_tables(pieces) if pieces else rows_to_arrow([], table)
    # (the pieces' vocabulary columns may hold different dictionaries: each is encoded anew)
    return laid_out_as(rows, table, arrow_schema(table)).combine_chunks()


def article_runs(rows: pa.Table) -> dict[str, tuple[int, int]]:
    """Where each article's rows lie, (start, end), in a table holding each article's rows as one run."""
    ids = rows.column("article_id").to_pylist()
    runs, start = {}, 0
    for end in range(1, len(ids) + 1):
        if end == len(ids) or ids[end] != ids[start]:
            runs[ids[start]] = (start, end)
            start = end
    return runs


def extract_batch(rows: pa.Table, relevance_threshold: float | None = None,
                  seconds_per_article: float | None = None) -> tuple[pa.Table, ...]:
    """The four tables (extractions, evidence, link_features, rejects) of a batch of ingested rows: what
    a worker returns (Arrow, which passes between processes far more cheaply than rows as Python objects)."""
    return result_tables(extract_results(articles_of(rows), relevance_threshold, seconds_per_article))


def articles_of(rows: pa.Table) -> list[dict]:
    """Ingested rows as dicts of the columns the extractor reads (`ARTICLE_COLUMNS`), in order."""
    return rows.select(list(ARTICLE_COLUMNS)).to_pylist()


OUTPUT_TABLES = ("extractions", "evidence", "link_features", "rejects")


def result_tables(results: list[ArticleResult]) -> tuple[pa.Table, ...]:
    """The four tables of articles' results (`table_rows`), as Arrow (`etl.tables.rows_to_arrow`)."""
    return tuple(rows_to_arrow(rows, name) for rows, name in zip(table_rows(results), OUTPUT_TABLES))


def extract_results(articles: list[dict], relevance_threshold: float | None = None,
                    seconds_per_article: float | None = None) -> list[ArticleResult]:
    """Each article's result, in order: what one worker returns for a batch. An article whose
    extraction raises gets a rejects row (check_id `extract.failed`, or the exception's
    `check_id`), so no single article stops a build; with `seconds_per_article`, one still being
    read after that long is such a reject (`extract.time_budget`)."""
    return [_result_of(article, relevance_threshold, seconds_per_article) for article in articles]


def _result_of(article: dict, relevance_threshold: float | None, seconds_per_article: float | None) -> ArticleResult:
    try:
        return ArticleResult(*extract_with_link_features(article["article_id"], article["text"],
                                                         article["published_date"], relevance_threshold,
                                                         Budget(seconds_per_article)))
    except Exception as error:  # noqa: BLE001: any failure of one article is that article's reject
        source = article.get("source_path")
        return ArticleResult(None, [], [], {
            "source_path": source, "row_key": f"articles:{article['article_id']}", "stage": "extract",
            "check_id": getattr(error, "check_id", "extract.failed"), "severity": "error",
            "reason": f"{source or article['article_id']}: extraction failed: "
                      f"{type(error).__name__}: {error}"[:1000].encode("utf-8", "backslashreplace").decode("utf-8")})


def table_rows(results: list[ArticleResult]) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """The rows of the extractions, evidence, link_features and rejects tables of articles' results, in order."""
    return ([result.fields for result in results if result.reject is None],
            [row for result in results for row in result.evidence],
            [row for result in results for row in result.clues],
            [result.reject for result in results if result.reject is not None])


def frames_of(results: list[ArticleResult]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The extractions, evidence, link_features and rejects tables of articles' results, in order."""
    return tuple(pd.DataFrame(rows, columns=list(TABLES[name].columns))
                 for rows, name in zip(table_rows(results), OUTPUT_TABLES))


def extract_all(articles: pd.DataFrame, relevance_threshold: float | None = None,
                progress: Progress | None = None, rejects: list[dict] | None = None,
                seconds_per_article: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Extractions, evidence and link features for a batch of articles, advancing `progress` per article.

    With a `rejects` list (the stage's way), an article whose extraction raises is not in the
    tables but a rejects row appended to it (see `extract_results`); without one, the exception
    propagates."""
    results = []
    for article in articles.to_dict("records"):
        if rejects is None:  # the exception is the caller's
            result = ArticleResult(*extract_with_link_features(article["article_id"], article["text"],
                                                               article["published_date"], relevance_threshold,
                                                               Budget(seconds_per_article)))
        else:
            result = _result_of(article, relevance_threshold, seconds_per_article)
        results.append(result)
        if progress is not None:
            if result.reject is not None:
                progress.count(rejected=1)
            else:
                progress.count(relevant=int(bool(result.fields["relevant"])))
            progress.advance()
    extractions, evidence, clues, rejected = frames_of(results)
    if rejects is not None:
        rejects.extend(rejected.to_dict("records"))
    return extractions, evidence, clues


def extract_article(article_id: str, text: str, published: dt.date | None,
                    relevance_threshold: float | None = None) -> tuple[dict, list[dict]]:
    """The codebook fields of one article and the evidence rows behind them."""
    fields, evidence, _ = extract_with_link_features(article_id, text, published, relevance_threshold)
    return fields, evidence


class TimeBudgetExceeded(Exception):
    """An article took longer to read than the stage's budget allows."""

    check_id = "extract.time_budget"


class Budget:
    """The time one article may take (`extract.seconds_per_article`); None is no limit.

    Checked between the steps of reading the article; the rules are linear in its length,
    so the budget only catches inputs no real article resembles.
    """

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def check(self, step: str) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeBudgetExceeded(f"still reading after {self.seconds:g} s (extract.seconds_per_article), at {step}")


def extract_with_link_features(article_id: str, text: str, published: dt.date | None,
                               relevance_threshold: float | None = None,
                               budget: Budget | None = None) -> tuple[dict, list[dict], list[dict]]:
    """The codebook fields of one article, the evidence rows behind them and, when it is relevant,
    its link_features rows (what the linker compares besides the fields, `etl.extract.link_features`)."""
    budget = budget or Budget(None)
    doc = read_document(text, published, dateline_end(text))
    budget.check("the document")
    judged = relevance(doc, relevance_threshold)
    budget.check("relevance")
    fields = {"article_id": article_id, "relevant": judged.relevant, "relevance_score": judged.score, **UNSTATED}
    found = list(judged.evidence)
    if judged.relevant:
        values = event_fields(doc)
        budget.check("the fields")
        found.extend(values)
        for item in values:
            fields[item.field] = item.value
        weapons = [item.value for item in values if item.field == "weapon_recovered"]
        if weapons:
            fields["weapon_recovered"] = "; ".join(sorted(weapons))
    clues = [item.row(article_id, text) for item in link_features(doc)] if judged.relevant else []
    return fields, [item.evidence(article_id, text, _sentence_text(doc, item.start)) for item in found], clues


def _sentence_text(doc: Document, offset: int) -> str | None:
    sentence = doc.sentence_of(offset)
    return sentence.text if sentence is not None else None


def event_fields(doc: Document) -> list[Found]:
    """Every event field the article states, in codebook order."""
    anchor, anchor_phrase = dates.anchor_date(doc)
    date_found, period, precision = dates.incident_date(doc, anchor)
    if date_found and anchor_phrase and date_found.rule in ("date:weekday_from_anchor", "date:relative_day"):
        # Record what the weekday was counted from when there was no dateline.
        date_found = Found(date_found.field, date_found.value, date_found.start, date_found.end,
                           date_found.rule, f"{date_found.detail}; counted from the date in the text, {anchor.isoformat()}")
    place = places.borough(doc)
    borough_found = place[0] if place else None
    # The force and watchdog are named as they were then: on the day, else in the month or year given.
    on = places.named_on(date_found.value if date_found else None, period.value if period else None, anchor)
    force_found = places.force(doc, borough_found, on)
    country = places.country(borough_found, force_found)
    found = [
        date_found, period, precision, events.incident_time(doc), *(place or ()),
        places.location(doc, borough_found), force_found, events.force_type(doc),
        events.outcome(doc),
        places.referral_body(doc, country, on),
        events.terrorism_status(doc), *events.weapon_recovered(doc),
        events.subject_age(doc), events.subject_gender(doc), events.shots_fired(doc),
    ]
    return [item for item in found if item is not None]
