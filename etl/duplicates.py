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

A corpus is marked in two steps so that it never has to be in memory at once: each
article's `fingerprint` (the hash of its normalised text, its shingle hashes and
its signature) is computed from its text alone, anywhere (ingest computes them on
every core); a `CopyIndex` is given the fingerprints in read order and keeps only
those (signatures as one compact array, shingle sets in a scratch file when it is
given a folder), and `marks` decides at the end.

Comparing the candidates is most of the work of a large corpus, and a pair's similarity depends on
its two texts alone: `marks_and_comparisons` takes the similarities of pairs compared before (a
`Compared`, which ingest keeps in its cache) and returns those it used and measured, so a rebuild
compares only the pairs with a new or changed text.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
import tempfile
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHINGLE_WORDS = 5
# Texts shorter than this are not compared for copies: a few words in common is not syndication.
MIN_WORDS_FOR_COPIES = 30
NUM_PERM = 128
BANDS = 32  # of NUM_PERM // BANDS rows each: pairs at Jaccard 0.7 become candidates with p > 0.9999
PRIME = (1 << 31) - 1  # Mersenne prime: shingle hashes are below it
MAX_64 = (1 << 64) - 1
_SHIFT = np.uint64(33)  # a signature value is the top 31 bits of a 64-bit hash
_TOP_BITS_MAX = (1 << 31) - 1  # the largest value a signature can hold (MAX_64 >> 33: that of no hashes)
_SEED = 20240501  # fixed, so the same inputs always give the same candidates
GRAM_BASE = 1_000_003  # the polynomial's base for a 5-gram's hash: a prime, so word order matters
_WORD = re.compile(r"\w+")  # a word: letters, digits and underscores, in any script
# Words are cut from the text's UTF-8 bytes (`text_words`), not found as one str object each: an ASCII
# byte is a word's or becomes a space (the table), a byte of another character is kept, once each
# character beyond ASCII that is no word's (’, “, —) has been made a space.
_ASCII_WORD_BYTES = bytes(byte if byte >= 0x80 or _WORD.fullmatch(chr(byte)) else ord(" ") for byte in range(256))
_NOT_WORD_BEYOND_ASCII = re.compile(r"[^\w\x00-\x7f]")
_CHUNK = 4096  # shingles hashed at once: bounds memory for very long texts
# Shingle hashes (below PRIME) and MinHash values (below 2^31) are kept as 32-bit integers: half
# the memory, the same values.
COMPACT = np.uint32


@dataclass(frozen=True)
class Marks:
    """For each article id it marks, the article it repeats."""

    duplicate_of: dict[str, str]
    copy_of: dict[str, str]


@dataclass(frozen=True)
class Fingerprint:
    """What copy detection needs of one article: the SHA-256 of its normalised text, its shingle
    hashes (sorted, distinct; None when kept elsewhere, `CopyIndex.marks_and_comparisons`) and its
    MinHash signature (COMPACT values, or their bytes; None for a text too short to compare)."""

    key: bytes
    shingles: np.ndarray | None
    signature: np.ndarray | bytes | None

    def __reduce__(self):
        # (its arrays pickled as their bytes: several times faster, both ways, than numpy's own
        # pickling of an array, and ingest pickles every fingerprint into its cache and between processes)
        return _fingerprint_of_states, (self.key, _array_state(self.shingles), _array_state(self.signature))


def _array_state(values: np.ndarray | bytes | None):
    """What a fingerprint's field pickles as: an array as its dtype, shape and bytes; None or bytes as they are."""
    return values if values is None or isinstance(values, bytes) else (values.dtype.str, values.shape, values.tobytes())


def _array_of_state(state) -> np.ndarray | bytes | None:
    if state is None or isinstance(state, bytes):
        return state
    dtype, shape, data = state
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def _fingerprint_of_states(key: bytes, shingles, signature) -> "Fingerprint":
    return Fingerprint(key, _array_of_state(shingles), _array_of_state(signature))


def mark(article_ids: list[str], texts: list[str], published: list, threshold: float) -> Marks:
    """Which articles are exact duplicates and which are near-identical copies (ids in read order)."""
    index = CopyIndex()
    permutations = _permutations()
    for article_id, text, date in zip(article_ids, texts, published):
        index.add(article_id, date, fingerprint(text, permutations))
    try:
        return index.marks(threshold)
    finally:
        index.close()


