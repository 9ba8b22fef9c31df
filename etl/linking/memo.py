"""The candidate pairs' scores of the last link run, kept for the next one: the link stage's cache.

Linking is not a function of each article alone: which names are too common to count
(`clustering.common_names`) is a statistic of the whole corpus, and groups form best pair
first across it. But scoring the candidate pairs, most of its work, is a function of two
articles: a pair's score depends only on the two articles' features without the common names,
and an article's features only on its row (extracted fields, published date, copy marks) and
its rows of link_features. So a pair of two articles whose rows and clues did not change, and
neither of which has a name that turned common or stopped being common since the last run,
scores what it scored then; the pairs of any other article are scored again. Only the pairs that reached the linking threshold
are kept with their score: any other pair of two unchanged articles is known to fall short again,
which is all grouping needs of it (the few whose score the agreement of two groups asks for are
scored then, `clustering.ScoredPairs`). Blocking, grouping and merging run again
in full, so the tables are those a run without the cache writes (tests/test_link_cache.py
builds both ways and compares the files).

An article is known by a digest of its row (two keyed 64-bit hashes of every value,
`pandas.util.hash_pandas_object`) and of its link_features rows (two keyed 64-bit hashes of each
row's kind, value and place among the article's rows, summed by article: `clue_hashes`, computed
over the whole table at once). What is kept is one
value of a `ResultCache` in the cache folder (`paths.cache`), written whole by one statement:
the articles' ids and digests, the common names, the threshold, and the codes and scores of the
pairs that reached it as raw arrays, read back without a copy. Its file is named after the linker's version (the code and
vocabularies of the `etl` and `schema` packages and the link parameters), so a change to any of
them starts an empty one. Like the other stages' caches it lives outside DVC's view by design,
and changes how fast the stage runs, never what it writes.

(Features and merged groups are not kept as Python objects: reading them back from a cache takes
as long as computing them, and holding both would raise the stage's peak memory. What a rebuild
reuses of whole incidents is kept beside these scores as Arrow tables: `etl.linking.reuse`.)
"""
from __future__ import annotations

import hashlib
import pickle
import struct
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.cache import ResultCache, code_version

PREFIX = "link-"
NAME = "pair-scores"
# Two keys of 16 characters for pandas' hash: two independent 64-bit hashes of each row.
ROW_HASH_KEYS = ("uofdb-link-row-1", "uofdb-link-row-2")
CLUE_DIGEST_BYTES = 16
# Pairs looked up at a time: bounds the temporary arrays (a few of 8 bytes a pair) whatever the corpus.
PAIRS_AT_A_TIME = 1_000_000
_HEADER = struct.Struct("<QQ")  # the pickled part's length, and the number of pairs


def linker_version(window_days: int, max_block: int, threshold: float | None,
                   packages: tuple[Path, ...] | None = None) -> str:
    """A hash of the linker's code and vocabularies (the files of the `etl` and `schema` packages, or of
    the `packages` given, that the link stage imports, and every data file there) and of the
    parameters its results depend on."""
    return code_version({"window_days": window_days, "max_block": max_block, "threshold": threshold}, packages,
                        stage="etl.link")


def row_digests(frame: pd.DataFrame) -> list[bytes]:
    """A digest of each row of `frame` (every column's value), in order: 16 bytes each."""
    joined = row_hashes(frame).astype("<u8").tobytes()
    return [joined[start:start + 16] for start in range(0, len(joined), 16)]


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """The two keyed 64-bit hashes of each row of `frame` (every column's value), one row of two each."""
    if not len(frame):
        return np.empty((0, 2), dtype=np.uint64)
    return np.column_stack([pd.util.hash_pandas_object(frame, index=False, hash_key=key).to_numpy(dtype=np.uint64)
                            for key in ROW_HASH_KEYS])


def clue_digest(clues: Iterable[tuple[str, str]]) -> bytes:
    """A digest of an article's link_features rows (kind, value), in order."""
    # (a kind is a word of the codebook's closed set and a value is written by repr, which escapes the
    # separators: the rows joined so are read back one way only)
    joined = "\x1e".join(f"{kind}\x1f{value!r}" for kind, value in clues)
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=CLUE_DIGEST_BYTES).digest()


NO_CLUES = clue_digest(())  # the digest of an article without link_features rows


