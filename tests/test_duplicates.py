"""Duplicates and syndicated copies: every document keeps its row, repeats point at what they repeat."""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
import zlib

import numpy as np

from etl import duplicates, ingest

WIRE = ("A man has died after being shot by armed police officers in Croydon on Tuesday evening, "
        "the Metropolitan Police said. Officers were called to reports of a man with a knife threatening "
        "members of the public on the high street shortly before 8pm. Armed officers attended and the man "
        "was shot. Paramedics from the London Ambulance Service treated him at the scene but he was "
        "pronounced dead a short time later. His next of kin have been informed. A knife was recovered "
        "from the scene. The Independent Office for Police Conduct has been notified and will investigate "
        "the circumstances, as is standard procedure after a fatal police shooting. A cordon remains in "
        "place and road closures are expected to remain for some time. Anyone with information is asked "
        "to contact police.")
OTHER = ("Officers used a Taser on a man who was threatening staff at a supermarket in Leeds on Saturday "
         "afternoon, West Yorkshire Police said. The man, aged 34, was arrested on suspicion of affray and "
         "taken to hospital as a precaution. Nobody else was hurt. The force has referred itself to the "
         "watchdog, which will decide whether to investigate. Shoppers described a tense few minutes as "
         "officers arrived and cleared the aisles before the man was detained near the tills.")


def write_export(tmp_path, records):
    path = tmp_path / "raw" / "wire.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def marks_of(tmp_path):
    result = ingest.run(tmp_path / "raw", tmp_path / "interim")
    marks = result.articles.set_index("article_id")[["duplicate_of", "copy_of"]]
    return marks.astype(object).where(marks.notna(), None).to_dict("index")


def test_the_same_text_twice_is_a_duplicate_of_the_first_copy_and_both_keep_their_rows(tmp_path):
    write_export(tmp_path, [
        {"id": "first", "text": WIRE},
        {"id": "other", "text": OTHER},
        {"id": "again", "text": "  " + WIRE.upper().replace(". ", ".\n\n")},  # case and spacing differ
    ])
    marks = marks_of(tmp_path)
    assert marks == {"wire.jsonl:first": {"duplicate_of": None, "copy_of": None},
                     "wire.jsonl:other": {"duplicate_of": None, "copy_of": None},
                     "wire.jsonl:again": {"duplicate_of": "wire.jsonl:first", "copy_of": None}}


def test_a_syndicated_copy_points_at_the_earliest_published_article(tmp_path):
    rewritten = ("Croydon shooting: man dies. " + WIRE.replace("Tuesday evening", "Tuesday night")
                 + " Sign up for our free daily newsletter.")
    write_export(tmp_path, [
        {"id": "echo", "published": "2024-03-06", "text": rewritten},
        {"id": "wire", "published": "2024-03-05", "text": WIRE},
        {"id": "leeds", "published": "2024-03-04", "text": OTHER},
    ])
    marks = marks_of(tmp_path)
    assert marks["wire.jsonl:echo"] == {"duplicate_of": None, "copy_of": "wire.jsonl:wire"}
    assert marks["wire.jsonl:wire"] == {"duplicate_of": None, "copy_of": None}
    assert marks["wire.jsonl:leeds"] == {"duplicate_of": None, "copy_of": None}


def test_two_reports_of_one_incident_in_different_words_are_not_copies(tmp_path):
    retold = ("Police marksmen opened fire on a knifeman in Croydon town centre, killing him, Scotland Yard "
              "confirmed on Wednesday. Witnesses said the man had been waving a blade at shoppers before "
              "officers arrived. The police watchdog is investigating. Local councillors called for calm "
              "and said the community was shocked by what had happened on the busy street.")
    write_export(tmp_path, [{"id": "a", "text": WIRE}, {"id": "b", "text": retold}])
    assert all(mark == {"duplicate_of": None, "copy_of": None} for mark in marks_of(tmp_path).values())


def test_short_texts_that_share_words_are_not_called_copies():
    groups = duplicates.near_duplicate_groups(["Police shot a man in Croydon.", "Police shot a man in Croydon today."], 0.5)
    assert groups == []