def fingerprint(text: str, permutations: tuple[np.ndarray, np.ndarray] | None = None) -> Fingerprint:
    """The article's fingerprint; `permutations` (`_permutations()`) may be kept between calls."""
    folded = folded_text(text)  # (once: both the key and the shingles read the text folded)
    hashes = _shingles_of_folded(folded)
    values = signature(hashes, permutations or _permutations()) if len(hashes) else None
    return Fingerprint(hashlib.sha256(" ".join(folded.split()).encode("utf-8", "surrogatepass")).digest(),
                       hashes.astype(COMPACT), None if values is None else values.astype(COMPACT))


class CopyIndex:
    """The fingerprints of a corpus in read order, and the marks they give.

    Exact duplicates are known as each article arrives (the first copy read is always seen
    first); the others are kept as originals: id, published date, signature, and shingle set,
    in memory or, given a `folder`, appended to a scratch file there and read back only for
    the candidate pairs, so memory holds about NUM_PERM small integers an article.
    """

    def __init__(self, folder: Path | None = None):
        self.duplicate_of: dict[str, str] = {}
        self._first_by_key: dict[bytes, str] = {}
        self._ids: list[str] = []
        self._published: list = []
        self._signed: list[int] = []  # originals with a signature, by their index
        self._signatures: list[bytes] = []  # (as bytes: joined at once into one array when marking)
        self._shingles = _ShingleStore(folder)
        self._keys: list[bytes] = []  # the originals' text codes, by their index

    def add(self, article_id: str, published, print_: Fingerprint) -> None:
        first = self._first_by_key.setdefault(print_.key, article_id)
        if first != article_id:
            self.duplicate_of[article_id] = first
            return
        self._keys.append(print_.key[:TEXT_CODE_BYTES])
        if print_.signature is not None:
            self._signed.append(len(self._ids))
            signature = print_.signature
            self._signatures.append(signature if isinstance(signature, bytes) else
                                    np.ascontiguousarray(signature, dtype=COMPACT).tobytes())
        self._ids.append(article_id)
        self._published.append(published)
        self._shingles.add(print_.shingles)

    def marks(self, threshold: float) -> Marks:
        return self.marks_and_comparisons(threshold)[0]

    def marks_and_comparisons(self, threshold: float, known: "Compared | None" = None,
                              jobs: int = 1, shingles_elsewhere=None) -> tuple[Marks, "Compared"]:
        """The marks, taking the similarity of each candidate pair `known` has from it (the others
        measured on `jobs` processes), and the similarities of the candidate pairs (to be `known`
        next time). A fingerprint added without its shingle set (`shingles` None) has it fetched by
        `shingles_elsewhere(article_ids)` (a dict by id), only when one of its pairs is measured."""
        pairs = self._candidates()
        codes = pair_codes(np.array(self._keys, dtype=f"S{TEXT_CODE_BYTES}"), pairs)
        similarity = known.similarity_of(codes) if known is not None else None
        unknown = pairs if similarity is None else pairs[np.isnan(similarity)]
        missing = self._shingles.missing(np.unique(unknown))
        if missing:
            if shingles_elsewhere is None:
                raise ValueError(f"{len(missing)} shingle sets were not given, and there is no way to fetch them")
            found = shingles_elsewhere([self._ids[index] for index in missing])
            self._shingles.fill({index: found[self._ids[index]] for index in missing})
        groups, similarity = _confirmed(pairs, self._shingles.get, threshold, similarity, jobs)
        return self._marks_of(groups), Compared.of(codes, similarity)

    def _marks_of(self, groups: list[list[int]]) -> Marks:
        copy_of = {}
        for members in groups:
            first = min(members, key=lambda index: _publication_order(self._published[index], index))
            copy_of.update({self._ids[index]: self._ids[first] for index in members if index != first})
        return Marks(dict(self.duplicate_of), copy_of)

    def _candidates(self) -> np.ndarray:
        """Candidate pairs (earlier, later) of originals, as an array of two columns, sorted."""
        if not self._signatures:
            return np.empty((0, 2), dtype=np.int64)
        self._signatures = [b"".join(self._signatures)]  # (one copy: the pieces are let go)
        pairs = band_pairs(np.frombuffer(self._signatures[0], dtype=COMPACT).reshape(-1, NUM_PERM))
        return np.asarray(self._signed, dtype=np.int64)[pairs]

    def close(self) -> None:
        self._shingles.close()