def clue_hashes(clues: pa.Table, article_ids: list[str], starts: np.ndarray | None = None,
                run_ids: list[str] | None = None) -> np.ndarray:
    """A digest of each article's link_features rows (kind, value), in order, as two 64-bit numbers
    (those of NO_CLUES for an article without any). The rows are `CLUE_COLUMNS` of the table, each
    article's rows one run (as the extract stage writes them). Computed over the whole table at once:
    two keyed 64-bit hashes of each row's kind, value and place among its article's rows, summed by
    article. Given where each article's rows start (`starts`) and whose they are (`run_ids`), the
    article ids are not read again."""
    found = np.tile(np.frombuffer(NO_CLUES, dtype="<u8"), (len(article_ids), 1))
    if not clues.num_rows:
        return found
    if starts is None or run_ids is None:
        ids = clues.column("article_id").combine_chunks()
        starts = np.flatnonzero(np.r_[True, np.asarray(pc.not_equal(ids[1:], ids[:-1]), dtype=bool)])
        run_ids = pc.take(ids, pa.array(starts)).to_pylist()
    lengths = np.diff(np.r_[starts, clues.num_rows])
    places = (np.arange(clues.num_rows) - np.repeat(starts, lengths)).astype(np.uint64)
    kinds, values = (_Encoded(clues.column(name)) for name in ("kind", "value"))
    halves = []
    for key in ROW_HASH_KEYS:
        # (a sum of the three random 64-bit numbers, each by its own odd factor, meets another row's
        # with a chance of one in 2**64, like two hashes: one mix of it then spreads it)
        hashes = _mixed(kinds.hashes(key) * _FACTORS[0] + values.hashes(key) * _FACTORS[1] + places * _FACTORS[2])
        sums = np.add.reduceat(hashes, starts)  # (wrapping: a sum modulo 2**64)
        halves.append(_mixed(sums + lengths.astype(np.uint64) * _FACTORS[2]))
    at = pd.Index(article_ids).get_indexer(run_ids)
    known = at >= 0
    found[at[known]] = np.column_stack(halves)[known]
    return found


