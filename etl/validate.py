"""Stage 4, validate: assemble the published tables and check them against the codebook.

Every table is validated lazily with its generated pandera model, so all failures
are collected at once. A row that fails an error-level check goes to `rejects`
with the id of the check; the rest publish. Warning-level checks flag rows in
`rejects` (severity `warning`) and keep them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from etl.tables import read_table, write_table
from schema.codebook import TABLES
from schema.models import conform, model, row_checks


def run(interim: Path, out_dir: Path) -> dict[str, pd.DataFrame]:
    """Validate the stage outputs in `interim`; write the tables fit to publish to `out_dir`."""
    # load
    ingested = read_table(interim / "ingested.parquet", "ingested")
    extractions = read_table(interim / "extractions.parquet", "extractions")
    membership = read_table(interim / "article_incidents.parquet", "article_incidents")
    incidents = read_table(interim / "incidents.parquet", "incidents")
    incident_fields = read_table(interim / "incident_fields.parquet", "incident_fields")
    aliases = read_table(interim / "incident_aliases.parquet", "incident_aliases")
    evidence = read_table(interim / "evidence.parquet", "evidence")
    earlier_rejects = pd.concat([read_table(interim / "ingest_rejects.parquet", "rejects"),
                                 read_extract_rejects(interim / "extract_rejects.parquet")], ignore_index=True)
    # process
    ingested = ingested[~ingested["article_id"].isin(failed_articles(earlier_rejects))]
    tables = {"articles": assemble_articles(ingested, extractions, membership),
              "incidents": incidents, "incident_fields": incident_fields,
              "evidence": with_incidents(evidence, membership),
              "incident_aliases": aliases}
    tables, rejects = validate_tables(tables)
    tables["rejects"] = pd.concat([earlier_rejects, rejects], ignore_index=True)
    # save
    for name, frame in tables.items():
        write_table(frame, name, out_dir / f"{name}.parquet")
    return tables


def read_extract_rejects(path: Path) -> pd.DataFrame:
    """The articles whose extraction failed (etl.extract writes them); none when an older
    interim folder has no such table."""
    if not path.exists():
        return pd.DataFrame(columns=list(TABLES["rejects"].columns))
    return read_table(path, "rejects")


def failed_articles(rejects: pd.DataFrame) -> set[str]:
    """Ids of the articles an extract error rejected ("articles:<id>"): kept out of `articles`."""
    errors = rejects[(rejects["stage"] == "extract") & (rejects["severity"] == "error")]
    keys = errors["row_key"].dropna().astype(str)
    return {key.split(":", 1)[1] for key in keys if key.startswith("articles:")}


def assemble_articles(ingested: pd.DataFrame, extractions: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """The articles table: what was read, what was extracted, and the incident it belongs to."""
    articles = ingested.merge(extractions, on="article_id", how="left").merge(membership, on="article_id", how="left")
    return conform(articles, "articles")


def with_incidents(evidence: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """The evidence rows with the incident each one's article reports (null for an article in none)."""
    joined = evidence.drop(columns="incident_id", errors="ignore").merge(membership, on="article_id", how="left")
    return conform(joined, "evidence")


def validate_tables(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The tables without their failing rows, and a rejects row per failure or flag."""
    kept, rejects = {}, []
    for name, frame in tables.items():
        frame = conform(frame, name)
        failures = failed_rows(frame, name)
        flags = flagged_rows(frame, name)
        rejects.extend(failures + flags)
        bad = {row["_index"] for row in failures if row["_index"] is not None}
        kept[name] = frame.drop(index=sorted(bad)).reset_index(drop=True)
    if "articles" in kept and "evidence" in kept:
        # Evidence of a rejected article would point at nothing.
        kept["evidence"] = kept["evidence"][kept["evidence"]["article_id"].isin(kept["articles"]["article_id"])]
    if "incidents" in kept and "incident_fields" in kept:
        # Provenance of a rejected incident would point at nothing.
        fields = kept["incident_fields"]
        kept["incident_fields"] = fields[fields["incident_id"].isin(kept["incidents"]["incident_id"])].reset_index(drop=True)
    frame = pd.DataFrame(rejects, columns=list(TABLES["rejects"].columns) + ["_index"]).drop(columns="_index")
    return kept, frame


def failed_rows(frame: pd.DataFrame, table: str) -> list[dict]:
    """A rejects row for every (row, check) that fails the table's pandera model."""
    try:
        model(table).validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rows = []
    for case in cases.to_dict("records"):
        index = case.get("index")
        index = None if index is None or pd.isna(index) else int(index)
        column = case.get("column") or "table"
        check = str(case.get("check"))
        check_id = check if check.startswith(f"{table}.") else f"{table}.{column}.{check.split('(')[0]}"
        rows.append(_reject(frame, table, index, check_id, "error",
                            f"{column}={case.get('failure_case')!r} fails {check}"))
    return rows


def flagged_rows(frame: pd.DataFrame, table: str) -> list[dict]:
    """A warning rejects row for every row that fails a warning-level check (the row is kept)."""
    rows = []
    for check in row_checks(table, "warning"):
        for index in frame.index[~check.passes(frame)]:
            rows.append(_reject(frame, table, None, check.check_id, "warning", check.description, key_index=index))
    return rows


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