class _ShingleStore:
    """Shingle sets by index: in a list, or appended to an unnamed scratch file in `folder`."""

    def __init__(self, folder: Path | None):
        self._arrays: list[np.ndarray | None] = []
        self._file = None if folder is None else tempfile.TemporaryFile(dir=folder, prefix=".shingles-",
                                                                         buffering=0)
        self._offsets = [0]
        self._absent: set[int] = set()  # indexes added without their set (None), until `fill`ed
        self._filled: dict[int, np.ndarray] = {}

    def add(self, values: np.ndarray | None) -> None:
        if values is None:
            self._absent.add(len(self._offsets) - 1 if self._file is not None else len(self._arrays))
            values = np.empty(0, dtype=COMPACT)  # (a place kept, so the indexes stay those of the articles)
        if self._file is None:
            self._arrays.append(values)
            return
        data = np.ascontiguousarray(values, dtype=COMPACT).tobytes()
        if data:
            self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def missing(self, indexes) -> list[int]:
        """Those of `indexes` added without their shingle set and not filled in since."""
        return [index for index in np.asarray(indexes).tolist() if index in self._absent]

    def fill(self, sets: dict[int, np.ndarray]) -> None:
        """The shingle sets of indexes added without them."""
        for index, values in sets.items():
            self._filled[index] = np.asarray(values, dtype=COMPACT)
            self._absent.discard(index)

    def get(self, index: int) -> np.ndarray:
        if index in self._absent:
            raise KeyError(f"the shingle set of text {index} was not given")
        if index in self._filled:
            return self._filled[index]
        if self._file is None:
            return self._arrays[index]
        start, end = self._offsets[index], self._offsets[index + 1]
        return np.frombuffer(os.pread(self._file.fileno(), end - start, start), dtype=COMPACT)

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()


def _publication_order(published, index: int) -> tuple:
    # Earliest published first; undated articles after dated ones; then the order read.
    return (published is None, published.toordinal() if published is not None else 0, index)


def folded_text(text: str) -> str:
    """The text with Unicode forms and case ignored (NFKC, case-folded)."""
    return unicodedata.normalize("NFKC", text).casefold()


def normalised_text(text: str) -> str:
    """The text as compared for exact duplicates: Unicode forms, case and spacing ignored."""
    return " ".join(folded_text(text).split())


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


def shingles(text: str) -> np.ndarray:
    """Distinct hashes (below PRIME) of the text's word 5-grams (case-folded); empty for short texts.

    A 5-gram's hash is a polynomial in its words' CRC-32s (of their UTF-8 bytes), computed for all
    5-grams at once."""
    return _shingles_of_folded(folded_text(text))


def _shingles_of_folded(folded: str) -> np.ndarray:
    words = text_words(folded)
    if len(words) < MIN_WORDS_FOR_COPIES:
        return np.empty(0, dtype=np.uint64)
    codes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    count = len(words) - SHINGLE_WORDS + 1
    grams = codes[:count] % _PRIME  # (the polynomial's first step: 0 * GRAM_BASE + the first word's code)
    for offset in range(1, SHINGLE_WORDS):
        # grams < PRIME < 2^31 and GRAM_BASE < 2^31, codes < 2^32: every step stays below 2^63.
        grams *= _GRAM_BASE
        grams += codes[offset:offset + count]
        grams %= _PRIME
    return distinct_sorted(grams)


_PRIME, _GRAM_BASE = np.uint64(PRIME), np.uint64(GRAM_BASE)  # (as numpy scalars: the steps stay in place)


def text_words(folded: str) -> list[bytes]:
    """The words of a text (`_WORD`, as `_WORD.findall` finds them), in order, as UTF-8 bytes."""
    data = folded.encode("utf-8", "surrogatepass")
    if not data.isascii():
        data = _words_beyond_ascii_kept(data)
    return data.translate(_ASCII_WORD_BYTES).split()


