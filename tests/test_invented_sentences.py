"""Test sentences are invented: no string in the tests is lifted from a dev-corpus article.

Every string literal of eight words or more in tests/**/*.py is cut into lower-cased
word 5-shingles; a string fails when half or more of its shingles appear in some
article under ../shared/corpus/dev/articles.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTICLES = REPO.parent / "shared" / "corpus" / "dev" / "articles"
TESTS = REPO / "tests"
THIS = Path(__file__).resolve()

MIN_WORDS = 8
SHINGLE = 5
LIMIT = 0.5

WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _article_shingles() -> dict[tuple[str, ...], list[str]]:
    """Each 5-shingle of the dev articles, mapped to the articles it appears in."""
    owners: dict[tuple[str, ...], list[str]] = {}
    for path in sorted(ARTICLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for shingle in _shingles(_words(text)):
            owners.setdefault(shingle, []).append(path.stem)
    return owners


def _test_strings():
    for path in sorted(TESTS.rglob("*.py")):
        if path.resolve() == THIS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = _words(node.value)
                if len(words) >= MIN_WORDS:
                    yield path.relative_to(REPO), node.lineno, words


def test_no_test_string_is_copied_from_a_dev_article():
    assert ARTICLES.is_dir(), (
        f"the dev corpus is missing: expected articles in {ARTICLES} "
        "(a checkout of ../shared next to the repository)"
    )
    owners = _article_shingles()
    assert owners, f"no articles found in {ARTICLES}"

    copied = []
    for path, line, words in sorted(_test_strings()):
        shingles = _shingles(words)
        hits: dict[str, int] = {}
        for shingle in shingles:
            for article in owners.get(shingle, ()):
                hits[article] = hits.get(article, 0) + 1
        if not hits:
            continue
        best = max(sorted(hits), key=hits.get)
        if hits[best] / len(shingles) >= LIMIT:
            copied.append(f"{path}:{line}: {hits[best]}/{len(shingles)} shingles from {best}")
    assert not copied, "test strings copied from dev-corpus articles:\n" + "\n".join(copied)
