"""Pairwise and B-cubed arithmetic on small hand-checked examples."""

from __future__ import annotations

import pytest

from gbus.dedup.evaluation import bcubed, pairwise

GOLD = {"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Z"}


def test_a_perfect_clustering_scores_one():
    predicted = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 3}
    assert pairwise(predicted, GOLD).f1 == 1.0
    assert bcubed(predicted, GOLD).f1 == 1.0


def test_pairwise_counts_pairs():
    # predicted {a,b} {c,d} {e}: pairs ab (true), cd (false); gold pairs ab ac bc
    predicted = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    s = pairwise(predicted, GOLD)
    assert (s.precision, s.recall) == (pytest.approx(1 / 2), pytest.approx(1 / 3))
    assert s.f1 == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))


def test_bcubed_averages_per_item():
    predicted = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    s = bcubed(predicted, GOLD)
    # precision per item: a 1, b 1, c 1/2, d 1/2, e 1 -> 4/5; recall: a 2/3, b 2/3, c 1/3, d 1, e 1 -> 11/15
    assert (s.precision, s.recall) == (pytest.approx(4 / 5), pytest.approx(11 / 15))


def test_all_singletons_have_perfect_pairwise_precision_and_zero_recall():
    s = pairwise({k: k for k in GOLD}, GOLD)
    assert (s.precision, s.recall, s.f1) == (1.0, 0.0, 0.0)


def test_labels_must_cover_the_same_items():
    with pytest.raises(ValueError):
        pairwise({"a": 1}, GOLD)
