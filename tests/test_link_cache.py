"""The link stage's cache (etl/linking/memo.py): a rebuild scores only the pairs of changed articles,
and writes the very files a run without the cache writes, whatever changed: an article's fields,
an article gone, one added, or enough articles naming one person that the common names change."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from conftest import REPO
from etl import extract, ingest, link
from etl.linking import clustering, reuse, similarity
from etl.linking.ids import founder_id
from etl.linking.memo import KnownScores, PairMemo, clue_digest, clue_hashes, row_digests
from etl.tables import read_table, write_table

sys.path.insert(0, str(REPO / "benchmarks"))
import synth  # noqa: E402

STAGE_INPUTS = ("ingested.parquet", "extractions.parquet", "link_features.parquet")
LINK_OUTPUTS = ("incidents.parquet", "incident_fields.parquet", "article_incidents.parquet",
                "incident_aliases.parquet", "corrections.parquet")


@pytest.fixture(scope="module")
def stage_tables(tmp_path_factory) -> Path:
    """The ingest and extract tables of a synthetic corpus of 400 articles (rewritten dev reports)."""
    folder = tmp_path_factory.mktemp("link-cache")
    synth.run(400, 7, folder / "corpus")
    interim = folder / "interim"
    ingest.run(folder / "corpus" / "articles", interim)
    extract.run(interim / "ingested.parquet", interim)
    return interim


@pytest.fixture
def scored(monkeypatch) -> list[int]:
    """How many pairs each call of the linker's scoring scored (the calls in order)."""
    counts: list[int] = []
    score = clustering.code_scores

    def counting(compared, codes, *args, **kwargs):
        counts.append(len(codes))
        return score(compared, codes, *args, **kwargs)

    monkeypatch.setattr(clustering, "code_scores", counting)
    return counts


def linked(inputs: Path, out: Path, cache: Path | None) -> dict[str, bytes]:
    """The link stage's files (their bytes) over the stage tables of `inputs`."""
    out.mkdir(parents=True, exist_ok=True)
    link.run(*(inputs / name for name in STAGE_INPUTS), out, 3, cache=cache)
    return {name: (out / name).read_bytes() for name in LINK_OUTPUTS}


def changed_copy(interim: Path, folder: Path, change) -> Path:
    """A copy of the stage tables with `change(extractions, clues)` applied to two of them."""
    folder.mkdir()
    for name in STAGE_INPUTS:
        shutil.copy(interim / name, folder / name)
    extractions = read_table(interim / "extractions.parquet", "extractions")
    clues = read_table(interim / "link_features.parquet", "link_features")
    extractions, clues = change(extractions, clues)
    write_table(extractions, "extractions", folder / "extractions.parquet")
    write_table(clues, "link_features", folder / "link_features.parquet")
    return folder


def relevant_ids(extractions: pd.DataFrame) -> list[str]:
    return sorted(extractions.loc[extractions["relevant"].fillna(False).astype(bool), "article_id"])


def test_a_second_run_scores_no_pair_and_writes_what_a_run_without_cache_writes(stage_tables, tmp_path, scored):
    without = linked(stage_tables, tmp_path / "without", None)
    first = linked(stage_tables, tmp_path / "first", tmp_path / "cache")
    second = linked(stage_tables, tmp_path / "second", tmp_path / "cache")
    assert first == second == without
    without_cache, first_run = scored  # (the second run takes every incident as the first wrote it)
    assert without_cache == first_run > 100  # (the corpus has pairs to score)


def _moved_and_gone_and_added(extractions: pd.DataFrame, clues: pd.DataFrame):
    """One relevant article moved to another district, one gone, and one added: a copy of a third
    under a new id (its fields and clues)."""
    moved, gone, copied = relevant_ids(extractions)[:3]
    extractions = extractions.copy()
    other = extractions.loc[extractions["borough"] != extractions.loc[extractions["article_id"] == moved,
                                                                         "borough"].iloc[0], "borough"].iloc[0]
    extractions.loc[extractions["article_id"] == moved, "borough"] = other
    extractions = extractions[extractions["article_id"] != gone]
    clues = clues[clues["article_id"] != gone]
    added = extractions[extractions["article_id"] == copied].assign(article_id="zz-added")
    added_clues = clues[clues["article_id"] == copied].assign(article_id="zz-added")
    return (pd.concat([extractions, added], ignore_index=True),
            pd.concat([clues, added_clues], ignore_index=True))


