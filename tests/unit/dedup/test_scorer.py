"""The learned pair scorer: its stored weights, its probabilities and reasons."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from gbus.dedup.features import analyse
from gbus.dedup.matcher import Profile
from gbus.dedup.pair_features import FEATURE_NAMES, pair_vector
from gbus.dedup.scorer import MODEL_FILE, PairModel, compare, default_model

from .conftest import T0


def profile(title, description="", *, ward="26743", category="ha_tang_giao_thong", kind="phan_anh", reporter=0):
    return Profile(analyse(title, description, "79", ward), ward, kind, category, None, reporter, T0)


def test_the_packaged_model_names_every_feature_in_order():
    data = json.loads(resources.files("gbus.dedup").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURE_NAMES)
    assert len(data["weights"]) == len(FEATURE_NAMES)
    assert "dedup_train.jsonl" in data["trained"]["input"]
    assert "dedup_test.jsonl" not in data["trained"]["input"]  # never the frozen test split
    assert data["trained"]["calibrate"] == "dedup_dev.jsonl"


def test_a_model_trained_on_other_features_is_refused():
    data = default_model().to_dict()
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError):
        PairModel.from_dict(data)


def test_the_score_is_a_probability_and_more_shared_evidence_raises_it():
    a = profile("Ngập đường Lê Lợi", "Mưa xong đường Lê Lợi ngập 40cm, cống nghẹt")
    same = profile("le loi ngap", "duong Le Loi ngap 40cm, cong nghet rac")
    other = profile("Ngập đường Nguyễn Huệ", "Mưa xong đường Nguyễn Huệ ngập 15cm")
    assert 0.0 < compare(a, other).score < compare(a, same).score < 1.0


def test_different_streets_lower_the_score_and_are_named_as_a_reason():
    a = profile("Ngập đường Lê Lợi", "Đường Lê Lợi ngập sâu sau mưa")
    b = profile("Ngập đường Nguyễn Huệ", "Đường Nguyễn Huệ ngập sâu sau mưa")
    scored = compare(a, b)
    assert scored.score < compare(a, a).score
    assert any(r.startswith("different places: le loi vs nguyen hue") for r in scored.reasons)


def test_the_same_reporter_adds_evidence():
    a = profile("Hồ sơ cấp phép sửa nhà quá hạn", reporter=7)
    b = profile("ho so cap phep sua nha bi tre", reporter=7)
    assert compare(a, b).score > compare(a, replace(b, reporter=0)).score


def test_naming_the_other_reports_ward_is_evidence():
    # Tân Định (26737) borders the boundary street; a Bến Thành resident names it
    here = profile("Ngập đường Hai Bà Trưng", "Đường Hai Bà Trưng giáp phường Tân Định ngập", ward="26743")
    there = profile("Ngập đường Hai Bà Trưng", "Đường Hai Bà Trưng ngập", ward="26737")
    values = dict(zip(FEATURE_NAMES, pair_vector(here, there)))
    assert values["ward_mentioned"] == 1.0 and values["other_ward"] == 0.0


def test_every_reason_carries_its_log_odds():
    scored = compare(profile("Ngập đường Lê Lợi 40cm"), profile("Ngập đường Lê Lợi 40cm"))
    assert scored.reasons and all(r.endswith(")") and "(+" in r or "(-" in r for r in scored.reasons)


def test_the_training_command_reproduces_the_packaged_model(tmp_path):
    import argparse
    from pathlib import Path

    from gbus.cli.dedup_cmd import register

    data = Path(__file__).resolve().parents[2] / "data"
    parser = argparse.ArgumentParser(prog="gbus")
    register(parser.add_subparsers())
    out = tmp_path / "model.json"
    args = parser.parse_args([
        "dedup", "train", "--input", *(str(data / f) for f in ("dedup_train.jsonl", "dedup_corpus.jsonl",
                                                                  "dedup_holdout.jsonl")),
        "--calibrate", str(data / "dedup_dev.jsonl"), "--out", str(out),
    ])  # fmt: skip
    assert args.func(args) == 0
    packaged = resources.files("gbus.dedup").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == packaged
