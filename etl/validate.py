"""Stage 4, validate: assemble the published tables and check them against the codebook.

Every table is validated lazily with its generated pandera model, so all failures
are collected at once. A row that fails an error-level check goes to `rejects`
with the id of the check; the rest publish. Warning-level checks flag rows in
`rejects` (severity `warning`) and keep them.

The large tables (articles with their text, evidence, incident_fields) are read, checked
and written a batch at a time (`etl.batches`), so memory holds a batch, the small tables
and the sets of ids the checks across tables need, never every article. The result is
the one a single pass over each whole table gives: the same rows, the same files, and the
same rejects rows in the same order (`validate_table`). The evidence, the largest table, is
checked in a second process while this one checks the others (`run`).

Nearly every batch passes, so each is first tested whole in Arrow (`schema.models.surely_passes`: the
model's checks on whole columns); one that surely passes is written from Arrow as it was read, laid
out as its frame would be, without pandas or pandera (`checked_batches`). Only the others become
frames for the model, so every rejects row is still the model's.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.batches import Running, TableWriter, arrow_batches, beside, cores
from etl.tables import frame_of, laid_out_as, read_arrow, read_table, row_group_rows, to_arrow, write_table
from schema.codebook import TABLES
from schema.models import conform, conformed_columns, empty_frame, model, row_checks, surely_passes

# Rows checked at a time in the large tables: a batch of articles holds their text (a few KB each),
# so this many keep a batch at tens of MB (the tables of shorter rows take more: `rows_per_batch`);
# the result does not depend on it.
BATCH_ROWS = 8_192
# The articles' columns `run` returns (what etl.build counts), rather than every article's text.
SUMMARY_COLUMNS = ("article_id", "relevant", "incident_id", "duplicate_of", "copy_of")
STREAMED = ("articles", "incident_fields", "evidence")


def run(interim: Path, out_dir: Path, batch_rows: int = BATCH_ROWS) -> dict[str, pd.DataFrame]:
    """Validate the stage outputs in `interim`; write the tables fit to publish to `out_dir`.

    Returns the small tables (incidents, incident_aliases, corrections, rejects) whole and, of
    articles, the SUMMARY_COLUMNS of the articles kept; evidence and incident_fields only go to disk.

    With more than one core, the evidence (the largest table) is checked beside the rest, in a
    process of its own, keeping the rows of every article that reaches validation; when every
    such article passes (as one nearly always does), that is what one pass writes, else the
    evidence is checked again here against the articles kept.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    provisional = out_dir / EVIDENCE_BESIDE
    # (started first, before this process reads anything: see etl.batches.beside)
    checking = beside(checked_evidence, interim, provisional, batch_rows) if cores() > 1 else None
    try:
        return _validated(interim, out_dir, batch_rows, checking, provisional)
    finally:
        if checking is not None:
            checking.stop()
        provisional.unlink(missing_ok=True)


EVIDENCE_BESIDE = ".evidence-checked-beside.parquet"


