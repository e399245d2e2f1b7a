"""The learned pair scorer: logistic regression over pair_features, stored as data.

The weights live in `pair_model.json` beside this module and are reproduced
by `gbus dedup train` (training.py) from the corpus' train split; a Platt
step fitted on the dev split makes the output a calibrated probability that
the two reports are one grievance. Each decision's reasons are the features
that moved its score most, with their log-odds, so a clerk sees why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gbus.dedup.matcher import Evidence, Profile, gather
from gbus.dedup.pair_features import FEATURE_NAMES, pair_vector

MODEL_FILE = "pair_model.json"
_MAX_REASONS = 8
_MIN_REASON_LOGIT = 0.25


@dataclass(frozen=True, slots=True)
class PairModel:
    weights: tuple[float, ...]  # in FEATURE_NAMES order
    bias: float
    platt_scale: float = 1.0  # calibration: p = sigmoid(scale * z + shift)
    platt_shift: float = 0.0

    def logit(self, vector: list[float]) -> float:
        return self.bias + sum(w * x for w, x in zip(self.weights, vector))

    def probability(self, vector: list[float]) -> float:
        z = self.platt_scale * self.logit(vector) + self.platt_shift
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def reasons(self, vector: list[float], ev: Evidence) -> tuple[str, ...]:
        """The features that moved the score most, each with its log-odds."""
        parts = [(self.platt_scale * w * x, name) for name, w, x in zip(FEATURE_NAMES, self.weights, vector) if x]
        parts.sort(key=lambda p: -abs(p[0]))
        return tuple(
            f"{_describe(name, ev)} ({value:+.1f})"
            for value, name in parts[:_MAX_REASONS]
            if abs(value) >= _MIN_REASON_LOGIT
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURE_NAMES),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "platt": {"scale": round(self.platt_scale, 6), "shift": round(self.platt_shift, 6)},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairModel:
        if tuple(data["features"]) != FEATURE_NAMES:
            raise ValueError("the model was trained on other features; run `gbus dedup train`")
        platt = data.get("platt", {})
        return cls(
            tuple(float(w) for w in data["weights"]),
            float(data["bias"]),
            float(platt.get("scale", 1.0)),
            float(platt.get("shift", 0.0)),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> PairModel:
        if path is not None:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        return default_model()


@cache
def default_model() -> PairModel:
    """The model installed with the package, read once on first use."""
    text = resources.files("gbus.dedup").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return PairModel.from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    evidence: Evidence
    vector: list[float]
    model: PairModel

    @property
    def reasons(self) -> tuple[str, ...]:
        # Built on demand: a decision scores up to 16 candidates and explains one.
        return self.model.reasons(self.vector, self.evidence)


def compare(query: Profile, candidate: Profile, model: PairModel | None = None) -> PairScore:
    model = model or default_model()
    ev = gather(query, candidate)
    vector = pair_vector(query, candidate, ev)
    return PairScore(model.probability(vector), ev, vector, model)


def _describe(name: str, ev: Evidence) -> str:
    if name == "name_match" and ev.matched_name:
        return f"same place/organisation: {ev.matched_name}"
    if name == "text_x_conflict":
        return "alike text about different places"
    if name in ("name_conflict", "typed_name_conflict") and ev.conflicting_names:
        return f"different places: {ev.conflicting_names[0]} vs {ev.conflicting_names[1]}"
    if name in ("number_match", "number_conflict", "house_conflict") and ev.number_detail:
        return f"{name.replace('_', ' ')}: {ev.number_detail}"
    if name == "shared_concept" and ev.shared_concepts:
        return f"same problem: {', '.join(ev.shared_concepts[:3])}"
    return name.replace("_", " ")
