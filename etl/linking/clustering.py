"""Which articles to compare (blocking) and how they group (best-first linking).

Blocking keeps the cost near-linear: an article is compared only with articles that
share a key with it: the same force or borough within the date window, a named
person, a street or place, the same borough with the same subject age and gender,
the same force and month. A key held by more than `max_block` articles is too common
to be evidence (a city, a spokesperson) and is skipped, so no block grows with the
corpus.

Grouping links the best-scoring pairs first. Two groups join when their best pair
reaches the threshold and their articles, taken pair by pair, agree on average:
one article that resembles two different incidents cannot chain them together.
"""
from __future__ import annotations

import array
import datetime as dt
import multiprocessing
import signal
from collections import Counter, defaultdict
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from etl.linking import similarity
from etl.linking.features import Features

RARE_WORD = 5  # a capitalised word counts as a shared clue when at most this many articles use it


def common_names(features: list[Features], max_block: int) -> frozenset[str]:
    """Names, streets and places mentioned by more than `max_block` articles."""
    return common_of(name_counts(features), max_block)


def names_of(f: Features) -> frozenset[str]:
    """The names, streets, places and rare words of one article: what `common_names` counts."""
    return f.people | f.surnames | f.streets | f.places | f.words


def name_counts(features: Iterable[Features]) -> Counter:
    """How many of the articles mention each name (`names_of`)."""
    return Counter(name for f in features for name in names_of(f))


def common_of(counts: dict[str, int], max_block: int) -> frozenset[str]:
    """The names of `counts` (name -> articles mentioning it) too common to count."""
    return frozenset(name for name, count in counts.items() if is_common(name, count, max_block))


def is_common(name: str, count: int, max_block: int) -> bool:
    """Whether a name mentioned by `count` articles is too common to count."""
    return count > (RARE_WORD if name.startswith("w:") else max_block)


def blocking_keys(f: Features) -> Iterable[tuple]:
    """The blocks an article belongs to, apart from the date neighbourhoods."""
    yield from (("person", name) for name in f.people | f.surnames)
    yield from (("street", name) for name in f.streets)
    yield from (("place", name) for name in f.places | f.words)
    if f.borough:
        yield ("borough", f.borough)
        if f.age is not None:
            yield ("subject", f.borough, f.age, f.gender)
    elif not f.date:
        # Nothing to place or date it by: compare it with its force's incidents.
        yield from (("force", force) for force in f.forces)
    for year, month in f.months | ({f.month} if f.month else set()):
        yield from (("force-month", force, year, month) for force in f.forces)


def day_keys(f: Features) -> list[tuple]:
    """The day neighbourhoods of a dated article, each without its day: pairs form within link.window_days."""
    return [("force-day", force) for force in f.forces] + ([("borough-day", f.borough)] if f.borough else [])


def candidate_pairs(features: list[Features], window_days: int, max_block: int) -> set[tuple[int, int]]:
    """Index pairs (i < j) of articles that share a block."""
    first, second = np.divmod(candidate_codes(features, window_days, max_block), max(len(features), 1))
    return set(zip(first.tolist(), second.tolist()))


def candidate_codes(features: list[Features], window_days: int, max_block: int,
                    common: frozenset[str] | None = None) -> np.ndarray:
    """The pairs (i < j) of articles that share a block, each as the number i * len(features) + j, sorted.

    Held as one array (8 bytes a pair, not a Python tuple in a set): a corpus of 100,000 articles
    has millions of candidate pairs."""
    common = common_names(features, max_block) if common is None else common  # (the caller's, when it has them)
    return codes_of_blocks(block_memberships(features), len(features), window_days, max_block, common)


class Blocks(NamedTuple):
    """Which articles share which block: every key of `blocking_keys` (common names or not) once, in
    the order first met, the (key, article) pairs as two arrays, in article order, and the members
    of each day neighbourhood (`day_keys` with the day)."""
    keys: list[tuple]
    key_codes: np.ndarray  # each pair's place of its key in `keys`
    members: np.ndarray
    days: dict[tuple, list[int]]


