"""Clustering quality against labelled data: pairwise and B-cubed scores.

Pairwise counts pairs of reports put in one case: precision is the share of
such pairs that are truly one grievance (a false merge hides a citizen's
grievance inside someone else's case), recall the share of true pairs found
(a miss costs a clerk a click). B-cubed averages the same per report, so a
big cluster does not dominate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    """`predicted`/`gold`: item -> cluster label, over the same items."""
    _check_same_items(predicted, gold)
    both = Counter((predicted[i], gold[i]) for i in gold)
    true_pairs = sum(_pairs(n) for n in both.values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted.values()).values())
    gold_pairs = sum(_pairs(n) for n in Counter(gold.values()).values())
    p = true_pairs / predicted_pairs if predicted_pairs else 1.0
    r = true_pairs / gold_pairs if gold_pairs else 1.0
    return Scores(p, r, _f1(p, r))


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Scores:
    _check_same_items(predicted, gold)
    if not gold:
        return Scores(1.0, 1.0, 1.0)
    both = Counter((predicted[i], gold[i]) for i in gold)
    pred_size = Counter(predicted[i] for i in gold)
    gold_size = Counter(gold.values())
    p = sum(both[(predicted[i], gold[i])] / pred_size[predicted[i]] for i in gold) / len(gold)
    r = sum(both[(predicted[i], gold[i])] / gold_size[gold[i]] for i in gold) / len(gold)
    return Scores(p, r, _f1(p, r))


def _check_same_items(predicted: Mapping[str, str], gold: Mapping[str, str]) -> None:
    if predicted.keys() != gold.keys():
        missing = sorted(set(gold) ^ set(predicted))[:5]
        raise ValueError(f"predicted and gold label different items, e.g. {missing}")


def linked_or_suggested(placed: Sequence[tuple[str, str, Sequence[str]]], gold: Mapping[str, str]) -> tuple[float, int]:
    """Among reports that have an earlier report of their grievance, the share
    placed in the case of such a report or offered it among their
    suggestions: what a clerk can reach in one click. `placed` is in decision
    order: (report id, case id, suggested case ids). Returns (share, count)."""
    cases_of: dict[str, set[str]] = {}  # gold label -> cases holding its earlier reports
    reached = total = 0
    for report_id, case_id, suggested in placed:
        earlier = cases_of.setdefault(gold[report_id], set())
        if earlier:
            total += 1
            reached += case_id in earlier or not earlier.isdisjoint(suggested)
        earlier.add(case_id)
    return (reached / total if total else 1.0), total
