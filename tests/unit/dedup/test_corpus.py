"""The issue-4 corpora are what they claim to be, and the engine still handles them.

`dedup_corpus.jsonl` and `dedup_holdout.jsonl` were written with the first
engine (issue 4). Since issue 11 they are part of the pair scorer's training
data (with the train split of the generated corpus), so figures on them are
in-sample: the floors below catch regressions, they are not evidence of
generalisation. That evidence is the frozen test split (test_split_corpus.py).
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from gbus.cli.dedup_cmd import DEV_SECRET, _report
from gbus.dedup.evaluation import bcubed, pairwise
from gbus.dedup.simulate import place_reports

DATA = Path(__file__).resolve().parents[2] / "data"
DEV = DATA / "dedup_corpus.jsonl"
HOLDOUT = DATA / "dedup_holdout.jsonl"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(path: Path):
    rows = lines(path)
    gold = {row["report_id"]: row["cluster"] for row in rows}
    reports = [_report({k: v for k, v in row.items() if k != "cluster"}, DEV_SECRET.encode()) for row in rows]
    run = place_reports(reports)
    predicted = {p.report.report_id: p.case_id for p in run.placements}
    return pairwise(predicted, gold), bcubed(predicted, gold)


@pytest.mark.parametrize(
    "path, precision, f1, b3_f1",
    # Was >= 0.95 / 0.90 / 0.90 for both under the hand weights and gates of
    # issue 4. The learned scorer gives up precision on the holdout's stress
    # set (copied complaints about another street or house: 3 false merges)
    # for recall on independent reports; docs/dedup.md has the trade.
    [(DEV, 0.95, 0.93, 0.95), (HOLDOUT, 0.75, 0.85, 0.90)],
    ids=["dev", "holdout"],
)
def test_clustering_holds_its_in_sample_figures(path, precision, f1, b3_f1):
    pair, b3 = evaluate(path)
    assert pair.precision >= precision, pair
    assert pair.f1 >= f1, pair
    assert b3.f1 >= b3_f1, b3


def test_the_dev_corpus_has_at_least_200_labelled_reports_in_clusters_of_1_to_10():
    rows = lines(DEV)
    sizes = Counter(Counter(row["cluster"] for row in rows).values())
    assert len(rows) >= 200
    assert min(sizes) == 1 and max(sizes) == 10


def test_every_province_and_ward_code_is_real_and_consistent():
    from vietnam_provinces import Province, Ward

    provinces = {int(p.code) for p in Province.iter_all()}
    ward_province = {int(w.code): int(w.province_code) for w in Ward.iter_all()}
    for row in lines(DEV) + lines(HOLDOUT):
        if row.get("province_code"):
            assert int(row["province_code"]) in provinces, row["report_id"]
        if row.get("ward_code"):
            assert ward_province[int(row["ward_code"])] == int(row["province_code"]), row["report_id"]


def test_clusters_cross_channels_and_mix_text_with_and_without_diacritics():
    rows = lines(DEV)
    by_cluster: dict[str, list[dict]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster"], []).append(row)
    multi = [group for group in by_cluster.values() if len(group) > 1]
    assert sum(len({r["channel"] for r in group}) > 1 for group in multi) >= 0.9 * len(multi)

    def plain(text: str) -> bool:
        return text == unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()

    assert sum(plain(r["description"]) for r in rows) >= 40
    assert sum(not plain(r["description"]) for r in rows) >= 100


def test_at_least_30_reports_are_hard_negatives():
    """Same ward, same category, shared words or place, different grievance."""
    from gbus.dedup.features import analyse

    rows = lines(DEV)
    words = {
        r["report_id"]: set(analyse(r["title"], r["description"], r.get("province_code"), r.get("ward_code")).topic)
        for r in rows
    }
    hard = set()
    for a, b in itertools.combinations(rows, 2):
        same_place = a.get("ward_code") and a.get("ward_code") == b.get("ward_code") and a["category"] == b["category"]
        if same_place and a["cluster"] != b["cluster"] and len(words[a["report_id"]] & words[b["report_id"]]) >= 3:
            hard |= {a["report_id"], b["report_id"]}
    assert len(hard) >= 30
