"""A snapshot must say what its own event history says (version, status, handler, watchers)."""

from __future__ import annotations

from dataclasses import replace

from gbus.cases.commands import MERGE_WATCHER_REASON
from gbus.cases.history import ChangeBuilder
from gbus.domain import events as ev
from gbus.domain.case import Watcher
from gbus.domain.status import CaseStatus
from gbus.node.history_check import snapshot_disagreements
from gbus.routing import Router
from support.cases import HANDLER, UNRELATED, WATCHER, opened, with_status

ROUTER = Router.default()


def test_a_case_as_the_processor_wrote_it_agrees_with_its_history():
    state, history = opened(ROUTER)
    state, history = with_status(state, history, CaseStatus.ACCEPTED)
    assert snapshot_disagreements(state, history) == []


def test_a_swapped_handler_is_named():
    state, history = opened(ROUTER)
    problems = snapshot_disagreements(replace(state, handler=UNRELATED), history)
    assert problems == [f"snapshot handler {UNRELATED}, history says {HANDLER}"]


def test_a_status_or_version_the_history_does_not_reach_is_named():
    state, history = opened(ROUTER)
    problems = snapshot_disagreements(replace(state, status=CaseStatus.CLOSED, version=state.version + 1), history)
    assert any("status CLOSED, history says ASSIGNED" in p for p in problems)
    assert any("version" in p for p in problems)


def test_an_added_or_dropped_watcher_is_named():
    state, history = opened(ROUTER)
    added = replace(state, watchers=(*state.watchers, Watcher(UNRELATED, "routing: made up")))
    assert snapshot_disagreements(added, history) == [f"snapshot watchers not in the history: {UNRELATED}"]
    dropped = replace(state, watchers=tuple(w for w in state.watchers if w.agency_id != WATCHER))
    assert snapshot_disagreements(dropped, history) == [f"watchers of the history missing from the snapshot: {WATCHER}"]


def test_a_transfer_and_an_escalation_are_followed():
    state, history = opened(ROUTER)
    b = ChangeBuilder(state, actor=HANDLER, at=state.updated_at, request_id="t-1")
    b.emit(ev.StatusChanged("ASSIGNED", "TRANSFERRED"))
    b.emit(ev.CaseTransferred(HANDLER, WATCHER))
    b.emit(ev.StatusChanged("TRANSFERRED", "ASSIGNED"))
    b.emit(ev.CaseEscalated("sla_breach", "late", (UNRELATED,)))
    watchers = (*(w for w in state.watchers if w.agency_id != WATCHER), Watcher(UNRELATED, "escalation: late"))
    after, new = b.finish(replace(state, handler=WATCHER, watchers=watchers))
    assert snapshot_disagreements(after, (*history, *new)) == []


def test_a_merge_watcher_is_accepted_only_for_a_case_the_history_merged_in():
    state, history = opened(ROUTER)
    b = ChangeBuilder(state, actor=HANDLER, at=state.updated_at, request_id="m-1")
    b.emit(ev.CaseMerged("79-source", state.case_id, ("r-x",)))
    merged_watcher = Watcher(UNRELATED, f"{MERGE_WATCHER_REASON}79-source")
    after, new = b.finish(replace(state, watchers=(*state.watchers, merged_watcher)))
    assert snapshot_disagreements(after, (*history, *new)) == []
    claimed_other = replace(after, watchers=(*state.watchers, Watcher(UNRELATED, f"{MERGE_WATCHER_REASON}79-other")))
    assert snapshot_disagreements(claimed_other, (*history, *new)) == [
        f"snapshot watchers not in the history: {UNRELATED}"
    ]