def test_similarity_is_exact_on_shingles():
    assert duplicates.jaccard(duplicates.shingles(WIRE), duplicates.shingles(WIRE)) == 1.0
    assert duplicates.jaccard(duplicates.shingles(WIRE), duplicates.shingles(OTHER)) == 0.0


def test_candidate_pairs_grow_linearly_when_many_texts_are_alike():
    # 600 variants of one story: every pair is alike, yet each band pairs each text with one
    # other at most, so the work stays linear (a clique would be 179,700 pairs).
    random.seed(5)
    words = WIRE.split()
    texts = []
    for _ in range(600):
        variant = list(words)
        variant[random.randrange(len(variant))] = "changed"
        texts.append(" ".join(variant))
    permutations = duplicates._permutations()
    signatures = [duplicates.signature(duplicates.shingles(text), permutations) for text in texts]
    pairs = duplicates.candidate_pairs(signatures)
    assert len(pairs) <= duplicates.BANDS * len(texts)
    groups = duplicates.near_duplicate_groups(texts, 0.7)
    assert len(groups) == 1 and len(groups[0]) == len(texts)


def test_marking_is_the_same_on_every_run():
    texts = [WIRE, OTHER, WIRE + " Updated.", OTHER.lower()]
    ids = ["a", "b", "c", "d"]
    first = duplicates.mark(ids, texts, [None] * 4, 0.7)
    assert first == duplicates.mark(ids, texts, [None] * 4, 0.7)
    assert first.duplicate_of == {"d": "b"} and first.copy_of == {"c": "a"}


def bucket_pairs(signatures):
    """Candidate pairs the plain way: per band, a dict of buckets pairing each member with the first."""
    rows, pairs = duplicates.NUM_PERM // duplicates.BANDS, set()
    for band in range(duplicates.BANDS):
        first = {}
        for index, values in enumerate(signatures):
            if values is not None:
                key = tuple(values[band * rows:(band + 1) * rows])
                if key in first:
                    pairs.add((first[key], index))
                else:
                    first[key] = index
    return sorted(pairs)


def test_candidate_pairs_are_those_of_band_buckets_with_gaps_for_short_texts():
    random.seed(7)
    words = WIRE.split()
    texts = [" ".join(random.sample(words, len(words))) if n % 3 else WIRE + f" Edition {n}." for n in range(40)]
    texts[5] = "Too short to compare."
    permutations = duplicates._permutations()
    signatures = [duplicates.signature(duplicates.shingles(text), permutations) if len(duplicates.shingles(text))
                  else None for text in texts]
    assert signatures[5] is None
    pairs = duplicates.candidate_pairs(signatures)
    assert pairs == bucket_pairs(signatures)
    assert (0, 3) in pairs  # two editions of the wire story


def test_an_index_that_keeps_shingles_in_a_scratch_file_gives_the_same_marks(tmp_path):
    texts = [WIRE, OTHER, "Read first. " + WIRE + " Updated.", OTHER.upper(), WIRE.replace("Croydon", "Sutton")]
    published = [dt.date(2024, 3, 5), None, dt.date(2024, 3, 4), None, None]
    ids = ["a", "b", "c", "d", "e"]
    in_memory, on_disk = duplicates.CopyIndex(), duplicates.CopyIndex(tmp_path)
    try:
        for index in (in_memory, on_disk):
            for article_id, text, date in zip(ids, texts, published):
                index.add(article_id, date, duplicates.fingerprint(text))
        marks = on_disk.marks(0.7)
        assert marks == in_memory.marks(0.7) == duplicates.mark(ids, texts, published, 0.7)
    finally:
        in_memory.close()
        on_disk.close()
    assert marks.duplicate_of == {"d": "b"}
    assert marks.copy_of == {"a": "c", "e": "c"}  # c was published first
    assert list(tmp_path.iterdir()) == []  # the scratch file has no name: nothing is left behind


