"""The generated corpus (issue 11): what it holds, how it is split, and the
engine's figures on its frozen test split.

Targets of issue 11: pairwise precision >= 0.98, pairwise F1 >= 0.90,
B-cubed F1 >= 0.93, linked-or-suggested >= 0.95. The engine does not reach
the first three on this split yet (docs/dedup.md); the floors below are what
it reaches today, so a change that makes it worse fails here.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from gbus.cli.dedup_cmd import DEV_SECRET, _report
from gbus.dedup.evaluation import bcubed, linked_or_suggested, pairwise
from gbus.dedup.simulate import place_reports
from gbus.devtools.dedup_corpus.generate import build_splits
from gbus.devtools.dedup_corpus.stats import describe
from gbus.domain.vocabulary import CHANNELS, KINDS

DATA = Path(__file__).resolve().parents[2] / "data"
SPLITS = {name: DATA / f"dedup_{name}.jsonl" for name in ("train", "dev", "test")}
# The test split as committed before any tuning (commit 6490a89); never regenerate it.
FROZEN_TEST_SHA256 = "ce52d5857abddf9c2f3d3682602acaa1c400bea968e3a337ad1b923109f69848"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in SPLITS[name].read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_test_split_is_the_frozen_one():
    assert hashlib.sha256(SPLITS["test"].read_bytes()).hexdigest() == FROZEN_TEST_SHA256


def test_the_committed_splits_are_what_the_generator_writes():
    built = build_splits()
    for name, path in SPLITS.items():
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in built[name])
        assert text == path.read_text(encoding="utf-8"), name


def test_the_corpus_is_big_and_varied_enough():
    everything = rows("train") + rows("dev") + rows("test")
    assert len(everything) >= 1000
    assert len({r["cluster"] for r in everything}) >= 300
    assert len({r["province_code"] for r in everything}) == 34
    assert {r["kind"] for r in everything} == set(KINDS)
    assert {r["channel"] for r in everything} == set(CHANNELS)
    voices = Counter(r["meta"]["voice"] for r in everything)
    assert set(voices) == {"clerk", "hotline", "chat", "letter", "front", "union", "social", "cite"}
    filed = Counter(r["meta"]["filed"] for r in everything)
    assert filed["neighbour"] >= 100 and filed["none"] >= 200


def test_hard_negatives_are_at_least_a_third_of_same_ward_pairs():
    stats = [describe(rows(name)) for name in SPLITS]
    pairs = sum(s["same_ward_pairs"] for s in stats)
    hard = sum(s["same_ward_hard_negative_pairs"] for s in stats)
    assert hard * 3 >= pairs


def test_no_grievance_is_in_two_splits():
    clusters = {name: {r["cluster"] for r in rows(name)} for name in SPLITS}
    assert not clusters["train"] & clusters["test"]
    assert not clusters["dev"] & clusters["test"]
    assert not clusters["train"] & clusters["dev"]


@pytest.fixture(scope="module")
def test_split_run():
    labelled = rows("test")
    gold = {r["report_id"]: r["cluster"] for r in labelled}
    reports = [_report({k: v for k, v in r.items() if k != "cluster"}, DEV_SECRET.encode()) for r in labelled]
    return place_reports(reports), gold


def test_the_engine_holds_its_figures_on_the_frozen_test_split(test_split_run):
    run, gold = test_split_run
    predicted = {p.report.report_id: p.case_id for p in run.placements}
    pair, b3 = pairwise(predicted, gold), bcubed(predicted, gold)
    reach, _ = linked_or_suggested(
        [(p.report.report_id, p.case_id, [c for c, _ in p.decision.suggestions]) for p in run.placements], gold
    )
    assert pair.precision >= 0.86, pair
    assert pair.f1 >= 0.75, pair
    assert b3.f1 >= 0.85, b3
    assert reach >= 0.95  # the target, met


def test_error_classes_count_missed_duplicates_and_merged_hard_negatives():
    from gbus.devtools.dedup_corpus.errors import error_classes

    def row(rid, cluster, problem, filed="own", phone=None):
        meta = {"filed": filed, "voice": "clerk", "problem": problem, "org": "", "petition": False}
        return {"report_id": rid, "cluster": cluster, "province_code": "79", "kind": "phan_anh",
                "category": "moi_truong", "reporter_phone": phone, "meta": meta}  # fmt: skip

    rows = [row("a", "g1", "ngap"), row("b", "g1", "ngap", filed="neighbour"), row("c", "g2", "ngap", phone="09")]
    result = error_classes(rows, {"a": "case-1", "b": "case-2", "c": "case-1"})
    assert result["missed"]["one report filed in the neighbouring ward"] == [1, 1]
    assert result["merged"]["same problem type, other incident"] == [1, 2]  # a+c merged, b+c apart
