"""Fitting the pair scorer: labelled pairs, logistic regression, Platt calibration.

Pairs are what the engine compares: each report against every earlier report
of its province that passes the gates (kind/draft, window), labelled 1 when
both belong to one grievance. The model is L2-regularised logistic
regression solved by Newton's method (numpy; 25 features, so exact and
fast), then a one-dimensional Platt fit on the dev split rescales its
log-odds so that the score is a calibrated probability on reports the model
was not fitted on. Pure: reports in, numbers out; `gbus dedup train` writes
the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from gbus.dedup.compat import kinds_compatible
from gbus.dedup.engine import profile_of
from gbus.dedup.pair_features import pair_vector
from gbus.dedup.scorer import PairModel
from gbus.domain.report import Report

_WINDOW = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Pairs:
    x: np.ndarray  # (n, features)
    y: np.ndarray  # (n,) 0/1


def labelled_pairs(reports: Sequence[Report], labels: Mapping[str, str]) -> Pairs:
    ordered = sorted(reports, key=lambda r: (r.submitted_at, r.report_id))
    profiles = [profile_of(r) for r in ordered]
    rows: list[list[float]] = []
    ys: list[int] = []
    for i, (report, query) in enumerate(zip(ordered, profiles)):
        for earlier, candidate in zip(ordered[:i], profiles[:i]):
            if earlier.province_code != report.province_code:
                continue
            if report.submitted_at - earlier.submitted_at > _WINDOW:
                continue
            if not kinds_compatible(report.kind, report.subject_agency, earlier.kind, earlier.subject_agency):
                continue
            rows.append(pair_vector(query, candidate))
            ys.append(int(labels[report.report_id] == labels[earlier.report_id]))
    return Pairs(np.array(rows, dtype=np.float64), np.array(ys, dtype=np.float64))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias minimising log loss + l2/2·|w|² (the bias is not
    penalised), by Newton's method."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = _sigmoid(design @ theta)
        gradient = design.T @ (p - y) + penalty * theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def fit_platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """scale, shift such that sigmoid(scale·z + shift) is calibrated on (z, y)."""
    w, b = fit_logistic(logits[:, None], y, l2=0.0)
    return float(w[0]), b


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean score - share positive| per score
    decile, weighted by the pairs in it."""
    edges = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = edges == b
        if mask.any():
            total += mask.sum() * abs(p[mask].mean() - y[mask].mean())
    return float(total / max(len(p), 1))


def train(train: Pairs, calibration: Pairs | None, l2: float = 1.0) -> tuple[PairModel, dict[str, float]]:
    weights, bias = fit_logistic(train.x, train.y, l2)
    model = PairModel(tuple(float(w) for w in weights), bias)
    report: dict[str, float] = {"train_pairs": len(train.y), "train_positive_pairs": int(train.y.sum())}
    if calibration is not None and len(calibration.y):
        logits = calibration.x @ weights + bias
        raw = _sigmoid(logits)
        scale, shift = fit_platt(logits, calibration.y)
        model = PairModel(model.weights, model.bias, scale, shift)
        calibrated = _sigmoid(scale * logits + shift)
        report.update(
            calibration_pairs=len(calibration.y),
            calibration_positive_pairs=int(calibration.y.sum()),
            dev_log_loss_raw=round(log_loss(raw, calibration.y), 4),
            dev_log_loss=round(log_loss(calibrated, calibration.y), 4),
            dev_calibration_error_raw=round(calibration_error(raw, calibration.y), 4),
            dev_calibration_error=round(calibration_error(calibrated, calibration.y), 4),
        )
    return model, report