def _validated(interim: Path, out_dir: Path, batch_rows: int, checking: Running | None,
               provisional: Path) -> dict[str, pd.DataFrame]:
    # load: the small tables whole; the large ones batch by batch as they are checked below
    extractions = read_arrow(interim / "extractions.parquet", "extractions")
    membership = read_arrow(interim / "article_incidents.parquet", "article_incidents")
    # (the small tables also as read, in Arrow, to see whether they surely pass: validate_whole)
    small_read = {name: read_arrow(interim / f"{name}.parquet", name)
                  for name in ("incidents", "incident_aliases", "corrections")
                  if name != "corrections" or (interim / "corrections.parquet").exists()}
    incidents = frame_of(small_read["incidents"], "incidents")
    aliases = frame_of(small_read["incident_aliases"], "incident_aliases")
    corrections = frame_of(small_read["corrections"], "corrections") if "corrections" in small_read \
        else empty_frame("corrections")
    earlier_rejects = earlier_rejects_of(interim)
    failed = failed_articles(earlier_rejects)
    articles = article_batches(interim / "ingested.parquet", extractions, membership, corrections, failed, batch_rows)
    fields = checked_batches(interim / "incident_fields.parquet", "incident_fields",
                             rows_per_batch("incident_fields", batch_rows))
    # process and save: each table checked as it is read, its rows written as they pass
    rejects, summaries = [], []
    with contextlib.ExitStack() as files:  # (every large table is replaced at the end, or none is)
        writers = {name: files.enter_context(TableWriter(name, out_dir / f"{name}.parquet", row_group_rows(name)))
                   for name in STREAMED if name != "evidence"}

        def write_articles(frame: pd.DataFrame) -> None:
            writers["articles"].write(frame)
            summaries.append(frame[list(SUMMARY_COLUMNS)])

        def write_arrow_articles(rows: arrow.Table) -> None:
            writers["articles"].write_arrow(rows)
            summaries.append(conformed_columns(rows.select(SUMMARY_COLUMNS).to_pandas(), "articles",
                                               list(SUMMARY_COLUMNS)))

        rejects += validate_table("articles", articles, write_articles, write_arrow=write_arrow_articles)
        kept_articles = summary_frame(summaries)
        incidents, incident_rejects = validate_whole("incidents", incidents, small_read["incidents"])
        rejects += incident_rejects
        rejects += validate_table("incident_fields", fields, writers["incident_fields"].write,
                                  keep=rows_of(incidents, "incident_id"),
                                  write_arrow=writers["incident_fields"].write_arrow)
        kept_ids = set(kept_articles["article_id"].dropna())
        if checking is not None and kept_ids == reaching_validation(interim, failed):
            rejects += checking.result()  # (its rows are those of the articles kept: it stands)
        else:
            if checking is not None:
                checking.stop()
            with TableWriter("evidence", provisional, row_group_rows("evidence")) as evidence:
                rejects += validate_table("evidence", evidence_batches(evidence_files(interim), membership,
                                                                       rows_per_batch("evidence", batch_rows)),
                                          evidence.write, keep=rows_in(kept_ids, "article_id"),
                                          write_arrow=evidence.write_arrow)
        aliases, alias_rejects = validate_whole("incident_aliases", aliases, small_read["incident_aliases"])
        corrections, correction_rejects = validate_whole("corrections", corrections, small_read.get("corrections"))
        small = {"incidents": incidents, "incident_aliases": aliases, "corrections": corrections,
                 "rejects": pd.concat([earlier_rejects, rejects_frame(rejects + alias_rejects + correction_rejects)],
                                      ignore_index=True)}
        for name, frame in small.items():
            write_table(frame, name, out_dir / f"{name}.parquet")
    os.replace(provisional, out_dir / "evidence.parquet")
    return {"articles": kept_articles, **small}


def checked_evidence(interim: Path, out_path: Path, batch_rows: int) -> list[dict]:
    """The evidence of `interim` checked and written to `out_path`, keeping the rows of every article
    that reaches validation (`reaching_validation`): its rejects rows. (What `run` has checked beside.)"""
    membership = read_arrow(interim / "article_incidents.parquet", "article_incidents")
    reaching = reaching_validation(interim, failed_articles(earlier_rejects_of(interim)))
    with TableWriter("evidence", out_path, row_group_rows("evidence")) as evidence:
        return validate_table("evidence", evidence_batches(evidence_files(interim), membership,
                                                           rows_per_batch("evidence", batch_rows)),
                              evidence.write, keep=rows_in(reaching, "article_id"), write_arrow=evidence.write_arrow)


def rows_per_batch(table: str, batch_rows: int) -> int:
    """Rows of `table` checked at a time for `batch_rows` articles at a time: as many more as its Parquet
    row groups hold more rows than those of articles (etl.tables.row_group_rows: both tens of MB), so by
    default a batch is one row group of the file written, taken whole rather than gathered from pieces,
    and the work done once per batch is done a few times, not hundreds."""
    return batch_rows * row_group_rows(table) // row_group_rows("articles")


