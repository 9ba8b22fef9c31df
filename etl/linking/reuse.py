"""Whole incidents of the last link run, kept for the next: a rebuild after a few articles changed
links and merges only the incidents they touch.

Grouping decomposes exactly by connected component of the candidate pairs that reach the linking
threshold: groups only ever join within one component, and two groups' agreement asks only for
pairs between their members. So a component none of whose articles changed (the same digest, no
name that turned common or stopped being), that gained no pair to a changed article and lost no
article, groups as it did; and a group of unchanged articles merges into the same incident row,
provenance rows and id. The last run keeps, beside its pairs' scores (`etl.linking.memo`), what a
rebuild needs to tell which components those are and to block and score the changed articles
against the others without the features of every article: each article's names (by which the
common names are counted), blocks and day neighbourhoods, its component and its group's
representative, and the three tables it wrote, as Arrow tables (not Python objects, which take as
long to read back as to compute). The rebuild blocks and scores only the changed articles'
pairs, groups only the touched components, merges only their groups, and takes every other row
of the tables as written.

Copies (`duplicate_of`, `copy_of`) are not blocked or scored: they join their original's group, so
all of the above is over the originals, and the last run keeps which articles were copies of
which, with their digests. A group whose copies changed (one added, gone, changed, or now a copy
of another original) is merged again, though its component is not touched; an original that
turned a copy, or the reverse, is an original gone, or one added.

A candidate pair of two unchanged articles is a candidate again unless a block they share
changed between counting and not counting (grown past `link.max_block`, shrunk back under it, or
its name turned common): then, as when more than `MAX_CHANGED_SHARE` of the articles changed, the
articles or the copies kept come in another order, a correction is to be applied or two
incidents' ids meet, the stage links in full (`Rebuilt` is None), which writes the same tables.
"""
from __future__ import annotations

import array
import datetime as dt
import hashlib
import struct
from collections import Counter, defaultdict
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.linking import ids as incident_ids
from etl.linking import similarity
from etl.linking.clustering import (Blocks, ScoredPairs, _score, blocking_keys, day_keys, groups_by_representative,
                                    is_common, names_of)
from etl.linking.features import Features
from etl.linking.memo import KnownScores
from etl.tables import to_arrow, vocabulary_encoded
from schema.codebook import TABLES, columns_of
from schema.models import arrow_schema

NAME = "incidents"  # the cache's run value holding a `LastRun`
TABLE_NAMES = ("incidents", "incident_fields", "article_incidents")
# More changed articles than this share of them: linked in full (the rebuild's Python work grows
# with the articles it touches, and at this share it would be most of a full run's).
MAX_CHANGED_SHARE = 0.01
_LENGTH = struct.Struct("<Q")
PAIRS_DIGEST_BYTES = 16


def pairs_digest(blob: bytes) -> bytes:
    """A digest of the pair scores' cache value: a `LastRun` holds that of the run that wrote it."""
    return hashlib.blake2b(blob, digest_size=PAIRS_DIGEST_BYTES).digest()