def test_after_articles_change_only_their_pairs_are_scored_and_the_files_are_those_without_cache(
        stage_tables, tmp_path, scored, monkeypatch):
    monkeypatch.setattr(reuse, "MAX_CHANGED_SHARE", 0.0)  # (linked in full: the pair scores' cache alone)
    linked(stage_tables, tmp_path / "before", tmp_path / "cache")
    changed = changed_copy(stage_tables, tmp_path / "changed", _moved_and_gone_and_added)
    ingested = read_table(stage_tables / "ingested.parquet", "ingested")
    added = ingested[ingested["article_id"] == relevant_ids(read_table(
        stage_tables / "extractions.parquet", "extractions"))[2]].assign(article_id="zz-added")
    write_table(pd.concat([ingested, added], ignore_index=True), "ingested", changed / "ingested.parquet")
    rebuilt = linked(changed, tmp_path / "rebuilt", tmp_path / "cache")
    assert rebuilt == linked(changed, tmp_path / "without", None)
    before, again, without_cache = scored
    assert 0 < again < without_cache / 4  # (the changed articles' pairs, not the corpus's)


def _named(article_ids, name="zara quenby"):
    return pd.DataFrame([{"article_id": article_id, "kind": "person", "value": name, "start": 0, "end": len(name),
                          "quote": name.title()} for article_id in article_ids])


def _copies(frame: pd.DataFrame, article_ids: list[str]) -> pd.DataFrame:
    """The rows of `article_ids` under new ids (zz-copy-<id>), as articles of their own."""
    rows = frame[frame["article_id"].isin(article_ids)]
    return rows.assign(article_id="zz-copy-" + rows["article_id"])


def test_articles_with_a_name_that_turned_common_are_scored_again(stage_tables, tmp_path, monkeypatch):
    ids = relevant_ids(read_table(stage_tables / "extractions.parquet", "extractions"))
    # Three articles name an invented person; then enough new articles name her that the name turns
    # common (more than link.MAX_BLOCK): the three did not change, but what they are compared on did.
    base = changed_copy(stage_tables, tmp_path / "base",
                        lambda extractions, clues: (extractions, pd.concat([clues, _named(ids[:3])], ignore_index=True)))
    new = ids[10:10 + link.MAX_BLOCK]

    def many_name_her(extractions, clues):
        copied_clues = _copies(clues, new)
        return (pd.concat([extractions, _copies(extractions, new)], ignore_index=True),
                pd.concat([clues, copied_clues, _named(copied_clues["article_id"].unique())], ignore_index=True))

    changed = changed_copy(base, tmp_path / "changed", many_name_her)
    ingested = read_table(base / "ingested.parquet", "ingested")
    write_table(pd.concat([ingested, _copies(ingested, new)], ignore_index=True), "ingested",
                changed / "ingested.parquet")
    linked(base, tmp_path / "before", tmp_path / "cache")
    scores, scored = [], []
    group, score = clustering.groups_by_representative, clustering.code_scores
    monkeypatch.setattr(clustering, "groups_by_representative",
                        lambda count, codes, given, *rest: scores.append((codes, given)) or group(count, codes, given, *rest))
    monkeypatch.setattr(clustering, "code_scores",
                        lambda compared, codes, *rest: scored.append(codes) or score(compared, codes, *rest))
    rebuilt = linked(changed, tmp_path / "rebuilt", tmp_path / "cache")
    assert rebuilt == linked(changed, tmp_path / "without", None)
    (codes, remembered), (same_codes, computed) = scores
    assert codes.tolist() == same_codes.tolist()
    known = ~np.isnan(remembered)
    # every score the cache gave is the one scoring gives; the pairs it left unscored fall short
    assert remembered[known].tolist() == computed[known].tolist()
    assert (computed[~known] < similarity.fitted_model().threshold).all() and (~known).any()
    # every pair of the three articles was scored again, and not every pair
    order = [a["article_id"] for a in link.relevant_articles(
        link.read_ingested(changed / "ingested.parquet"), read_table(changed / "extractions.parquet", "extractions"))]
    first, second = np.divmod(codes, len(order))
    three = np.isin(first, [order.index(i) for i in ids[:3]]) | np.isin(second, [order.index(i) for i in ids[:3]])
    assert three.any() and np.isin(codes[three], scored[0]).all()
    assert len(scored[0]) < len(codes)


