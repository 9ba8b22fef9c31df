"""The extract stage's cache: each article's extraction, kept by what it was extracted from.

An article's result (its extraction row, evidence rows and link_features rows) is stored under
a key made of the article itself (id, publication date, text) in a SQLite file named after the
extractor's version: a hash of every module and vocabulary file of the `etl` and `schema`
packages and of the relevance threshold (`etl.cache`). After a change to a few articles only
those are extracted again; a change to the extractor's code or to any vocabulary gives a new
version, so a new, empty cache file (the older versions' files are removed). Articles that
failed are never cached: they are tried again.

The cache lives outside DVC's view by design (`paths.cache`, not a stage output): it changes how
fast the stage runs, never what it writes, because a result is used only for the very article,
extractor and threshold it came from (tests/extract/test_cache.py builds with and without it).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from etl.cache import ResultCache, code_version

PREFIX = "extract-"


def extractor_version(relevance_threshold: float | None, packages: tuple[Path, ...] | None = None) -> str:
    """A hash of the code and vocabularies the extractor reads (every file of the `etl` and `schema`
    packages, or of the `packages` folders given), and of the threshold it is given."""
    return code_version(relevance_threshold, packages)


def article_key(article: dict) -> str:
    """What an article's extraction depends on: its id, publication date and text."""
    published = article.get("published_date")
    content = json.dumps([article["article_id"], published.isoformat() if published is not None else None,
                          article["text"]], ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


class ExtractCache(ResultCache):
    """Extractions by article key, for one extractor version, in `folder/extract-<version>.sqlite`."""

    def __init__(self, folder: Path, version: str):
        super().__init__(folder, PREFIX, version)
