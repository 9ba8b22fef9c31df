"""`uofdb report`: load a build's tables, make the pages, write the site whole.

The site is written into a new folder beside the output folder and then renamed into
place, so a reader (or a report killed while writing) sees the old site or the new one,
never a mix; the output folder is replaced only when it is empty or a site written here
before (it holds the `.uofdb-report` mark), never a folder of other files.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from etl import reconcile
from etl.publish import DATABASE
from etl.report import audit, figures, pages, queries
from schema.models import conform

# The tables and views the report reads.
NEEDED = ("articles", "incidents", "incident_fields", "evidence", "rejects", "conflicts", "districts", "build_info")
MARK = ".uofdb-report"  # in the root of every site this writes, so a rewrite knows the folder is its own


class NotAReportFolder(ValueError):
    """The output folder holds files that are not a report written by `uofdb report`."""


@dataclass(frozen=True)
class ReportData:
    """Every query result the report shows."""

    build: dict
    headline: dict
    per_year_outcome: list[dict]
    per_year_force_type: list[dict]
    by_force: list[dict]
    force_not_stated: int
    by_nation: list[dict]
    by_region: list[dict]
    by_district: list[dict]
    district_not_stated: int
    latest: list[dict]
    incident_lines: list[dict]
    not_stated: list[dict]
    conflicts: list[dict]
    rejects: list[dict]
    incidents: list[dict]
    incident_fields: list[dict]
    incident_articles: list[dict]
    incident_evidence: list[dict]
    incident_relevance: list[dict]
    reconciliation: list[dict] | None = None  # None: no reference counts given



@dataclass(frozen=True)
class Summary:
    incidents: int
    pages: int
    out: Path

    def line(self) -> str:
        return f"{self.pages} pages ({self.incidents} incidents) -> {self.out}"


def run(processed: Path, out: Path, reference: Path | None = None) -> Summary:
    """Write the report of the build in `processed` (its uofdb.duckdb) to the folder `out`; with a
    `reference` file of official counts (`etl.reconcile`), a section compares the dataset with them."""
    # load
    data = load(processed, reference)
    # process
    files = site_files(data)
    # save
    write_site(files, out)
    return Summary(len(data.incidents), sum(name.endswith(".html") for name in files), out)


def load(processed: Path, reference: Path | None = None) -> ReportData:
    """Every query the report needs, run on the build's database, read-only (and, given a
    `reference` file, the comparison of its incidents with the official counts)."""
    database = Path(processed) / DATABASE
    if not database.exists():
        raise FileNotFoundError(f"{database}: no published database; run `uofdb build` first or pass --processed DIR")
    with duckdb.connect(str(database), read_only=True) as con:
        # A table the build lacks must be an error, never a Python variable of that name.
        con.execute("SET python_enable_replacements = false")
        missing = sorted(set(NEEDED) - {name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()})
        if missing:
            raise ValueError(f"{database}: the build has no {', '.join(missing)}: it was made by an older uofdb; "
                             f"build it again (uofdb build) to report on it")
        return ReportData(
            build=queries.build_info(con), headline=queries.headline(con),
            per_year_outcome=queries.per_year(con, "outcome"),
            per_year_force_type=queries.per_year(con, "force_type"),
            by_force=queries.by_force(con), force_not_stated=queries.force_not_stated(con),
            by_nation=queries.by_nation(con), by_region=queries.by_region(con),
            by_district=queries.by_district(con), district_not_stated=queries.district_not_stated(con),
            latest=queries.latest(con, figures.LATEST_SHOWN), incident_lines=queries.incident_lines(con),
            not_stated=queries.not_stated_share(con), conflicts=queries.conflicts_by_field(con),
            rejects=queries.rejects_by_check(con),
            incidents=queries.incidents(con), incident_fields=queries.incident_fields(con),
            incident_articles=queries.incident_articles(con), incident_evidence=queries.incident_evidence(con),
            incident_relevance=queries.incident_relevance(con),
            reconciliation=_reconciled(con, reference) if reference is not None else None)


def _reconciled(con: duckdb.DuckDBPyConnection, reference: Path) -> list[dict]:
    """`etl.reconcile.compare` of the database's incidents with the official counts, as rows."""
    incidents = conform(con.execute("SELECT * FROM incidents").df(), "incidents")
    comparison = reconcile.compare(incidents, reconcile.read_reference(Path(reference)))
    return [{key: (None if not isinstance(value, list) and pd.isna(value) else value) for key, value in row.items()}
            for row in comparison.to_dict("records")]


def site_files(data: ReportData) -> dict[str, str]:
    """Every file of the site, by its path relative to the site's root."""
    front = figures.front_page(data)
    build = pages.build_line(data.build)
    files = {"index.html": pages.front(data.headline, front, build),
             "incidents.html": pages.incident_list(data.incident_lines, build),
             "style.css": resources.files("etl.report").joinpath("templates", "style.css").read_text("utf-8")}
    files |= {f"data/{figure.key}.csv": figure_csv(figure) for figure in front}
    for view in audit.incident_views(data.incidents, data.incident_fields, data.incident_articles,
                                     data.incident_evidence, data.incident_relevance):
        files[figures.incident_page(view.incident_id)] = pages.incident(view, build)
    return files


def figure_csv(figure: figures.Figure) -> str:
    """A figure's table as CSV: a header of its column keys, then its rows as shown."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _ in figure.columns])
    for row in figure.rows:
        writer.writerow(["" if row.get(key) is None else str(row.get(key)) for key, _ in figure.columns])
    return buffer.getvalue()


def write_site(files: dict[str, str], out: Path) -> None:
    """Write `files` as a new folder and rename it over `out` (see the module's docstring)."""
    out = Path(out)
    if out.exists() and not (out.is_dir() and (not any(out.iterdir()) or (out / MARK).exists())):
        raise NotAReportFolder(f"{out}: exists and is not a report folder written by uofdb report; "
                              f"choose another --out or remove it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        (staging / MARK).write_text("")
        os.chmod(staging, 0o777 & ~_umask())
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
