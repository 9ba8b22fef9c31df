"""Stage 3, link: group relevant articles into incidents and merge their fields.

Articles are compared only within blocks (date window by force and borough, named
people, streets and places, subject description; see `etl.linking.clustering`), so
the cost grows near-linearly with the corpus. Each candidate pair is scored on what
the two articles share and where they disagree (`etl.linking.similarity`), and groups
form best pair first. Articles with no date link by place, people and description;
hearings and findings published years later link by the named person, the street
and the incident date they state.

Besides the extracted fields, the linker compares the clues the extract stage read
from each article (people, streets, places, dates mentioned, who is speaking: the
`link_features` table, `etl.extract.link_features`); it never reads the text.

An article marked `duplicate_of` / `copy_of` (columns of the ingested table, when
present) joins the incident of the article it copies and counts once as evidence.

Each field is merged by the codebook's rule (`etl.linking.merge`); `incident_fields`
records, per incident and field, the chosen value, the article it came from, the
rule and every other value seen.

Ids are a function of the inputs alone (`etl.linking.ids`): an incident is named after
its founding article, whatever was built before. Continuity is explicit: given a
previous release (`previous_release`, a folder holding its published `articles.parquet`
and, when it has one, its `incident_aliases.parquet`), `incident_aliases` maps each of
its ids that is not an id today to the incidents its articles are in now.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl import corrections
from etl.batches import jobs_to_use
from etl.cache import ResultCache
from etl.linking import ids, reuse
from etl.linking.clustering import common_names, linked
from etl.linking.features import copy_target, features_of, interned, stated, without_names
from etl.linking.memo import NAME as PAIRS_NAME
from etl.linking.memo import PREFIX, KnownScores, PairMemo, clue_hashes, linker_version, row_hashes
from etl.linking.merge import merge_group
from etl.linking.similarity import fitted_model, has_names, without_common
from etl.memory import cyclic_gc_paused, hand_back_freed_memory
from etl.tables import frame_of, read_table, to_arrow, write_arrow, write_table
from schema.codebook import TABLES
from schema.models import conform

COPY_COLUMNS = ("duplicate_of", "copy_of")
THRESHOLD = None  # the linking model's fitted threshold (schema/vocab/linking_model.json)
MAX_BLOCK = 50


def run(ingested_path: Path, extractions_path: Path, link_features_path: Path, out_dir: Path, window_days: int,
        threshold: float | None = THRESHOLD, max_block: int = MAX_BLOCK,
        previous_release: Path | None = None, corrections_path: Path | None = None,
        jobs: int | None = 1, cache: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link the relevant articles; write `incidents`, `incident_fields`, `article_incidents` and
    `incident_aliases` (empty without `previous_release`) to `out_dir`, with the corrections of
    `corrections_path` applied (`etl.corrections`; the `corrections` table, their evidence and rejects).
    The candidate pairs are scored on `jobs` processes (None or 0: every core); the tables are the
    same whatever it is. With a `cache` folder, the pairs of articles that did not change since the
    last run keep the scores that run gave them (`etl.linking.memo`), and the incidents of the
    components no changed article touches are taken as that run wrote them (`etl.linking.reuse`):
    the same tables, sooner."""
    # load
    ingested = read_ingested(ingested_path)
    extractions = read_table(extractions_path, "extractions")
    clues, runs = _ordered_clues(read_clues(link_features_path))
    known, carried = previous_release_ids(previous_release)
    rows, file_rejects = corrections.read_file(corrections_path)
    # process
    valid, results = corrections.check(rows, set(extractions["article_id"]))
    extractions, relevance, evidence = corrections.with_relevance(extractions, valid)
    merged = relevant_rows(ingested, extractions)
    del ingested, extractions
    # (a run with nothing to correct after clustering keeps its incidents for the next)
    kept = None if cache is None or valid else _KeptRun(
        Path(cache), linker_version(window_days, max_block, threshold))
    digests = article_digests(merged, clues, runs) if cache is not None else None
    again = None if kept is None else kept.rebuilt(merged, clues, runs, digests, window_days, max_block, threshold)
    if again is not None:
        tables = again
        del merged, clues  # (what the rebuild read of the articles: let go before the tables are written and kept)
        hand_back_freed_memory()
        incidents, membership = (frame_of(tables[name], name) for name in ("incidents", "article_incidents"))
        aliases = alias_table(known, membership, carried)
        regrouped, changed, field_evidence = {}, {}, []  # (no correction: `_KeptRun` is for runs without)
    else:
        articles = _relevant_articles(merged, clues, digests)
        # (the articles hold all linking needs of the three tables: their memory is handed back now,
        # before the candidate pairs take theirs, so the stage peaks at the larger, not the sum)
        del merged, clues
        hand_back_freed_memory()
        clustered = cluster(articles, window_days, threshold, max_block, jobs_to_use(jobs), cache, kept)
        del articles  # (the groups hold them)
        hand_back_freed_memory()  # (the candidate pairs and the names compared, before the tables take theirs)
        # (without a previous release or corrections there are no ids to follow: the groups' ids are not
        # worked out for them)
        clustered_aliases = alias_table(known, _membership(clustered) if known or carried else _no_members(),
                                        carried)
        groups, regrouped = corrections.regroup(clustered, valid, clustered_aliases)
        incidents, membership, fields = incidents_from(groups)
        internal = corrections.internal_aliases(clustered, groups) if valid else alias_table({}, _no_members())
        # (the articles are in the tables now: their memory is handed back before the tables are written)
        del clustered, groups
        hand_back_freed_memory()
        aliases = alias_table(known, membership, carried)
        follow = {**corrections.followed_ids(internal), **corrections.followed_ids(aliases)}
        incidents, fields, changed, field_evidence = corrections.with_fields(incidents, fields, membership, valid, follow)
        tables = {name: to_arrow(frame, name) for name, frame in
                  zip(reuse.TABLE_NAMES, (incidents, fields, membership))}
    results = {**results, **relevance, **regrouped, **changed}
    # save
    for name in reuse.TABLE_NAMES:
        write_arrow(tables[name].combine_chunks(), name, out_dir / f"{name}.parquet")  # (one chunk a column)
    if kept is not None:
        kept.keep(tables)
    del tables
    write_table(aliases, "incident_aliases", out_dir / "incident_aliases.parquet")
    write_table(corrections.table(rows, results), "corrections", out_dir / "corrections.parquet")
    write_table(pd.DataFrame(evidence + field_evidence, columns=list(TABLES["evidence"].columns)), "evidence",
                out_dir / "correction_evidence.parquet")
    write_table(pd.DataFrame(file_rejects + corrections.rejects(corrections_path, rows, results),
                             columns=list(TABLES["rejects"].columns)), "rejects", out_dir / "correction_rejects.parquet")
    return incidents, membership




