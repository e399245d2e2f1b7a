"""Each kind of evidence the matcher weighs, and the reasons it gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.dedup.features import TextFeatures, analyse
from gbus.dedup.matcher import DEFAULT_WEIGHTS, Profile, compare, gather

from .conftest import T0


def profile(title, description="", *, ward="26743", category="ha_tang_giao_thong", kind="phan_anh", reporter=0):
    return Profile(analyse(title, description, "79", ward), ward, kind, category, None, reporter, T0)


def features(topic="", names=(), numbers=()):
    return TextFeatures(tuple(topic.split()), tuple(names), tuple(numbers))


def bare(f: TextFeatures, **kw) -> Profile:
    values = dict(ward="26743", kind="phan_anh", category="moi_truong", subject_agency=None, reporter=0, submitted_at=T0)
    values.update(kw)
    return Profile(f, **values)


def test_text_overlap_is_dice_and_containment_of_weighted_terms():
    a = bare(features("rac tac cong"))
    b = bare(features("rac tac cong hoi ruoi"))
    ev = gather(a, b)
    assert ev.containment == pytest.approx(1.0)
    assert 0.5 < ev.dice < 1.0


def test_nearly_identical_text_is_named_as_such():
    a = profile("Cống thoát nước đường Lê Lợi bị tắc, rác bốc mùi hôi")
    assert "nearly the same text" in " ".join(compare(a, a).reasons)


def test_the_same_place_and_the_same_problem_is_strong_evidence():
    a = profile("Ngập đường Lê Lợi", "Mưa xong đường Lê Lợi ngập nửa bánh xe")
    b = profile("le loi ngap", "duong Le Loi ngap sau qua, xe chet may")
    scored = compare(a, b)
    assert scored.evidence.names == "match" and "ngap" in scored.evidence.shared_concepts
    assert "same problem at the same place (+1.5)" in scored.reasons
    assert scored.score > 0.9


def test_different_streets_conflict():
    ev = gather(profile("Ngập đường Lê Lợi"), profile("Ngập đường Nguyễn Huệ"))
    assert (ev.names, ev.conflicting_names) == ("conflict", ("le loi", "nguyen hue"))


def test_a_street_mentioned_only_in_passing_is_not_a_match():
    segment = profile("Ngập đường Lê Thánh Tôn", "đoạn từ ngã tư Pasteur đến chợ Bến Thành ngập")
    pasteur = profile("Ngập đường Pasteur", "Đường Pasteur ngập sau mưa")
    assert gather(pasteur, segment).names == "partial"


def test_a_typo_in_a_name_still_matches():
    ev = gather(profile("Ngập đường Nguyễn Hữu Cảnh"), profile("Ngập đường Nguyen Huu Canhh"))
    assert ev.names == "match"


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (("alley=12",), ("alley=88",), "conflict"),
        (("alley=12",), ("alley=12",), "match"),
        (("parcel=125",), ("parcel=88",), "conflict"),
        (("house=120",), ("house=130",), "match"),  # "số 120-150" vs "gần số 130": same stretch
        (("house=12",), ("house=60",), "house_conflict"),
        (("house=88/5",), ("house=88",), "match"),
        (("alley=12",), ("parcel=12",), "none"),
    ],
)
def test_numbered_places_agree_or_conflict_by_class(a, b, expected):
    assert gather(bare(features("rac", numbers=a)), bare(features("rac", numbers=b))).numbers == expected


def test_different_problems_at_one_place_are_told_apart():
    outage = profile("Mất nước tổ dân phố 12", "Khu tổ 12 mất nước sinh hoạt 5 ngày", category="dien_nuoc")
    murky = profile("Nước máy đục tổ dân phố 12", "Nước máy ở tổ 12 đục, có cặn, mùi clo", category="dien_nuoc")
    scored = compare(outage, murky)
    assert scored.evidence.concept_conflict
    assert scored.score < 0.5


def test_the_same_reporter_adds_evidence():
    a = profile("Hồ sơ cấp phép sửa nhà quá hạn", reporter=7)
    b = profile("ho so cap phep sua nha bi tre", reporter=7)
    with_reporter, without = compare(a, b), compare(a, replace(b, reporter=0))
    assert with_reporter.score > without.score
    assert "same reporter (+1.0)" in with_reporter.reasons


def test_a_different_but_related_category_costs_a_little():
    a = profile("Ngập đường Lê Lợi", category="ha_tang_giao_thong")
    b = profile("Ngập đường Lê Lợi", category="dien_nuoc")
    assert compare(a, b).score < compare(a, a).score


def test_every_contribution_is_a_reason_with_its_weight():
    scored = compare(profile("Ngập đường Lê Lợi"), profile("Ngập đường Nguyễn Huệ"))
    assert f"different places: le loi vs nguyen hue ({DEFAULT_WEIGHTS.name_conflict:+.1f})" in scored.reasons