def test_known_scores_are_kept_for_pairs_of_unchanged_articles_met_in_the_same_order():
    # Three articles then; pairs (a, b) and (b, c) reached the threshold, (a, c) did not.
    known = KnownScores(["a", "b", "c"], [b"1", b"2", b"3"], frozenset({"london"}), 2.0,
                        np.array([0 * 3 + 1, 1 * 3 + 2]), np.array([5.0, 3.0]))
    again = KnownScores.from_bytes(bytes(known.to_bytes()))
    # Now: "b" changed, "d" is new, "c" is read before "a", and "a" has no name that changed.
    place = again.places(["c", "a", "b", "d"], [b"3", b"1", b"2*", b"4"], [True, True, True, True])
    assert place.tolist() == [2, 0, -1, -1]
    codes = np.array([0 * 4 + 1, 1 * 4 + 2, 1 * 4 + 3, 0 * 4 + 2])  # (c, a), (a, b), (a, d), (c, b)
    # (c, a) is (a, c) the other way round: scored again, not taken as symmetric
    assert again.scores_for(place, 2.0, codes)[1].tolist() == [True, True, True, True]
    place = again.places(["a", "b", "c", "d"], [b"1", b"2", b"3", b"4"], [True, True, True, True])
    scores, fresh = again.scores_for(place, 2.0, np.array([0 * 4 + 1, 0 * 4 + 2, 1 * 4 + 2, 2 * 4 + 3]))
    assert fresh.tolist() == [False, False, False, True]
    assert scores[[0, 2]].tolist() == [5.0, 3.0] and np.isnan(scores[1])  # (a, c): known to fall short
    assert again.scores_for(place, 1.5, np.array([1, 6]))[1].all()  # (another threshold: all scored)
    # An article with a name that turned common (or stopped being) is changed, whatever its digest.
    assert again.places(["a", "b", "c"], [b"1", b"2", b"3"], [True, False, True]).tolist() == [0, -1, 2]


def test_the_memo_keeps_only_the_pairs_that_reach_the_threshold_and_knows_which_names_turned(tmp_path):
    memo = PairMemo(tmp_path, "v1", ["a", "b", "c"], [b"1", b"2", b"3"], frozenset({"london"}), _untouched)
    memo.keep(np.array([1, 2, 5]), np.array([2.5, -1.0, np.nan]), 2.0)
    scores, fresh = PairMemo(tmp_path, "v1", ["a", "b", "c"], [b"1", b"2", b"3"], frozenset({"london"}),
                             _untouched).scores_for(np.array([1, 2, 5]), 2.0)
    assert scores[0] == 2.5 and np.isnan(scores[1:]).all() and not fresh.any()
    asked = []

    def names(turned):
        asked.append(turned)
        return [True, False, True]  # ("b" has one of them)

    _, fresh = PairMemo(tmp_path, "v1", ["a", "b", "c"], [b"1", b"2", b"3"], frozenset({"leeds"}),
                        names).scores_for(np.array([1, 2, 5]), 2.0)
    assert asked == [frozenset({"london", "leeds"})] and fresh.tolist() == [True, False, True]
    assert PairMemo(tmp_path, "v2", ["a"], [b"1"], frozenset(), _untouched).scores_for(np.array([0]), 2.0)[1].all()


def _untouched(turned):
    raise AssertionError(f"no name turned common, yet {sorted(turned)} were asked for")


def test_digests_tell_rows_and_clues_apart():
    frame = pd.DataFrame({"article_id": ["a", "b", "c"], "subject_age": pd.array([30, None, 30], dtype="Int64"),
                          "borough": ["Leeds", "Leeds", "Leeds"]})
    first, second, third = row_digests(frame)
    assert len({first, second, third}) == 3 and row_digests(frame) == [first, second, third]
    assert clue_digest([("person", "ada lovell")]) != clue_digest([("surname", "ada lovell")]) != clue_digest([])


# --- whole incidents taken from the last run (etl.linking.reuse) ---------------------------


