"""Each kind of evidence the matcher reads from two reports (the learned
scorer's weighing of it is tested in test_scorer.py)."""

from __future__ import annotations

import pytest

from gbus.dedup.features import TextFeatures, analyse
from gbus.dedup.matcher import Profile, gather

from .conftest import T0


def profile(title, description="", *, ward="26743", category="ha_tang_giao_thong", kind="phan_anh", reporter=0):
    return Profile(analyse(title, description, "79", ward), ward, kind, category, None, reporter, T0)


def features(topic="", names=(), numbers=()):
    return TextFeatures(tuple(topic.split()), tuple(names), tuple(numbers))


def bare(f: TextFeatures, **kw) -> Profile:
    values = dict(
        ward="26743", kind="phan_anh", category="moi_truong", subject_agency=None, reporter=0, submitted_at=T0
    )
    values.update(kw)
    return Profile(f, **values)


def test_text_overlap_is_dice_and_containment_of_weighted_terms():
    a = bare(features("rac tac cong"))
    b = bare(features("rac tac cong hoi ruoi"))
    ev = gather(a, b)
    assert ev.containment == pytest.approx(1.0)
    assert 0.5 < ev.dice < 1.0


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


def test_different_problems_at_one_place_are_a_concept_conflict():
    outage = profile("Mất nước tổ dân phố 12", "Khu tổ 12 mất nước sinh hoạt 5 ngày", category="dien_nuoc")
    murky = profile("Nước máy đục tổ dân phố 12", "Nước máy ở tổ 12 đục, có cặn, mùi clo", category="dien_nuoc")
    assert gather(outage, murky).concept_conflict


def test_small_house_numbers_must_be_equal():
    # "khu dân cư số 9" and "số 10" are two places; 25% tolerance is for long streets
    assert gather(
        bare(features("rac", numbers=("house=9",))), bare(features("rac", numbers=("house=10",)))
    ).numbers == ("house_conflict")