def earlier_rejects_of(interim: Path) -> pd.DataFrame:
    """The rejects of the stages before: ingest's, extract's and the corrections'."""
    return pd.concat([read_table(interim / "ingest_rejects.parquet", "rejects"),
                      read_extract_rejects(interim / "extract_rejects.parquet"),
                      read_optional(interim / "correction_rejects.parquet", "rejects")], ignore_index=True)


def evidence_files(interim: Path) -> list[Path]:
    """The extractor's evidence, then the corrections' when there is any."""
    return [interim / "evidence.parquet"] + [path for path in [interim / "correction_evidence.parquet"]
                                             if path.exists()]


def reaching_validation(interim: Path, failed: set[str]) -> set[str]:
    """The ids of the articles validation checks: those read, but for those extraction failed on."""
    ids = pq.read_table(interim / "ingested.parquet", columns=["article_id"]).column("article_id")
    return set(ids.drop_null().to_pylist()) - failed


def read_extract_rejects(path: Path) -> pd.DataFrame:
    """The articles whose extraction failed (etl.extract writes them); none when an older
    interim folder has no such table."""
    if not path.exists():
        return pd.DataFrame(columns=list(TABLES["rejects"].columns))
    return read_table(path, "rejects")


def read_optional(path: Path, table: str) -> pd.DataFrame:
    """A table the link stage writes (the corrections, their evidence and rejects); empty when an older
    interim folder has none."""
    return read_table(path, table) if path.exists() else empty_frame(table)


def corrected_relevance(extractions: pd.DataFrame, corrections: pd.DataFrame) -> pd.DataFrame:
    """The extractions with `relevant` as the applied relevance corrections set it (the link stage clustered them so)."""
    given = relevance_given(corrections)
    corrected = extractions.copy()
    corrected["relevant"] = [given.get(article, relevant)
                             for article, relevant in zip(corrected["article_id"], corrected["relevant"])]
    return conform(corrected, "extractions")


def relevance_given(corrections: pd.DataFrame) -> dict:
    """The relevance each applied relevance correction gives its article, by article_id."""
    applied = corrections[(corrections["correction_field"] == "relevant") & (corrections["status"] == "applied")]
    return dict(zip(applied["target"], applied["correction_value"].str.lower() == "true"))


def failed_articles(rejects: pd.DataFrame) -> set[str]:
    """Ids of the articles an extract error rejected ("articles:<id>"): kept out of `articles`."""
    errors = rejects[(rejects["stage"] == "extract") & (rejects["severity"] == "error")]
    keys = errors["row_key"].dropna().astype(str)
    return {key.split(":", 1)[1] for key in keys if key.startswith("articles:")}


def article_batches(ingested: Path, extractions: arrow.Table, membership: arrow.Table, corrections: pd.DataFrame,
                    failed: set[str], rows: int) -> Iterator[pd.DataFrame | arrow.Table]:
    """The articles table a batch of ingested articles at a time, without the articles extraction failed on:
    as Arrow when it surely passes its checks (`checked_batches`), else as a frame."""
    given = relevance_given(corrections)
    # (an Arrow lookup is the pandas merge only when each article has one row, and a correction a bool)
    joinable = has_unique_ids(extractions) and has_unique_ids(membership) and all(
        isinstance(value, (bool, np.bool_)) for value in given.values())
    if joinable:
        extracted_by_id, membership_by_id = IdIndex(extractions), IdIndex(membership)
    left_out = arrow.array(sorted(failed), arrow.string())
    for read in arrow_batches(ingested, "ingested", rows):
        if joinable:
            kept = kept_rows(read, pc.invert(pc.is_in(read["article_id"], value_set=left_out)))
            assembled = articles_of(kept, extracted_by_id, membership_by_id, given)
            if assembled is not None and surely_passes(assembled, "articles"):
                yield assembled
                continue
        batch = conform(read.to_pandas(date_as_object=True), "ingested")
        batch = batch[~batch["article_id"].isin(failed)]
        extracted = corrected_relevance(rows_for(extractions, batch["article_id"], "extractions"), corrections)
        yield assemble_articles(batch, extracted, rows_for(membership, batch["article_id"], "article_incidents"))