# Odd 64-bit factors (the golden ratio's, and SplitMix64's own two) that weigh a row's parts apart.
_FACTORS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _mixed(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of each value: a bijection of 64-bit numbers that spreads every bit over
    all of them, so hashes combined through it collide no more than hashes do."""
    x = values.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class _Encoded:
    """A string column as its distinct values (null as None, last) and each row's place among them."""

    def __init__(self, column: pa.ChunkedArray):
        whole = column.combine_chunks()
        encoded = whole if pa.types.is_dictionary(whole.type) else pc.dictionary_encode(whole)
        self.distinct = pd.Series(encoded.dictionary.to_pylist() + [None], dtype=object)
        self.codes = encoded.indices.fill_null(len(self.distinct) - 1).to_numpy(zero_copy_only=False)

    def hashes(self, key: str) -> np.ndarray:
        """A keyed 64-bit hash of each row's value."""
        return pd.util.hash_pandas_object(self.distinct, index=False, hash_key=key).to_numpy(dtype=np.uint64)[self.codes]


class KnownScores:
    """A run's candidate pairs that reached the linking threshold, with their scores (pairs by code
    over its articles, i * len(ids) + j, sorted); the articles' ids and digests, the common names
    the pairs were scored without, and the threshold. Every other candidate pair of that run scored
    below it."""

    def __init__(self, ids: list[str], digests: list[bytes], common: frozenset[str], threshold: float,
                 codes: np.ndarray, scores: np.ndarray):
        self.ids, self.digests, self.common, self.threshold = ids, digests, common, threshold
        self.codes, self.scores = codes, scores

    def to_bytes(self) -> bytearray:
        """One blob: a header, the ids, digests, common names and threshold pickled, then the codes and
        scores raw."""
        described = pickle.dumps((self.ids, self.digests, self.common, self.threshold),
                                 protocol=pickle.HIGHEST_PROTOCOL)
        codes, scores = np.ascontiguousarray(self.codes, "<i8"), np.ascontiguousarray(self.scores, "<f8")
        blob = bytearray(_HEADER.size + len(described) + codes.nbytes + scores.nbytes)
        _HEADER.pack_into(blob, 0, len(described), len(codes))
        at = _HEADER.size
        for part in (described, codes.data.cast("B"), scores.data.cast("B")):
            blob[at:at + len(part)] = part
            at += len(part)
        return blob

    @classmethod
    def from_bytes(cls, blob: bytes) -> "KnownScores":
        """What `to_bytes` wrote; the arrays are views of `blob`, not copies."""
        described_length, pairs = _HEADER.unpack_from(blob, 0)
        at = _HEADER.size
        ids, digests, common, threshold = pickle.loads(memoryview(blob)[at:at + described_length])
        at += described_length
        codes = np.frombuffer(blob, dtype="<i8", count=pairs, offset=at)
        scores = np.frombuffer(blob, dtype="<f8", count=pairs, offset=at + 8 * pairs)
        return cls(ids, digests, common, threshold, codes, scores)

    def places(self, ids: list[str], digests: list[bytes], unchanged_names: list[bool]) -> np.ndarray:
        """Each article's place among this run's articles when it is the same article, unchanged (the
        same digest, and `unchanged_names`: it has no name that turned common or stopped being);
        -1 for the others, new or changed."""
        then = {identifier: place for place, identifier in enumerate(self.ids)}
        return np.fromiter((then[identifier] if same and identifier in then and self.digests[then[identifier]] == digest
                            else -1 for identifier, digest, same in zip(ids, digests, unchanged_names)),
                           dtype=np.int64, count=len(ids))

    def scores_for(self, place: np.ndarray, threshold: float, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What this run knows of each pair of `codes` (i * len(place) + j over articles whose `places`
        are `place`): the score of a pair of the same two unchanged articles, in the same order, that
        reached the threshold; NaN for such a pair that did not (it scores below the threshold again);
        and whether a pair is to be scored now (one of its articles is new or changed). Every pair is
        to be scored when the threshold differs."""
        found, fresh = np.full(len(codes), np.nan), np.ones(len(codes), dtype=bool)
        if threshold != self.threshold or not len(codes):
            return found, fresh
        for start in range(0, len(codes), PAIRS_AT_A_TIME):
            first, second = np.divmod(codes[start:start + PAIRS_AT_A_TIME], max(len(place), 1))
            first, second = place[first], place[second]
            # (the same order as then: a pair met the other way round is scored again, not assumed symmetric)
            known = np.flatnonzero((first >= 0) & (second >= 0) & (first < second))
            fresh[start + known] = False
            if len(self.codes):
                wanted = first[known] * len(self.ids) + second[known]
                at = np.minimum(np.searchsorted(self.codes, wanted), len(self.codes) - 1)
                hit = self.codes[at] == wanted
                found[start + known[hit]] = self.scores[at[hit]]
        return found, fresh


class PairMemo:
    """The pair scores of one link run: what the last run kept that still holds (`scores_for`), and
    this run's, kept for the next (`keep`), in `folder/link-<version>.sqlite`.

    An article counts as changed when its digest differs from the last run's, or when it has a
    name that turned common since then or stopped being common: its features without the common
    names differ. Any other article's compared features are the last run's, whatever else changed."""

    def __init__(self, folder: Path, version: str, ids: list[str], digests: list[bytes], common: frozenset[str],
                 names: Callable[[frozenset[str]], list[bool]]):
        """`names(changed)` tells, for each article, whether it has none of the names `changed`."""
        self._folder, self._version = Path(folder), version
        self._ids, self._digests, self._common = ids, digests, common
        self.kept: bytearray | None = None  # what `keep` kept
        with ResultCache(self._folder, PREFIX, self._version) as store:
            blob = store.run_value(NAME)
        self._previous = None if blob is None else KnownScores.from_bytes(blob)
        if self._previous is not None:
            turned = common ^ self._previous.common
            self._place = self._previous.places(ids, digests, names(turned) if turned else [True] * len(ids))

    def scores_for(self, codes: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """`KnownScores.scores_for` of the last run's (every pair fresh when none was kept)."""
        if self._previous is None:
            return np.full(len(codes), np.nan), np.ones(len(codes), dtype=bool)
        found = self._previous.scores_for(self._place, threshold, codes)
        self._previous = None  # (read once: let go before the pairs are grouped)
        return found

    def keep(self, codes: np.ndarray, scores: np.ndarray, threshold: float) -> bytearray:
        """Keep this run's pairs that reach `threshold`, with their scores, for the next run: the value kept."""
        reaching = np.flatnonzero(scores >= threshold)
        blob = KnownScores(self._ids, self._digests, self._common, threshold, codes[reaching],
                           scores[reaching]).to_bytes()
        with ResultCache(self._folder, PREFIX, self._version) as store:
            store.keep_run_value(NAME, blob)
        self.kept = blob
        return blob


__all__ = ["PairMemo", "KnownScores", "row_digests", "row_hashes", "clue_digest", "clue_hashes", "NO_CLUES",
           "linker_version"]