def block_memberships(features: list[Features]) -> Blocks:
    """The blocks of the articles (`Blocks`)."""
    # Each (block, article) as two integers, not a list of members per block: at 100,000 articles
    # there are hundreds of thousands of blocks, most of them of one article.
    key_ids: dict[tuple, int] = {}
    keys, members = array.array("q"), array.array("q")
    days: dict[tuple, list[int]] = defaultdict(list)
    for index, f in enumerate(features):
        for key in blocking_keys(f):
            keys.append(key_ids.setdefault(key, len(key_ids)))
            members.append(index)
        if f.date:
            for key in day_keys(f):
                days[key + (f.date,)].append(index)
    return Blocks(list(key_ids), np.frombuffer(keys, dtype=np.int64), np.frombuffer(members, dtype=np.int64), days)


def key_counts(key: tuple, common: frozenset[str]) -> bool:
    """Whether a block's key counts: not one of a name too common to count."""
    return len(key) != 2 or key[1] not in common


def codes_of_blocks(blocks: Blocks, count: int, window_days: int, max_block: int,
                    common: frozenset[str]) -> np.ndarray:
    """`candidate_codes` of the blocks of `count` articles."""
    counting = np.fromiter((key_counts(key, common) for key in blocks.keys), dtype=bool, count=len(blocks.keys))
    kept = counting[blocks.key_codes] if len(blocks.key_codes) else np.zeros(0, dtype=bool)
    found = _Codes()
    for block in _blocks(blocks.key_codes[kept], blocks.members[kept], max_block):
        found.add(_codes_within(block, count))
    days = blocks.days
    for (kind, name, day), members_of_day in days.items():
        for offset in range(0, min(window_days, (dt.date.max - day).days) + 1):  # no day past the calendar's end
            near = days.get((kind, name, day + dt.timedelta(days=offset)))
            if near:
                found.add(_codes_between(members_of_day, near, count))
    return found.distinct()