class _KeptRun:
    """The link cache's incidents of the last run (`etl.linking.reuse`): a rebuild from them, and
    this run's kept for the next."""

    def __init__(self, folder: Path, version: str):
        self.folder, self.version = folder, version
        self.pairs: bytes | None = None  # this run's pair scores' cache value, once kept
        self.state: reuse.LastRun | None = None  # this run's, but for its tables

    def rebuilt(self, merged: pd.DataFrame, clues: pa.Table, runs: "_Runs", digests: np.ndarray, window_days: int,
                max_block: int, threshold: float | None) -> dict[str, pa.Table] | None:
        """The three tables, rebuilt from the last run's; None when the articles are to be linked in full."""
        with ResultCache(self.folder, PREFIX, self.version) as store:
            pairs, state = store.run_value(PAIRS_NAME), store.run_value(reuse.NAME)
        if pairs is None or state is None:
            return None
        last = reuse.LastRun.from_bytes(state)
        if last.pairs != reuse.pairs_digest(pairs):  # (kept by another run than the scores)
            return None
        model = fitted_model()
        threshold = model.threshold if threshold is None else threshold
        ids = merged["article_id"].tolist()
        copied = _copied_rows(merged, ids)
        if copied is None:
            return None
        # (the originals are linked, as in a full run; each copy joins its original's group)
        rows, copy_rows = np.flatnonzero(copied < 0), np.flatnonzero(copied >= 0)
        place_of_row = np.full(len(ids), -1, dtype=np.int64)
        place_of_row[rows] = np.arange(len(rows))
        copies = reuse.copies_table([ids[row] for row in copy_rows.tolist()], place_of_row[copied[copy_rows]],
                                    digests[copy_rows])
        ids_now = [ids[row] for row in rows.tolist()] if len(copy_rows) else ids
        loaded: dict[int, dict] = {}  # (by row of `merged`)
        where = runs.where()

        def load(wanted_rows: list[int]) -> None:
            wanted = [row for row in wanted_rows if row not in loaded]
            loaded.update(zip(wanted, _articles_at(merged, clues, where, wanted)))

        def features_at(places: list[int]) -> list:
            at = rows[np.asarray(places, dtype=np.int64)].tolist()
            load(at)
            return [loaded[row]["_features"] for row in at]

        again = reuse.rebuilt(last, KnownScores.from_bytes(pairs), ids_now, digests[rows], features_at, window_days,
                              max_block, threshold, model, copies)
        if again is None:
            return None
        copies_of: dict[int, list[int]] = {}  # (each original's copies, by row: in order, as a full run appends them)
        for row, original in zip(copy_rows.tolist(), place_of_row[copied[copy_rows]].tolist()):
            copies_of.setdefault(original, []).append(row)
        members = [rows[places].tolist() + sorted(row for place in places for row in copies_of.get(place, ()))
                   for _, places in again.groups]
        load(sorted({row for group in members for row in group}))
        groups = [[loaded[row] for row in group] for group in members]
        incidents, membership, fields = incidents_from(groups)
        frames = {"incidents": incidents, "incident_fields": fields, "article_incidents": membership}
        tables = reuse.tables_again(last, again, frames, [representative for representative, _ in again.groups],
                                    [len(group) for group in groups], FIELD_ORDER)
        if tables is None:
            return None
        self.pairs = KnownScores(ids_now, digests[rows], again.common, threshold, again.codes, again.scores).to_bytes()
        with ResultCache(self.folder, PREFIX, self.version) as store:
            store.keep_run_value(PAIRS_NAME, self.pairs)
        self.state = again.state._replace(copies=copies)
        return tables

    def keep(self, tables: dict[str, pa.Table]) -> None:
        """Keep this run's incidents (its `tables`, as written) for the next."""
        if self.pairs is None or self.state is None:
            return
        state = self.state._replace(pairs=reuse.pairs_digest(bytes(self.pairs)), tables=tables)
        with ResultCache(self.folder, PREFIX, self.version) as store:
            store.keep_run_value(reuse.NAME, state.to_bytes())


