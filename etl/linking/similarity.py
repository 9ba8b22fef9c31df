"""How strongly two articles look like reports of the same incident: a sum of evidence.

Each shared fact adds weight, each contradiction subtracts it; articles link when the
sum reaches `threshold` (params.yaml, link.threshold). The weights encode how news
reports one event: follow-ups and hearings name the person and the street, first
reports give day, place and a description; two events on one day differ in place.
Extracted values are sometimes wrong, so no single disagreement forbids a link:
it costs weight that shared names and streets can outweigh.
"""
from __future__ import annotations

from etl.linking.features import Features

SAME_DAY, WITHIN_WINDOW = 3.0, 2.0
WEEKS_APART, MONTHS_APART, YEARS_APART = -1.0, -3.0, -5.0
SAME_MONTH, MONTH_MENTIONED = 1.0, 1.5
YEAR_MENTIONED, YEAR_NOT_MENTIONED = 1.0, -1.5
SAME_BOROUGH, OTHER_BOROUGH = 2.0, -3.0
SAME_FORCE, OTHER_FORCE = 1.0, -1.5
SAME_PERSON, SAME_SURNAME = 5.0, 3.0
PASSING_MENTION = 0.5  # share of a name's weight when one article names the person only once
SAME_STREET, SAME_PLACE, SAME_RARE_WORD = 2.5, 1.0, 1.5
OTHER_LOCATION = -2.5  # each gives where it happened, and neither mentions the other's place
SAME_AGE, NEAR_AGE, OTHER_AGE = 1.5, 0.0, -1.5
# Most subjects are men and most reports say firearm: agreeing on these says little,
# agreeing on a count, a clock time or a recovered weapon says more.
SAME_GENDER, SAME_OUTCOME, SAME_FORCE_TYPE, SAME_WEAPON, SAME_SHOTS = 0.25, 0.5, 0.25, 0.5, 1.0
DISAGREES = -1.0
SAME_TIME = 1.5


def score(a: Features, b: Features, window_days: int, common: frozenset[str] = frozenset()) -> float:
    """Evidence that `a` and `b` report the same incident; `common` names too frequent to count."""
    return (_when(a, b, window_days) + _where(a, b, common) + _who(a, b, common) + _what(a, b))


def _when(a: Features, b: Features, window_days: int) -> float:
    if a.date and b.date:
        gap = abs((a.date - b.date).days)
        if gap == 0:
            return SAME_DAY
        if gap <= window_days:
            return WITHIN_WINDOW
        return WEEKS_APART if gap <= 31 else MONTHS_APART if gap <= 366 else YEARS_APART
    if a.month and b.month:
        return SAME_MONTH if a.month == b.month else (MONTHS_APART if a.month[0] == b.month[0] else YEARS_APART)
    dated, undated = (a, b) if a.month else (b, a)
    if not dated.month:
        return 0.0
    # A later story names the month or at least the year of the event it returns to.
    if dated.month in undated.months:
        return MONTH_MENTIONED
    if undated.years:
        return YEAR_MENTIONED if dated.month[0] in undated.years else YEAR_NOT_MENTIONED
    return 0.0


def _where(a: Features, b: Features, common: frozenset[str]) -> float:
    total = 0.0
    if a.borough and b.borough:
        total += SAME_BOROUGH if a.borough == b.borough else OTHER_BOROUGH
    elif a.forces and b.forces:
        # Only where a borough is missing: the borough implies the force.
        total += SAME_FORCE if a.forces & b.forces else OTHER_FORCE
    if (a.streets & b.streets) - common:
        total += SAME_STREET
    elif a.location and b.location and a.location not in b.mentioned and b.location not in a.mentioned:
        total += OTHER_LOCATION
    if (a.places & b.places) - common:
        total += SAME_PLACE
    elif (a.words & b.words) - common:
        total += SAME_RARE_WORD
    return total


def _who(a: Features, b: Features, common: frozenset[str]) -> float:
    total = 0.0
    shared = (a.surnames & b.surnames) - common
    if shared:
        # Stories about one person repeat the name; a story about someone else mentions them once.
        weight = 1.0 if shared & a.prominent & b.prominent else PASSING_MENTION
        total += weight * (SAME_PERSON if (a.people & b.people) - common else SAME_SURNAME)
    if a.age is not None and b.age is not None:
        gap = abs(a.age - b.age)
        # A trial or inquest years later may give the person's age then.
        total += SAME_AGE if gap == 0 else NEAR_AGE if gap <= 2 else OTHER_AGE
    total += _compare(a.gender, b.gender, SAME_GENDER)
    return total


def _what(a: Features, b: Features) -> float:
    total = _compare(a.outcome, b.outcome, SAME_OUTCOME)
    # Later reports may add a more serious force (a Taser, then shots): agreement counts, difference does not.
    total += SAME_FORCE_TYPE if a.force_type and a.force_type == b.force_type else 0.0
    total += SAME_WEAPON if a.weapon and a.weapon == b.weapon and a.weapon != "none" else 0.0
    if a.shots is not None and b.shots is not None:
        total += SAME_SHOTS if a.shots == b.shots else DISAGREES / 2
    total += SAME_TIME if a.time and a.time == b.time else 0.0
    return total


def _compare(x: object, y: object, agrees: float) -> float:
    if x is None or y is None:
        return 0.0
    return agrees if x == y else DISAGREES