def _blocks(keys: np.ndarray, members: np.ndarray, max_block: int) -> Iterator[np.ndarray]:
    """The members (in increasing order) of each block of more than one and at most `max_block`
    articles, from the (key, member) pairs in member order."""
    order = np.argsort(keys, kind="stable")  # (stable: each block's members stay in increasing order)
    keys, members = keys[order], members[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.empty(0, dtype=np.int64)
    ends = np.r_[starts[1:], len(keys)]
    for start, end in zip(starts.tolist(), ends.tolist()):
        if 1 < end - start <= max_block:
            yield members[start:end]


class _Codes:
    """Pair codes gathered block by block into one growing buffer (not thousands of small arrays,
    whose memory the allocator keeps), made distinct in place whenever the buffer doubles: a pair
    shares many blocks (a day, a street, a name), and its repeats are not all held until the end."""

    def __init__(self):
        self._buffer = array.array("q")
        self._limit = CODES_AT_A_TIME

    def add(self, codes: np.ndarray) -> None:
        self._buffer.frombytes(np.ascontiguousarray(codes, dtype=np.int64).tobytes())
        if len(self._buffer) > self._limit:
            self._buffer = array.array("q", self.distinct().tobytes())
            # (at least twice what is kept before the next time: the work stays linear in the codes)
            self._limit = max(CODES_AT_A_TIME, 2 * len(self._buffer))

    def distinct(self) -> np.ndarray:
        """The codes gathered, sorted, each once (the buffer is sorted in place, without a copy)."""
        codes = np.frombuffer(self._buffer, dtype=np.int64)
        codes.sort()
        if len(codes) < 2:
            return codes.copy()
        first = np.empty(len(codes), dtype=bool)
        first[0] = True
        np.not_equal(codes[1:], codes[:-1], out=first[1:])
        return codes[first]


# Pair codes gathered before their repeats are dropped (8 bytes each): bounds what the repeats hold.
CODES_AT_A_TIME = 4_000_000


def _codes_within(members: list[int], count: int) -> np.ndarray:
    """The codes of every pair of distinct members of one block (members in increasing order)."""
    indices = np.asarray(members, dtype=np.int64)
    first, second = np.triu_indices(len(indices), 1)
    low, high = indices[first], indices[second]
    return (low * count + high)[low != high]


def _codes_between(members: list[int], near: list[int], count: int) -> np.ndarray:
    """The codes of every pair of one article of `members` and another of `near`."""
    a, b = np.asarray(members, dtype=np.int64)[:, None], np.asarray(near, dtype=np.int64)[None, :]
    low, high = np.minimum(a, b), np.maximum(a, b)
    distinct = low != high
    return (low * count + high)[distinct]


def link_groups(features: list[Features], window_days: int, threshold: float | None, max_block: int,
                model: similarity.Model | None = None, jobs: int = 1,
                common: frozenset[str] | None = None, pairs=None) -> list[list[int]]:
    """Groups of article indices, each one incident (threshold None: the model's fitted one). The
    candidate pairs are scored on `jobs` processes; the groups are the same whatever it is. Given
    `common` (`common_names` of these features), the caller has already taken those names out of
    `features` (`similarity.without_common`); else they are found and taken out here. Given `pairs`
    (an `etl.linking.memo.PairMemo` of these articles), the pairs the last run scored between the
    same unchanged articles keep their score, and this run's are kept for the next."""
    return list(linked(features, window_days, threshold, max_block, model, jobs, common, pairs).groups.values())


class Linked(NamedTuple):
    """What linking found: the groups by representative (`groups_by_representative`), the blocks,
    and the candidate pairs' codes with their scores (NaN: known to fall short of `threshold`)."""
    groups: dict[int, list[int]]
    blocks: Blocks
    codes: np.ndarray
    scores: np.ndarray
    threshold: float


def linked(features: list[Features], window_days: int, threshold: float | None, max_block: int,
           model: similarity.Model | None = None, jobs: int = 1,
           common: frozenset[str] | None = None, pairs=None) -> Linked:
    """`link_groups`, with what it found on the way (`Linked`)."""
    model = model or similarity.fitted_model()
    count = len(features)
    if common is None:
        common = common_names(features, max_block)
        compared = [similarity.without_common(f, common) for f in features]  # (once per article, not per pair)
    else:
        compared = features
    # (the pairs held as their codes alone, 8 bytes each: each piece of work splits its own into
    # the two articles' indices; at 100,000 articles there are millions of pairs)
    threshold = model.threshold if threshold is None else threshold
    blocks = block_memberships(compared)
    codes = codes_of_blocks(blocks, count, window_days, max_block, common)
    scores = remembered_scores(compared, codes, window_days, model, threshold, jobs, pairs)
    pair_score = ScoredPairs(codes, scores, lambda i, j: _score(compared, i, j, window_days, model), count)
    return Linked(groups_by_representative(count, codes, scores, pair_score, threshold, model.agreement),
                  blocks, codes, scores, threshold)


def remembered_scores(compared: list[Features], codes: np.ndarray, window_days: int, model: similarity.Model,
                      threshold: float, jobs: int = 1, pairs=None) -> np.ndarray:
    """`code_scores`; with a `PairMemo`, only the pairs it does not know are scored, and the pairs it
    knows to fall short of `threshold` are NaN (`ScoredPairs` scores them if asked); this run's
    scores are then kept in it."""
    if pairs is None:
        return code_scores(compared, codes, window_days, model, jobs)
    scores, fresh = pairs.scores_for(codes, threshold)
    if fresh.all():  # (a first run: every pair scored, without a copy of the codes to pick them)
        scores = code_scores(compared, codes, window_days, model, jobs)
    else:
        scored = np.flatnonzero(fresh)
        scores[scored] = code_scores(compared, codes[scored], window_days, model, jobs)
    pairs.keep(codes, scores, threshold)
    return scores


class ScoredPairs:
    """The score of any pair of articles: the candidate pairs' as scored (by code, sorted), any other
    pair's by `score(i, j)` the first time it is asked for (two groups' agreement may ask for a pair
    that shares no block, or one whose score is NaN: known to fall short of the threshold, not scored)."""

    def __init__(self, codes: np.ndarray, scores: np.ndarray, score, count: int):
        self._codes, self._scores, self._score, self._count = codes, scores, score, max(count, 1)
        self._others: dict[tuple[int, int], float] = {}

    def __call__(self, i: int, j: int) -> float:
        return self.between([i], [j])[0]

    def between(self, first: list[int], second: list[int]) -> list[float]:
        """The score of each pair (i, j), i of `first` and j of `second`, in that order (i, then j)."""
        a, b = np.asarray(first, dtype=np.int64)[:, None], np.asarray(second, dtype=np.int64)[None, :]
        wanted = (np.minimum(a, b) * self._count + np.maximum(a, b)).ravel()
        at = np.minimum(np.searchsorted(self._codes, wanted), max(len(self._codes) - 1, 0))
        found = ((self._codes[at] == wanted) & ~np.isnan(self._scores[at]) if len(self._codes)
                 else np.zeros(len(wanted), dtype=bool))
        scores = np.where(found, self._scores[at] if len(self._codes) else 0.0, np.nan).tolist()
        for place in np.flatnonzero(~found).tolist():
            i, j = divmod(int(wanted[place]), self._count)
            if (i, j) not in self._others:
                self._others[(i, j)] = self._score(i, j)
            scores[place] = self._others[(i, j)]
        return scores


# Pairs a worker scores at a time: large enough that handing them over costs little beside the scoring.
PAIRS_PER_TASK = 20_000


def pair_scores(compared: list[Features], first: np.ndarray, second: np.ndarray, window_days: int,
                model: similarity.Model, jobs: int = 1) -> np.ndarray:
    """The score of each pair of articles (first[k], second[k]: indices into `compared`), in order, on
    `jobs` processes, as one float64 array."""
    return code_scores(compared, pair_codes(first, second, len(compared)), window_days, model, jobs)


def pair_codes(first: np.ndarray, second: np.ndarray, count: int) -> np.ndarray:
    """The code i * count + j of each pair (first[k], second[k]) of `count` items: in code order
    the pairs are in order of first, then second item."""
    return np.asarray(first, dtype=np.int64) * max(count, 1) + np.asarray(second, dtype=np.int64)


def code_scores(compared: list[Features], codes: np.ndarray, window_days: int, model: similarity.Model,
                jobs: int = 1) -> np.ndarray:
    """The score of each pair of articles given by its code (i * len(compared) + j), in order, on `jobs`
    processes, as one float64 array (8 bytes a pair: millions of pairs at 100,000 articles).

    Workers are forks of this process, so they share the articles' features without copying them;
    only the pairs' codes and their scores pass between the processes."""
    chunks = [codes[start:start + PAIRS_PER_TASK] for start in range(0, len(codes), PAIRS_PER_TASK)]
    count = max(len(compared), 1)
    if jobs <= 1 or len(codes) <= PAIRS_PER_TASK:
        return _filled(len(codes), (_scores(compared, *np.divmod(chunk, count), window_days, model)
                                    for chunk in chunks))
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_share, initargs=(compared, window_days, model)) as pool:
        return _filled(len(codes), pool.imap(_scores_of, chunks))


