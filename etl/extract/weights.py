"""The weights of the field rules, as data: fitted by `uofdb fit` (`etl.fit`), never set by hand.

`schema/vocab/rule_weights.json` holds each weight by name with the grid it was chosen
from and its cross-validated accuracy. A rule reads its weights here; `uofdb fit`
passes candidate weights to the same rule to choose them.
"""
from __future__ import annotations

import functools
import json

from schema.vocab import VOCAB_DIR

WEIGHTS_PATH = VOCAB_DIR / "rule_weights.json"

# The weights, what each means, and the values `uofdb fit` tries (the unit is a mention elsewhere).
GRIDS: dict[str, tuple[str, tuple[float, ...]]] = {
    "place.force_sentence": ("weight of a place or force named in a sentence that reports the force, "
                             "against 1 for one named elsewhere", (1.0, 1.5, 2.0, 3.0, 5.0, 8.0)),
    "gender.force_sentence_noun": ("weight of a gendered noun or title in a sentence that reports the force, "
                                   "against 1 for one elsewhere", (1.0, 2.0, 3.0, 5.0)),
    "gender.force_sentence_pronoun": ("weight of a gendered pronoun in a sentence that reports the force",
                                      (0.5, 1.0, 2.0, 3.0)),
    "gender.pronoun": ("weight of a gendered pronoun elsewhere", (0.0, 0.25, 0.5, 1.0)),
}


@functools.cache
def fitted() -> dict[str, float]:
    """Every rule weight by name, as `uofdb fit` wrote them."""
    data = json.loads(WEIGHTS_PATH.read_text())["weights"]
    missing, unknown = set(GRIDS) - set(data), set(data) - set(GRIDS)
    if missing or unknown:
        raise ValueError(f"{WEIGHTS_PATH}: weights missing {sorted(missing)} or unknown {sorted(unknown)}; run `make fit`")
    return data


def weight(name: str, given: dict[str, float] | None = None) -> float:
    """A rule weight: from `given` (candidates tried while fitting) when it has it, else the fitted one."""
    return given[name] if given and name in given else fitted()[name]