def test_fingerprints_are_compact_and_the_same_as_the_shingles_and_signature():
    print_ = duplicates.fingerprint(WIRE)
    assert print_.shingles.dtype == print_.signature.dtype == duplicates.COMPACT
    assert np.array_equal(print_.shingles, duplicates.shingles(WIRE))
    assert np.array_equal(print_.signature, duplicates.signature(duplicates.shingles(WIRE), duplicates._permutations()))
    assert duplicates.fingerprint("Too short.").signature is None


def indexed(ids, texts, published=None):
    index = duplicates.CopyIndex()
    for article_id, text, date in zip(ids, texts, published or [None] * len(ids)):
        index.add(article_id, date, duplicates.fingerprint(text))
    return index


def test_pairs_compared_before_are_taken_as_they_were_and_the_marks_are_the_same():
    texts = [WIRE, OTHER, "Read first. " + WIRE + " Updated.", WIRE.replace("Croydon", "Sutton")]
    first, compared = indexed("abcd", texts).marks_and_comparisons(0.7)
    assert first.copy_of == {"c": "a", "d": "a"}
    # Read in another order, with the earlier comparisons known: the same marks, and each pair
    # compared both times has the same similarity.
    again, recompared = indexed("dcba", texts[::-1]).marks_and_comparisons(0.7, compared)
    assert again == indexed("dcba", texts[::-1]).marks(0.7)
    both = np.intersect1d(recompared.codes, compared.codes)
    assert len(both) >= 1
    assert np.array_equal(recompared.similarity_of(both), compared.similarity_of(both))


def test_a_known_similarity_is_used_rather_than_measured_again():
    texts = [WIRE, WIRE.replace("Croydon", "Sutton")]
    marks, compared = indexed("ab", texts).marks_and_comparisons(0.7)
    assert marks.copy_of == {"b": "a"} and len(compared.codes) == 1 and compared.similarity[0] >= 0.7
    # (a similarity said to be below the threshold is believed: the pair is not compared again)
    told = duplicates.Compared(compared.codes, np.array([0.1]))
    assert indexed("ab", texts).marks_and_comparisons(0.7, told)[0].copy_of == {}


def test_the_pairs_compared_are_kept_as_bytes_and_read_back():
    texts = [WIRE, OTHER, WIRE + " Updated.", WIRE.replace("Croydon", "Sutton")]
    compared = indexed("abcd", texts).marks_and_comparisons(0.7)[1]
    back = duplicates.Compared.from_bytes(compared.to_bytes())
    assert len(back.codes) == len(compared.codes) >= 2
    assert np.array_equal(back.codes, compared.codes) and np.array_equal(back.similarity, compared.similarity)
    none = duplicates.Compared.from_bytes(indexed("a", [OTHER]).marks_and_comparisons(0.7)[1].to_bytes())
    assert len(none.codes) == 0 and np.isnan(none.similarity_of(compared.codes)).all()


def test_pairs_measured_on_two_processes_give_the_marks_and_similarities_of_one(monkeypatch, tmp_path):
    monkeypatch.setattr(duplicates, "PAIRS_PER_TASK", 2)  # (several tasks for a few pairs)
    texts = [WIRE, OTHER, WIRE + " Updated.", WIRE.replace("Croydon", "Sutton"), OTHER + " Later.",
             "Read first. " + WIRE, OTHER.replace("Leeds", "Bradford"), WIRE.replace("knife", "blade")]
    ids = [f"t{n}" for n in range(len(texts))]
    results = []
    for jobs in (1, 2):
        index = duplicates.CopyIndex(tmp_path)  # (shingles in a scratch file the workers read too)
        for article_id, text in zip(ids, texts):
            index.add(article_id, None, duplicates.fingerprint(text))
        results.append(index.marks_and_comparisons(0.7, jobs=jobs))
        index.close()
    (one, compared_one), (two, compared_two) = results
    assert len(compared_one.codes) >= 2 * duplicates.PAIRS_PER_TASK + 1
    assert one == two == duplicates.mark(ids, texts, [None] * len(texts), 0.7)
    assert np.array_equal(compared_one.codes, compared_two.codes)
    assert np.array_equal(compared_one.similarity, compared_two.similarity)
    assert set(one.copy_of) == {"t2", "t3", "t4", "t5", "t6", "t7"}


