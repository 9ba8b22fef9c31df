"""The whole pipeline in one call: the same stage functions `dvc repro` runs, in order."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import extract, ingest, link, publish, validate


@dataclass(frozen=True)
class Summary:
    """What one build read, kept and published."""

    files: int
    articles: int
    relevant: int
    incidents: int
    rejected: int
    flagged: int

    def line(self) -> str:
        return (f"read {self.files} files: {self.articles} articles ({self.relevant} relevant), "
                f"{self.rejected} rejected, {self.flagged} flagged; {self.incidents} incidents")


def build(raw: Path, out: Path, params: dict, interim: Path | None = None) -> Summary:
    """Build the dataset from the articles under `raw` into `out`; stage tables go to `interim`."""
    if interim is None:
        with tempfile.TemporaryDirectory(prefix="uofdb-") as scratch:
            return build(raw, out, params, Path(scratch))
    ingest.run(raw, interim)
    extract.run(interim / "ingested.parquet", interim, params["extract"]["relevance_threshold"])
    link.run(interim / "ingested.parquet", interim / "extractions.parquet", interim, params["link"]["window_days"])
    tables = validate.run(interim, interim / "validated")
    publish.run(interim / "validated", out)
    return summarise(tables)


def summarise(tables: dict[str, pd.DataFrame]) -> Summary:
    rejects = tables["rejects"]
    file_errors = rejects[(rejects["stage"] == "ingest") & (rejects["severity"] == "error")]
    return Summary(
        files=len(tables["articles"]) + file_errors["source_path"].nunique(),
        articles=len(tables["articles"]),
        relevant=int(tables["articles"]["relevant"].sum()),
        incidents=len(tables["incidents"]),
        rejected=int((rejects["severity"] == "error").sum()),
        flagged=int((rejects["severity"] == "warning").sum()),
    )
