"""Re-routing open cases after an administrative change (a ward merged, a body renamed or
dissolved; gbus.directory.changes). Pure: which cases a change moves and where.

- Only open cases move; a resolved, closed, rejected or merged case keeps its history
  and its handler as they were (they answered under the old organisation).
- A case moves when its ward was merged into another, or its handler or one of its
  watchers stopped existing. The routing rules, with the directory as it stands once
  the changes are in force, choose the new handler and watchers — the same rules that
  routed it, so a merged ward's case lands where a new report from there would.
- Each move is one `Rerouted` event naming the changes. The case remembers
  `change:<id>` among its processed requests, so a replay, a restart or a second
  processor never moves it twice for the same change. The stage and its legal clock
  go on: the body that answers for the old one inherits its time limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from gbus.cases.case_routing import CaseRoute, route_case
from gbus.cases.history import ChangeBuilder
from gbus.cases.intake_decisions import STICKY_REASON_PREFIXES
from gbus.cases.ports import RouterPort
from gbus.domain import events as ev
from gbus.domain.case import CaseReport, CaseState, Watcher
from gbus.domain.status import is_open
from gbus.errors import ValidationError

BUS_ACTOR = "bus"
REQUEST_PREFIX = "change:"  # a case remembers each change that moved it as this request id


class ChangeLike(Protocol):
    """What re-routing reads of a gbus.directory.changes.Change."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def from_area(self) -> str | None: ...
    @property
    def into_area(self) -> str | None: ...

    def describe(self) -> str: ...


class ResolvingDirectory(Protocol):
    # The id of the body that answers to `agency_id` once the changes are in force; None if none.
    def resolve_id(self, agency_id: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Affected:
    """An open case and the changes that move it, in effective order."""

    case: CaseState
    changes: tuple[ChangeLike, ...]


def change_request_id(change_id: str) -> str:
    return f"{REQUEST_PREFIX}{change_id}"


def affected_cases(
    cases: Iterable[CaseState],
    changes: Sequence[ChangeLike],
    removed: Mapping[str, frozenset[str]],
) -> list[Affected]:
    """The open cases that `changes` move, each with the changes that move it.

    `removed` maps a change id to the agency ids that stop existing with it (the
    directory before it knows them: gbus.directory.changes.removed_ids). A case that
    already remembers a change (it moved for it) is not moved again by it.
    """
    found: list[Affected] = []
    for case in cases:
        if not is_open(case.status):
            continue
        done = set(case.processed_requests)
        ids = {case.handler, *case.watcher_ids}
        ward = _area(case)
        moving = []
        for change in changes:
            if change_request_id(change.id) in done:
                continue
            if (ward is not None and change.from_area == ward) or ids & removed.get(change.id, frozenset()):
                moving.append(change)
                if change.into_area is not None and change.from_area == ward:
                    ward = change.into_area  # a later merge of the ward merged into follows on
        if moving:
            found.append(Affected(case, tuple(moving)))
    return found


def reroute(
    affected: Affected, router: RouterPort, directory: ResolvingDirectory, at: datetime
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """The case after its changes: routed by the rules over the changed directory, its
    ward moved, one Rerouted event. `router` and `directory` are those with every
    change in force. A case the rules can no longer place goes to whoever answers for
    its old handler and watchers (the aliases), so a change never strands a case."""
    case = affected.case
    ward_area = _area(case)
    for change in affected.changes:
        if change.from_area is not None and change.from_area == ward_area:
            ward_area = change.into_area
    new_ward = ward_area.partition(".")[2] if ward_area else case.ward_code
    # Routed as if filed in the ward it now belongs to; the stored reports keep what the citizen wrote.
    moved = tuple(_in_ward(r, new_ward) if _report_area(r) == _area(case) else r for r in case.reports)
    # Watchers a person or an escalation added survive, as the body that answers for them now.
    sticky = tuple(
        Watcher(current, w.reason)
        for w in case.watchers
        if w.reason.startswith(STICKY_REASON_PREFIXES) and (current := directory.resolve_id(w.agency_id))
    )
    try:
        route = route_case(router, moved, extra_watchers=sticky)
    except ValidationError:
        route = _successors(case, directory)
    before_ids = set(case.watcher_ids)
    after_ids = {w.agency_id for w in route.watchers}
    reason = "; ".join(c.describe() for c in affected.changes)
    builder = ChangeBuilder(case, actor=BUS_ACTOR, at=at, request_id=None)
    builder.emit(
        ev.Rerouted(
            change_ids=tuple(c.id for c in affected.changes),
            reason=reason,
            from_handler=case.handler,
            to_handler=route.handler,
            watchers=tuple(ev.RoutedWatcher(w.agency_id, w.reason) for w in route.watchers),
            removed_watchers=tuple(sorted(before_ids - after_ids)),
            from_ward=case.ward_code,
            to_ward=new_ward,
            rule=route.rule,
        )
    )
    state = replace(case, handler=route.handler, watchers=route.watchers, ward_code=new_ward, route_rule=route.rule)
    after, events = builder.finish(state)
    for change in affected.changes:
        after = after.remember_request(change_request_id(change.id))
    return after, events


def _successors(case: CaseState, directory: ResolvingDirectory) -> CaseRoute:
    handler = directory.resolve_id(case.handler) or case.handler
    watchers: dict[str, str] = {}
    for w in case.watchers:
        current = directory.resolve_id(w.agency_id)
        if current and current != handler:
            watchers.setdefault(current, w.reason)
    return CaseRoute(handler, tuple(Watcher(a, r) for a, r in watchers.items()), case.route_rule, case.kind)


def _area(case: CaseState) -> str | None:
    return f"{case.province_code}.{case.ward_code}" if case.province_code and case.ward_code else None


def _in_ward(report: CaseReport, ward: str | None) -> CaseReport:
    return replace(report, report=replace(report.report, ward_code=ward))


def _report_area(report: object) -> str | None:
    province, ward = getattr(report, "province_code", None), getattr(report, "ward_code", None)
    return f"{province}.{ward}" if province and ward else None
