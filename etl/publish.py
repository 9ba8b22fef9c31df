"""Stage 5, publish: the validated tables as Parquet and as one DuckDB database.

Every file is first written to a staging folder inside the output folder; only when
all of them are complete are they renamed into place, one after another. A build
killed or failing before that leaves the previous output untouched, and readers
never see half a file. (Only a kill during the final renames, a few system calls,
could leave some new files beside some old ones.)
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from etl.tables import read_table, write_table
from schema.codebook import PUBLISHED, TABLES, columns_of, data_dictionary

DATABASE = "uofdb.duckdb"
# Incidents whose articles disagree on a field: what was chosen, from which article, by
# which rule, and what the other articles said.
CONFLICTS_VIEW = """
CREATE VIEW conflicts AS
SELECT incident_id, field, chosen_value, source_article_id, merge_rule, other_values
FROM incident_fields
WHERE len(other_values) > 0
ORDER BY incident_id, field
"""


def run(validated: Path, out_dir: Path) -> dict[str, Path]:
    """Publish the tables of `validated` into `out_dir`: one Parquet file each and `uofdb.duckdb`."""
    # load
    tables = {name: read_table(validated / f"{name}.parquet", name) for name in PUBLISHED}
    # process: nothing to compute; the tables were validated in the previous stage
    # save: stage every file, then rename them all into place
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    try:
        staged = {name: write_table(frame, name, staging / f"{name}.parquet") for name, frame in tables.items()}
        staged["database"] = write_database(staged, staging / DATABASE)
        return commit(staged, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


STAGING_PREFIX = ".uofdb-staging-"


def commit(staged: dict[str, Path], out_dir: Path) -> dict[str, Path]:
    """Rename each complete staged file over its published name; the published paths."""
    published = {}
    for key, path in staged.items():
        target = out_dir / path.name
        os.replace(path, target)
        published[key] = target
    return published


def remove_abandoned_staging(out_dir: Path) -> None:
    """Delete staging folders left by builds that were killed (their process no longer runs)."""
    for folder in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX):].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_database(parquet: dict[str, Path], path: Path) -> Path:
    """A DuckDB database holding each published table (with column comments) and the codebook."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        with duckdb.connect(tmp) as con:
            for name in (name for name in PUBLISHED if name in parquet):
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(parquet[name])])
                con.execute(f"COMMENT ON TABLE {name} IS {_literal(TABLES[name].description)}")
                for column in columns_of(name):
                    con.execute(f'COMMENT ON COLUMN {name}."{column.name}" IS {_literal(column.description)}')
            if "incident_fields" in parquet:
                con.execute(CONFLICTS_VIEW)
                con.execute("COMMENT ON VIEW conflicts IS 'Incident fields on which the articles disagree (from incident_fields).'")
            codebook = pd.DataFrame(data_dictionary())
            codebook["values"] = codebook["values"].map(lambda values: list(values))
            con.register("codebook_frame", codebook)
            con.execute("CREATE TABLE codebook AS SELECT * FROM codebook_frame")
            con.unregister("codebook_frame")
            con.execute("CHECKPOINT")
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