def test_texts_given_without_their_shingles_have_only_those_a_new_pair_needs_fetched():
    texts = [WIRE, OTHER, WIRE.replace("Croydon", "Sutton"), "Read first. " + WIRE + " Updated."]
    prints = {article_id: duplicates.fingerprint(text) for article_id, text in zip("abcd", texts)}
    _, compared = indexed("abc", texts[:3]).marks_and_comparisons(0.7)
    index = duplicates.CopyIndex()
    for article_id in "abc":  # (the last run's texts: their shingle sets kept elsewhere)
        index.add(article_id, None, duplicates.Fingerprint(prints[article_id].key, None, prints[article_id].signature))
    index.add("d", None, prints["d"])  # (a new text, with its shingles)
    fetched = []
    marks, _ = index.marks_and_comparisons(0.7, compared, shingles_elsewhere=lambda ids: fetched.extend(ids) or {
        article_id: prints[article_id].shingles for article_id in ids})
    assert marks == indexed("abcd", texts).marks(0.7)
    assert marks.copy_of == {"c": "a", "d": "a"}
    assert fetched and set(fetched) <= {"a", "c"}  # (the pairs of b, and of a with c, were compared before)


def test_buckets_of_a_band_are_found_as_np_unique_finds_them():
    generator = np.random.default_rng(7)
    signatures = generator.integers(0, 4, (500, duplicates.NUM_PERM)).astype(duplicates.COMPACT)  # (many shared bands)
    signatures[300:350] = signatures[:50]
    rows = duplicates.NUM_PERM // duplicates.BANDS
    every, codes = np.arange(len(signatures)), []
    for band in range(duplicates.BANDS):
        keys = np.ascontiguousarray(signatures[:, band * rows:(band + 1) * rows]).view(
            np.dtype((np.void, rows * signatures.itemsize))).ravel()
        _, first, bucket = np.unique(keys, return_index=True, return_inverse=True)
        firsts = first[bucket.ravel()]
        codes.append(firsts[firsts != every] * len(signatures) + every[firsts != every])
    unique = np.unique(np.concatenate(codes))
    assert np.array_equal(duplicates.band_pairs(signatures), np.stack([unique // 500, unique % 500], axis=1))


def reference_shingles(text):
    """The shingles the plain way: `\\w+` words of the folded text, CRC-32 of each, the polynomial in Python ints."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
    if len(words) < duplicates.MIN_WORDS_FOR_COPIES:
        return np.empty(0, dtype=np.uint64)
    codes = [zlib.crc32(word.encode("utf-8", "surrogatepass")) for word in words]
    grams = set()
    for start in range(len(codes) - duplicates.SHINGLE_WORDS + 1):
        value = 0
        for code in codes[start:start + duplicates.SHINGLE_WORDS]:
            value = (value * duplicates.GRAM_BASE + code) % duplicates.PRIME
        grams.add(value)
    return np.array(sorted(grams), dtype=np.uint64)


# Characters a word is cut at, or is made of, beyond ASCII: curly quotes, dashes, accents (composed and
# combining), a ligature and superscript NFKC rewrites, other scripts and digits, invisible and odd spaces,
# a lone surrogate, control characters.
AWKWARD = ["’", "“", "”", "—", "–", "é", "e\u0301", "ﬁ", "²", "ß", "İ", "Ω", "ж", "中文", "٣", "१",
           "\u00a0", "\u200b", "\u2028", "\u3000", "\ud800", "\x1c", "\x85", "_", "9", "😀", "…", "£", "'", "-"]


def test_words_are_those_a_word_pattern_finds_whatever_the_characters():
    random.seed(11)
    pieces = WIRE.split() + AWKWARD
    texts = [WIRE, OTHER, "", " ".join(AWKWARD), "".join(AWKWARD)]
    texts += ["".join(random.choice(pieces) + random.choice(["", " ", "\n"] + AWKWARD) for _ in range(80))
              for _ in range(200)]
    for text in texts:
        folded = duplicates.folded_text(text)
        assert duplicates.text_words(folded) == [word.encode("utf-8", "surrogatepass")
                                                 for word in re.findall(r"\w+", folded)], text


def test_shingles_and_signatures_are_those_of_the_plain_computation():
    random.seed(12)
    pieces = WIRE.split() + OTHER.split() + AWKWARD
    texts = [WIRE, OTHER, WIRE.replace("police", "pólice’s"), "Too short."]
    texts += [" ".join(random.choice(pieces) for _ in range(random.randint(20, 300))) for _ in range(50)]
    a, b = permutations = duplicates._permutations()
    for text in texts:
        expected = reference_shingles(text)
        assert np.array_equal(duplicates.shingles(text), expected), text
        if len(expected):
            plain = ((expected[:, None] * a + b) >> np.uint64(33)).min(axis=0)
            assert np.array_equal(duplicates.signature(expected, permutations), plain)
    assert (duplicates.signature(np.empty(0, dtype=np.uint64), permutations) == duplicates._TOP_BITS_MAX).all()


def test_a_fingerprint_pickles_its_arrays_as_bytes_and_comes_back_the_same():
    import pickle

    print_ = duplicates.fingerprint(WIRE)
    back = pickle.loads(pickle.dumps(print_))
    assert back.key == print_.key
    for mine, theirs in ((back.shingles, print_.shingles), (back.signature, print_.signature)):
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape and np.array_equal(mine, theirs)
    recorded = duplicates.Fingerprint(print_.key, None, print_.signature.tobytes())  # (as the last run's record has it)
    assert pickle.loads(pickle.dumps(recorded)) == recorded
    assert len(pickle.dumps(print_)) < len(print_.shingles.tobytes()) + len(print_.signature.tobytes()) + 200


def test_rows_whose_hashes_collide_are_still_put_in_buckets_by_their_values():
    # Rows (as 64-bit words) (0, MIX) and (1, 0) share a hash, (0 * MIX) ^ MIX == (1 * MIX) ^ 0: read
    # by their hash alone they would be one bucket.
    mix = int(duplicates._MIX)
    words = np.array([[0, mix], [1, 0], [0, mix], [1, 0], [5, 6]], dtype=np.uint64)
    band = words.view(duplicates.COMPACT).reshape(len(words), -1)
    assert duplicates._first_of_bucket(band).tolist() == [0, 1, 0, 1, 4]


def test_pairs_compared_are_found_by_their_code_in_any_order_and_when_hashes_collide():
    mix = int(duplicates._MIX)
    # (words (0, 0, 0, x) and (0, 0, 1, MIX ^ x) share a hash: ((w0 * MIX ^ w1) * MIX ^ w2) * MIX ^ w3)
    colliding = np.array([[0, 0, 0, 77], [0, 0, 1, mix ^ 77]], dtype=np.uint64).view("S32").ravel()
    assert duplicates.code_hashes(colliding)[0] == duplicates.code_hashes(colliding)[1]
    generator = np.random.default_rng(3)
    others = np.array([generator.bytes(32) for _ in range(50)], dtype="S32")
    absent = np.array([b"\x01" * 32], dtype="S32")
    for codes in (others, np.concatenate([others, colliding])):
        similarity = np.arange(len(codes), dtype=float)
        asked = np.concatenate([codes[::-1], absent])
        expected = np.concatenate([similarity[::-1], [np.nan]])
        compared = duplicates.Compared.of(codes, similarity)
        assert np.array_equal(compared.similarity_of(asked), expected, equal_nan=True)
        # (as they were given, not in the order `of` puts them: found all the same)
        assert np.array_equal(duplicates.Compared(codes, similarity).similarity_of(asked), expected, equal_nan=True)
        back = duplicates.Compared.from_bytes(compared.to_bytes())
        assert np.array_equal(back.similarity_of(asked), expected, equal_nan=True)