def _copied_rows(merged: pd.DataFrame, ids: list[str]) -> np.ndarray | None:
    """Each relevant article's original's row (`_originals`), -1 for an original; None when an
    original is itself a copy (copies in a ring: linked in full, as a run without the cache)."""
    marked = np.zeros(len(merged), dtype=bool)
    for column in COPY_COLUMNS:
        if column in merged:
            marked |= merged[column].notna().to_numpy()
    # (the few rows marked read as a full run reads them: `features_of` takes its `copy_of` so)
    target_of = {row["article_id"]: target for row in _rows(merged[marked])
                 if (target := copy_target(row)) is not None}
    row_of = {identifier: row for row, identifier in enumerate(ids)} if target_of else {}
    copied = np.full(len(ids), -1, dtype=np.int64)
    for copy, original in _originals(target_of, row_of).items():
        copied[row_of[copy]] = row_of[original]
    if np.any(copied[copied[copied >= 0]] >= 0):
        return None
    return copied


def _no_members() -> pd.DataFrame:
    """The membership of no article (what `_membership` gives of no group)."""
    return pd.DataFrame(columns=["article_id", "incident_id"])


def _membership(groups: list[list[dict]]) -> pd.DataFrame:
    """article_id -> incident_id of groups, before the corrections' merges and splits."""
    return pd.DataFrame([{"article_id": a["article_id"], "incident_id": identifier}
                         for identifier, group in zip(ids.assign_ids(groups), groups) for a in group],
                        columns=["article_id", "incident_id"])


def previous_release_ids(folder: Path | None) -> tuple[dict[str, str], list[dict]]:
    """A previous release's article_id -> incident_id and its own alias rows; empty without a folder.

    The folder is a declared input: it must hold the release's `articles.parquet` (a folder
    that does not is an error, not an empty history).
    """
    if folder is None:
        return {}, []
    folder = Path(folder)
    articles = folder / "articles.parquet"
    if not articles.is_file():
        raise FileNotFoundError(f"{articles}: no articles table in the previous release given (--previous-release {folder})")
    table = pq.read_table(articles, columns=["article_id", "incident_id"]).to_pydict()
    known = {article: incident for article, incident in zip(table["article_id"], table["incident_id"]) if incident}
    carried = []
    if (folder / "incident_aliases.parquet").is_file():
        carried = pq.read_table(folder / "incident_aliases.parquet").to_pylist()
    return known, carried