def _filled(length: int, chunks: Iterable[np.ndarray]) -> np.ndarray:
    """One array of `length` scores from consecutive chunks, each copied in as it comes (not all held, then joined)."""
    scores, at = np.empty(length, dtype=np.float64), 0
    for chunk in chunks:
        scores[at:at + len(chunk)] = chunk
        at += len(chunk)
    if at != length:
        raise RuntimeError(f"{at} scores for {length} pairs")
    return scores


def _score(compared: list[Features], i: int, j: int, window_days: int, model: similarity.Model) -> float:
    return model.score_of(similarity.signal_names(compared[i], compared[j], window_days))


def _scores(compared: list[Features], first: np.ndarray, second: np.ndarray, window_days: int,
            model: similarity.Model) -> np.ndarray:
    return np.fromiter((_score(compared, i, j, window_days, model) for i, j in zip(first.tolist(), second.tolist())),
                       dtype=np.float64, count=len(first))


_SHARED: dict = {}  # in a worker of `pair_scores`: the features, window and model it was forked with


def _share(compared: list[Features], window_days: int, model: similarity.Model) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent takes Ctrl-C and ends the pool
    # A fork keeps the parent's SIGTERM handler (etl.cli's, which raises KeyboardInterrupt for a
    # stage's cleanup); the pool ends its workers with SIGTERM, and a worker raising then, perhaps
    # while it holds the task queue's lock, could leave another waiting on it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _SHARED.update(compared=compared, window_days=window_days, model=model)