class LastRun(NamedTuple):
    """What a link run keeps for the next besides its pairs' scores (articles by place in its order)."""
    pairs: bytes              # `pairs_digest` of its pair scores' cache value
    names: pa.Table           # name (place in counts), member: each article's names (`clustering.names_of`)
    counts: pa.Table          # name, count: articles mentioning each name
    keys: pa.Table            # key (repr), second (a two-part key's name, else null): every block's key
    members: pa.Table         # key (place in keys), member
    hoods: pa.Table           # hood: the repr of each day neighbourhood (`day_keys`)
    days: pa.Table            # hood (place in hoods), day, member
    articles: pa.Table        # component, representative: each article's, by place
    copies: pa.Table          # article, original (place), digest: each copy (`copies_table`), in its order
    tables: dict[str, pa.Table]  # the tables it wrote, as `to_arrow` made them

    def to_bytes(self) -> bytearray:
        parts = [self.pairs] + [_ipc(table) for table in (self.names, self.counts, self.keys, self.members,
                                                           self.hoods, self.days, self.articles,
                                                           self.copies)]
        parts += [_ipc(self.tables[name]) for name in TABLE_NAMES]
        # (one buffer the size of the whole, each part copied in once: the parts are tens of MB)
        blob = bytearray(sum(_LENGTH.size + len(part) for part in parts))
        at = 0
        for part in parts:
            _LENGTH.pack_into(blob, at, len(part))
            at += _LENGTH.size
            blob[at:at + len(part)] = memoryview(part)
            at += len(part)
        return blob

    def table(self, name: str) -> pa.Table:
        """One of the tables it wrote, as `to_arrow` made it but for its vocabulary columns, plain strings."""
        return self.tables[name].cast(_plain_schema(name))

    @classmethod
    def from_bytes(cls, blob: bytes) -> "LastRun":
        """What `to_bytes` wrote; the tables are views of `blob`."""
        parts, at, view = [], 0, pa.py_buffer(blob)
        while at < len(blob):
            (length,), at = _LENGTH.unpack_from(blob, at), at + _LENGTH.size
            parts.append(view.slice(at, length))
            at += length
        tables = [pa.ipc.open_stream(part).read_all() for part in parts[1:]]
        held = len(cls._fields) - 2  # (the tables of the state: all fields but `pairs` and `tables`)
        return cls(parts[0].to_pybytes(), *tables[:held], dict(zip(TABLE_NAMES, tables[held:])))


# The tables' text and the articles' places compress well, and LZ4 reads back at memory speed: a
# third of the bytes to keep, and to write twice (the cache's journal, then its file).
COMPRESSION = "lz4"


def _ipc(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression=COMPRESSION)) as writer:
        writer.write_table(table)
    return sink.getvalue()


# --- what a full run keeps ---------------------------------------------------------------


def names_table(features: list[Features]) -> tuple[pa.Table, pa.Table]:
    """Each article's names (name, member) and how many articles mention each (name, count)."""
    code_of: dict[str, int] = {}
    codes, members = array.array("i"), array.array("i")
    for place, f in enumerate(features):
        for name in names_of(f):
            codes.append(code_of.setdefault(name, len(code_of)))
            members.append(place)
    codes, members = np.frombuffer(codes, dtype=np.int32), np.frombuffer(members, dtype=np.int32)
    counts = np.bincount(codes, minlength=len(code_of)).astype(np.int64)
    return (pa.table({"name": pa.array(codes), "member": pa.array(members)}),
            pa.table({"name": pa.array(list(code_of), pa.string()), "count": pa.array(counts)}))


def block_tables(blocks: Blocks) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table]:
    """The blocks as the keys, their members and the day neighbourhoods' members (`LastRun`)."""
    keys = pa.table({"key": pa.array([repr(key) for key in blocks.keys], pa.string()),
                     "second": pa.array([key[1] if len(key) == 2 else None for key in blocks.keys], pa.string())})
    members = pa.table({"key": pa.array(blocks.key_codes, pa.int32()), "member": pa.array(blocks.members, pa.int32())})
    hood_of: dict[str, int] = {}
    hoods, days, day_members = [], [], []
    for (kind, name, day), found in blocks.days.items():
        hoods.extend([hood_of.setdefault(repr((kind, name)), len(hood_of))] * len(found))
        days.extend([day] * len(found))
        day_members.extend(found)
    return keys, members, pa.table({"hood": pa.array(list(hood_of), pa.string())}), pa.table(
        {"hood": pa.array(hoods, pa.int32()), "day": pa.array(days, pa.date32()),
         "member": pa.array(day_members, pa.int32())})


def article_table(count: int, groups: dict[int, list[int]], codes: np.ndarray, scores: np.ndarray,
                  threshold: float) -> pa.Table:
    """Each article's component (of the pairs reaching `threshold`) and its group's representative."""
    representative = np.empty(count, dtype=np.int32)
    for place, members in groups.items():
        representative[members] = place
    reaching = scores >= threshold
    first, second = np.divmod(codes[reaching], max(count, 1))
    return pa.table({"component": pa.array(components(count, first, second), pa.int32()),
                     "representative": pa.array(representative, pa.int32())})