def alias_table(known: dict[str, str], membership: pd.DataFrame, carried: list[dict] | None = None) -> pd.DataFrame:
    """`incident_aliases`: each id of the previous release that is not an id today, and where its articles are."""
    # (without a previous release there is nothing to follow: no row, whatever the membership)
    current = dict(zip(membership["article_id"], membership["incident_id"])) if known or carried else {}
    return pd.DataFrame(ids.aliases(known, current, carried),
                        columns=["previous_incident_id", "incident_id", "change", "shared_articles"])


def read_ingested(path: Path) -> pd.DataFrame:
    """The ingested columns the linker uses: id, published date and copy marks (not the text)."""
    present = set(pq.read_schema(path).names)
    columns = ["article_id", "published_date"] + [c for c in COPY_COLUMNS if c in present]
    return conform(pq.read_table(path, columns=columns).to_pandas(date_as_object=True), "ingested")[columns]


def read_clues(path: Path) -> pa.Table:
    """The link_features columns the linker compares: article, kind and value (not the spans and quotes,
    which are the evidence of the clues, not clues)."""
    if not path.exists():
        read_table(path, "link_features")  # raises the stage's own message for a missing table
    # (the values read dictionary-encoded: a few tens of thousands of names, each read once, not once a row)
    return pq.read_table(path, columns=list(CLUE_COLUMNS), read_dictionary=["value"])


CLUE_COLUMNS = ("article_id", "kind", "value")
CLUE_ROWS_AT_A_TIME = 65_536  # link_features rows turned into Python strings at a time


def relevant_articles(ingested: pd.DataFrame, extractions: pd.DataFrame,
                      clues: pa.Table | pd.DataFrame | None = None, digests: bool = False) -> list[dict]:
    """The relevant articles' extracted fields with their published date and copy marks, each with the
    linker's view of it under "_features" (`features_of`, from those fields and the article's rows
    of the link_features table, `clues`). The clues are read an article at a time and not kept.
    With `digests`, each also gets under "_digest" a digest of what its features are made of, its row
    and its clues (`etl.linking.memo`), by which the link cache knows it."""
    merged = relevant_rows(ingested, extractions)
    clues = _clue_table(clues)
    return _relevant_articles(merged, clues, article_digests(merged, clues) if digests else None)


def relevant_rows(ingested: pd.DataFrame, extractions: pd.DataFrame) -> pd.DataFrame:
    """The relevant articles' extracted fields with their published date and copy marks, in order."""
    columns = ["article_id", "published_date"] + [c for c in COPY_COLUMNS if c in ingested]
    relevant = extractions[extractions["relevant"].fillna(False).astype(bool)]
    return relevant.merge(ingested[columns], on="article_id", how="left")


def article_digests(merged: pd.DataFrame, clues: pa.Table | None, runs: _Runs | None = None) -> np.ndarray:
    """A digest of each relevant article's row and its clues (`etl.linking.memo`; the clues as
    `_clue_table` gives them, `runs` theirs), in order, as one array of DIGEST_BYTES-byte strings."""
    ids = merged["article_id"].tolist()
    if clues is None:
        found = clue_hashes(pa.table({name: pa.array([], pa.string()) for name in CLUE_COLUMNS}), ids)
    else:
        runs = runs or _clue_runs(clues)
        found = clue_hashes(clues, ids, runs.starts, runs.ids)
    return np.ascontiguousarray(np.column_stack([row_hashes(merged), found]), dtype="<u8").view(
        f"S{DIGEST_BYTES}").ravel()


DIGEST_BYTES = 32  # an article's digest: its row's two 64-bit hashes, then its clues'





def _relevant_articles(merged: pd.DataFrame, clues: pa.Table | None, digests: np.ndarray | None) -> list[dict]:
    articles = _rows(merged)
    if digests is not None:
        for article, digest in zip(articles, digests):
            article["_digest"] = digest
    _with_features(articles, clues)
    return articles


def _rows(merged: pd.DataFrame) -> list[dict]:
    """The rows as dicts, each distinct value one object (`_column_values`)."""
    names = list(merged.columns)
    return [dict(zip(names, row)) for row in zip(*(_column_values(merged[name]) for name in names))]


