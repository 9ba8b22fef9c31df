"""The whole pipeline in one call: the same stage functions `dvc repro` runs, in order."""
from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import extract, ingest, link, publish, stage_server, validate
from etl.batches import in_own_process
from etl.params import cache_folder
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


class BuildInterrupted(KeyboardInterrupt):
    """A build stopped by SIGINT or SIGTERM; says whether its output had been published."""

    def __init__(self, out: Path, published: bool):
        super().__init__(out, published)
        self.out, self.published = out, published

    def line(self) -> str:
        if self.published:
            return f"interrupted after publishing: {self.out} holds the new build"
        return f"interrupted: nothing was published; {self.out} holds its previous build unchanged"


def build(raw: Path, out: Path, params: dict, interim: Path | None = None, show_progress: bool = False,
          previous_release: Path | None = None, stage_processes: bool = False) -> Summary:
    """Build the dataset from the articles under `raw` into `out`; stage tables go to `interim`.

    Nothing is published unless every document read is an article or a rejected
    document; `out` keeps its previous tables until one atomic switch (see etl.publish).
    The whole build holds `out`'s lock, so a second build into `out` is refused. Without
    `interim`, the stage tables (which hold article text) go to a scratch folder inside
    `out`, deleted at the end, never to the system's temp folder. With `stage_processes`, ingest,
    extract, link and validate each run in a child process of their own (`etl.batches.in_own_process`:
    the same tables, output and exceptions), so the build's peak memory is its largest stage's.
    """
    out = Path(out)
    created = not out.exists()
    try:
        with publish.OutputLock(out) as lock:
            try:
                if interim is not None:
                    return _build(raw, out, params, Path(interim), show_progress, lock, previous_release,
                                  stage_processes)
                scratch = publish.scratch_folder(out)
                try:
                    return _build(raw, out, params, scratch, show_progress, lock, previous_release, stage_processes)
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
            except KeyboardInterrupt as interrupt:
                if isinstance(interrupt, BuildInterrupted):
                    raise
                raise BuildInterrupted(out, lock.published) from None
    except BaseException:
        if created:
            _remove_unpublished(out)
        raise


def _build(raw: Path, out: Path, params: dict, interim: Path, show_progress: bool,
           lock: publish.OutputLock, previous_release: Path | None = None, stage_processes: bool = False) -> Summary:
    # (each stage in a process of its own: what one stage's pandas and Arrow keep is the system's
    # again when it ends, so the build peaks at its largest stage, not at what all of them kept)
    stage = functools.partial(in_own_process, preload=stage_server.PRELOADED) if stage_processes else _in_this_process
    ingested = stage(ingest_stage, raw, interim, params, show_progress)
    stage(extract_stage, interim, params, show_progress, ingested)
    stage(link_stage, interim, params, previous_release)
    summary = stage(validate_stage, interim, ingested)  # raises before publishing if documents were lost
    publish.run(interim / "validated", out, lock, params)
    return summary


def _in_this_process(function, *args):
    return function(*args)


@dataclass(frozen=True)
class Ingested:
    """What the later stages need of ingest's result: its counts."""

    documents: int
    files: int
    articles: int
    rejected: int


def ingest_stage(raw: Path, interim: Path, params: dict, show_progress: bool) -> Ingested:
    """The ingest stage into `interim`, with its progress shown or not: its counts."""
    reporter = Progress if show_progress else Silent
    ingested = ingest.run(raw, interim, params.get("ingest"), progress=reporter("ingest", 0, "files"),
                          cache=cache_folder(params))
    rejected = int((ingested.rejects["severity"] == "error").sum()) if len(ingested.rejects) else 0
    return Ingested(ingested.documents, ingested.files, ingested.article_count, rejected)


def extract_stage(interim: Path, params: dict, show_progress: bool, ingested: Ingested) -> None:
    """The extract stage over `interim`'s ingested table, its progress counting on from ingest's."""
    reporter = Progress if show_progress else Silent
    with reporter("extract", ingested.articles, "articles") as progress:
        progress.count(read=ingested.documents, relevant=0, rejected=ingested.rejected)
        settings = params["extract"]
        extract.run(interim / "ingested.parquet", interim, settings["relevance_threshold"], progress,
                    settings["seconds_per_article"], settings["jobs"], settings["batch_articles"],
                    settings["engine"], settings["scheduler"], cache_folder(params))


def link_stage(interim: Path, params: dict, previous_release: Path | None) -> None:
    """The link stage over `interim`'s tables."""
    link.run(interim / "ingested.parquet", interim / "extractions.parquet", interim / "link_features.parquet", interim,
             params["link"]["window_days"], params["link"]["threshold"], params["link"]["max_block"],
             previous_release=previous_release, corrections_path=corrections_file(params), jobs=params["link"]["jobs"],
             cache=cache_folder(params))


def validate_stage(interim: Path, ingested: Ingested) -> Summary:
    """The validate stage into `interim/validated`: the build's counts (raises if documents were lost)."""
    tables = validate.run(interim, interim / "validated")
    return summarise(tables, ingested.documents, ingested.files)


def corrections_file(params: dict) -> Path | None:
    """The corrections file of the parameters (paths.corrections); None when it is not set."""
    given = params["paths"].get("corrections")
    return Path(given) if given else None


def _remove_unpublished(out: Path) -> None:
    """Remove an output folder this build created when it failed before publishing anything."""
    state = out / publish.STATE
    if publish.current_build(out) is not None:
        return
    if all(entry.name == publish.STATE or entry.is_symlink() for entry in out.iterdir()):
        shutil.rmtree(state, ignore_errors=True)
        for entry in out.iterdir():
            entry.unlink()
        out.rmdir()


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
