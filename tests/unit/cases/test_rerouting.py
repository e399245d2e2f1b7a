"""Which open cases an administrative change moves, where to, and only once."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import lru_cache

from gbus.cases.intake_decisions import open_case
from gbus.cases.rerouting import affected_cases, change_request_id, reroute
from gbus.directory.changes import ChangeSet, changes_from_text, directory_with, removed_ids
from gbus.domain import events as ev
from gbus.domain.case import CaseState, Watcher
from gbus.domain.status import CaseStatus
from gbus.routing import Router
from support.factories import HOAN_KIEM, T0, case_report, directory, router

BEN_THANH, THU_DAU_MOT = "79.26743", "79.25747"
AT = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.timezone.utc)
CHANGES = """\
changes:
  - {id: merge-ben-thanh, effective: 2026-11-15, type: ward_merged, from: 79.26743, into: 79.25747}
  - {id: dissolve-so-nnmt, effective: 2026-11-20, type: agency_dissolved, agency: gov.so-nnmt@01,
     successor: gov.ubnd@01}
  - {id: rename-so-tp, effective: 2026-11-20, type: agency_renamed, old: gov.so-tp@01, new: gov.so-tp-moi@01}
"""


@lru_cache(maxsize=1)
def _changes() -> ChangeSet:
    return changes_from_text(CHANGES, source="changes.yaml")


@lru_cache(maxsize=1)
def _router_after() -> Router:
    return Router(directory_with(_changes().changes), router().rules)


def _removed() -> dict[str, frozenset[str]]:
    return {c.id: removed_ids(c, directory()) for c in _changes().changes}


def _case(**report: object) -> CaseState:
    return open_case(router(), case_report(**report), now=T0)[0]


def test_only_open_cases_of_the_merged_ward_or_of_a_body_that_is_gone_are_affected():
    in_ward = _case()
    closed = replace(_case(), status=CaseStatus.CLOSED)
    resolved = replace(_case(), status=CaseStatus.RESOLVED)
    elsewhere = _case(place=("79", "25747"))
    hanoi = _case(place=HOAN_KIEM)  # land goes to the Hanoi department the second change dissolves
    assert "gov.so-nnmt@01" in (hanoi.handler, *hanoi.watcher_ids)
    found = affected_cases([in_ward, closed, resolved, elsewhere, hanoi], _changes().changes, _removed())
    assert [(a.case.case_id, [c.id for c in a.changes]) for a in found] == [
        (in_ward.case_id, ["merge-ben-thanh"]),
        (hanoi.case_id, ["dissolve-so-nnmt"]),
    ]


def test_a_moved_case_is_routed_by_the_rules_in_its_new_ward_with_one_rerouted_event():
    case = replace(_case(), status=CaseStatus.ACCEPTED)
    (affected,) = affected_cases([case], _changes().changes, _removed())
    after, events = reroute(affected, _router_after(), _router_after().directory, AT)
    # Where a new report from the ward merged into goes:
    fresh = open_case(_router_after(), case_report(place=("79", "25747")), now=T0)[0]
    assert (after.handler, after.watcher_ids) == (fresh.handler, fresh.watcher_ids)
    assert after.handler == f"gov.ubnd@{THU_DAU_MOT}" and after.ward_code == "25747"
    assert after.status is CaseStatus.ACCEPTED  # the body answering for the old one carries the work on
    assert after.reports == case.reports  # what the citizen filed is kept as filed
    (event,) = events
    assert isinstance(event.body, ev.Rerouted) and event.actor == "bus"
    assert event.body.change_ids == ("merge-ben-thanh",)
    assert (event.body.from_handler, event.body.to_handler) == (f"gov.ubnd@{BEN_THANH}", f"gov.ubnd@{THU_DAU_MOT}")
    assert (event.body.from_ward, event.body.to_ward) == ("26743", "25747")
    assert f"front.mttq@{BEN_THANH}" in event.body.removed_watchers
    assert "ward 79.26743 merged into 79.25747" in event.body.reason
    assert (after.version, after.last_seq, after.last_hash) == (case.version + 1, case.last_seq + 1, event.hash)


def test_a_case_moved_for_a_change_is_not_moved_again_by_it():
    case = _case()
    (affected,) = affected_cases([case], _changes().changes, _removed())
    after, _ = reroute(affected, _router_after(), _router_after().directory, AT)
    assert change_request_id("merge-ben-thanh") in after.processed_requests
    assert affected_cases([after], _changes().changes, _removed()) == []
    # Even if it still named the old ward (say, a later report moved it back), the change is done for it.
    assert affected_cases([replace(after, ward_code="26743")], _changes().changes, _removed()) == []


def test_replaying_a_move_gives_the_same_event():
    case = _case()
    (affected,) = affected_cases([case], _changes().changes, _removed())
    first = reroute(affected, _router_after(), _router_after().directory, AT)
    again = reroute(affected, _router_after(), _router_after().directory, AT)
    assert first == again and first[1][0].hash == again[1][0].hash


def test_a_watcher_an_escalation_added_survives_as_the_body_that_answers_for_it():
    case = _case(place=HOAN_KIEM)
    reason = "escalation: superior of a handler that missed the acceptance time limit"
    escalated = replace(case, watchers=(*case.watchers, Watcher("gov.so-tp@01", reason)))
    (affected,) = affected_cases([escalated], _changes().changes, _removed())
    assert [c.id for c in affected.changes] == ["dissolve-so-nnmt", "rename-so-tp"]
    after, (event,) = reroute(affected, _router_after(), _router_after().directory, AT)
    kept = {w.agency_id: w.reason for w in after.watchers}
    assert kept.get("gov.so-tp-moi@01") == reason and "gov.so-tp@01" not in kept
    assert "gov.so-nnmt@01" not in (after.handler, *kept)
    assert event.body.change_ids == ("dissolve-so-nnmt", "rename-so-tp")
    assert {change_request_id("dissolve-so-nnmt"), change_request_id("rename-so-tp")} <= set(after.processed_requests)