def _scores_of(codes: np.ndarray) -> np.ndarray:
    compared = _SHARED["compared"]
    return _scores(compared, *np.divmod(codes, max(len(compared), 1)), _SHARED["window_days"], _SHARED["model"])


def group_pairs(count: int, pairs: Iterable[tuple[int, int]], pair_score, threshold: float,
                agreement: float) -> list[list[int]]:
    """Best-first grouping of `count` items: the best pair first, while it scores `threshold` or
    more, joining two groups only when their items agree on average (`agreement` or more)."""
    pairs = list(pairs)
    first = np.array([i for i, _ in pairs], dtype=np.int64)
    second = np.array([j for _, j in pairs], dtype=np.int64)
    scores = np.array([pair_score(i, j) for i, j in pairs], dtype=np.float64)
    return group_scored(count, first, second, scores, pair_score, threshold, agreement)


EDGES_AT_A_TIME = 65_536  # sorted pairs turned into Python numbers at a time (bounds memory)


def group_scored(count: int, first: np.ndarray, second: np.ndarray, scores: np.ndarray, pair_score,
                 threshold: float, agreement: float) -> list[list[int]]:
    """`group_pairs` of the pairs (first[k], second[k]) whose scores are given: the best first (ties:
    by first, then second item)."""
    return grouped_codes(count, pair_codes(first, second, count), scores, pair_score, threshold, agreement)


def grouped_codes(count: int, codes: np.ndarray, scores: np.ndarray, pair_score, threshold: float,
                  agreement: float) -> list[list[int]]:
    """`group_scored` of the pairs given by their codes (`pair_codes`)."""
    return list(groups_by_representative(count, codes, scores, pair_score, threshold, agreement).values())


def groups_by_representative(count: int, codes: np.ndarray, scores: np.ndarray, pair_score, threshold: float,
                             agreement: float) -> dict[int, list[int]]:
    """`grouped_codes`, each group under the item that stood for it while it grew, in order of
    those items (the order `grouped_codes` gives the groups in)."""
    # (only the pairs that reach the threshold are ever taken, best first: only they are sorted)
    reaching = np.flatnonzero(scores >= threshold)
    order = reaching[np.lexsort((codes[reaching], -scores[reaching]))]
    width = max(count, 1)
    group_of = list(range(count))
    members = {index: [index] for index in range(count)}
    for start in range(0, len(order), EDGES_AT_A_TIME):
        edges = order[start:start + EDGES_AT_A_TIME]
        first, second = np.divmod(codes[edges], width)
        for i, j, score in zip(first.tolist(), second.tolist(), scores[edges].tolist()):
            a, b = group_of[i], group_of[j]
            if a == b:
                continue
            # (two articles alone: their one pair is this one, whose score is at hand)
            alone = len(members[a]) == 1 == len(members[b])
            if not (score >= agreement if alone else _agree(members[a], members[b], pair_score, agreement)):
                continue
            if len(members[a]) < len(members[b]):
                a, b = b, a
            for index in members[b]:
                group_of[index] = a
            members[a].extend(members.pop(b))
    return {representative: sorted(group) for representative, group in members.items()}


def _agree(first: list[int], second: list[int], pair_score, agreement: float) -> bool:
    # (all the pairs of two groups looked up at once when their scores are held as ScoredPairs)
    scores = (pair_score.between(first, second) if isinstance(pair_score, ScoredPairs)
              else [pair_score(i, j) for i in first for j in second])
    return sum(scores) / len(scores) >= agreement