@pytest.fixture
def rebuilds(monkeypatch) -> list[bool]:
    """Whether each run that found the last run's incidents in the cache rebuilt from them (else it linked in full)."""
    found: list[bool] = []
    rebuilt = reuse.rebuilt

    def recording(*args, **kwargs):
        again = rebuilt(*args, **kwargs)
        found.append(again is not None)
        return again

    monkeypatch.setattr(reuse, "rebuilt", recording)
    monkeypatch.setattr(reuse, "MAX_CHANGED_SHARE", 1.0)  # (the small corpus: a few articles are a large share)
    return found


def membership_of(files: dict[str, bytes], folder: Path) -> dict[str, str]:
    table = read_table(folder / "article_incidents.parquet", "article_incidents")
    return dict(zip(table["article_id"], table["incident_id"]))


def incidents_of_many(stage_tables: Path, tmp_path: Path) -> list[list[str]]:
    """The incidents of more than one article of a run without the cache, their articles sorted."""
    linked(stage_tables, tmp_path / "plain", None)
    table = read_table(tmp_path / "plain" / "article_incidents.parquet", "article_incidents")
    groups = table.groupby("incident_id")["article_id"].apply(sorted)
    return sorted(group for group in groups if len(group) > 1)


def _with_ingested(stage_tables: Path, changed: Path, copies: dict[str, str]) -> None:
    """The ingested table of `changed` with rows of new articles (new id -> the article copied)."""
    ingested = read_table(stage_tables / "ingested.parquet", "ingested")
    added = [ingested[ingested["article_id"] == source].assign(article_id=new) for new, source in copies.items()]
    write_table(pd.concat([ingested, *added], ignore_index=True), "ingested", changed / "ingested.parquet")


def test_an_unchanged_corpus_is_rebuilt_from_the_last_runs_incidents(stage_tables, tmp_path, rebuilds, scored):
    first = linked(stage_tables, tmp_path / "first", tmp_path / "cache")
    second = linked(stage_tables, tmp_path / "second", tmp_path / "cache")
    third = linked(stage_tables, tmp_path / "third", tmp_path / "cache")
    assert rebuilds == [True, True] and first == second == third
    assert len(scored) == 1  # (only the first run scored pairs in bulk)


def test_an_article_that_joins_another_incident_is_rebuilt_as_a_run_without_cache(stage_tables, tmp_path, rebuilds):
    many = incidents_of_many(stage_tables, tmp_path)
    mover, (target, *_) = many[0][0], many[1]
    linked(stage_tables, tmp_path / "before", tmp_path / "cache")

    def moved(extractions, clues):
        # (the mover now reads as the target does: its fields and clues)
        fields = extractions[extractions["article_id"] == target].drop(columns="article_id").iloc[0]
        extractions = extractions.copy()
        at = extractions.index[extractions["article_id"] == mover][0]
        for name, value in fields.items():
            extractions.at[at, name] = value
        return extractions, pd.concat([clues[clues["article_id"] != mover],
                                       clues[clues["article_id"] == target].assign(article_id=mover)],
                                      ignore_index=True).sort_values("article_id", kind="stable")

    changed = changed_copy(stage_tables, tmp_path / "changed", moved)
    rebuilt = linked(changed, tmp_path / "rebuilt", tmp_path / "cache")
    assert rebuilt == linked(changed, tmp_path / "without", None)
    assert rebuilds == [True]
    membership = membership_of(rebuilt, tmp_path / "rebuilt")
    assert membership[mover] == membership[target]  # (it left its incident for the target's)
    assert membership[mover] != membership_of({}, tmp_path / "before")[mover]


def test_articles_added_and_removed_are_rebuilt_as_a_run_without_cache(stage_tables, tmp_path, rebuilds):
    many = incidents_of_many(stage_tables, tmp_path)
    gone, copied = many[0][0], many[1][0]
    linked(stage_tables, tmp_path / "before", tmp_path / "cache")

    def gone_and_added(extractions, clues):
        extractions, clues = extractions[extractions["article_id"] != gone], clues[clues["article_id"] != gone]
        return (pd.concat([extractions, extractions[extractions["article_id"] == copied].assign(article_id="zz-added")],
                          ignore_index=True),
                pd.concat([clues, clues[clues["article_id"] == copied].assign(article_id="zz-added")],
                          ignore_index=True))

    changed = changed_copy(stage_tables, tmp_path / "changed", gone_and_added)
    _with_ingested(stage_tables, changed, {"zz-added": copied})
    rebuilt = linked(changed, tmp_path / "rebuilt", tmp_path / "cache")
    assert rebuilt == linked(changed, tmp_path / "without", None)
    assert rebuilds == [True]
    membership = membership_of(rebuilt, tmp_path / "rebuilt")
    assert gone not in membership and membership["zz-added"] == membership[copied]
    # and a rebuild from the rebuilt run's incidents: the article back as it was
    again = linked(stage_tables, tmp_path / "again", tmp_path / "cache")
    assert again == linked(stage_tables, tmp_path / "again-without", None) and rebuilds == [True, True]


