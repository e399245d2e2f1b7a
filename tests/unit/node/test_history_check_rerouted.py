"""A node accepts the copy of a case an administrative change moved, and only as the
Rerouted event says (handler and watchers come from the event, as from a routing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from gbus.cases.intake_decisions import open_case
from gbus.cases.rerouting import affected_cases, reroute
from gbus.directory.changes import changes_from_text, directory_with, removed_ids
from gbus.domain.case import Watcher
from gbus.node.history_check import snapshot_disagreements
from gbus.routing import Router
from support.factories import T0, case_report, directory, router

MERGE = "changes:\n  - {id: m, effective: 2026-11-15, type: ward_merged, from: 79.26743, into: 79.25747}\n"


def _moved():
    changes = changes_from_text(MERGE).changes
    after_router = Router(directory_with(changes), router().rules)
    state, history = open_case(router(), case_report(origin_agency="front.mttq@79.26743"), now=T0)
    (affected,) = affected_cases([state], changes, {c.id: removed_ids(c, directory()) for c in changes})
    moved, events = reroute(affected, after_router, after_router.directory, T0 + dt.timedelta(days=30))
    return moved, (*history, *events)


def test_a_moved_case_agrees_with_its_history():
    moved, history = _moved()
    assert moved.handler == "gov.ubnd@79.25747"
    assert snapshot_disagreements(moved, history) == []


def test_a_copy_claiming_the_old_handler_or_watcher_after_a_move_is_named():
    moved, history = _moved()
    assert snapshot_disagreements(replace(moved, handler="gov.ubnd@79.26743"), history) == [
        "snapshot handler gov.ubnd@79.26743, history says gov.ubnd@79.25747"
    ]
    stale = replace(moved, watchers=(*moved.watchers, Watcher("front.mttq@79.26743", "origin")))
    assert snapshot_disagreements(stale, history) == ["snapshot watchers not in the history: front.mttq@79.26743"]