def evidence_batches(paths: list[Path], membership: arrow.Table, rows: int) -> Iterator[pd.DataFrame | arrow.Table]:
    """The evidence rows of each file in turn (the extractor's, then the corrections'), with their incidents:
    as Arrow when they surely pass their checks (`checked_batches`), else as a frame."""
    membership_by_id = IdIndex(membership) if has_unique_ids(membership) else None
    for path in paths:
        for read in arrow_batches(path, "evidence", rows):
            joined = evidence_of(read, membership_by_id) if membership_by_id is not None else None
            if joined is not None and surely_passes(joined, "evidence"):
                yield joined
                continue
            batch = conform(read.to_pandas(date_as_object=True), "evidence")
            yield with_incidents(batch, rows_for(membership, batch["article_id"], "article_incidents"))


def checked_batches(path: Path, table: str, rows: int) -> Iterator[pd.DataFrame | arrow.Table]:
    """The table at `path` a batch at a time: as read, in Arrow, when it surely passes every check of the
    table (`schema.models.surely_passes`: `validate_table` then writes it as it is), else as the frame
    `etl.batches.table_batches` gives, for the pandera model to find its failures. (Nearly every batch passes, and
    then neither pandas nor pandera sees it.)"""
    for read in arrow_batches(path, table, rows):
        rows_read = read.select(list(TABLES[table].columns)) if has_columns(read, table) else None
        if rows_read is not None and surely_passes(rows_read, table):
            yield rows_read
        else:
            yield conform(read.to_pandas(date_as_object=True), table)


def has_columns(rows: arrow.Table, table: str) -> bool:
    """Whether the Arrow rows hold every column of the codebook table."""
    return set(TABLES[table].columns) <= set(rows.column_names)


def has_unique_ids(rows: arrow.Table) -> bool:
    """Whether every row of a stage table has an article_id, and no two the same one."""
    ids = rows["article_id"]
    return ids.null_count == 0 and pc.count_distinct(ids).as_py() == rows.num_rows


def looked_up(ids: arrow.ChunkedArray, rows: "IdIndex", columns: list[str]) -> list[arrow.ChunkedArray]:
    """The `columns` of the row of `rows` each id is, null where none is: a left merge on article_id."""
    at = by_distinct(ids, lambda distinct: arrow.array([rows.place.get(id_) for id_ in distinct], arrow.int64()))
    return [rows.table[column].take(at) for column in columns]


class IdIndex:
    """A stage table whose article_ids are unique, with the place of each id: built once, so finding a
    batch's rows hashes the batch's ids, not all the table's again (as Arrow's index_in would)."""

    def __init__(self, table: arrow.Table):
        self.table = table
        self.place = {id_: at for at, id_ in enumerate(table["article_id"].to_pylist())}


def by_distinct(values: arrow.ChunkedArray, of_distinct: Callable[[list], arrow.Array]) -> arrow.Array:
    """of_distinct(the distinct values, as Python) spread back over `values`: a function of each value
    computed once per distinct value (a batch's evidence holds a few articles' ids, many times each)."""
    distinct = pc.unique(values)
    return of_distinct(distinct.to_pylist()).take(pc.index_in(values, value_set=distinct))