def test_a_name_that_turns_common_is_rebuilt_as_a_run_without_cache(stage_tables, tmp_path, rebuilds):
    ids = relevant_ids(read_table(stage_tables / "extractions.parquet", "extractions"))
    base = changed_copy(stage_tables, tmp_path / "base",
                        lambda extractions, clues: (extractions, pd.concat([clues, _named(ids[:3])], ignore_index=True)))
    # (one article more naming her than a block holds: the name turns common)
    new = ids[10:10 + link.MAX_BLOCK - 2]

    def many_name_her(extractions, clues):
        return (extractions, pd.concat([clues, _named(new)], ignore_index=True).sort_values("article_id", kind="stable"))

    changed = changed_copy(base, tmp_path / "changed", many_name_her)
    linked(base, tmp_path / "before", tmp_path / "cache")
    rebuilt = linked(changed, tmp_path / "rebuilt", tmp_path / "cache")
    assert rebuilt == linked(changed, tmp_path / "without", None)
    assert len(rebuilds) == 1  # (rebuilt, or linked in full when a block of unchanged articles changed)
    back = linked(base, tmp_path / "back", tmp_path / "cache")  # (and the name no longer common)
    assert back == linked(base, tmp_path / "back-without", None)


def test_a_corrections_file_links_in_full_and_writes_what_a_run_without_cache_writes(stage_tables, tmp_path, rebuilds):
    many = incidents_of_many(stage_tables, tmp_path)
    corrections = tmp_path / "corrections.csv"
    corrections.write_text("target,field,value,reason,source,reviewer,date\n"
                           f"{many[0][0]},split,,a test,,,\n", encoding="utf-8")
    outputs = {}
    for name, cache in (("first", tmp_path / "cache"), ("second", tmp_path / "cache"), ("without", None)):
        (tmp_path / name).mkdir()
        link.run(*(stage_tables / table for table in STAGE_INPUTS), tmp_path / name, 3, corrections_path=corrections,
                 cache=cache)
        outputs[name] = {table: (tmp_path / name / table).read_bytes() for table in LINK_OUTPUTS}
    assert outputs["first"] == outputs["second"] == outputs["without"] and rebuilds == []


