"""A report arrives at the processor: open a new case or link it into one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from gbus.cases.case_routing import CaseRoute, route_case
from gbus.cases.history import ChangeBuilder
from gbus.cases.ports import RouterPort
from gbus.domain import events as ev
from gbus.domain.case import CaseReport, CaseState, accused_agencies, make_case_id
from gbus.domain.status import CaseStatus
from gbus.domain.vocabulary import KIND_FORMALITY, shard_of_province

BUS_ACTOR = "bus"
STICKY_REASON_PREFIXES = ("merge:", "escalation:")
_WORKED_STATES = (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED)


def _routed_event(route: CaseRoute) -> ev.CaseRouted:
    return ev.CaseRouted(
        handler=route.handler,
        watchers=tuple(ev.RoutedWatcher(w.agency_id, w.reason) for w in route.watchers),
        rule=route.rule,
        kind=route.kind,
    )


def open_case(
    router: RouterPort,
    report: CaseReport,
    *,
    now: datetime,
    possible_duplicate_of: str | None = None,
    score: float = 0.0,
    generation: int = 0,
    unmerged_from: str | None = None,
    actor: str = BUS_ACTOR,
    request_id: str | None = None,
    suggestions: Sequence[ev.DuplicateSuggestion] = (),
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """A new case holding one report, routed, in status ASSIGNED.

    `suggestions` (the duplicate engine's similar cases, best first) are kept on
    the case for a clerk, and in its CaseOpened event, which says why."""
    shard = shard_of_province(report.province_code)
    case_id = make_case_id(shard, report.report_id, generation)
    route = route_case(router, (report,), report)
    blank = CaseState(
        case_id=case_id,
        shard=shard,
        version=0,
        last_seq=0,
        last_hash="",
        status=CaseStatus.ASSIGNED,
        kind=route.kind,
        category=report.category,
        province_code=report.province_code,
        ward_code=report.ward_code,
        title=report.title,
        handler=route.handler,
        watchers=route.watchers,
        route_rule=route.rule,
        reports=(report,),
        opened_at=now,
        updated_at=now,
        possible_duplicate_of=(possible_duplicate_of,) if possible_duplicate_of else (),
    ).with_suggestions(suggestions)
    builder = ChangeBuilder(blank, actor=actor, at=now, request_id=request_id)
    builder.emit(
        ev.CaseOpened(
            report_id=report.report_id,
            kind=report.kind,
            category=report.category,
            province_code=report.province_code,
            ward_code=report.ward_code,
            title=report.title,
            possible_duplicate_of=possible_duplicate_of,
            score=score,
            unmerged_from=unmerged_from,
            suggestions=blank.duplicate_suggestions,
        )
    )
    builder.emit(_routed_event(route))
    return builder.finish(blank)


def reroute_if_needed(
    router: RouterPort,
    builder: ChangeBuilder,
    state: CaseState,
    *,
    reason: str,
) -> CaseState:
    """Recompute handler and watchers after the reports changed.

    The handler changes only when the case's kind (its most formal report)
    changed, or when the current handler is now an accused agency; otherwise a
    transfer a person made is kept. A handler change puts the case back to
    ASSIGNED for the new handler.
    """
    deciding = state.deciding_report()
    kind_changed = KIND_FORMALITY.get(deciding.kind, 0) != KIND_FORMALITY.get(state.kind, 0)
    # Watchers added by people or escalations survive re-routing; routing ones are recomputed.
    sticky = tuple(w for w in state.watchers if w.reason.startswith(STICKY_REASON_PREFIXES))
    directory = getattr(router, "directory", None)
    canonical = directory.canonical_id if directory is not None else (lambda agency: agency)
    handler_accused = canonical(state.handler) in accused_agencies(state.reports, canonical)
    keep_handler = not kind_changed and not handler_accused
    # One routing of the whole case per change: this runs for every linked report.
    route = route_case(
        router, state.reports, deciding, handler_override=state.handler if keep_handler else None, extra_watchers=sticky
    )
    new_state = replace(state, kind=deciding.kind if kind_changed else state.kind)
    if (route.handler, route.watchers) == (state.handler, state.watchers) and not kind_changed:
        return new_state
    new_state = replace(
        new_state,
        handler=route.handler,
        watchers=route.watchers,
        route_rule=route.rule if not keep_handler else state.route_rule,
    )
    builder.emit(_routed_event(route))
    # Work the old handler had accepted is not the new handler's yet.
    if route.handler != state.handler and state.status in _WORKED_STATES:
        builder.emit(ev.StatusChanged(state.status.value, CaseStatus.ASSIGNED.value, reason))
        new_state = replace(new_state, status=CaseStatus.ASSIGNED)
    return new_state


def link_report(
    router: RouterPort,
    case: CaseState,
    report: CaseReport,
    *,
    now: datetime,
    score: float,
    matched_report_id: str | None,
    reason: str = "",
    suggestions: Sequence[ev.DuplicateSuggestion] = (),
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """Add a duplicate report to an existing case; re-route if it is more formal.

    The decision's other similar cases (`suggestions`) join the case's own."""
    if case.report(report.report_id) is not None:
        return case, ()  # replay: already linked
    others = tuple(s for s in suggestions if s.case_id != case.case_id)
    builder = ChangeBuilder(case, actor=BUS_ACTOR, at=now, request_id=None)
    builder.emit(
        ev.ReportLinked(
            report_id=report.report_id,
            kind=report.kind,
            channel=report.channel,
            origin_agency=report.origin_agency,
            score=score,
            matched_report_id=matched_report_id,
            reason=reason,
            suggestions=others[: CaseState.MAX_SUGGESTIONS],
        )
    )
    state = replace(case, reports=(*case.reports, report)).with_suggestions(others)
    state = reroute_if_needed(router, builder, state, reason=f"re-routed: report {report.report_id} joined")
    return builder.finish(state)