def _with_features(articles: list[dict], clues: pa.Table | None) -> None:
    """Each article given its "_features", from its row and its rows of `clues`."""
    by_id = {article["article_id"]: article for article in articles}
    held: dict[frozenset, frozenset] = {}  # (each distinct set of names once: `interned`)
    for article_id, found in _clues_by_article(clues):
        if article_id in by_id:
            article = by_id[article_id]
            article["_features"] = interned(features_of(article, found), held)
    for article in articles:
        if "_features" not in article:  # (no clues)
            article["_features"] = interned(features_of(article, []), held)


def _articles_at(merged: pd.DataFrame, clues: pa.Table, runs: dict[str, tuple[int, int]],
                 places: list[int]) -> list[dict]:
    """The relevant articles at `places` of `merged`, as `relevant_articles` gives them (`runs`: where
    each article's rows of `clues` are, `_clue_runs`)."""
    articles = _rows(merged.iloc[places])
    found = [runs[article["article_id"]] for article in articles if article["article_id"] in runs]
    _with_features(articles, pa.concat_tables([clues.slice(0, 0)] + [clues.slice(start, end - start)
                                                                     for start, end in found]))
    return articles


class _Runs(NamedTuple):
    """Where each article's rows of a clue table start (one run of rows an article), and whose they are."""
    starts: np.ndarray
    ids: list[str]
    rows: int

    def where(self) -> dict[str, tuple[int, int]]:
        """Each article's first row and the row past its last."""
        starts = self.starts.tolist()
        return dict(zip(self.ids, zip(starts, starts[1:] + [self.rows])))


def _ordered_clues(clues: pa.Table) -> tuple[pa.Table, _Runs]:
    """`_clue_table` of the link_features columns read, and its runs (`_clue_runs`)."""
    clues = clues.select(list(CLUE_COLUMNS))
    runs = _clue_runs(clues)
    if len(set(runs.ids)) < len(runs.ids):  # (an article's rows apart: `_clue_table` sorts them)
        clues = clues.sort_by("article_id")
        runs = _clue_runs(clues)
    return clues, runs


def _clue_runs(clues: pa.Table) -> _Runs:
    """The runs of the clues as `_clue_table` gives them."""
    ids = clues.column("article_id").combine_chunks()
    starts = np.asarray(_run_starts(ids), dtype=np.int64)
    return _Runs(starts, pc.take(ids, pa.array(starts)).to_pylist(), len(ids))


def _clue_table(clues: pa.Table | pd.DataFrame | None) -> pa.Table | None:
    """The clue columns as Arrow, each article's rows one run (`CLUE_COLUMNS`)."""
    if clues is None:
        return None
    if isinstance(clues, pd.DataFrame):
        clues = pa.Table.from_pandas(clues[list(CLUE_COLUMNS)], preserve_index=False)
    clues = clues.select(list(CLUE_COLUMNS))
    # (one run of rows per article: the extract stage writes them so, and only another order is sorted)
    return clues if _one_run_per_article(clues["article_id"]) else clues.sort_by("article_id")


def _column_values(column: pd.Series) -> list:
    """A column's values as `DataFrame.to_dict` gives them, each distinct value one Python object
    (interned when a string): the fields repeat a few vocabularies, and an object for every cell
    would be made only to be dropped, scattering what is kept among freed memory."""
    if column.dtype == object:
        return list(column.to_dict().values())  # (a Series boxes its values as the frame's to_dict does)
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    distinct = [sys.intern(value) if type(value) is str else value for value in pd.Series(uniques).to_dict().values()]
    return list(map(distinct.__getitem__, codes.tolist()))


def _clues_by_article(clues: pa.Table | pd.DataFrame | None):
    """(article_id, its (kind, value) pairs) for each article of the link_features rows."""
    if clues is None:
        return
    ordered = _clue_table(clues)
    # (each distinct kind and value as one Python string, interned, for the whole table, not one a row:
    # the strings a row at a time would be made and dropped by the million, and what the features
    # keep would lie scattered among their freed memory)
    kinds, values = _distinct_strings(ordered["kind"]), _distinct_strings(ordered["value"])
    current, pairs, offset = None, [], 0
    for batch in ordered.to_batches(max_chunksize=CLUE_ROWS_AT_A_TIME):
        ids = batch.column(0)
        kind_codes = kinds.codes[offset:offset + len(ids)].tolist()
        value_codes = values.codes[offset:offset + len(ids)].tolist()
        offset += len(ids)
        starts = _run_starts(ids)
        for article_id, start, end in zip(pc.take(ids, pa.array(starts, pa.int64())).to_pylist(), starts,
                                          starts[1:] + [len(ids)]):
            if article_id != current:
                if current is not None:
                    yield current, pairs
                current, pairs = article_id, []
            pairs.extend(zip(map(kinds.strings.__getitem__, kind_codes[start:end]),
                             map(values.strings.__getitem__, value_codes[start:end])))
    if current is not None:
        yield current, pairs