def copies_table(article_ids: list[str], originals: np.ndarray, digests: np.ndarray) -> pa.Table:
    """The copies (`LastRun.copies`): each one's id, the place of its original among the articles
    linked (the originals: copies are not blocked or scored, they join their original's group) and
    its digest, by which a rebuild tells the copies that changed."""
    return pa.table({"article": pa.array(article_ids, pa.string()),
                     "original": pa.array(np.asarray(originals, dtype=np.int64), pa.int32()),
                     "digest": pa.array(_digests(digests).tolist(), pa.binary())})


def components(count: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Each item's connected component (the least item of it) given the edges (first[k], second[k])."""
    label = np.arange(count, dtype=np.int64)
    while True:
        low = np.minimum(label[first], label[second])
        lower = label.copy()
        np.minimum.at(lower, first, low)
        np.minimum.at(lower, second, low)
        lower = lower[lower]  # (each item jumps to its label's label)
        if np.array_equal(lower, label):
            return label
        label = lower


# --- the rebuild -----------------------------------------------------------------------


class Rebuilt(NamedTuple):
    """A rebuild's groups: those of touched components to merge (representative, members by place, in
    this run's order), the rows of the last run's tables to keep, the pairs reaching the threshold
    and what is kept for the next run."""
    groups: list[tuple[int, list[int]]]
    kept_ids: pa.Array             # incident ids of the last run's groups kept
    kept_order: np.ndarray         # each kept article_incidents row's group representative, by place now
    codes: np.ndarray
    scores: np.ndarray
    common: frozenset[str]
    state: LastRun                 # with `tables`, `pairs` and `copies` of the last run (the caller sets them)


def rebuilt(last: LastRun, known: KnownScores, article_ids: list[str], digests: np.ndarray,
            articles_at: Callable[[list[int]], list[Features]], window_days: int, max_block: int,
            threshold: float, model: similarity.Model, copies: pa.Table) -> Rebuilt | None:
    """The groups of the touched components and of the originals whose copies changed, and what is
    kept of the last run (`Rebuilt`), or None when the articles are to be linked in full. The
    articles are the originals (`article_ids`, `digests`), `copies` this run's copies of them
    (`copies_table`). `articles_at(places)` gives the features of the originals at those places,
    with their names."""
    count, then = len(article_ids), len(known.ids)
    if not count or not then or known.threshold != threshold:
        return None
    place_then = {identifier: place for place, identifier in enumerate(known.ids)}
    before = _places(place_then, article_ids)
    same = before >= 0
    same[same] = _digests(digests)[same] == _digests(known.digests)[before[same]]
    if np.any(np.diff(before[same]) <= 0):  # (another order: the pairs' codes would not carry over)
        return None
    now_of = np.full(then, -1, dtype=np.int64)
    now_of[before[same]] = np.flatnonzero(same)
    changed = np.flatnonzero(~same)
    copied = _copies_changed(last.copies, copies, now_of)
    if copied is None:
        return None
    marked_then, marked_now, copies_changed = copied
    if len(changed) + int((now_of < 0).sum()) + copies_changed > MAX_CHANGED_SHARE * (count + copies.num_rows):
        return None
    features = dict(zip(changed.tolist(), articles_at(changed.tolist())))
    common, counts, touched = _common_now(last, known.common, np.flatnonzero(now_of < 0), features, max_block)
    turned = common ^ known.common
    if turned:  # (an unchanged article with a name that turned is compared on other features now)
        turned_codes = pc.index_in(pa.array(sorted(turned), pa.string()), last.counts["name"]).drop_null()
        having = _column(last.names.filter(pc.is_in(last.names["name"], turned_codes)), "member")
        extra = sorted(set(now_of[having][now_of[having] >= 0].tolist()))
        now_of[before[extra]] = -1
        changed = np.union1d(changed, extra)
        features.update(zip(extra, articles_at(extra)))
    gone = np.flatnonzero(now_of < 0)
    compared = {place: similarity.without_common(f, common) for place, f in features.items()}
    pairs = _pairs_of_changed(last, compared, now_of, gone, known.common, common, turned, window_days, max_block)
    if pairs is None:
        return None
    # (the pairs reaching the threshold: the last run's between unchanged articles, and the changed ones')
    first, second = np.divmod(known.codes, then)
    first, second = now_of[first], now_of[second]
    staying = (first >= 0) & (second >= 0)
    partners = sorted({place for pair in pairs for place in pair} - set(compared))
    compared.update((place, similarity.without_common(f, common))
                    for place, f in zip(partners, articles_at(partners)))
    fresh = sorted(pairs)
    fresh_scores = np.array([_pair_score(compared, i, j, window_days, model) for i, j in fresh], dtype=np.float64)
    reaching = np.flatnonzero(fresh_scores >= threshold)
    fresh_codes = np.array([i * count + j for i, j in fresh], dtype=np.int64)[reaching]
    codes = np.concatenate([first[staying] * count + second[staying], fresh_codes])
    scores = np.concatenate([known.scores[staying], fresh_scores[reaching]])
    order = np.argsort(codes, kind="stable")
    codes, scores = codes[order], scores[order]
    # (the components touched: those of the articles gone or changed, and those the changed articles reach)
    component = _column(last.articles, "component")
    reached = np.divmod(fresh_codes, count)
    unchanged_ends = [place for place in np.concatenate(reached).tolist() if place not in features]
    touched_components = np.union1d(component[gone], component[before[unchanged_ends]] if unchanged_ends else [])
    touched_then = np.isin(component, touched_components)
    regrouped = np.union1d(now_of[touched_then & (now_of >= 0)], changed).astype(np.int64)
    local = _local_edges(regrouped, codes, scores, count)
    if local is None:
        return None
    local_codes, local_scores = local
    missing = [place for place in regrouped.tolist() if place not in compared]
    compared.update((place, similarity.without_common(f, common)) for place, f in zip(missing, articles_at(missing)))
    in_order = [compared[place] for place in regrouped.tolist()]
    pair_score = ScoredPairs(local_codes, local_scores,
                             lambda i, j: _score(in_order, i, j, window_days, model), len(regrouped))
    grouped = groups_by_representative(len(regrouped), local_codes, local_scores, pair_score, threshold,
                                       model.agreement)
    groups = [(int(regrouped[rep]), regrouped[members].tolist()) for rep, members in grouped.items()]
    # (the groups of untouched components whose copies changed: the same originals, merged again)
    representative = _column(last.articles, "representative")
    then_of = np.full(count, -1, dtype=np.int64)  # (each unchanged article's place then, by place now)
    then_of[now_of[now_of >= 0]] = np.flatnonzero(now_of >= 0)
    marked_now = then_of[marked_now]
    marked = np.union1d(marked_then, marked_now[marked_now >= 0]).astype(np.int64)
    remerged = np.unique(representative[marked[~touched_then[marked]]])
    redone_then = touched_then | np.isin(representative, remerged)
    groups += _groups_then(representative, remerged, now_of)
    # (the rows kept: those of the groups of untouched components whose copies did not change)
    membership = last.table("article_incidents")
    row_then = _places(place_then, membership["article_id"].to_pylist())
    copy_rows = np.flatnonzero(row_then < 0)
    original_then = dict(zip(last.copies["article"].to_pylist(), _column(last.copies, "original").tolist()))
    row_then[copy_rows] = _places(original_then, membership["article_id"].take(pa.array(copy_rows)).to_pylist())
    if (row_then < 0).any():
        return None
    kept_rows = ~redone_then[row_then]
    kept_order = now_of[representative[row_then[kept_rows]]]
    kept_ids = pc.unique(pc.filter(membership["incident_id"], pa.array(kept_rows)))
    state = _state_now(last, count, now_of, gone, features, compared, counts, touched, groups, regrouped,
                       local_codes, component, representative)
    return Rebuilt(groups, kept_ids, kept_order, codes, scores, common, state)


def tables_again(last: LastRun, again: Rebuilt, frames: dict[str, pd.DataFrame], representatives: list[int],
                 sizes: list[int], field_order: tuple[str, ...]) -> dict[str, pa.Table] | None:
    """The three tables: the last run's rows of the groups kept, and the rows of `frames` (the
    regrouped groups', in order, by `representatives`, of `sizes` articles with their copies), laid
    out as `to_arrow` lays out the whole tables' frames (`field_order`: the incident_fields rows'
    order); None when two incidents' ids meet (ids are then longer: `etl.linking.ids.assign_ids`)."""
    new = {name: to_arrow(frames[name], name) for name in TABLE_NAMES}
    made, kept = new["incidents"]["incident_id"].to_pylist(), again.kept_ids.to_pylist()
    if (any(len(identifier) != ID_LENGTH for identifier in made + kept) or len(set(made)) < len(made)
            or not set(made).isdisjoint(kept)):
        return None
    both = {}
    for name in TABLE_NAMES:
        table = last.table(name)
        both[name] = pa.concat_tables([table.filter(pc.is_in(table["incident_id"], again.kept_ids)),
                                       new[name].cast(_plain_schema(name))])
    order = np.argsort(np.r_[again.kept_order, np.repeat(np.asarray(representatives, dtype=np.int64), sizes)],
                       kind="stable")
    laid_out = {"incidents": _sorted(both["incidents"], TABLES["incidents"].sort_by),
                "incident_fields": _in_order_of_runs(both["incident_fields"], field_order),
                "article_incidents": both["article_incidents"].take(pa.array(order))}
    return {name: _encoded(laid_out[name], name, new[name].schema.metadata) for name in TABLE_NAMES}


ID_LENGTH = len(incident_ids.PREFIX) + incident_ids.DIGITS  # an id no other one met


def _sorted(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """The rows in order of `columns` (nulls last), as `etl.tables.sorted_rows` orders a frame's."""
    # (Arrow places nulls last by default)
    return table.take(pc.sort_indices(table, sort_keys=[(name, "ascending") for name in columns]))


def _in_order_of_runs(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """`_sorted` of rows in runs of one value of the first of `columns`, each run one value's rows
    sorted by the others: the runs put in order whole (the rows of one incident's fields come from
    the last run's table or from this run's, each sorted so), not the rows one by one."""
    values = table.column(columns[0]).combine_chunks()
    if len(values) < 2:
        return table
    starts = np.flatnonzero(np.r_[True, pc.not_equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)])
    lengths = np.diff(np.r_[starts, len(values)])
    order = pc.sort_indices(pc.take(values, pa.array(starts))).to_numpy()  # (stable, as a frame's sort)
    starts, lengths = starts[order], lengths[order]
    # (each run's rows in turn: its start, then one more a row)
    rows = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(len(values))
    return table.take(pa.array(rows))


def _plain_schema(name: str) -> pa.Schema:
    """The codebook schema of a table with its vocabulary columns as plain strings (each table's
    dictionaries differ, and a table read back from Parquet names its lists' items otherwise)."""
    schema = arrow_schema(name)
    return pa.schema([field.with_type(pa.string()) if pa.types.is_dictionary(field.type) else field for field in schema],
                     metadata=schema.metadata)


def _encoded(table: pa.Table, name: str, metadata: dict) -> pa.Table:
    """The table's vocabulary columns encoded against their vocabularies, as `to_arrow` encodes them."""
    schema = arrow_schema(name)
    for column in columns_of(name):
        if column.kind == "enum":
            at = table.schema.get_field_index(column.name)
            table = table.set_column(at, schema.field(column.name), vocabulary_encoded(table.column(at), column.values))
    return table.combine_chunks().replace_schema_metadata(metadata)


def _places(place_of: dict[str, int], ids: list[str]) -> np.ndarray:
    """Each id's place by `place_of`, -1 for an id it lacks."""
    return np.fromiter((place_of.get(identifier, -1) for identifier in ids), dtype=np.int64, count=len(ids))


def _digests(digests) -> np.ndarray:
    """The digests (bytes each) as one array of byte strings, compared whole (`==` of two gives one bool a row)."""
    return np.asarray(digests, dtype=np.bytes_)


def _column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy()


def _pair_score(compared: dict[int, Features], i: int, j: int, window_days: int, model: similarity.Model) -> float:
    return model.score_of(similarity.signal_names(compared[i], compared[j], window_days))


def _common_now(last: LastRun, common_then: frozenset[str], gone: np.ndarray, features: dict[int, Features],
                max_block: int) -> tuple[frozenset[str], dict[str, int], set[str]]:
    """The common names now, the counts of the names the gone and changed articles touch, and those names."""
    removed_codes = _column(last.names.filter(pc.is_in(last.names["member"], pa.array(gone, pa.int32()))), "name")
    removed = Counter(pc.take(last.counts["name"], pa.array(removed_codes)).to_pylist())
    added = Counter(name for f in features.values() for name in names_of(f))
    touched = set(removed) | set(added)
    listed = sorted(touched)
    at = pc.index_in(pa.array(listed, pa.string()), last.counts["name"])
    then = pc.take(last.counts["count"], at).to_pylist()
    counts = {name: (number or 0) - removed[name] + added[name] for name, number in zip(listed, then)}
    common = (common_then - touched) | {name for name in touched if is_common(name, counts[name], max_block)}
    return frozenset(common), counts, touched


def _pairs_of_changed(last: LastRun, compared: dict[int, Features], now_of: np.ndarray, gone: np.ndarray,
                      common_then: frozenset[str], common: frozenset[str], turned: frozenset[str],
                      window_days: int, max_block: int) -> set[tuple[int, int]] | None:
    """The candidate pairs (i < j, places now) of the changed articles, or None when a block of
    unchanged articles changed between counting and not counting (their pairs would change)."""
    mine: dict[str, list[int]] = defaultdict(list)
    seconds: dict[str, str | None] = {}
    for place, f in compared.items():
        for key in blocking_keys(f):
            text = repr(key)
            mine[text].append(place)
            seconds[text] = key[1] if len(key) == 2 else None
    key_text = last.keys["key"]
    gone_rows = last.members.filter(pc.is_in(last.members["member"], pa.array(gone, pa.int32())))
    touched = set(_column(gone_rows, "key").tolist())
    touched.update(np.flatnonzero(pc.is_in(key_text, pa.array(sorted(mine), pa.string())).to_numpy(
        zero_copy_only=False)).tolist())
    if turned:
        touched.update(np.flatnonzero(pc.is_in(last.keys["second"], pa.array(sorted(turned), pa.string())).to_numpy(
            zero_copy_only=False)).tolist())
    rows = last.members.filter(pc.is_in(last.members["key"], pa.array(sorted(touched), pa.int32())))
    members_then: dict[int, list[int]] = defaultdict(list)
    for key, member in zip(_column(rows, "key").tolist(), _column(rows, "member").tolist()):
        members_then[key].append(member)
    pairs: set[tuple[int, int]] = set()
    texts = pc.take(key_text, pa.array(sorted(touched), pa.int64())).to_pylist() if touched else []
    known_keys = dict(zip(texts, sorted(touched)))
    for text in set(texts) | set(mine):
        key = known_keys.get(text)
        then = members_then.get(key, []) if key is not None else []
        second = seconds[text] if text in seconds else last.keys["second"][key].as_py()
        staying = [int(now_of[member]) for member in then if now_of[member] >= 0]
        now = staying + mine.get(text, [])
        counted_then = (second is None or second not in common_then) and 1 < len(then) <= max_block
        counted_now = (second is None or second not in common) and 1 < len(now) <= max_block
        if counted_then != counted_now and len(staying) > 1:
            return None
        if counted_now:
            pairs.update((min(place, other), max(place, other)) for place in mine.get(text, []) for other in now
                         if other != place)
    pairs.update(_day_pairs(last, compared, now_of, window_days))
    return pairs


def _day_pairs(last: LastRun, compared: dict[int, Features], now_of: np.ndarray,
               window_days: int) -> set[tuple[int, int]]:
    """The pairs of the changed articles with the articles of their day neighbourhoods within the window."""
    mine: dict[str, list[tuple]] = defaultdict(list)
    for place, f in compared.items():
        if f.date:
            for key in day_keys(f):
                mine[repr(key)].append((f.date, place))
    if not mine:
        return set()
    listed = sorted(mine)
    codes = pc.index_in(pa.array(listed, pa.string()), last.hoods["hood"])
    text_of = {code: text for code, text in zip(codes.to_pylist(), listed) if code is not None}
    rows = last.days.filter(pc.is_in(last.days["hood"], codes.drop_null()))
    hoods, members = _column(rows, "hood"), now_of[_column(rows, "member")]
    days = rows["day"].combine_chunks().cast(pa.int32()).to_numpy(zero_copy_only=False)  # (days since 1970)
    code_of = {text: code for code, text in text_of.items()}
    pairs = set()
    for hood, found in mine.items():
        then = hoods == code_of[hood] if hood in code_of else np.zeros(len(hoods), dtype=bool)
        for day, place in found:
            near = then & (np.abs(days - (day - EPOCH).days) <= window_days) & (members >= 0)
            others = members[near].tolist() + [other for other_day, other in found
                                               if abs((other_day - day).days) <= window_days]
            pairs.update((min(place, other), max(place, other)) for other in others if other != place)
    return pairs


EPOCH = dt.date(1970, 1, 1)  # day 0 of Arrow's dates


def _copies_changed(then: pa.Table, now: pa.Table,
                    now_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The originals whose groups are to be merged again for their copies: those (places in the last
    run's order) of the copies gone or changed (another digest, or another original), those (places
    in this run's order) of the copies added or changed, and how many copies that is; None when the
    copies kept come in another order (the groups' rows would not)."""
    at_now = pc.index_in(then["article"], now["article"]).fill_null(-1).to_numpy()
    staying = at_now >= 0
    if np.any(np.diff(at_now[staying]) <= 0):
        return None
    original_then, original_now = _column(then, "original"), _column(now, "original")
    same = staying.copy()
    digest_then, digest_now = _digests(then["digest"].to_pylist()), _digests(now["digest"].to_pylist())
    same[staying] = ((digest_then[staying] == digest_now[at_now[staying]])
                     & (now_of[original_then[staying]] == original_now[at_now[staying]]))
    fresh = np.ones(now.num_rows, dtype=bool)
    fresh[at_now[same]] = False
    return original_then[~same], original_now[fresh], int((~same).sum() + fresh.sum())


def _groups_then(representative: np.ndarray, representatives: np.ndarray,
                 now_of: np.ndarray) -> list[tuple[int, list[int]]]:
    """The last run's groups of `representatives` (places then), as (representative, members) by place now."""
    members = np.flatnonzero(np.isin(representative, representatives))
    if not len(members):
        return []
    members = members[np.argsort(representative[members], kind="stable")]  # (each group's members in order)
    starts = np.flatnonzero(np.r_[True, np.diff(representative[members]) != 0])
    return [(int(now_of[representative[group[0]]]), now_of[group].tolist())
            for group in np.split(members, starts[1:])]


def _local_edges(regrouped: np.ndarray, codes: np.ndarray, scores: np.ndarray,
                 count: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairs reaching the threshold among the `regrouped` articles, by codes over them (in the
    same order); None when a pair joins one of them to another article (their components would
    not be whole)."""
    first, second = np.divmod(codes, max(count, 1))
    inside_first, inside_second = np.isin(first, regrouped), np.isin(second, regrouped)
    if np.any(inside_first != inside_second):
        return None
    inside = inside_first & inside_second
    local_first, local_second = np.searchsorted(regrouped, first[inside]), np.searchsorted(regrouped, second[inside])
    return local_first * max(len(regrouped), 1) + local_second, scores[inside]


def _state_now(last: LastRun, count: int, now_of: np.ndarray, gone: np.ndarray, features: dict[int, Features],
               compared: dict[int, Features], counts: dict[str, int], touched: set[str],
               groups: list[tuple[int, list[int]]], regrouped: np.ndarray, local_codes: np.ndarray,
               component: np.ndarray, representative: np.ndarray) -> LastRun:
    """The last run's `LastRun` brought to this run's articles (its `tables`, `pairs` and `copies` still
    the last run's)."""
    changed = sorted(features)
    names_then = last.counts["name"].to_pylist()
    code_of = {name: code for code, name in enumerate(names_then)}
    number = last.counts["count"].to_numpy().copy()
    fresh_names, codes, members = [], [], []
    for place in changed:
        for name in names_of(features[place]):
            if name not in code_of:
                code_of[name] = len(names_then) + len(fresh_names)
                fresh_names.append(name)
            codes.append(code_of[name])
            members.append(place)
    names_now = pa.concat_tables([_renumbered(last.names, now_of),
                                  pa.table({"name": pa.array(codes, pa.int32()), "member": pa.array(members, pa.int32())})])
    number = np.r_[number, np.zeros(len(fresh_names), dtype=np.int64)]
    for name in touched:
        number[code_of[name]] = counts[name]
    counts_now = pa.table({"name": pa.concat_arrays([last.counts["name"].combine_chunks(),
                                                     pa.array(fresh_names, pa.string())]),
                           "count": pa.array(number)})
    key_texts = last.keys["key"].to_pylist()
    place_of = {text: at for at, text in enumerate(key_texts)}
    new_keys, new_seconds, key_codes, key_members = [], [], [], []
    hood_texts = last.hoods["hood"].to_pylist()
    hood_of = {text: code for code, text in enumerate(hood_texts)}
    fresh_hoods, day_hoods, day_days, day_members = [], [], [], []
    for place in changed:
        f = compared[place]
        for key in blocking_keys(f):
            text = repr(key)
            if text not in place_of:
                place_of[text] = len(key_texts) + len(new_keys)
                new_keys.append(text)
                new_seconds.append(key[1] if len(key) == 2 else None)
            key_codes.append(place_of[text])
            key_members.append(place)
        if f.date:
            for key in day_keys(f):
                text = repr(key)
                if text not in hood_of:
                    hood_of[text] = len(hood_texts) + len(fresh_hoods)
                    fresh_hoods.append(text)
                day_hoods.append(hood_of[text])
                day_days.append(f.date)
                day_members.append(place)
    keys_now = pa.concat_tables([last.keys, pa.table({"key": pa.array(new_keys, pa.string()),
                                                      "second": pa.array(new_seconds, pa.string())})])
    members_now = pa.concat_tables([_renumbered(last.members, now_of),
                                    pa.table({"key": pa.array(key_codes, pa.int32()),
                                              "member": pa.array(key_members, pa.int32())})])
    days_now = pa.concat_tables([_renumbered(last.days, now_of),
                                 pa.table({"hood": pa.array(day_hoods, pa.int32()),
                                           "day": pa.array(day_days, pa.date32()),
                                           "member": pa.array(day_members, pa.int32())})])
    component_now = np.full(count, -1, dtype=np.int64)
    representative_now = np.full(count, -1, dtype=np.int64)
    staying = now_of >= 0
    component_now[now_of[staying]] = component[staying]
    representative_now[now_of[staying]] = now_of[representative[staying]]
    first, second = np.divmod(local_codes, max(len(regrouped), 1))
    local_component = components(len(regrouped), first, second)
    component_now[regrouped] = int(component.max(initial=-1)) + 1 + local_component
    for rep, members_of in groups:
        representative_now[members_of] = rep
    _, component_now = np.unique(component_now, return_inverse=True)
    articles = pa.table({"component": pa.array(component_now, pa.int32()),
                         "representative": pa.array(representative_now, pa.int32())})
    hoods_now = pa.table({"hood": pa.concat_arrays([last.hoods["hood"].combine_chunks(),
                                                    pa.array(fresh_hoods, pa.string())])})
    return LastRun(last.pairs, names_now, counts_now, keys_now, members_now, hoods_now, days_now, articles,
                   last.copies, last.tables)


def _renumbered(table: pa.Table, now_of: np.ndarray) -> pa.Table:
    """The rows of a table of members whose article stays, each member by its place now."""
    place = now_of[_column(table, "member")]
    staying = place >= 0
    kept = table.filter(pa.array(staying))
    return kept.set_column(kept.schema.get_field_index("member"), "member", pa.array(place[staying], pa.int32()))


__all__ = ["LastRun", "Rebuilt", "rebuilt", "names_table", "block_tables", "article_table", "components",
           "pairs_digest", "NAME"]
