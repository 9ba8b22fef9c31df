"""How strongly two articles look like reports of the same incident: a fitted model over named signals.

Each signal is one thing two reports of an event share or disagree on: the day, the
district, the force, a named person, a street, a place, the subject's age, what
happened. News reports one event in typical ways (follow-ups and hearings name the
person and the street, first reports give day, place and a description; two events on
one day differ in place), and extracted values are sometimes wrong, so no single
disagreement forbids a link. The weight of each signal, the intercept, the score two
articles need to link and the average two groups need to join are fitted by
`uofdb fit` (`etl.fit`) on the dev corpus, with cross-validation by incident, and
committed as data in `schema/vocab/linking_model.json`.
"""
from __future__ import annotations

import functools

from etl.fitted import LinearModel, load
from etl.linking.features import Features, replaced
from schema.vocab import VOCAB_DIR

MODEL_PATH = VOCAB_DIR / "linking_model.json"

# The closed set of pair signals, in the order of the model's weights.
SIGNALS = {
    "same_day": "both give the incident's day, and it is the same",
    "within_window": "both give a day, at most link.window_days apart",
    "weeks_apart": "both give a day, within a month of each other",
    "months_apart": "both give a day (or month), within a year",
    "years_apart": "both give a day (or month), more than a year apart",
    "same_month": "both give only the month, and it is the same",
    "month_mentioned": "one is dated; the other, undated, mentions that month",
    "year_mentioned": "one is dated; the other, undated, mentions that year",
    "year_not_mentioned": "one is dated; the other, undated, mentions years but not that one",
    "same_borough": "both give a district, the same",
    "other_borough": "both give a district, different ones",
    "same_force": "no district on one side; both name a force, one in common",
    "other_force": "no district on one side; both name forces, none in common",
    "same_street": "a street both name (not a common one)",
    "other_location": "each gives where it happened, and neither mentions the other's place",
    "same_place": "a town or area below the district both name",
    "same_rare_word": "no shared place, but a rare capitalised word both use",
    "same_person": "a full name both give, repeated in both (the subject, not a passing mention)",
    "same_person_passing": "a full name both give, mentioned once in one of them",
    "same_surname": "a surname both give (no full name in common), repeated in both",
    "same_surname_passing": "a surname both give, mentioned once in one of them",
    "same_age": "both give the subject's age, the same",
    "other_age": "both give the subject's age, more than two years apart",
    "same_gender": "both give the subject's gender, the same",
    "other_gender": "both give the subject's gender, different ones",
    "same_outcome": "both give the outcome, the same",
    "other_outcome": "both give the outcome, different ones",
    "same_force_type": "both give the force used, the same",
    "same_weapon": "both give a recovered weapon, the same",
    "same_shots": "both give the number of shots, the same",
    "other_shots": "both give the number of shots, different ones",
    "same_time": "both give the time of force, the same",
}


Model = LinearModel


@functools.cache
def fitted_model() -> LinearModel:
    """The model `uofdb fit` wrote to schema/vocab/linking_model.json."""
    return load(MODEL_PATH, SIGNALS)


def score(a: Features, b: Features, window_days: int, common: frozenset[str] = frozenset(),
          model: Model | None = None) -> float:
    """Evidence (log-odds) that `a` and `b` report the same incident; `common` names too frequent to count."""
    return (model or fitted_model()).score(pair_signals(a, b, window_days, common))


def pair_signals(a: Features, b: Features, window_days: int, common: frozenset[str] = frozenset()) -> dict[str, float]:
    """The signals of SIGNALS that hold for the pair (absent ones are 0)."""
    return dict.fromkeys(signal_names(without_common(a, common), without_common(b, common), window_days), 1.0)


# The sets of names of Features that common names are taken out of (the others are dates and forces).
COMMON_NAME_FIELDS = ("people", "surnames", "prominent", "words", "streets", "places")


def without_common(f: Features, common: frozenset[str]) -> Features:
    """The article's features without the names too frequent to count (`common`): what its pairs
    are scored on. The linker takes them out once per article, not once per pair."""
    if not common:
        return f
    return replaced(f, {name: names - common for name in COMMON_NAME_FIELDS
                        if not (names := getattr(f, name)).isdisjoint(common)})



def has_names(f: Features, names: frozenset[str]) -> bool:
    """Whether the article has any of `names` among those `without_common` takes common ones out of."""
    return not all(getattr(f, name).isdisjoint(names) for name in COMMON_NAME_FIELDS)


def signal_names(a: Features, b: Features, window_days: int) -> list[str]:
    """The names of the signals that hold for a pair of articles whose common names are taken out
    (`without_common`), in the order of SIGNALS' groups: when, where, who, what."""
    return [name for name in (_when(a, b, window_days), *_where(a, b), *_who(a, b), *_what(a, b)) if name]


def _when(a: Features, b: Features, window_days: int) -> str | None:
    if a.date and b.date:
        gap = abs((a.date - b.date).days)
        if gap == 0:
            return "same_day"
        if gap <= window_days:
            return "within_window"
        return "weeks_apart" if gap <= 31 else "months_apart" if gap <= 366 else "years_apart"
    if a.month and b.month:
        return "same_month" if a.month == b.month else ("months_apart" if a.month[0] == b.month[0] else "years_apart")
    dated, undated = (a, b) if a.month else (b, a)
    if not dated.month:
        return None
    # A later story names the month or at least the year of the event it returns to.
    if dated.month in undated.months:
        return "month_mentioned"
    if undated.years:
        return "year_mentioned" if dated.month[0] in undated.years else "year_not_mentioned"
    return None


def _where(a: Features, b: Features) -> list[str]:
    found = []
    if a.borough and b.borough:
        found.append("same_borough" if a.borough == b.borough else "other_borough")
    elif a.forces and b.forces:
        # Only where a borough is missing: the borough implies the force.
        found.append("same_force" if a.forces & b.forces else "other_force")
    if not a.streets.isdisjoint(b.streets):
        found.append("same_street")
    elif a.location and b.location and a.location not in b.mentioned and b.location not in a.mentioned:
        found.append("other_location")
    if not a.places.isdisjoint(b.places):
        found.append("same_place")
    elif not a.words.isdisjoint(b.words):
        found.append("same_rare_word")
    return found


def _who(a: Features, b: Features) -> list[str]:
    found = []
    shared = a.surnames & b.surnames
    if shared:
        # Stories about one person repeat the name; a story about someone else mentions them once.
        kind = "same_person" if not a.people.isdisjoint(b.people) else "same_surname"
        found.append(kind if shared & a.prominent & b.prominent else f"{kind}_passing")
    if a.age is not None and b.age is not None:
        gap = abs(a.age - b.age)
        # A trial or inquest years later may give the person's age then: a near age says nothing.
        found.append("same_age" if gap == 0 else None if gap <= 2 else "other_age")
    if a.gender and b.gender:
        found.append("same_gender" if a.gender == b.gender else "other_gender")
    return found


def _what(a: Features, b: Features) -> list[str]:
    found = []
    if a.outcome and b.outcome:
        found.append("same_outcome" if a.outcome == b.outcome else "other_outcome")
    # Later reports may add a more serious force (a Taser, then shots): agreement counts, difference does not.
    if a.force_type and a.force_type == b.force_type:
        found.append("same_force_type")
    if a.weapon and a.weapon == b.weapon and a.weapon != "none":
        found.append("same_weapon")
    if a.shots is not None and b.shots is not None:
        found.append("same_shots" if a.shots == b.shots else "other_shots")
    if a.time and a.time == b.time:
        found.append("same_time")
    return found