class _Distinct(NamedTuple):
    strings: list[str | None]  # each distinct value once (interned), null as None
    codes: np.ndarray          # each row's place in `strings`


def _distinct_strings(column: pa.ChunkedArray) -> _Distinct:
    """A column of strings as its distinct values and each row's code into them."""
    whole = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(whole.dictionary_decode() if pa.types.is_dictionary(whole.type) else whole)
    strings = [None if value is None else sys.intern(str(value)) for value in encoded.dictionary.to_pylist()]
    # (a null row points one past the values, at the None added there)
    codes = encoded.indices.fill_null(len(strings)).to_numpy(zero_copy_only=False).astype(np.int64)
    return _Distinct(strings + [None], codes)


def _run_starts(ids: pa.Array) -> list[int]:
    """Where each run of one id starts, in a batch of rows."""
    return [0] + (np.flatnonzero(_changes(ids)) + 1).tolist() if len(ids) else []


def _one_run_per_article(article_ids: pa.ChunkedArray) -> bool:
    """Whether each article's rows are consecutive: the runs of one id each of another id."""
    if len(article_ids) < 2:
        return True
    ids = article_ids.combine_chunks() if isinstance(article_ids, pa.ChunkedArray) else article_ids
    firsts = pc.take(ids, pa.array(_run_starts(ids), pa.int64()))
    return pc.count_distinct(firsts).as_py() == len(firsts)


def _changes(ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Whether each row's id differs from the one before it (from the second row on)."""
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids  # (the two slices aligned)
    return pc.not_equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False)


def cluster(articles: list[dict], window_days: int, threshold: float | None = THRESHOLD,
            max_block: int = MAX_BLOCK, jobs: int = 1, cache: Path | None = None,
            kept: "_KeptRun | None" = None) -> list[list[dict]]:
    """Groups of articles that report the same incident; copies join the group of what they copy.
    Each article's "_features" is left with what merging reads (`without_names`). With a `cache`
    folder (the articles then carry their "_digest": `relevant_articles`), the pairs of articles
    unchanged since the last run keep its scores while the common names are the same; with `kept`
    (of that folder), what a rebuild reuses of this run is kept in it."""
    with cyclic_gc_paused():
        return _cluster(articles, window_days, threshold, max_block, jobs, cache, kept)


def _cluster(articles: list[dict], window_days: int, threshold: float | None, max_block: int,
             jobs: int, cache: Path | None, kept: "_KeptRun | None" = None) -> list[list[dict]]:
    for article in articles:
        if "_features" not in article:  # (`relevant_articles` computes them as it reads the clues)
            article["_features"] = features_of(article)
    by_id = {article["article_id"]: article for article in articles}
    original_of = _originals({a["article_id"]: a["_features"].copy_of for a in articles
                              if a["_features"].copy_of is not None}, by_id)
    originals = [a for a in articles if a["article_id"] not in original_of]
    # Pairs are scored without the names too common to count (`link_groups`): taken out here, in
    # place, the features are held once, not once as read and once as compared. (Merging reads
    # none of the names.)
    common, held = common_names([a["_features"] for a in originals], max_block), {}
    names = reuse.names_table([a["_features"] for a in originals]) if kept is not None else None
    # (the cache's pairs, read before the common names are taken out: an article with a name that
    # turned common, or stopped being common, since the last run is compared on other features now)
    pairs = None if cache is None else PairMemo(
        cache, kept.version if kept is not None else linker_version(window_days, max_block, threshold),
        [a["article_id"] for a in originals],
        np.array([a["_digest"] for a in originals], dtype=f"S{DIGEST_BYTES}"), common,
        lambda turned: [not has_names(a["_features"], turned) for a in originals])
    for article in articles:
        article["_features"] = interned(without_common(article["_features"], common), held)
    found = linked([a["_features"] for a in originals], window_days, threshold, max_block, jobs=jobs,
                   common=common, pairs=pairs)
    groups = [[originals[i] for i in group] for group in found.groups.values()]
    if kept is not None:
        kept.pairs = pairs.kept
        kept.state = reuse.LastRun(b"", *names, *reuse.block_tables(found.blocks),
                                   reuse.article_table(len(originals), found.groups, found.codes, found.scores,
                                                       found.threshold),
                                   _copies_table(articles, originals, original_of), {})
    for article in articles:
        article.pop("_digest", None)  # (read by the cache's pairs only)
    group_of = {a["article_id"]: group for group in groups for a in group}
    for article in articles:
        original = original_of.get(article["article_id"])
        if original is not None:
            group_of[original].append(article)
    # (merging reads none of the names, most of what the features hold: they are let go here, before
    # the incidents' tables are made)
    for article in articles:
        article["_features"] = without_names(article["_features"])
    return groups