def articles_of(ingested: arrow.Table, extractions: IdIndex, membership: IdIndex,
                given: dict) -> arrow.Table | None:
    """`assemble_articles` of Arrow rows, but for the dtypes (`surely_passes` says whether they are the
    codebook's); None when a table lacks a column."""
    if not (has_columns(ingested, "ingested") and has_columns(extractions.table, "extractions")
            and has_columns(membership.table, "article_incidents")):
        return None
    extracted = [column for column in TABLES["extractions"].columns if column != "article_id"]
    columns = dict(zip(TABLES["ingested"].columns, (ingested[column] for column in TABLES["ingested"].columns)))
    columns.update(zip(extracted, looked_up(ingested["article_id"], extractions, extracted)))
    columns["incident_id"] = looked_up(ingested["article_id"], membership, ["incident_id"])[0]
    if given:
        columns["relevant"] = arrow.chunked_array([arrow.array(
            [given.get(article, relevant) for article, relevant in zip(ingested["article_id"].to_pylist(),
                                                                       columns["relevant"].to_pylist())],
            arrow.bool_())])
    names = list(TABLES["articles"].columns)
    return arrow.table([columns[name] for name in names], names=names)


def evidence_of(read: arrow.Table, membership: IdIndex) -> arrow.Table | None:
    """`with_incidents` of Arrow rows, but for the dtypes; None when a table lacks a column."""
    names = list(TABLES["evidence"].columns)
    if not (set(names) - {"incident_id"} <= set(read.column_names)
            and has_columns(membership.table, "article_incidents")):
        return None
    columns = {name: read[name] for name in names if name != "incident_id"}
    columns["incident_id"] = looked_up(read["article_id"], membership, ["incident_id"])[0]
    return arrow.table([columns[name] for name in names], names=names)


def rows_for(table: arrow.Table, article_ids: pd.Series, name: str) -> pd.DataFrame:
    """The rows of a stage table (held as Arrow) whose article_id is one of `article_ids`, in the table's order."""
    wanted = arrow.array(article_ids.dropna().unique(), arrow.string())
    return frame_of(table.filter(pc.is_in(table["article_id"], value_set=wanted)), name)


