"""The engine as the case processor drives it: decide, then keep the index in step."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from gbus.dedup import DedupConfig, DedupEngine, IndexEntry

from .conftest import SAI_GON, T0

FLOOD = ("Ngập nước đường Lê Thánh Tôn", "Đường Lê Thánh Tôn gần chợ Bến Thành ngập sâu sau mưa, cống nghẹt rác.")
FLOOD_SMS = (
    "le thanh ton ngap",
    "dg Le Thanh Ton mua la ngap, cong nghet rac ko thoat nuoc, UBND P. Ben Thanh xu ly giup",
)
OTHER_FLOOD = ("Ngập đường Nguyễn Thái Bình", "Đường Nguyễn Thái Bình đoạn Ký Con ngập sâu sau mưa, cống nghẹt rác.")
WAGES = ("Công ty May Phú Thịnh nợ lương", "Công ty May Phú Thịnh nợ lương công nhân 3 tháng, công nhân ngừng việc.")
DUST = ("Công ty May Phú Thịnh gây bụi", "Xưởng của Công ty May Phú Thịnh thải bụi vải, quạt hút gây ồn cả đêm.")


def test_the_same_request_from_the_same_origin_is_a_replay_of_its_report(make_report, place):
    first = make_report(*FLOOD)
    _, case_id = place(first)
    retry = make_report(*FLOOD, request_id=first.request_id, report_id="R-retry")
    decision, _ = place(retry)
    assert (decision.decision, decision.case_id, decision.matched_report_id) == ("replay", case_id, first.report_id)


def test_the_same_request_id_from_another_system_is_not_a_replay(make_report, place):
    first = make_report(*FLOOD)
    place(first)
    other = make_report(*FLOOD, request_id=first.request_id, origin_agency="front.mttq@79.26743")
    decision, _ = place(other)
    assert decision.decision == "link"


def test_a_retyped_report_without_diacritics_links_into_the_first_reports_case(make_report, place):
    _, case_id = place(make_report(*FLOOD))
    decision, _ = place(make_report(*FLOOD_SMS, channel="zalo"))
    assert (decision.decision, decision.case_id) == ("link", case_id)
    assert any("char cosine" in reason for reason in decision.reasons)  # the evidence that decided, named


def test_two_flooded_streets_of_one_ward_are_never_linked(make_report, place):
    place(make_report(*FLOOD))
    decision, _ = place(make_report(*OTHER_FLOOD))
    # Word for word the same complaint, but another street: at most a clerk's check.
    assert decision.decision in ("new", "possible_duplicate")
    assert any("different places: nguyen thai binh vs le thanh ton" in reason for reason in decision.reasons)


def test_a_factorys_unpaid_wages_and_its_dust_are_not_linked(make_report, place):
    # Issue 11: categories are evidence, not a gate, so the two are compared;
    # one company with two problems is still two grievances.
    place(make_report(*WAGES, category="lao_dong_viec_lam", ward_code="25978"))
    decision, _ = place(make_report(*DUST, category="moi_truong", ward_code="25978"))
    assert decision.decision == "new" and 0.0 < decision.score < 0.3


def test_a_report_from_another_ward_that_names_the_first_ward_may_link(make_report, place):
    # Issue 11: the ward is evidence, not a gate; FLOOD_SMS names "P. Ben Thanh".
    _, case_id = place(make_report(*FLOOD))
    decision, _ = place(make_report(*FLOOD_SMS, ward_code=SAI_GON))
    assert (decision.decision, decision.case_id) == ("link", case_id)
    assert any("ward mentioned" in reason for reason in decision.reasons)


def test_a_report_without_a_ward_may_match_any_ward(make_report, place):
    _, case_id = place(make_report(*FLOOD))
    decision, _ = place(make_report(*FLOOD_SMS, ward_code=None))
    assert (decision.decision, decision.case_id) == ("link", case_id)


def test_a_configured_neighbour_ward_may_match(make_report):
    engine = DedupEngine("79", DedupConfig(neighbourhood={SAI_GON: frozenset({"26743"})}))
    first = make_report(*FLOOD)
    engine.add_report(IndexEntry.from_report(first, "79-1"))
    decision = engine.decide(make_report(*FLOOD_SMS, ward_code=SAI_GON), T0 + timedelta(days=1))
    assert (decision.decision, decision.case_id) == ("link", "79-1")


def test_decide_changes_nothing(engine, make_report, place):
    place(make_report(*FLOOD))
    before = engine.stats()
    query = make_report(*FLOOD_SMS)
    assert engine.decide(query, T0) == engine.decide(query, T0)
    assert engine.stats() == before


def test_the_middle_band_opens_a_case_marked_possible_duplicate(make_report):
    engine = DedupEngine("79", DedupConfig(link_threshold=0.999, review_threshold=0.3))
    engine.add_report(IndexEntry.from_report(make_report(*FLOOD), "79-1"))
    decision = engine.decide(make_report(*FLOOD_SMS), T0 + timedelta(days=1))
    assert (decision.decision, decision.case_id) == ("possible_duplicate", "79-1")
    assert 0.3 <= decision.score < 0.999


def test_below_the_review_band_a_report_is_new_and_names_no_match(make_report):
    engine = DedupEngine("79", DedupConfig(link_threshold=1.0, review_threshold=1.0))
    engine.add_report(IndexEntry.from_report(make_report(*FLOOD), "79-1"))
    decision = engine.decide(make_report(*FLOOD_SMS), T0 + timedelta(days=1))
    assert (decision.decision, decision.case_id, decision.matched_report_id) == ("new", None, None)
    assert decision.reasons[0].startswith("closest: report R1")


def test_an_opinion_joins_only_the_same_point_on_the_same_draft(make_report, place):
    draft = "gov.ubnd@01"
    point = (
        "Góp ý dự thảo phố đi bộ: phản đối phí gửi xe",
        "Mức phí gửi xe máy 30.000 đồng/lượt quanh phố đi bộ là quá cao, đề nghị giữ mức phí cũ.",
    )
    common = dict(kind="gop_y", category="trat_tu_do_thi", province_code="01", ward_code=None, subject_agency=draft)
    engine = DedupEngine("01")
    first = make_report(*point, **common)
    engine.add_report(IndexEntry.from_report(first, "01-1"))
    same = engine.decide(make_report(*point, **common), T0 + timedelta(days=2))
    other_draft = engine.decide(make_report(*point, **{**common, "subject_agency": "gov.so-xd@01"}), T0)
    feedback = engine.decide(make_report(*point, **{**common, "kind": "phan_anh", "subject_agency": None}), T0)
    # The learned model sends even a repeated opinion to a clerk rather than
    # linking it (the corpus' opinions on one draft share most words); the
    # gate keeps other drafts and other kinds out of the candidates entirely.
    assert same.decision == "link" or "01-1" in [case for case, _ in same.suggestions]
    assert other_draft.decision == feedback.decision == "new"
    assert other_draft.score == feedback.score == 0.0


def test_a_report_of_another_shard_is_refused(engine, make_report):
    with pytest.raises(ValueError):
        engine.decide(make_report(*FLOOD, province_code="01", ward_code="00070"), T0)


def test_an_entry_with_an_old_fingerprint_version_is_refused(engine, make_report):
    entry = IndexEntry.from_report(make_report(*FLOOD), "79-1")
    with pytest.raises(ValueError):
        engine.add_report(replace(entry, fingerprint="0" + entry.fingerprint[1:]))


# -- reversible merges -----------------------------------------------------------------


def test_unmerging_a_report_makes_it_its_own_case_again(engine, make_report, place):
    _, case_a = place(make_report(*FLOOD))
    wrong = make_report(*FLOOD_SMS)
    decision, _ = place(wrong)
    assert decision.case_id == case_a
    # The clerk unmerges: the processor removes it and re-adds it under its own case.
    assert engine.remove_report(wrong.report_id)
    engine.add_report(IndexEntry.from_report(wrong, "79-900"))
    again = engine.decide(make_report(*FLOOD_SMS, request_id="another"), T0 + timedelta(days=3))
    assert again.case_id in {case_a, "79-900"}
    assert engine.stats()["reports"] == 2 and engine.stats()["cases"] == 2
    assert engine.decide(wrong, T0).decision == "replay"
    assert engine.decide(wrong, T0).case_id == "79-900"


def test_removing_a_report_forgets_it(engine, make_report, place):
    first = make_report(*FLOOD)
    place(first)
    assert engine.remove_report(first.report_id)
    assert not engine.remove_report(first.report_id)
    assert engine.decide(make_report(*FLOOD_SMS), T0).decision == "new"


def test_merging_cases_moves_every_report_and_can_be_undone(engine, make_report):
    a, b = make_report(*FLOOD), make_report(*OTHER_FLOOD)
    engine.add_report(IndexEntry.from_report(a, "79-A"))
    engine.add_report(IndexEntry.from_report(b, "79-B"))
    assert engine.merge_cases("79-B", "79-A") == 1
    assert engine.decide(make_report(*OTHER_FLOOD), T0).case_id == "79-A"
    # Undo: re-add the moved report under its old case.
    engine.add_report(IndexEntry.from_report(b, "79-B"))
    assert engine.decide(make_report(*OTHER_FLOOD), T0).case_id == "79-B"
    assert engine.decide(make_report(*FLOOD_SMS), T0).case_id == "79-A"


# -- ageing out ------------------------------------------------------------------------


def test_a_closed_case_attracts_reports_only_within_the_window(make_report):
    engine = DedupEngine("79", DedupConfig(window=timedelta(days=90)))
    engine.add_report(IndexEntry.from_report(make_report(*FLOOD), "79-1"))
    engine.set_case_status("79-1", open=False, at=T0)
    query = make_report(*FLOOD_SMS)
    assert engine.decide(query, T0 + timedelta(days=89)).decision == "link"
    assert engine.decide(query, T0 + timedelta(days=91)).decision == "new"


def test_a_reopened_case_attracts_reports_again(make_report):
    engine = DedupEngine("79")
    engine.add_report(IndexEntry.from_report(make_report(*FLOOD), "79-1"))
    engine.set_case_status("79-1", open=False, at=T0)
    engine.set_case_status("79-1", open=True, at=T0 + timedelta(days=200))
    assert engine.decide(make_report(*FLOOD_SMS), T0 + timedelta(days=201)).decision == "link"


def test_expire_drops_closed_cases_past_the_window_and_keeps_open_ones(make_report):
    engine = DedupEngine("79", DedupConfig(window=timedelta(days=30)))
    engine.add_report(IndexEntry.from_report(make_report(*FLOOD), "79-closed"))
    engine.add_report(IndexEntry.from_report(make_report(*OTHER_FLOOD), "79-open"))
    engine.set_case_status("79-closed", open=False, at=T0)
    assert engine.expire(T0 + timedelta(days=10)) == 0
    assert engine.expire(T0 + timedelta(days=31)) == 1
    assert (engine.stats()["reports"], engine.stats()["cases"]) == (1, 1)


# -- restart ---------------------------------------------------------------------------


def test_an_index_rebuilt_from_stored_entries_decides_the_same(make_report, place, engine):
    reports = [make_report(*FLOOD), make_report(*OTHER_FLOOD), make_report(*WAGES, category="lao_dong_viec_lam")]
    stored = []
    for report in reports:
        _, case_id = place(report)
        stored.append(IndexEntry.from_report(report, case_id).to_dict())
    rebuilt = DedupEngine("79")
    for data in stored:
        rebuilt.add_report(IndexEntry.from_dict(data))
    for query in (make_report(*FLOOD_SMS), make_report(*OTHER_FLOOD), reports[0]):
        assert rebuilt.decide(query, T0) == engine.decide(query, T0)


def test_compacting_after_many_removals_keeps_every_decision(make_report):
    engine = DedupEngine("79")
    kept = make_report(*FLOOD)
    engine.add_report(IndexEntry.from_report(kept, "79-keep"))
    for n in range(3000):
        filler = make_report(f"Phản ánh số {n} về hẻm {n}", f"Hẻm {n} đường Hai Bà Trưng có rác", category="moi_truong")
        engine.add_report(IndexEntry.from_report(filler, f"79-f{n}"))
        engine.remove_report(filler.report_id)
    assert engine.index.size < 2000  # dead rows were reclaimed
    assert engine.decide(make_report(*FLOOD_SMS), T0).case_id == "79-keep"
    assert engine.decide(kept, T0).decision == "replay"


def test_a_bulk_rebuild_builds_the_same_index_as_adding_one_by_one(make_report):
    texts = [FLOOD, OTHER_FLOOD, WAGES, DUST, FLOOD_SMS]
    entries = [
        IndexEntry.from_report(make_report(*t, category="ha_tang_giao_thong"), f"79-{n}") for n, t in enumerate(texts)
    ]
    one_by_one, bulk = DedupEngine("79"), DedupEngine("79")
    for entry in entries:
        one_by_one.add_report(entry)
    assert bulk.add_reports(entries, batch=2) == len(entries)
    for query in (make_report(*FLOOD_SMS), make_report(*OTHER_FLOOD), make_report(*WAGES)):
        assert bulk.decide(query, T0) == one_by_one.decide(query, T0)
    counts = ("reports", "cases", "postings")
    assert [bulk.stats()[k] for k in counts] == [one_by_one.stats()[k] for k in counts]


def test_a_bulk_rebuild_replaces_reports_already_indexed(make_report):
    engine = DedupEngine("79")
    entry = IndexEntry.from_report(make_report(*FLOOD), "79-old")
    engine.add_report(entry)
    engine.add_reports([entry.with_case("79-new")])
    assert engine.stats()["reports"] == 1
    assert engine.decide(make_report(*FLOOD_SMS), T0).case_id == "79-new"


def test_expiring_thousands_of_closed_cases_reclaims_their_rows_and_case_ids(make_report):
    engine = DedupEngine("79", DedupConfig(window=timedelta(days=30)))
    engine.add_report(IndexEntry.from_report(make_report(*FLOOD), "79-open"))
    for n in range(3000):
        report = make_report(f"Rác ở hẻm {n} Hai Bà Trưng", category="moi_truong")
        engine.add_report(IndexEntry.from_report(report, f"79-closed-{n}"))
        engine.set_case_status(f"79-closed-{n}", open=False, at=T0)
    assert engine.expire(T0 + timedelta(days=31)) == 3000
    assert engine.index.size == 1 and len(engine.index.cases.ids) == 1
    assert engine.decide(make_report(*FLOOD_SMS), T0 + timedelta(days=31)).case_id == "79-open"
