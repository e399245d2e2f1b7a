"""Legal time limits, breach escalation and hotspots (gbus.cases.deadlines)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from gbus.cases.deadlines import breach_escalation, distinct_reporters, hotspot_escalation
from gbus.cases.intake_decisions import link_report, open_case
from gbus.cases.legal_clock import load_legal_clock
from gbus.domain.events import CaseEscalated, verify_chain
from gbus.domain.status import CaseStatus
from support.factories import T0, case_report, directory, router

CLOCK = load_legal_clock()


def _complaint():
    report = case_report(kind="khieu_nai", category="dat_dai", channel="tiep_cong_dan", origin_agency="front.mttq@79",
                         subject_agency="gov.ubnd@79.26743", attempt=1)  # fmt: skip
    case, events = open_case(router(), report, now=T0)
    return CLOCK.on_change(None, case, T0), events


def test_a_missed_limit_escalates_once_to_the_handlers_superior():
    case, opened = _complaint()
    assert breach_escalation(case, directory(), T0 + timedelta(days=9)) == (case, ())
    late = T0 + timedelta(days=11)
    after, events = breach_escalation(case, directory(), late)
    assert [type(e.body) for e in events] == [CaseEscalated]
    assert events[0].body.code == "sla_breach" and events[0].body.added_watchers == ("gov.ubnd@79",)
    assert "gov.ubnd@79" in after.watcher_ids and after.version == case.version + 1
    assert verify_chain([*opened, *events]) == []
    assert breach_escalation(after, directory(), late + timedelta(days=1)) == (after, ())  # once per stage


def test_a_breach_in_a_later_stage_escalates_again():
    case, _ = _complaint()
    escalated, _ = breach_escalation(case, directory(), T0 + timedelta(days=11))
    accepted = CLOCK.on_change(escalated, replace(escalated, status=CaseStatus.ACCEPTED), T0 + timedelta(days=12))
    assert accepted.clock.number == escalated.clock.number + 1
    after, events = breach_escalation(accepted, directory(), T0 + timedelta(days=50))
    assert [e.body.code for e in events] == ["sla_breach"]
    assert sorted(after.escalations) == ["sla_breach:acceptance#1", "sla_breach:resolution#2"]


def test_five_distinct_reporters_make_a_hotspot_watched_by_the_provinces_party_board_and_front():
    case, _ = open_case(router(), case_report(reporter_key="k0"), now=T0)
    for i in range(1, 5):
        case, _ = link_report(
            router(), case, case_report(reporter_key=f"k{i}"), now=T0, score=0.9, matched_report_id=None
        )
    assert distinct_reporters(case) == 5
    after, events = hotspot_escalation(case, directory(), T0)
    assert events and events[0].body.code == "hotspot"
    assert {"party.btgdv@79", "front.mttq@79"} <= set(after.watcher_ids)
    assert hotspot_escalation(after, directory(), T0) == (after, ())


def test_the_same_reporter_five_times_is_not_a_hotspot():
    case, _ = open_case(router(), case_report(reporter_key="same"), now=T0)
    for _ in range(4):
        case, _ = link_report(
            router(), case, case_report(reporter_key="same"), now=T0, score=0.9, matched_report_id=None
        )
    assert hotspot_escalation(case, directory(), T0) == (case, ())


def test_overdue_cases_are_counted_by_the_handlers_sector_and_every_sector_is_listed():
    from gbus.cases.deadlines import overdue_by_sector

    case, _ = _complaint()  # handled by gov.ubnd@79.26743, due ten days after T0
    resolved = replace(case, status=CaseStatus.RESOLVED)
    assert overdue_by_sector([case, resolved], T0 + timedelta(days=5)) == {"gov": 0, "party": 0, "front": 0, "union": 0}
    assert overdue_by_sector([case, resolved], T0 + timedelta(days=20)) == {
        "gov": 1,
        "party": 0,
        "front": 0,
        "union": 0,
    }
