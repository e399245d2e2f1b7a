"""Issue 11's cases, written for these tests (not taken from any corpus):
what the engine must link across wards, spellings and categories, and what
it must keep apart although the reporter is the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from .conftest import BEN_THANH, T0

TAN_DINH = "26737"  # borders Bến Thành along Hai Bà Trưng

BOUNDARY_FLOOD = (
    "Ngập nặng đường Hai Bà Trưng đoạn trước chợ Tân Định",
    "Mưa chiều nay khiến đường Hai Bà Trưng đoạn trước chợ Tân Định ngập 50cm, cống bị rác bít kín.",
)


def test_a_report_from_the_neighbouring_ward_that_names_the_place_links(make_report, place):
    _, case_id = place(make_report(*BOUNDARY_FLOOD, ward_code=TAN_DINH))
    neighbour = make_report(
        "Phản ánh ngập",
        "Tôi ở phường Bến Thành, đi làm qua đường Hai Bà Trưng chỗ giáp phường Tân Định thấy nước ngập 50cm, "
        "xe chết máy nhiều, đề nghị thông cống.",
        ward_code=BEN_THANH,
        channel="hotline_1022",
    )
    decision, _ = place(neighbour)
    assert (decision.decision, decision.case_id) == ("link", case_id)
    assert any("ward mentioned" in reason for reason in decision.reasons)


def test_an_unaccented_chat_paraphrase_links(make_report, place):
    _, case_id = place(make_report(*BOUNDARY_FLOOD, ward_code=TAN_DINH))
    chat = make_report(
        "",
        "hai ba trung cho tan dinh ngap 50cm r, cong nghet rac ko thoat dc, xe chet may qua troi",
        ward_code=TAN_DINH,
        channel="zalo",
    )
    decision, _ = place(chat)
    assert (decision.decision, decision.case_id) == ("link", case_id)


def test_the_same_reporter_with_another_grievance_is_not_linked(make_report, place):
    phone_key = "reporter-7"
    place(
        make_report(
            "Chậm cấp sổ đỏ thửa đất số 215",
            "Tôi nộp hồ sơ cấp giấy chứng nhận cho thửa đất số 215 tờ bản đồ số 9 đã 6 tháng chưa có kết quả.",
            category="dat_dai",
            kind="khieu_nai",
            reporter_key=phone_key,
        )
    )
    decision, _ = place(
        make_report(
            "Karaoke hát khuya hẻm 12",
            "Nhà hàng xóm ở hẻm 12 hát karaoke tới 1 giờ sáng, tôi không ngủ được.",
            category="an_ninh_trat_tu",
            reporter_key=phone_key,
        )
    )
    assert decision.decision == "new"
    assert decision.score < 0.3


def test_a_category_mismatch_inside_one_grievance_still_links(make_report, place):
    _, case_id = place(make_report(*BOUNDARY_FLOOD, ward_code=TAN_DINH, category="ha_tang_giao_thong"))
    water = make_report(
        "Cống thoát nước đường Hai Bà Trưng bị nghẹt",
        "Trước chợ Tân Định, cống trên đường Hai Bà Trưng nghẹt rác nên mưa là ngập 50cm.",
        ward_code=TAN_DINH,
        category="dien_nuoc",
        channel="cong_dvc",
    )
    decision, _ = place(water)
    assert (decision.decision, decision.case_id) == ("link", case_id)


def test_a_report_that_does_not_link_still_offers_the_case_as_a_suggestion(make_report, engine, place):
    _, case_id = place(make_report(*BOUNDARY_FLOOD, ward_code=TAN_DINH))
    # No ward, no place, another category, three weeks later: too little to link on
    vague = make_report(
        "Ngập sau mưa",
        "Nước ngập sau mưa lớn, cống nghẹt, đề nghị kiểm tra.",
        ward_code=None,
        channel="mang_xa_hoi",
        category="moi_truong",
    )
    vague = replace(vague, submitted_at=vague.submitted_at + timedelta(days=21))
    decision = engine.decide(vague, vague.submitted_at)
    assert decision.decision != "link"
    assert case_id in [case for case, _ in decision.suggestions]


def test_a_case_one_of_whose_reports_contradicts_the_new_one_is_not_joined_automatically(make_report):
    from gbus.dedup import DedupConfig, DedupEngine, IndexEntry

    engine = DedupEngine("79", DedupConfig(case_veto_below=0.99))  # any weaker member vetoes
    engine.add_report(IndexEntry.from_report(make_report(*BOUNDARY_FLOOD, ward_code=TAN_DINH), "79-1"))
    engine.add_report(
        IndexEntry.from_report(
            make_report("Ngập đường Nguyễn Huệ", "Đường Nguyễn Huệ ngập 15cm sau mưa.", ward_code=TAN_DINH), "79-1"
        )
    )
    decision = engine.decide(make_report(*BOUNDARY_FLOOD, ward_code=TAN_DINH), T0 + timedelta(days=1))
    assert (decision.decision, decision.case_id) == ("possible_duplicate", "79-1")
    assert decision.reasons[0].startswith("another report of case 79-1 scores")
