"""Exact duplicates and near-identical (syndicated) copies among the articles read.

Every document keeps its own articles row; these functions only say which row it
repeats. `duplicate_of` points an exact copy (same normalised text) at the first
copy read; `copy_of` points a near-identical copy (a wire story run by several
outlets with a different headline or a line added) at the earliest published
article of its group.

Near-identical means a Jaccard similarity of word 5-shingles at or above a
threshold. Candidates come from MinHash signatures split into bands (locality
sensitive hashing), so the work grows with the number of articles, not with its
square; every candidate pair is then confirmed on the exact shingle sets.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
# Texts shorter than this are not compared for copies: a few words in common is not syndication.
MIN_WORDS_FOR_COPIES = 30
NUM_PERM = 128
BANDS = 32  # of NUM_PERM // BANDS rows each: pairs at Jaccard 0.7 become candidates with p > 0.9999
PRIME = (1 << 31) - 1  # Mersenne prime: shingle hashes and MinHash values are below it
_SEED = 20240501  # fixed, so the same inputs always give the same candidates
GRAM_BASE = 1_000_003  # the polynomial's base for a 5-gram's hash: a prime, so word order matters
_WORD = re.compile(r"\w+")
_CHUNK = 4096  # shingles hashed at once: bounds memory for very long texts


@dataclass(frozen=True)
class Marks:
    """For each article id it marks, the article it repeats."""

    duplicate_of: dict[str, str]
    copy_of: dict[str, str]


def mark(article_ids: list[str], texts: list[str], published: list, threshold: float) -> Marks:
    """Which articles are exact duplicates and which are near-identical copies (ids in read order)."""
    duplicate_of = exact_duplicates(article_ids, texts)
    originals = [index for index, article_id in enumerate(article_ids) if article_id not in duplicate_of]
    groups = near_duplicate_groups([texts[index] for index in originals], threshold)
    copy_of = {}
    for group in groups:
        members = [originals[index] for index in group]
        first = min(members, key=lambda index: _publication_order(published[index], index))
        for index in members:
            if index != first:
                copy_of[article_ids[index]] = article_ids[first]
    return Marks(duplicate_of, copy_of)


def _publication_order(published, index: int) -> tuple:
    # Earliest published first; undated articles after dated ones; then the order read.
    return (published is None, published.toordinal() if published is not None else 0, index)


def normalised_text(text: str) -> str:
    """The text as compared for exact duplicates: Unicode forms, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def text_key(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode("utf-8", "surrogatepass")).hexdigest()


def exact_duplicates(article_ids: list[str], texts: list[str]) -> dict[str, str]:
    """article_id -> the first article read with the same normalised text."""
    first_by_key, duplicate_of = {}, {}
    for article_id, text in zip(article_ids, texts):
        key = text_key(text)
        if key in first_by_key:
            duplicate_of[article_id] = first_by_key[key]
        else:
            first_by_key[key] = article_id
    return duplicate_of


def shingles(text: str, word_hashes: dict[str, int] | None = None) -> np.ndarray:
    """Distinct hashes (below PRIME) of the text's word 5-grams (case-folded); empty for short texts.

    A 5-gram's hash is a polynomial in its words' CRC-32s, computed for all 5-grams at once;
    `word_hashes` keeps each word's CRC-32 between calls (a corpus reuses most of its words)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < MIN_WORDS_FOR_COPIES:
        return np.empty(0, dtype=np.uint64)
    known = word_hashes if word_hashes is not None else {}
    codes = np.fromiter((known[word] if word in known else known.setdefault(word, _crc(word)) for word in words),
                        dtype=np.uint64, count=len(words))
    count = len(words) - SHINGLE_WORDS + 1
    grams = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        # grams < PRIME < 2^31 and GRAM_BASE < 2^31, codes < 2^32: every step stays below 2^63.
        grams = (grams * GRAM_BASE + codes[offset:offset + count]) % PRIME
    return np.unique(grams)


def _crc(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(_SEED)
    return (generator.integers(1, PRIME, NUM_PERM, dtype=np.uint64),
            generator.integers(0, PRIME, NUM_PERM, dtype=np.uint64))


def signature(hashes: np.ndarray, permutations: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The MinHash signature of a set of shingle hashes: NUM_PERM minima of (a*h + b) mod p."""
    a, b = permutations
    minima = np.full(NUM_PERM, PRIME, dtype=np.uint64)
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start:start + _CHUNK, None]
        # a < 2^31 and h < 2^32, so a*h + b stays below 2^64: no overflow.
        minima = np.minimum(minima, ((chunk * a + b) % PRIME).min(axis=0))
    return minima


def candidate_pairs(signatures: list[np.ndarray | None]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) whose signatures agree on a whole band.

    Each bucket pairs its members with its first member only, so a band shared by
    many texts costs linear, not quadratic, work; members similar to each other are
    joined through that first member or through another band.
    """
    rows = NUM_PERM // BANDS
    pairs = set()
    for band in range(BANDS):
        first_in_bucket: dict[bytes, int] = {}
        for index, values in enumerate(signatures):
            if values is None:
                continue
            key = values[band * rows:(band + 1) * rows].tobytes()
            if key in first_in_bucket:
                pairs.add((first_in_bucket[key], index))
            else:
                first_in_bucket[key] = index
    return sorted(pairs)


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    if not len(left) or not len(right):
        return 0.0
    shared = len(np.intersect1d(left, right, assume_unique=True))
    return shared / (len(left) + len(right) - shared)


def near_duplicate_groups(texts: list[str], threshold: float) -> list[list[int]]:
    """Groups (indexes into `texts`, each sorted) of texts confirmed near-identical to one another."""
    word_hashes: dict[str, int] = {}
    hashes = [shingles(text, word_hashes) for text in texts]
    permutations = _permutations()
    signatures = [signature(values, permutations) if len(values) else None for values in hashes]
    parent = list(range(len(texts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for left, right in candidate_pairs(signatures):
        if root(left) != root(right) and jaccard(hashes[left], hashes[right]) >= threshold:
            parent[max(root(left), root(right))] = min(root(left), root(right))
    groups: dict[int, list[int]] = {}
    for index in range(len(texts)):
        groups.setdefault(root(index), []).append(index)
    return [members for members in groups.values() if len(members) > 1]
