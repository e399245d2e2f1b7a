"""Which node areas receive a copy of a changed case."""

from __future__ import annotations

from dataclasses import replace

from gbus.cases.intake_decisions import open_case
from gbus.domain.case import Watcher
from gbus.processor.fanout import copy_targets, first_submitted_at, involved_by_area
from support.factories import T0, case_report, router


def _case(**overrides):
    return open_case(router(), case_report(**overrides), now=T0)[0]


def test_agencies_are_grouped_by_the_province_or_central_node_that_serves_them():
    state = _case(origin_agency="gov.vpcp@VN", channel="cong_dvc")
    assert involved_by_area(state) == {
        "79": ["gov.ubnd@79.26743", "gov.so-nnmt@79"],
        "VN": ["gov.vpcp@VN"],
    }


def test_a_new_case_goes_to_every_area_involved_now():
    state = _case(origin_agency="gov.vpcp@VN", channel="cong_dvc")
    targets, unknown = copy_targets(None, state)
    assert [area for area, _ in targets] == ["79", "VN"] and unknown == []


def test_an_area_that_stops_being_involved_still_gets_a_copy_saying_so():
    before = _case()
    after = replace(before, handler="gov.ubnd@01", watchers=(), reports=before.reports)
    after = replace(
        after, reports=tuple(replace(r, report=replace(r.report, origin_agency="gov.ubnd@01")) for r in after.reports)
    )
    targets, _ = copy_targets(before, after)
    assert targets == [("01", ["gov.ubnd@01"]), ("79", [])]


def test_an_area_without_a_node_topic_is_reported_not_written():
    state = _case()
    state = replace(state, watchers=(*state.watchers, Watcher("gov.x@99", "typo in an extra-agencies file")))
    targets, unknown = copy_targets(None, state, known_areas={"79", "VN"})
    assert [a for a, _ in targets] == ["79"] and unknown == ["99"]


def test_first_submitted_at_is_the_earliest_report():
    state = _case()
    first = state.reports[0]
    later = replace(
        first, report=replace(first.report, report_id="r2", submitted_at=first.submitted_at.replace(year=2027))
    )
    assert first_submitted_at(replace(state, reports=(later, *state.reports))) == state.reports[0].submitted_at