def _originals(target_of: dict[str, str], relevant) -> dict[str, str]:
    """Each copy's original: the relevant article it copies, following chains of copies (`target_of`:
    the article each marked one copies, `copy_target`; `relevant`: the relevant articles' ids)."""
    found = {}
    for article_id in target_of:
        seen, target, original = {article_id}, target_of[article_id], None
        while target in relevant and target not in seen:
            original = target
            seen.add(target)
            target = target_of.get(target)
        if original is not None:
            found[article_id] = original
    return found


def _copies_table(articles: list[dict], originals: list[dict], original_of: dict[str, str]) -> pa.Table:
    """The copies among `articles` (`reuse.copies_table`), in order, by their "_digest"."""
    place = {a["article_id"]: at for at, a in enumerate(originals)}
    copies = [a for a in articles if a["article_id"] in original_of]
    # (-1: an original that is itself a copy, copies in a ring, which the grouping fails on)
    return reuse.copies_table([a["article_id"] for a in copies],
                              np.array([place.get(original_of[a["article_id"]], -1) for a in copies], dtype=np.int64),
                              np.array([a["_digest"] for a in copies], dtype=f"S{DIGEST_BYTES}"))


def incident_id(group: list[dict]) -> str:
    """A group's id: from its founding article (the earliest published, undated ones last)."""
    return ids.assign_ids([group])[0]


def incidents_from(groups: list[list[dict]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One merged row per group, the article -> incident membership, and the per-field provenance."""
    with cyclic_gc_paused():
        return _incidents_from(groups)


FIELD_COLUMNS = ("incident_id", "field", "chosen_value", "source_article_id", "merge_rule", "other_values")
FIELD_ORDER = ("incident_id", "field")  # the order of incident_fields' rows


def _incidents_from(groups: list[list[dict]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # (membership and provenance gathered as columns, not a dict a row: a corpus of 100,000 articles
    # has hundreds of thousands of provenance rows)
    rows, members, member_incidents = [], [], []
    fields: dict[str, list] = {name: [] for name in FIELD_COLUMNS}
    for identifier, group in zip(ids.assign_ids(groups), groups):
        merged, provenance = merge_group(group)
        rows.append({"incident_id": identifier, **merged, "n_articles": len(group),
                     "article_ids": sorted(a["article_id"] for a in group)})
        members.extend(a["article_id"] for a in group)
        member_incidents.extend(identifier for _ in group)
        fields["incident_id"].extend(identifier for _ in provenance)
        for name in FIELD_COLUMNS[1:]:
            fields[name].extend(row[name] for row in provenance)
    incidents = pd.DataFrame(rows).sort_values("incident_id") if rows else pd.DataFrame(columns=["incident_id"])
    fields_frame = pd.DataFrame(fields, columns=list(FIELD_COLUMNS))
    return (incidents, pd.DataFrame({"article_id": members, "incident_id": member_incidents},
                                    columns=["article_id", "incident_id"]),
            fields_frame.sort_values(list(FIELD_ORDER)).reset_index(drop=True))


def merge_fields(group: list[dict]) -> dict:
    """The incident's value of each field, by the codebook's merge rule for it."""
    return merge_group(group)[0]


__all__ = ["run", "cluster", "incidents_from", "merge_fields", "incident_id", "previous_release_ids", "alias_table",
           "stated"]