def _words_beyond_ascii_kept(data: bytes) -> bytes:
    """UTF-8 text with each character beyond ASCII that is no word's made a space, the others kept.

    The bytes of such characters come in runs between ASCII bytes, each run whole characters (UTF-8
    keeps ASCII bytes out of the others'); a text repeats few distinct runs, each looked at once."""
    high = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80)
    breaks = np.flatnonzero(np.diff(high) != 1) + 1
    starts = high[np.concatenate(([0], breaks))].tolist()
    ends = (high[np.concatenate((breaks - 1, [len(high) - 1]))] + 1).tolist()
    pieces, done, spaced = [], 0, {}
    for start, end in zip(starts, ends):
        run = data[start:end]
        if run not in spaced:
            spaced[run] = _NOT_WORD_BEYOND_ASCII.sub(" ", run.decode("utf-8", "surrogatepass")).encode(
                "utf-8", "surrogatepass")
        pieces += (data[done:start], spaced[run])
        done = end
    pieces.append(data[done:])
    return b"".join(pieces)


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique of a non-empty array, by one sort: several times faster on the short arrays of one text."""
    ordered = np.sort(values)
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The NUM_PERM hash functions of the signature: odd 64-bit multipliers and 64-bit addends."""
    generator = np.random.default_rng(_SEED)
    return (generator.integers(0, MAX_64, NUM_PERM, dtype=np.uint64, endpoint=True) | np.uint64(1),
            generator.integers(0, MAX_64, NUM_PERM, dtype=np.uint64, endpoint=True))


