"""`uofdb fit`: fit the relevance and linking models on a labelled corpus, with cross-validation.

    uofdb fit --corpus ../shared/corpus/dev [--out schema/vocab/relevance_model.json]

The corpus folder holds `articles/` and `gold.jsonl` (the codebook's gold format).
Every article is read once into a document and its named signals
(`etl.extract.relevance.SIGNALS`) are computed; a logistic regression (scikit-learn)
is fitted on them. Cross-validation keeps all articles of one incident in one fold,
so the figures estimate how the model does on incidents it has not seen: the
regularisation strength and the decision threshold are chosen on the out-of-fold
predictions, and the out-of-fold relevance F1 and article field accuracy (fields of
articles judged irrelevant count as not stated) are printed beside the figures of
the final model on the whole corpus. The model is written as data: one weight per
signal, the intercept and the threshold.

The linking model is fitted the same way on the candidate pairs (`etl.linking.clustering`
blocking) of the gold-relevant articles: one weight per pair signal
(`etl.linking.similarity.SIGNALS`), labelled by whether the two articles share a gold
incident. Each pair is scored out of fold (by a model fitted without the folds of both
its articles), every article is then grouped with those scores, and the score to link
and the average two groups need to join are the pair with the best B-cubed F1; the
cross-validated B-cubed is printed beside that of the final model on the whole corpus.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from etl import ingest
from etl.extract import UNSTATED, event_fields
from etl.extract import events, places
from etl.extract import weights as rule_weights
from etl.extract.document import read_document
from etl.extract.link_features import link_features
from etl.extract.relevance import MODEL_PATH, SIGNALS, signals
from etl.linking import similarity
from etl.linking.clustering import candidate_pairs, common_names, group_pairs
from etl.linking.features import features_of
from etl.params import DEFAULTS
from etl.readers import dateline_end
from etl.tables import read_table

SCORED_FIELDS = ("incident_date", "incident_time", "borough", "force", "force_type", "outcome", "referral_body",
                 "terrorism_status", "weapon_recovered", "subject_age", "subject_gender", "shots_fired")
STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # inverse regularisation strengths tried (log-spaced)
FOLDS = 5
SEED = 0


def run(corpus: Path, out_path: Path = MODEL_PATH, folds: int = FOLDS, seed: int = SEED,
        linking_path: Path = similarity.MODEL_PATH) -> dict:
    """Fit both models on corpus/articles and corpus/gold.jsonl; write them; return the report."""
    # load
    articles = ingested_articles(corpus / "articles")
    gold = {row["article_id"]: row for row in map(json.loads, (corpus / "gold.jsonl").read_text().splitlines()) if row}
    # process
    rows = [article for article in articles if article["article_id"] in gold]
    docs = [read_document(row["text"], row["published_date"], dateline_end(row["text"])) for row in rows]
    features = np.array([[signal.value for signal in signals(doc)] for doc in docs], dtype=float)
    labels = np.array([bool(gold[row["article_id"]]["relevant"]) for row in rows])
    groups = [gold[row["article_id"]].get("incident_key") or row["article_id"] for row in rows]
    fields = [_fields_if_relevant(doc) for doc in docs]
    golds = [gold[row["article_id"]] for row in rows]
    report = fit(features, labels, groups, fields, golds, folds, seed)
    relevant = [i for i, gold in enumerate(golds) if gold["relevant"]]
    linked = [features_of({**rows[i], **fields[i], "link_features": [{"kind": clue.kind, "value": clue.value}
                                                                      for clue in link_features(docs[i])]})
              for i in relevant]
    report["linking"] = fit_linking(linked, [golds[i]["incident_key"] for i in relevant], folds, seed)
    report["rule_weights"] = fit_rule_weights([docs[i] for i in relevant], [golds[i] for i in relevant], folds, seed)
    # save
    out_path.write_text(json.dumps(report["model"], indent=2) + "\n")
    linking_path.write_text(json.dumps(report["linking"], indent=2) + "\n")
    rule_weights.WEIGHTS_PATH.write_text(json.dumps(report["rule_weights"], indent=2) + "\n")
    return report


def ingested_articles(folder: Path) -> list[dict]:
    """The corpus as the ingest stage reads it (so the model sees the texts the build sees)."""
    with tempfile.TemporaryDirectory() as interim:
        ingest.run(folder, Path(interim))
        return read_table(Path(interim) / "ingested.parquet", "ingested").to_dict("records")


def _fields_if_relevant(doc) -> dict:
    values = dict(UNSTATED)
    weapons = []
    for item in event_fields(doc):
        if item.field == "weapon_recovered":
            weapons.append(item.value)
        else:
            values[item.field] = item.value
    if weapons:
        values["weapon_recovered"] = "; ".join(sorted(weapons))
    return values


def fit(features: np.ndarray, labels: np.ndarray, groups: list[str], fields: list[dict], golds: list[dict],
        folds: int, seed: int) -> dict:
    """Cross-validate, choose the strength and threshold out of fold, fit on everything."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(features, labels, groups))
    best = None
    for strength in STRENGTHS:
        scores = _out_of_fold_scores(features, labels, splits, strength)
        threshold, f1 = _best_threshold(scores, labels)
        if best is None or f1 > best[2] + 1e-9:
            best = (strength, threshold, f1, scores)
    strength, threshold, cv_f1, cv_scores = best
    weights, intercept = _fit_raw(features, labels, strength)
    all_scores = features @ weights + intercept
    fitted_f1 = _f1(all_scores >= threshold, labels)
    model = {
        "fitted_by": "uofdb fit (etl/fit.py): logistic regression over the signals of etl/extract/relevance.py",
        "fitted_on": {"articles": int(len(labels)), "relevant": int(labels.sum()), "folds": folds, "seed": seed},
        "regularisation_C": strength,
        "intercept": round(float(intercept), 6),
        "threshold": round(float(threshold), 6),
        "weights": {name: round(float(weight), 6) for name, weight in zip(SIGNALS, weights)},
        "cross_validated": {"relevance_f1": round(cv_f1, 4),
                            "article_field_mean": round(_field_mean(cv_scores >= threshold, fields, golds), 4)},
        "whole_corpus": {"relevance_f1": round(fitted_f1, 4),
                         "article_field_mean": round(_field_mean(all_scores >= threshold, fields, golds), 4)},
    }
    return {"model": model}