def test_components_are_those_of_the_edges():
    assert reuse.components(6, np.array([0, 4, 3]), np.array([2, 5, 4])).tolist() == [0, 1, 0, 3, 3, 3]
    assert reuse.components(3, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist() == [0, 1, 2]


def test_clue_hashes_tell_rows_apart_by_kind_value_and_place():
    clues = pd.DataFrame({"article_id": ["a", "a", "b", "b", "c", "d"],
                          "kind": ["person", "street", "street", "person", "person", "surname"],
                          "value": ["ada lovell", "mill lane", "mill lane", "ada lovell", "ada lovell", "ada lovell"]})
    table = pa.Table.from_pandas(clues, preserve_index=False)
    hashes = [tuple(row) for row in clue_hashes(table, ["a", "b", "c", "d", "e"])]
    assert len(set(hashes)) == 5  # (b has a's rows in another order; e has none)
    assert hashes[4] == tuple(np.frombuffer(clue_digest(()), dtype="<u8"))
    assert [tuple(row) for row in clue_hashes(table, ["c", "a"])] == [hashes[2], hashes[0]]


def test_a_block_of_unchanged_articles_grown_past_max_block_links_in_full(stage_tables, tmp_path, rebuilds):
    extractions = read_table(stage_tables / "extractions.parquet", "extractions")
    relevant = extractions[extractions["relevant"].fillna(False).astype(bool)].dropna(
        subset=["borough", "subject_age", "subject_gender"])
    subject = ["borough", "subject_age", "subject_gender"]
    sizes = relevant.groupby(subject).size()
    combination = sizes[sizes >= 3].index[0]  # (a block of articles of one district, age and gender)
    mover = relevant.loc[~relevant.set_index(subject).index.isin([combination]), "article_id"].iloc[0]
    max_block = int(sizes[combination])  # (the block holds as many as it may: one more, and it does not count)

    def joined(extractions, clues):
        extractions = extractions.copy()
        at = extractions.index[extractions["article_id"] == mover][0]
        for name, value in zip(subject, combination):
            extractions.at[at, name] = value
        return extractions, clues

    changed = changed_copy(stage_tables, tmp_path / "changed", joined)

    def run(inputs, name, cache):
        (tmp_path / name).mkdir()
        link.run(*(inputs / table for table in STAGE_INPUTS), tmp_path / name, 3, max_block=max_block, cache=cache)
        return {table: (tmp_path / name / table).read_bytes() for table in LINK_OUTPUTS}

    run(stage_tables, "before", tmp_path / "cache")
    assert run(changed, "rebuilt", tmp_path / "cache") == run(changed, "without", None)
    assert rebuilds == [False]  # (its pairs among the unchanged articles are gone: linked in full)


def test_no_relevant_article_and_a_previous_release_are_rebuilt_as_runs_without_cache(stage_tables, tmp_path, rebuilds):
    none = changed_copy(stage_tables, tmp_path / "none",
                        lambda extractions, clues: (extractions.assign(relevant=False), clues))
    assert linked(none, tmp_path / "none-1", tmp_path / "cache") == linked(none, tmp_path / "none-2", tmp_path / "cache") \
        == linked(none, tmp_path / "none-without", None)
    # A previous release of the articles as they are; then the founder of an incident of several
    # is gone: the rebuild's aliases, like a run's without the cache, map its id to today's.
    incidents_of_many(stage_tables, tmp_path)
    table = read_table(tmp_path / "plain" / "article_incidents.parquet", "article_incidents")
    sizes = table["incident_id"].map(table["incident_id"].value_counts())
    gone = next(article for article, incident, size in zip(table["article_id"], table["incident_id"], sizes)
                if size > 1 and founder_id(article) == incident)
    changed = changed_copy(stage_tables, tmp_path / "changed", lambda extractions, clues: (
        extractions[extractions["article_id"] != gone], clues[clues["article_id"] != gone]))
    release = tmp_path / "release"
    release.mkdir()
    shutil.copy(tmp_path / "plain" / "article_incidents.parquet", release / "articles.parquet")

    def with_release(inputs, name, cache):
        (tmp_path / name).mkdir()
        link.run(*(inputs / table for table in STAGE_INPUTS), tmp_path / name, 3, previous_release=release, cache=cache)
        return {table: (tmp_path / name / table).read_bytes() for table in LINK_OUTPUTS}

    with_release(stage_tables, "before", tmp_path / "cache")
    rebuilt = with_release(changed, "rebuilt", tmp_path / "cache")
    assert rebuilt == with_release(changed, "without", None) and rebuilds[-1]
    aliases = read_table(tmp_path / "rebuilt" / "incident_aliases.parquet", "incident_aliases")
    assert "renamed" in set(aliases["change"])


# --- copies: linked as their originals' groups' members (etl.linking.reuse) -----------------


def _copy_marks(folder: Path, marks: dict[str, str | None], published: dict[str, str] | None = None) -> None:
    """The ingested table of `folder` with `copy_of` of the articles of `marks` set to the article
    each copies (None: no copy), and the published dates of `published` (article -> ISO date)."""
    ingested = read_table(folder / "ingested.parquet", "ingested")
    ingested["copy_of"] = ingested["copy_of"].astype(object)
    for article_id, original in marks.items():
        ingested.loc[ingested["article_id"] == article_id, "copy_of"] = original
    for article_id, day in (published or {}).items():
        ingested.loc[ingested["article_id"] == article_id, "published_date"] = pd.Timestamp(day).date()
    write_table(ingested, "ingested", folder / "ingested.parquet")


@pytest.fixture
def with_copies(stage_tables, tmp_path) -> tuple[Path, list[list[str]], dict[str, str]]:
    """The stage tables with copies marked (a copy in each of two incidents, a copy of another
    incident's article and a chain of two copies), the incidents of many articles of a run
    without them, and the marks."""
    many = incidents_of_many(stage_tables, tmp_path)
    chain = next(group for group in many[4:] if len(group) > 2)
    marks = {many[0][1]: many[0][0], many[1][1]: many[1][0], many[2][0]: many[3][0],
             chain[2]: chain[1], chain[1]: chain[0]}
    base = changed_copy(stage_tables, tmp_path / "base", lambda extractions, clues: (extractions, clues))
    _copy_marks(base, marks)
    return base, many, marks


def _borough_changed(article_id: str):
    """A change of the article's district to another one's."""
    def change(extractions, clues):
        extractions = extractions.copy()
        at = extractions["article_id"] == article_id
        current = extractions.loc[at, "borough"].iloc[0]
        extractions.loc[at, "borough"] = next(borough for borough in extractions["borough"].dropna().unique()
                                              if pd.isna(current) or borough != current)
        return extractions, clues
    return change


def _without(article_id: str):
    """The article gone from the corpus."""
    return lambda extractions, clues: (extractions[extractions["article_id"] != article_id],
                                       clues[clues["article_id"] != article_id])


def _unchanged(extractions, clues):
    return extractions, clues


# Each case: what changes in the stage tables (extractions and clues), and in the copy marks and
# published dates, given the incidents of many articles and the marks of the corpus.
COPY_CASES = {
    "an unrelated article changed": lambda many, marks: (_borough_changed(many[-1][0]), {}, {}),
    "an original that has a copy changed": lambda many, marks: (_borough_changed(many[0][0]), {}, {}),
    "a copy changed": lambda many, marks: (_borough_changed(many[0][1]), {}, {}),
    "a copy published first": lambda many, marks: (_unchanged, {}, {many[1][1]: "1990-01-01"}),
    "a copy added": lambda many, marks: (_unchanged, {many[-2][0]: many[1][0]}, {}),
    "a copy gone": lambda many, marks: (_without(many[0][1]), {}, {}),
    "a copy no longer marked": lambda many, marks: (_unchanged, {many[0][1]: None}, {}),
    "an original now a copy": lambda many, marks: (_unchanged, {many[-1][0]: many[0][0]}, {}),
    "a copy now of another original": lambda many, marks: (_unchanged, {many[1][1]: many[0][0]}, {}),
    "the head of a chain no longer a copy": lambda many, marks: (_unchanged, {next(iter(
        copy for copy, original in marks.items() if original in marks)): None}, {}),
}


@pytest.mark.parametrize("case", COPY_CASES)
def test_a_corpus_with_copies_is_rebuilt_as_a_run_without_cache(with_copies, tmp_path, rebuilds, case):
    base, many, marks = with_copies
    change, new_marks, published = COPY_CASES[case](many, marks)
    linked(base, tmp_path / "before", tmp_path / "cache")
    before = membership_of({}, tmp_path / "before")
    assert all(before[copy] == before[original] for copy, original in marks.items())  # (the copies joined)
    changed = changed_copy(base, tmp_path / "changed", change)
    _copy_marks(changed, new_marks, published)
    rebuilt = linked(changed, tmp_path / "rebuilt", tmp_path / "cache")
    assert rebuilt == linked(changed, tmp_path / "without", None)
    assert rebuilds == [True]  # (the incidents the change does not touch taken as the last run wrote them)
    again = linked(base, tmp_path / "again", tmp_path / "cache")  # (and back, from the rebuilt run's incidents)
    assert again == linked(base, tmp_path / "again-without", None) and rebuilds == [True, True]


def test_copies_of_one_incident_in_another_order_link_in_full(with_copies, tmp_path, rebuilds):
    base, many, marks = with_copies
    one, other = sorted(copy for copy, original in marks.items() if original in marks or copy in marks.values())

    def swapped(extractions, clues):
        # (the two copies of one incident read the other way round; every other article in its place)
        rows = extractions.index.tolist()
        first, second = (extractions.index[extractions["article_id"] == article][0] for article in (one, other))
        i, j = rows.index(first), rows.index(second)
        rows[i], rows[j] = rows[j], rows[i]
        return extractions.loc[rows].reset_index(drop=True), clues

    linked(base, tmp_path / "before", tmp_path / "cache")
    changed = changed_copy(base, tmp_path / "changed", swapped)
    assert linked(changed, tmp_path / "rebuilt", tmp_path / "cache") == linked(changed, tmp_path / "without", None)
    assert rebuilds == [False]  # (the rows of its incident would come in the last run's order)
