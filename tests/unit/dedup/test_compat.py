"""Which reports may share a case at all (docs/dedup.md)."""

from __future__ import annotations

from gbus.dedup.compat import categories_compatible, kinds_compatible


def test_feedback_petition_complaint_and_denunciation_can_share_a_case():
    for a in ("phan_anh", "kien_nghi", "khieu_nai", "to_cao"):
        for b in ("phan_anh", "kien_nghi", "khieu_nai", "to_cao"):
            assert kinds_compatible(a, None, b, "gov.ubnd@79")


def test_an_opinion_on_a_draft_joins_only_opinions_on_the_same_draft():
    assert kinds_compatible("gop_y", "gov.ubnd@01", "gop_y", "gov.ubnd@01")
    assert not kinds_compatible("gop_y", "gov.ubnd@01", "gop_y", "gov.ubnd@79")
    assert not kinds_compatible("gop_y", None, "gop_y", None)
    assert not kinds_compatible("gop_y", "gov.ubnd@01", "phan_anh", "gov.ubnd@01")


def test_related_categories_are_compatible_both_ways():
    assert categories_compatible("ha_tang_giao_thong", "dien_nuoc")
    assert categories_compatible("dien_nuoc", "ha_tang_giao_thong")
    assert categories_compatible("khac", "giao_duc") and categories_compatible("giao_duc", "khac")


def test_unpaid_wages_and_dust_can_never_be_one_grievance():
    assert not categories_compatible("lao_dong_viec_lam", "moi_truong")
