"""Build parameters: `params.yaml` (the file `dvc repro` tracks) over built-in defaults."""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

DEFAULTS = {
    "paths": {"raw": "data/raw", "interim": "data/interim", "processed": "data/processed", "cache": None,
              "corrections": "data/corrections.csv"},
    "ingest": {"max_article_mb": 1.0, "max_file_mb": 2048.0, "copy_similarity": 0.7, "follow_outside_links": False,
               "columns": {"id": None, "url": None, "headline": None, "published": None, "text": None, "outlet": None},
               "jobs": None, "batch_articles": 2000, "trust_file_stat": True},
    "extract": {"relevance_threshold": None, "seconds_per_article": 30.0, "jobs": None, "batch_articles": 2000,
                "engine": "local", "scheduler": None},
    "link": {"window_days": 3, "threshold": None, "max_block": 50, "jobs": None},
    "fetch": {"seconds_between_requests": 5.0, "user_agent": "uofdb/{version} (research dataset of police use of force "
              "in the UK; fetches each page once)", "timeout_seconds": 30.0, "max_seconds_per_page": 120.0,
              "max_page_mb": 5.0, "retries": 3, "backoff_seconds": 2.0, "max_backoff_seconds": 60.0, "max_redirects": 5},
}


# Parameters of how a build runs, not of what it writes: the tables are byte for byte the same
# whatever they are (or, for the batch size, only the layout of the stage tables changes), so
# they are left out of the parameters a build records (etl.buildinfo). `fetch` is read by
# `uofdb fetch` alone.
HOW_IT_RUNS = {"ingest": ("jobs", "batch_articles", "trust_file_stat"), "extract": ("jobs", "engine", "scheduler", "batch_articles"),
               "link": ("jobs",)}
NOT_A_BUILD_SECTION = ("paths", "fetch")


def shaping(params: dict) -> dict:
    """The parameters that shape the published tables: without paths, fetch and how the build runs."""
    return {section: {name: value for name, value in values.items() if name not in HOW_IT_RUNS.get(section, ())}
            for section, values in params.items() if section not in NOT_A_BUILD_SECTION}


def load(path: Path | None) -> dict:
    """The parameters in `path` laid over the defaults; the defaults alone when there is no file."""
    params = copy.deepcopy(DEFAULTS)
    if path is None or not path.exists():
        return params
    given = yaml.safe_load(path.read_text()) or {}
    if not isinstance(given, dict):
        raise ValueError(f"{path}: expected a mapping of sections (paths, extract, link)")
    for section, values in given.items():
        if section not in params:
            raise ValueError(f"{path}: unknown section {section!r}; expected one of {', '.join(params)}")
        unknown = set(values or {}) - set(params[section])
        if unknown:
            raise ValueError(f"{path}: unknown {section} parameter(s) {', '.join(sorted(unknown))}")
        params[section].update(values or {})
    return params


def cache_folder(params: dict) -> Path | None:
    """The cache folder of the ingest, extract and link stages (`paths.cache`), or None when there is to be none."""
    folder = params["paths"].get("cache")
    return Path(folder) if folder else None