def assemble_articles(ingested: pd.DataFrame, extractions: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """The articles table: what was read, what was extracted, and the incident it belongs to."""
    articles = ingested.merge(extractions, on="article_id", how="left").merge(membership, on="article_id", how="left")
    return conform(articles, "articles")


def with_incidents(evidence: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """The evidence rows with the incident each one's article reports (null for an article in none)."""
    joined = evidence.drop(columns="incident_id", errors="ignore").merge(membership, on="article_id", how="left")
    return conform(joined, "evidence")


def summary_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The SUMMARY_COLUMNS of the articles kept, from each batch's."""
    return pd.concat(frames, ignore_index=True) if frames else empty_frame("articles")[list(SUMMARY_COLUMNS)]


def rows_of(kept: pd.DataFrame, column: str) -> Callable[[pd.DataFrame], pd.Series]:
    """Which rows of another table point at a row of `kept` by `column`: a row pointing at a rejected
    one would point at nothing."""
    return rows_in(set(kept[column].dropna()), column)


def rows_in(ids: set, column: str) -> Callable[[pd.DataFrame | arrow.Table], pd.Series | np.ndarray]:
    """Which rows of a table have one of `ids` in `column`: a Series of a frame, an array of Arrow rows."""

    def points_at_kept(frame: pd.DataFrame | arrow.Table) -> pd.Series | np.ndarray:
        # (a set built once: Arrow's is_in hashes all the ids again for every batch, and pandas'
        # isin of Arrow strings loops over them)
        if isinstance(frame, arrow.Table):
            found = by_distinct(frame[column], lambda distinct: arrow.array([value in ids for value in distinct],
                                                                            arrow.bool_()))
            return found.to_numpy(zero_copy_only=False)
        found = np.fromiter((value in ids for value in frame[column].to_numpy(object)), dtype=bool,
                            count=len(frame))
        return pd.Series(found, index=frame.index, dtype=bool)

    return points_at_kept


def validate_tables(tables: dict[str, pd.DataFrame], batch_rows: int | None = None
                    ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The tables without their failing rows, and a rejects row per failure or flag.

    With `batch_rows`, each table is checked that many rows at a time, as `run` does; the result
    is the same.
    """
    kept, rejects = {}, []
    for name, frame in tables.items():
        keep = None
        if name == "evidence" and "articles" in kept:
            keep = rows_of(kept["articles"], "article_id")  # evidence of a rejected article
        if name == "incident_fields" and "incidents" in kept:
            keep = rows_of(kept["incidents"], "incident_id")  # provenance of a rejected incident
        passed: list[pd.DataFrame] = []
        rejects += validate_table(name, slices(frame, batch_rows), passed.append, keep)
        kept[name] = pd.concat(passed, ignore_index=True)
    return kept, rejects_frame(rejects)


def slices(frame: pd.DataFrame, rows: int | None) -> list[pd.DataFrame]:
    """The frame as consecutive pieces of at most `rows` rows (None: whole)."""
    if rows is None or len(frame) <= rows:
        return [frame]
    return [frame.iloc[start:start + rows] for start in range(0, len(frame), rows)]


def validate_whole(table: str, frame: pd.DataFrame, as_read: arrow.Table | None = None
                   ) -> tuple[pd.DataFrame, list[dict]]:
    """A small table checked in one piece: its passing rows and its rejects rows. Given `as_read`, the
    Arrow rows `frame` was made of (`frame_of(as_read)`: already conformed), and they surely pass every
    check, the model is not run: every row passes, and none is flagged."""
    if as_read is not None and has_columns(as_read, table) \
            and surely_passes(as_read.select(list(TABLES[table].columns)), table):
        return frame.copy(), []
    passed: list[pd.DataFrame] = []
    rejects = validate_table(table, [frame], passed.append)
    return pd.concat(passed, ignore_index=True), rejects


def validate_table(table: str, batches: Iterable[pd.DataFrame | arrow.Table], write: Callable[[pd.DataFrame], None],
                   keep: Callable | None = None, write_arrow: Callable[[arrow.Table], None] | None = None
                   ) -> list[dict]:
    """Check a table a batch at a time: `write` gets each batch's passing rows (those `keep` accepts,
    when given); returns its rejects rows, exactly those (and in the order) one pass over the
    whole table gives.

    A batch given as Arrow is one known to pass every check (`checked_batches`): it has no rejects
    rows, and `write_arrow` (needed then) gets its rows kept as `etl.tables.to_arrow` lays out their frame.

    The failing rows (few) are kept, numbered by their place in the whole table, and checked again
    together at the end: every check is of a value or a row, so they fail there as they would among
    all the rows, and pandera reports them in the one pass's order. Warning flags are gathered
    check by check, as the one pass lists them.
    """
    failing: list[pd.DataFrame] = []
    untied: list[dict] = []  # failures of no row (a column's type), from the first batch that has them
    flags: dict[str, list[dict]] = {check.check_id: [] for check in row_checks(table, "warning")}
    start = 0
    laid_out = None  # the schema to_arrow gives the rows written from Arrow (`layout_of`)
    for batch in batches:
        if isinstance(batch, arrow.Table):
            start += batch.num_rows
            rows = batch if keep is None else kept_rows(batch, keep(batch))
            if rows.num_rows:
                if laid_out is None:
                    laid_out = layout_of(rows, table)
                write_arrow(laid_out_as(rows, table, laid_out))
            continue
        batch = conform(batch, table)
        batch.index = pd.RangeIndex(start, start + len(batch))  # (its rows' places in the whole table)
        start += len(batch)
        failures = failed_rows(batch, table)
        bad = sorted({row["_index"] for row in failures if row["_index"] is not None})
        if not untied:
            untied = [row for row in failures if row["_index"] is None]
        failing.append(batch.loc[bad])
        for check, rows in flagged_rows(batch, table).items():
            flags[check] += rows
        passed = batch.drop(index=bad)
        if keep is not None:
            passed = passed[keep(passed)]
        write(passed.reset_index(drop=True))
    together = pd.concat(failing) if failing else empty_frame(table)
    failures = failed_rows(together, table) if len(together) else []
    if untied and not any(row["_index"] is None for row in failures):
        failures = untied + failures
    return failures + [row for rows in flags.values() for row in rows]


def layout_of(rows: arrow.Table, table: str) -> arrow.Schema:
    """The schema `etl.tables.to_arrow` gives the frame of Arrow rows that surely pass (`laid_out_as` then
    lays out any such rows as it would), from their first row: it is the codebook's, with the pandas
    metadata of the codebook's Arrow types, whatever the values (a batch's rows are never made a frame)."""
    return to_arrow(frame_of(rows.slice(0, 1), table), table).schema


def kept_rows(rows: arrow.Table, kept: np.ndarray | arrow.Array | arrow.ChunkedArray) -> arrow.Table:
    """The Arrow rows the mask `kept` keeps: `rows` themselves when it keeps them all (nearly always),
    as a filter would copy every value, the articles' text too."""
    mask = kept if isinstance(kept, (arrow.Array, arrow.ChunkedArray)) else arrow.array(kept, arrow.bool_())
    if mask.null_count == 0 and pc.all(mask).as_py() is not False:  # (all of no rows is null)
        return rows
    return rows.filter(mask)


def rejects_frame(rows: list[dict]) -> pd.DataFrame:
    """The rejects table of the rows `validate_table` gives."""
    return pd.DataFrame(rows, columns=list(TABLES["rejects"].columns) + ["_index"]).drop(columns="_index")


def failed_rows(frame: pd.DataFrame, table: str) -> list[dict]:
    """A rejects row for every (row, check) that fails the table's pandera model."""
    try:
        model(table).validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rules = {rule.check_id: rule for rule in row_checks(table, "error")}
    rows, seen = [], set()
    for case in cases.to_dict("records"):
        index = case.get("index")
        index = None if index is None or pd.isna(index) else int(index)
        column = case.get("column") or "table"
        check = str(case.get("check"))
        check_id = check if check.startswith(f"{table}.") else f"{table}.{column}.{check.split('(')[0]}"
        rule = rules.get(check_id)
        if rule is None:
            reason = f"{column}={case.get('failure_case')!r} fails {check}"
        elif (index, check_id) in seen:
            continue  # (pandera gives a failing row of a check across columns once for each of its columns)
        else:
            seen.add((index, check_id))
            reason = _rule_reason(frame, rule, index)
        rows.append(_reject(frame, table, index, check_id, "error", reason))
    return rows


def _rule_reason(frame: pd.DataFrame, rule, index: int | None) -> str:
    """Why a row fails a check across columns: the check's description and the values it read."""
    if index is None or index not in frame.index or not rule.columns:
        return rule.description
    values = ", ".join(f"{name}={_shown(frame.at[index, name])}" for name in rule.columns)
    return f"{rule.description} ({values})"


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def flagged_rows(frame: pd.DataFrame, table: str) -> dict[str, list[dict]]:
    """For each warning-level check, a warning rejects row for every row that fails it (the row is kept)."""
    return {check.check_id: [_reject(frame, table, None, check.check_id, "warning", check.description, key_index=index)
                             for index in frame.index[~check.passes(frame)]]
            for check in row_checks(table, "warning")}


def _reject(frame: pd.DataFrame, table: str, index: int | None, check_id: str, severity: str, reason: str,
            key_index: int | None = None) -> dict:
    at = index if index is not None else key_index
    key_columns = TABLES[table].key
    if at is not None and key_columns and at in frame.index:
        key = ":".join(str(frame.at[at, column]) for column in key_columns)
        source = frame.at[at, "source_path"] if "source_path" in frame else None
    else:
        key, source = None, None
    return {"source_path": source, "row_key": f"{table}:{key}" if key else table, "stage": "validate",
            "check_id": check_id, "severity": severity, "reason": reason, "_index": index}
