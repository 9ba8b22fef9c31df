"""Models fitted by `uofdb fit` (`etl.fit`) and read as data: a weight per named signal.

The relevance model (`etl.extract.relevance`) and the linking model
(`etl.linking.similarity`) are both linear scores over their own closed set of signals,
with the threshold (and, for linking, the average two groups need to join) chosen by
cross-validation. Each is a JSON file beside the vocabularies.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LinearModel:
    """One weight per signal, an intercept, the threshold on the score, and (linking) the join average."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    agreement: float | None = None

    def score(self, values: dict[str, float]) -> float:
        """The log-odds of the signals' values."""
        return self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in values.items())

    def score_of(self, names) -> float:
        """The log-odds when the signals named hold (each 1) and the others do not: `score` of those at 1."""
        weights = self.weights
        return self.intercept + sum(weights.get(name, 0.0) for name in names)


def load(path: Path, signals: dict[str, str]) -> LinearModel:
    """The model in `path`, refusing weights for signals the code no longer has."""
    data = json.loads(path.read_text())
    unknown = set(data["weights"]) - set(signals)
    if unknown:
        raise ValueError(f"{path}: weights for unknown signals {sorted(unknown)}; run `make fit`")
    return LinearModel(data["weights"], data["intercept"], data["threshold"], data.get("agreement"))
