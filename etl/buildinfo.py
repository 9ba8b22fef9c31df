"""What made a build: the package version, the commit, the time its data stands at, the codebook
version, the inputs and the parameters (the `build_info` table and every Parquet file's metadata).

Nothing here reads the clock: the build time is the latest published date of the articles,
so rebuilding the same inputs gives byte-identical Parquet files. The commit is only in the
database (`uofdb.duckdb`, which dvc does not hash): in the Parquet files, which `dvc.lock`
hashes and which a fresh clone must rebuild identically, it would change with every commit.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import subprocess
import tomllib
from pathlib import Path

import pandas as pd

from schema.codebook import data_dictionary

PACKAGE = "uofdb"
CHECKOUT = Path(__file__).resolve().parent.parent
METADATA_PREFIX = "uofdb."  # Parquet file metadata keys: uofdb.<build_info column>
GIT_SECONDS = 10  # a git that does not answer in this long counts as no git
HASH_DIGITS = 12


def version() -> str:
    """The package version: the installed distribution's, else pyproject.toml's (a checkout run in place)."""
    pyproject = CHECKOUT / "pyproject.toml"
    if pyproject.is_file():
        return tomllib.loads(pyproject.read_text())["project"]["version"]
    return importlib.metadata.version(PACKAGE)


def git_commit(checkout: Path = CHECKOUT) -> str | None:
    """The commit the code is checked out at; None when it is not a git checkout or git is missing."""
    if not (checkout / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=GIT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def codebook_version() -> str:
    """A digest of the data dictionary: changes exactly when a published column, kind or vocabulary does."""
    text = json.dumps(data_dictionary(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_DIGITS]


def build_time(articles: pd.DataFrame) -> str | None:
    """The latest published date of the articles, ISO; None when none is dated."""
    dates = [day for day in articles["published_date"] if day is not None and not pd.isna(day)]
    return max(dates).isoformat() if dates else None


def inputs_sha256(articles: pd.DataFrame) -> str:
    """A digest of the inputs: every article's id and content hash, sorted by id."""
    lines = sorted(f"{article}\t{digest}" for article, digest in zip(articles["article_id"], articles["sha256"]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def shaping_parameters(params: dict) -> str:
    """The parameters as JSON with sorted keys, less `paths` (where files are, not what is in them)."""
    return json.dumps({section: values for section, values in params.items() if section != "paths"}, sort_keys=True)


def build_info(articles: pd.DataFrame, params: dict, commit: str | None) -> dict:
    """The one row of the build_info table."""
    return {"uofdb_version": version(), "git_commit": commit, "build_time": build_time(articles),
            "codebook_version": codebook_version(), "inputs_sha256": inputs_sha256(articles),
            "parameters": shaping_parameters(params)}


def parquet_metadata(info: dict) -> dict[str, str]:
    """The build's items as Parquet file metadata (uofdb.<column>), less the commit; null items as empty text."""
    return {f"{METADATA_PREFIX}{key}": "" if value is None else str(value)
            for key, value in info.items() if key != "git_commit"}