def signature(hashes: np.ndarray, permutations: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The MinHash signature of a set of shingle hashes: NUM_PERM minima of the top 31 bits of a*h + b.

    (a*h + b) mod 2^64, shifted right by 33, is the multiply-add-shift hash family (Dietzfelbinger):
    a multiplication, an addition and a shift, where a modulus by a prime costs a division; the
    values stay below 2^31, so they fit COMPACT. Candidates are confirmed on the exact shingle sets,
    so the hash family decides only which pairs are compared, never a mark by itself."""
    a, b = permutations
    minima = np.full(NUM_PERM, MAX_64, dtype=np.uint64)
    hashes = np.asarray(hashes, dtype=np.uint64)
    for start in range(0, len(hashes), _CHUNK):
        values = np.multiply(hashes[start:start + _CHUNK, None], a)  # (wraps modulo 2^64, as meant)
        values += b
        np.minimum(minima, values.min(axis=0), out=minima)
    # (the shift keeps the order, so the minima's top bits are the minima of the top bits: shifted
    # once each, not every value; with no hashes, the largest a signature holds, _TOP_BITS_MAX)
    return minima >> _SHIFT


def candidate_pairs(signatures: list[np.ndarray | None]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) whose signatures agree on a whole band.

    Each bucket pairs its members with its first member only, so a band shared by
    many texts costs linear, not quadratic, work; members similar to each other are
    joined through that first member or through another band.
    """
    signed = [index for index, values in enumerate(signatures) if values is not None]
    if not signed:
        return []
    pairs = band_pairs(np.stack([np.asarray(signatures[index], dtype=COMPACT) for index in signed]))
    return [(signed[left], signed[right]) for left, right in pairs.tolist()]


def band_pairs(signatures: np.ndarray) -> np.ndarray:
    """`candidate_pairs` of the rows of a (texts x NUM_PERM) array: rows (earlier, later), sorted."""
    rows, count = NUM_PERM // BANDS, len(signatures)
    signatures = np.ascontiguousarray(signatures, dtype=COMPACT)
    every = np.arange(count, dtype=np.int64)
    codes = []
    for band in range(BANDS):
        firsts = _first_of_bucket(np.ascontiguousarray(signatures[:, band * rows:(band + 1) * rows]))
        later = firsts != every
        codes.append(firsts[later] * count + every[later])
    joined = np.concatenate(codes)
    # (np.unique by one sort: several times faster on a corpus's million codes)
    unique = distinct_sorted(joined) if len(joined) else joined
    return np.stack([unique // count, unique % count], axis=1)


# An odd 64-bit multiplier (2^64 over the golden ratio) that mixes a band's first word into its hash.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _first_of_bucket(band: np.ndarray) -> np.ndarray:
    """For each row of a band (texts x values), the first row (in read order) with the same values:
    np.unique(return_index, return_inverse) of the rows, by a stable sort of their values as 64-bit
    words (several times faster than sorting them as opaque byte strings), or of one 64-bit hash of
    them when no two rows with different values share a hash (a sort on one key, not several)."""
    count = len(band)
    words = band.view(np.uint64) if band.nbytes % 8 == 0 and band.shape[1] * band.itemsize % 8 == 0 else band
    words = words.reshape(count, -1)
    order, starts = _bucket_order(words)
    bucket_first = order[starts]  # (the first of each bucket in the sort is its first in read order)
    firsts = np.empty(count, dtype=np.int64)
    firsts[order] = bucket_first[np.cumsum(starts) - 1]
    return firsts


def _bucket_order(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stable order of the rows (texts x 64-bit words) that puts equal rows together, each bucket's
    rows in read order, and where each bucket starts in it. Sorted by a hash of the rows; should two
    rows with different values share it (adjacent in that order, so seen), by the rows themselves."""
    hashes = hashed_rows(words)
    order = np.argsort(hashes, kind="stable")
    starts = _bucket_starts(words[order])
    sorted_hashes = hashes[order]
    if np.any(starts[1:] & (sorted_hashes[1:] == sorted_hashes[:-1])):  # two buckets share a hash
        order = np.lexsort(words.T[::-1])
        starts = _bucket_starts(words[order])
    return order, starts


def hashed_rows(words: np.ndarray) -> np.ndarray:
    """One 64-bit hash of each row of unsigned integers (texts x words): equal rows, equal hashes."""
    hashes = words[:, 0].astype(np.uint64)
    for column in range(1, words.shape[1]):
        hashes *= _MIX  # (wraps modulo 2^64, as meant)
        hashes ^= words[:, column].astype(np.uint64)
    return hashes


def _bucket_starts(ordered: np.ndarray) -> np.ndarray:
    """Where the rows (texts x words, equal rows together) differ from the row before (the first always)."""
    starts = np.zeros(len(ordered), dtype=bool)
    starts[:1] = True
    for column in ordered.T:  # (a column at a time: many times faster than np.any over the rows)
        starts[1:] |= column[1:] != column[:-1]
    return starts


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    if not len(left) or not len(right):
        return 0.0
    shared = _shared(left, right)
    return shared / (len(left) + len(right) - shared)


def _shared(left: np.ndarray, right: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values have in common."""
    return len(np.intersect1d(left, right, assume_unique=True))


def confirmed_groups(pairs, count: int, shingles_of, threshold: float) -> list[list[int]]:
    """Groups (each sorted) of the `count` texts joined by candidate pairs confirmed on their
    shingle sets (`shingles_of(index)`): the texts of a group are near-identical to one another."""
    return _confirmed(pairs, shingles_of, threshold)[0]


def _confirmed(pairs, shingles_of, threshold: float, known: np.ndarray | None = None, jobs: int = 1
               ) -> tuple[list[list[int]], np.ndarray]:
    """`confirmed_groups`, taking each pair's similarity from `known` (one per pair, NaN for one
    not compared before) where it has it and measuring the others (on `jobs` processes); with each
    pair's similarity.

    The groups are the connected parts of the pairs at or above the threshold, so every pair is
    measured first, whatever the order, and then joined."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    similarity = np.full(len(pairs), np.nan) if known is None else np.array(known, dtype=np.float64)
    unknown = np.flatnonzero(np.isnan(similarity))
    similarity[unknown] = measured(pairs[unknown], shingles_of, jobs)
    joined = pairs[similarity >= threshold]  # (few: the copies)
    # (a text in no such pair is alone: only those in one are looked at, in order, not every text)
    parent = {index: index for index in np.unique(joined).tolist()}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for left, right in joined.tolist():
        a, b = root(left), root(right)
        parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for index in parent:
        groups.setdefault(root(index), []).append(index)
    return [members for members in groups.values() if len(members) > 1], similarity


PAIRS_PER_TASK = 20_000  # candidate pairs a worker measures at a time: far more work than handing them over


def measured(pairs: np.ndarray, shingles_of, jobs: int = 1) -> np.ndarray:
    """The Jaccard similarity of each pair's shingle sets (`shingles_of(index)`), in order, on `jobs`
    processes: forks of this one, which read the shingle sets as it does."""
    chunks = [pairs[start:start + PAIRS_PER_TASK] for start in range(0, len(pairs), PAIRS_PER_TASK)]
    if jobs <= 1 or len(chunks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return np.concatenate([_measured(chunk, shingles_of) for chunk in chunks]) if chunks else np.empty(0)
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_share, initargs=(shingles_of,)) as pool:
        return np.concatenate(list(pool.imap(_measured_here, chunks)))


def _measured(pairs: np.ndarray, shingles_of) -> np.ndarray:
    values = np.empty(len(pairs), dtype=np.float64)
    read, left_shingles = -1, None  # (pairs come sorted by their first text: each is read once a run)
    for place, (left, right) in enumerate(pairs.tolist()):
        if left != read:
            read, left_shingles = left, shingles_of(left)
        values[place] = jaccard(left_shingles, shingles_of(right))
    return values


_SHARED: dict = {}  # in a worker of `measured`: how it reads the shingle sets, as forked


def _share(shingles_of) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent takes Ctrl-C and ends the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (as in etl.linking.clustering: a fork keeps uofdb's handler)
    _SHARED["shingles_of"] = shingles_of


def _measured_here(pairs: np.ndarray) -> np.ndarray:
    return _measured(pairs, _SHARED["shingles_of"])


# A text's code in a pair's: the first bytes of its key (SHA-256 of its normalised text); 16 bytes,
# so two texts of any corpus share one by chance with a probability far below 10^-20.
TEXT_CODE_BYTES = 16


def pair_codes(text_codes: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Each pair's code: its two texts' codes, the lesser first (so it does not depend on the order
    the texts were read in), as one fixed-width byte string."""
    width = text_codes.dtype.itemsize
    left, right = text_codes[pairs[:, 0]], text_codes[pairs[:, 1]]
    swapped = right < left
    # (written in place into the one array returned: a corpus has millions of pairs, each copy counts)
    joined = np.empty((len(pairs), 2 * width), dtype=np.uint8)
    joined[:, :width] = np.where(swapped, right, left).view(np.uint8).reshape(-1, width)
    joined[:, width:] = np.where(swapped, left, right).view(np.uint8).reshape(-1, width)
    return joined.view(f"S{2 * width}").ravel()


def code_hashes(codes: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each pair code (`pair_codes`, fixed-width byte strings), of all its bytes."""
    width = codes.dtype.itemsize
    words = -(-width // 8)  # (the bytes in whole 64-bit words, the last padded with NULs)
    raw = np.zeros((len(codes), words * 8), dtype=np.uint8)
    raw[:, :width] = np.ascontiguousarray(codes).view(np.uint8).reshape(len(codes), width)
    return hashed_rows(raw.view(np.uint64))


@dataclass(frozen=True)
class Compared:
    """Pairs of texts compared, by code (`pair_codes`), in the order of their hashes (`code_hashes`), and
    the Jaccard similarity of each."""

    codes: np.ndarray
    similarity: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray, similarity: np.ndarray) -> "Compared":
        # (in the order of their hashes, `code_hashes`: found by searching integers, many times faster
        # than searching strings)
        order = np.argsort(code_hashes(codes), kind="stable")
        return cls(codes[order], np.asarray(similarity, dtype="<f8")[order])

    def similarity_of(self, codes: np.ndarray) -> np.ndarray:
        """The similarity of each pair of `codes`: NaN for a pair not here."""
        if not len(self.codes):
            return np.full(len(codes), np.nan)
        hashes = code_hashes(self.codes)
        if np.all(hashes[1:] > hashes[:-1]):  # (each code here known by its hash: the common case)
            at = np.minimum(np.searchsorted(hashes, code_hashes(codes)), len(self.codes) - 1)
        else:  # (two codes share a hash, or they came in another order: searched as strings)
            order = np.argsort(self.codes, kind="stable")
            at = order[np.minimum(np.searchsorted(self.codes[order], codes), len(self.codes) - 1)]
        return np.where(self.codes[at] == codes, self.similarity[at], np.nan)

    def to_bytes(self) -> bytes:
        """The pairs as bytes (`from_bytes` reads them back): their count, codes, similarities."""
        header = np.array([len(self.codes), self.codes.dtype.itemsize], dtype="<u8")
        # (joined from the arrays' buffers: one copy of a corpus's pairs, not three)
        return b"".join([header, np.ascontiguousarray(self.codes), np.ascontiguousarray(self.similarity, dtype="<f8")])

    @classmethod
    def from_bytes(cls, data: bytes) -> "Compared":
        count, width = (int(value) for value in np.frombuffer(data[:16], dtype="<u8"))
        codes = np.frombuffer(data, dtype=f"S{width}", count=count, offset=16)
        similarity = np.frombuffer(data, dtype="<f8", count=count, offset=16 + count * width)
        return cls(codes, similarity)


def near_duplicate_groups(texts: list[str], threshold: float) -> list[list[int]]:
    """Groups (indexes into `texts`, each sorted) of texts confirmed near-identical to one another."""
    hashes = [shingles(text) for text in texts]
    permutations = _permutations()
    signatures = [signature(values, permutations) if len(values) else None for values in hashes]
    return confirmed_groups(candidate_pairs(signatures), len(texts), hashes.__getitem__, threshold)