def _fit_raw(features: np.ndarray, labels: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """Weights and intercept on the signals' own scale.

    The regression is fitted on standardised signals, so the penalty treats a rare flag
    (an inquest verdict) and a common count alike; the weights are then turned back
    into weights of the raw values, which is what the model file holds.
    """
    mean, spread = features.mean(axis=0), features.std(axis=0)
    spread[spread == 0] = 1.0
    model = LogisticRegression(C=strength, max_iter=5000, class_weight="balanced")
    model.fit((features - mean) / spread, labels)
    weights = model.coef_[0] / spread
    return weights, float(model.intercept_[0] - np.sum(weights * mean))


def _out_of_fold_scores(features: np.ndarray, labels: np.ndarray, splits: list, strength: float) -> np.ndarray:
    scores = np.zeros(len(labels))
    for train, test in splits:
        weights, intercept = _fit_raw(features[train], labels[train], strength)
        scores[test] = features[test] @ weights + intercept
    return scores


def _best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The threshold on the log-odds with the best F1, from the scores' midpoints; ties go to the middle."""
    candidates = sorted(set(scores))
    cuts = [(a + b) / 2 for a, b in zip(candidates, candidates[1:])] or [0.0]
    f1s = [_f1(scores >= cut, labels) for cut in cuts]
    top = max(f1s)
    best_cuts = [cut for cut, f1 in zip(cuts, f1s) if f1 >= top - 1e-9]
    return best_cuts[len(best_cuts) // 2], top


def _f1(predicted: np.ndarray, labels: np.ndarray) -> float:
    tp = float(np.sum(predicted & labels))
    precision = tp / max(1.0, float(np.sum(predicted)))
    recall = tp / max(1.0, float(np.sum(labels)))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _field_mean(predicted: np.ndarray, fields: list[dict], golds: list[dict]) -> float:
    """Mean article field accuracy over the gold-relevant articles, as the scorer counts it."""
    per_field = []
    relevant = [i for i, gold in enumerate(golds) if gold["relevant"]]
    for name in SCORED_FIELDS:
        right = sum(_same(fields[i][name] if predicted[i] else UNSTATED[name], golds[i].get(name)) for i in relevant)
        per_field.append(right / len(relevant) if relevant else 1.0)
    return sum(per_field) / len(per_field)


def _same(got: object, want: object) -> bool:
    return _norm(got) == _norm(want)


def _norm(value: object) -> str | None:
    """One comparable form, as shared/eval/score.py compares values."""
    if value is None or value == "" or value == "not_stated" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip()
    if ";" in text:
        text = "; ".join(sorted(part.strip() for part in text.split(";") if part.strip()))
    return text.lower()


LINK_THRESHOLDS = tuple(x / 2 for x in range(-4, 13))  # scores to link tried: -2.0 to 6.0 log-odds
LINK_AGREEMENTS = tuple(x / 2 for x in range(-8, 9))   # averages to join tried: -4.0 to 4.0


def fit_linking(features: list, keys: list[str], folds: int, seed: int) -> dict:
    """Fit the pair model, choose the link score and join average out of fold by B-cubed F1."""
    window, max_block = DEFAULTS["link"]["window_days"], DEFAULTS["link"]["max_block"]
    common = common_names(features, max_block)
    pairs = sorted(candidate_pairs(features, window, max_block))
    names = list(similarity.SIGNALS)

    @functools.cache
    def row(i: int, j: int) -> np.ndarray:
        signals = similarity.pair_signals(features[i], features[j], window, common)
        return np.array([signals.get(name, 0.0) for name in names])

    matrix = np.array([row(i, j) for i, j in pairs])
    labels = np.array([keys[i] == keys[j] for i, j in pairs])
    fold_of = _incident_folds(keys, folds, seed)
    best = None
    for strength in STRENGTHS:
        scorer = _out_of_fold_scorer(matrix, labels, pairs, fold_of, strength, row)
        threshold, agreement, f1 = _best_grouping(len(features), pairs, scorer, keys)
        if best is None or f1 > best[3] + 1e-9:
            best = (strength, threshold, agreement, f1)
    strength, threshold, agreement, cv_f1 = best
    weights, intercept = _fit_raw(matrix, labels, strength)
    whole = functools.cache(lambda i, j: float(row(min(i, j), max(i, j)) @ weights + intercept))
    whole_f1 = _bcubed(group_pairs(len(features), pairs, whole, threshold, agreement), keys)
    return {
        "fitted_by": "uofdb fit (etl/fit.py): logistic regression over the pair signals of etl/linking/similarity.py",
        "fitted_on": {"articles": len(features), "incidents": len(set(keys)), "candidate_pairs": len(pairs),
                      "same_incident_pairs": int(labels.sum()), "folds": folds, "seed": seed},
        "regularisation_C": strength,
        "intercept": round(float(intercept), 6),
        "threshold": threshold,
        "agreement": agreement,
        "weights": {name: round(float(weight), 6) for name, weight in zip(names, weights)},
        "cross_validated": {"linking_bcubed_f1": round(cv_f1, 4)},
        "whole_corpus": {"linking_bcubed_f1": round(whole_f1, 4)},
    }


def _incident_folds(keys: list[str], folds: int, seed: int) -> list[int]:
    """The fold of each article: all articles of an incident share one."""
    incidents = sorted(set(keys))
    order = np.random.default_rng(seed).permutation(len(incidents))
    fold_of_incident = {incidents[index]: position % folds for position, index in enumerate(order)}
    return [fold_of_incident[key] for key in keys]


def _out_of_fold_scorer(matrix: np.ndarray, labels: np.ndarray, pairs: list, fold_of: list[int],
                        strength: float, row):
    """A pair scorer whose model for (i, j) was fitted on candidate pairs of the other folds only."""
    pair_folds = [{fold_of[i], fold_of[j]} for i, j in pairs]

    @functools.cache
    def model(held_out: frozenset) -> tuple[np.ndarray, float]:
        train = np.array([not (folds_of & held_out) for folds_of in pair_folds])
        return _fit_raw(matrix[train], labels[train], strength)

    @functools.cache
    def scorer(i: int, j: int) -> float:
        i, j = min(i, j), max(i, j)
        weights, intercept = model(frozenset((fold_of[i], fold_of[j])))
        return float(row(i, j) @ weights + intercept)

    return scorer


def _best_grouping(count: int, pairs: list, scorer, keys: list[str]) -> tuple[float, float, float]:
    """The most cautious link score and join average whose B-cubed F1 is within one article of the best.

    A wrong merge misleads more than a missed link, and a difference smaller than one
    article's share of the F1 is noise on a corpus this size: among the grid points that
    close to the best, take the highest score to link, then the highest join average.
    """
    results = [(threshold, agreement, _bcubed(group_pairs(count, pairs, scorer, threshold, agreement), keys))
               for threshold in LINK_THRESHOLDS for agreement in LINK_AGREEMENTS]
    best = max(f1 for _, _, f1 in results)
    near = [result for result in results if result[2] >= best - 1 / len(keys)]
    threshold, agreement, f1 = max(near, key=lambda result: (result[0], result[1]))
    return threshold, agreement, f1


def _bcubed(groups: list[list[int]], keys: list[str]) -> float:
    """B-cubed F1 of a grouping against the gold incident keys."""
    group_of = {item: index for index, group in enumerate(groups) for item in group}
    members: dict[int, set] = {}
    for item, index in group_of.items():
        members.setdefault(index, set()).add(item)
    gold: dict[str, set] = {}
    for item, key in enumerate(keys):
        gold.setdefault(key, set()).add(item)
    precision = recall = 0.0
    for item, key in enumerate(keys):
        predicted = members[group_of[item]]
        both = len(predicted & gold[key])
        precision += both / len(predicted)
        recall += both / len(gold[key])
    precision, recall = precision / len(keys), recall / len(keys)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# Each weighted rule: the field it decides, and how to read that field with candidate weights.
WEIGHTED_RULES = {
    "borough": (("place.force_sentence",), lambda doc, weights: _value(places.borough(doc, weights))),
    "subject_gender": (("gender.force_sentence_noun", "gender.force_sentence_pronoun", "gender.pronoun"),
                       lambda doc, weights: _value(events.subject_gender(doc, weights))),
}


def _value(found) -> object:
    if isinstance(found, tuple):
        found = found[0]
    return found.value if found is not None else None


def fit_rule_weights(docs: list, golds: list[dict], folds: int, seed: int) -> dict:
    """Each weighted rule's weights: the grid point with the best accuracy on its field, chosen on the
    training folds and scored on the held-out fold (cross-validated), then chosen on everything."""
    fold_of = _incident_folds([gold["incident_key"] for gold in golds], folds, seed)
    chosen, report = {}, {}
    for field_name, (names, read) in WEIGHTED_RULES.items():
        grid = [dict(zip(names, values)) for values in _product([rule_weights.GRIDS[name][1] for name in names])]
        right = np.array([[_same(read(doc, weights), gold.get(field_name)) for doc, gold in zip(docs, golds)]
                          for weights in grid], dtype=float)
        held_out_right = 0.0
        for fold in range(folds):
            train = np.array([f != fold for f in fold_of])
            best = _best_grid_point(right[:, train])
            held_out_right += right[best, ~train].sum()
        best = _best_grid_point(right)
        chosen.update(grid[best])
        report[field_name] = {"weights": grid[best], "cross_validated_accuracy": round(held_out_right / len(docs), 4),
                              "whole_corpus_accuracy": round(float(right[best].mean()), 4)}
    return {"fitted_by": "uofdb fit (etl/fit.py): grid search with cross-validation by incident on the dev gold",
            "weights": chosen, "grids": {name: list(grid) for name, (_, grid) in rule_weights.GRIDS.items()},
            "fields": report}


def _product(grids: list[tuple]) -> list[tuple]:
    combos = [()]
    for grid in grids:
        combos = [combo + (value,) for combo in combos for value in grid]
    return combos


def _best_grid_point(right: np.ndarray) -> int:
    """The grid point with the most right answers; ties go to the middle one of the tied (a stable choice)."""
    totals = right.sum(axis=1)
    tied = np.flatnonzero(totals >= totals.max() - 1e-9)
    return int(tied[len(tied) // 2])


def summary(report: dict) -> str:
    """The figures `make fit` prints."""
    model = report["model"]
    lines = [f"relevance model: C={model['regularisation_C']}, threshold {model['threshold']:+.3f} on the log-odds, "
             f"{model['fitted_on']['articles']} articles ({model['fitted_on']['relevant']} relevant), "
             f"{model['fitted_on']['folds']}-fold cross-validation by incident",
             f"{'':24}{'cross-validated':>16}{'whole corpus':>14}"]
    for key, label in (("relevance_f1", "relevance F1"), ("article_field_mean", "article field mean")):
        lines.append(f"{label:24}{model['cross_validated'][key]:16.3f}{model['whole_corpus'][key]:14.3f}")
    lines.append("weights: " + ", ".join(f"{name} {weight:+.2f}" for name, weight in model["weights"].items()))
    linking = report.get("linking")
    if linking:
        lines.append(f"linking model: C={linking['regularisation_C']}, link at {linking['threshold']:+.1f}, join at an average of "
                     f"{linking['agreement']:+.1f}, {linking['fitted_on']['candidate_pairs']} candidate pairs "
                     f"({linking['fitted_on']['same_incident_pairs']} of one incident)")
        lines.append(f"{'linking B-cubed F1':24}{linking['cross_validated']['linking_bcubed_f1']:16.3f}"
                     f"{linking['whole_corpus']['linking_bcubed_f1']:14.3f}")
        lines.append("weights: " + ", ".join(f"{name} {weight:+.2f}" for name, weight in linking["weights"].items()))
    for field_name, fitted in report.get("rule_weights", {}).get("fields", {}).items():
        lines.append(f"{field_name + ' accuracy':24}{fitted['cross_validated_accuracy']:16.3f}{fitted['whole_corpus_accuracy']:14.3f}"
                     f"   weights {fitted['weights']}")
    return "\n".join(lines)
