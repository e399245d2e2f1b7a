"""A case takes the most formal kind among its reports and is re-routed when that changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gbus.routing import deciding_report

T0 = datetime(2025, 11, 2, tzinfo=timezone.utc)


def test_the_most_formal_report_decides(make_report):
    feedback = make_report(report_id="a", kind="phan_anh", submitted_at=T0)
    complaint = make_report(report_id="b", kind="khieu_nai", submitted_at=T0 + timedelta(days=1))
    denunciation = make_report(report_id="c", kind="to_cao", subject_agency="gov.ubnd@79.26743",
                               submitted_at=T0 + timedelta(days=2))  # fmt: skip
    assert deciding_report([feedback, complaint]).report_id == "b"
    assert deciding_report([feedback, denunciation, complaint]).report_id == "c"


def test_feedback_and_petition_rank_equal_so_the_earliest_decides(make_report):
    petition = make_report(report_id="b", kind="kien_nghi", submitted_at=T0)
    feedback = make_report(report_id="a", kind="phan_anh", submitted_at=T0 + timedelta(hours=1))
    assert deciding_report([feedback, petition]).report_id == "b"


def test_ties_at_the_same_instant_are_broken_by_report_id_so_every_node_agrees(make_report):
    reports = [make_report(report_id=rid, submitted_at=T0) for rid in ("r-9", "r-2", "r-5")]
    assert deciding_report(reports).report_id == "r-2"
    assert deciding_report(list(reversed(reports))).report_id == "r-2"


def test_an_empty_case_has_no_deciding_report():
    with pytest.raises(ValueError):
        deciding_report([])


def test_a_denunciation_joining_a_feedback_case_moves_it_away_from_the_accused(router, make_report):
    # The feedback came in through the ward People's Committee that the denunciation later accuses.
    feedback = make_report(report_id="a", category="dat_dai", origin_agency="gov.ubnd@79.26743", submitted_at=T0)
    assert router.route_case([feedback]).handler == "gov.ubnd@79.26743"
    denunciation = make_report(report_id="b", kind="to_cao", category="dat_dai", channel="hotline_1022",
                               subject_agency="gov.ubnd@79.26743", origin_agency="gov.ubnd@79",
                               submitted_at=T0 + timedelta(days=3))  # fmt: skip
    decision = router.route_case([feedback, denunciation])
    assert (decision.handler, decision.rule, decision.report_id) == ("gov.ubnd@79", "to-cao", "b")
    assert "gov.ubnd@79.26743" not in decision.watchers
    assert "gov.ubnd@79.26743" in decision.excluded


def test_the_accused_of_a_non_deciding_denunciation_is_kept_out_too(router, make_report):
    first = make_report(report_id="a", kind="to_cao", subject_agency="gov.so-xd@79", submitted_at=T0)
    second = make_report(report_id="b", kind="to_cao", subject_agency="gov.so-nnmt@79", channel="hotline_1022",
                         origin_agency="gov.so-nnmt@79", submitted_at=T0 + timedelta(days=1))  # fmt: skip
    decision = router.route_case([first, second])
    assert decision.report_id == "a"
    assert "gov.so-nnmt@79" not in decision.watchers and "gov.so-nnmt@79" in decision.excluded


def test_every_reports_origin_and_channel_watch_the_case(router, make_report):
    first = make_report(report_id="a", category="dat_dai", submitted_at=T0)
    second = make_report(report_id="b", category="dat_dai", channel="mttq", origin_agency="front.mttq@79",
                         submitted_at=T0 + timedelta(days=1))  # fmt: skip
    decision = router.route_case([first, second])
    assert decision.watchers == ("gov.so-nnmt@79", "gov.vpcp@VN", "front.mttq@79", "front.mttq@79.26743")
    assert decision.reasons["front.mttq@79"] == "origin: the origin system holds a copy of the report (report b)"


def test_when_denunciations_accuse_an_agency_and_its_superior_the_case_goes_above_both(router, make_report):
    ward = make_report(report_id="a", kind="to_cao", subject_agency="gov.ubnd@79.26743", submitted_at=T0)
    province = make_report(
        report_id="b", kind="to_cao", subject_agency="gov.ubnd@79", submitted_at=T0 + timedelta(days=1)
    )
    decision = router.route_case([ward, province])
    assert (decision.handler, decision.rule, decision.report_id) == ("gov.ttcp@VN", "to-cao-province-committee", "b")
    assert {"gov.ubnd@79.26743", "gov.ubnd@79"} <= set(decision.excluded)


def test_a_case_that_climbs_above_an_accused_handler_keeps_informing_who_the_first_denunciation_would(
    router, make_report
):
    # Found by the routing property test: a denunciation against a provincial party board is
    # handled by the province's inspection committee and watched by the province's party
    # committee; a second one accuses that inspection committee, so the case climbs. The
    # party committee must stay informed.
    common = dict(
        category="dat_dai", province_code=None, ward_code=None, origin_agency="front.mttq@VN", submitted_at=T0
    )
    reports = [
        make_report(report_id="0", kind="phan_anh", **common),
        make_report(report_id="1", kind="to_cao", subject_agency="party.bnc@37", **common),
        make_report(report_id="2", kind="to_cao", subject_agency="party.ubkt@37", **common),
    ]
    alone = router.route(deciding_report(reports))
    decision = router.route_case(reports)
    assert alone.handler == "party.ubkt@37" and decision.handler != alone.handler
    assert "party.tu@37" in alone.watchers and "party.tu@37" in decision.watchers
    assert "party.ubkt@37" not in decision.watchers and "party.bnc@37" not in decision.watchers
