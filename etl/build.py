"""The whole pipeline in one call: the same stage functions `dvc repro` runs, in order."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import extract, ingest, link, publish, validate
from etl.progress import Progress, Silent

class LostDocumentsError(RuntimeError):
    """Documents read != articles + rejected documents: a stage dropped or invented rows."""


@dataclass(frozen=True)
class Summary:
    """What one build read, kept and published; documents = articles + rejected always holds."""

    files: int
    documents: int
    articles: int
    relevant: int
    incidents: int
    rejected: int
    flagged: int
    duplicates: int = 0
    copies: int = 0
    rows_rejected: int = 0

    def line(self) -> str:
        rows = f", {self.rows_rejected} other rows rejected" if self.rows_rejected else ""
        return (f"read {self.documents} documents in {self.files} files = {self.articles} articles "
                f"({self.relevant} relevant) + {self.rejected} rejected; {self.duplicates} duplicates, "
                f"{self.copies} copies; {self.flagged} flagged{rows}; {self.incidents} incidents")


def build(raw: Path, out: Path, params: dict, interim: Path | None = None, show_progress: bool = False,
          previous_release: Path | None = None) -> Summary:
    """Build the dataset from the articles under `raw` into `out`; stage tables go to `interim`.

    Nothing is published unless every document read is an article or a rejected
    document; `out` keeps its previous tables until the last step (see etl.publish).
    """
    if interim is None:
        with tempfile.TemporaryDirectory(prefix="uofdb-") as scratch:
            return build(raw, out, params, Path(scratch), show_progress, previous_release)
    reporter = Progress if show_progress else Silent
    ingested = ingest.run(raw, interim, params.get("ingest"), progress=reporter("ingest", 0, "files"))
    rejected = int((ingested.rejects["severity"] == "error").sum()) if len(ingested.rejects) else 0
    with reporter("extract", len(ingested.articles), "articles") as progress:
        progress.count(read=ingested.documents, relevant=0, rejected=rejected)
        extract.run(interim / "ingested.parquet", interim, params["extract"]["relevance_threshold"], progress)
    link.run(interim / "ingested.parquet", interim / "extractions.parquet", interim / "link_features.parquet", interim,
             params["link"]["window_days"], params["link"]["threshold"], params["link"]["max_block"],
             previous_release=previous_release)
    tables = validate.run(interim, interim / "validated")
    summary = summarise(tables, ingested.documents, ingested.files)  # raises before publishing if documents were lost
    publish.run(interim / "validated", out)
    return summary


def documents_rejected(rejects: pd.DataFrame) -> int:
    """Documents kept out of `articles`: each ingest error is one; later stages name the article row."""
    errors = rejects[rejects["severity"] == "error"]
    at_ingest = int((errors["stage"] == "ingest").sum())
    later = errors[(errors["stage"] != "ingest") & errors["row_key"].fillna("").str.startswith("articles:")]
    return at_ingest + later["row_key"].nunique()


def rows_rejected(rejects: pd.DataFrame) -> int:
    """Rows of other tables (incidents, evidence) kept out by validation: not documents."""
    errors = rejects[(rejects["severity"] == "error") & (rejects["stage"] != "ingest")]
    return int((~errors["row_key"].fillna("").str.startswith("articles:")).sum())


def summarise(tables: dict[str, pd.DataFrame], documents: int, files: int) -> Summary:
    """The build's counts, after checking documents read = articles + rejected documents."""
    rejects, articles = tables["rejects"], tables["articles"]
    rejected = documents_rejected(rejects)
    if documents != len(articles) + rejected:
        raise LostDocumentsError(f"read {documents} documents but have {len(articles)} articles + {rejected} "
                                 f"rejected = {len(articles) + rejected}; nothing was published (this is a bug: "
                                 f"please report it with the input folder)")
    return Summary(
        files=files,
        documents=documents,
        articles=len(articles),
        relevant=int(articles["relevant"].sum()),
        incidents=len(tables["incidents"]),
        rejected=rejected,
        flagged=int((rejects["severity"] == "warning").sum()),
        duplicates=int(articles["duplicate_of"].notna().sum()),
        copies=int(articles["copy_of"].notna().sum()),
        rows_rejected=rows_rejected(rejects),
    )
