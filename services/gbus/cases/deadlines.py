"""Legal time limits and escalations of a case. Pure.

- A complaint (khieu_nai) must be accepted within 10 days and resolved within
  30/45 days of acceptance (Law on Complaints 2011); a denouncer must be told of
  acceptance within 5 working days and the denunciation resolved within 30 days
  (Law on Denunciations 2018). The numbers are policy data
  (routing/data/time_limits.yaml); kinds with no statutory limit get none.
- A breach escalates once per stage: the handler's superior becomes a watcher
  and a CaseEscalated event is emitted (the processor counts it for the alert).
- A hotspot — a case reaching 5 distinct reporters — adds the province's party
  mass-mobilisation board and Fatherland Front as watchers, once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from gbus.cases.authority import agency_id_of
from gbus.cases.history import ChangeBuilder
from gbus.cases.ports import DirectoryPort
from gbus.domain import events as ev
from gbus.domain.case import CaseState, Watcher
from gbus.domain.status import CaseStatus
from gbus.routing.time_limits import Limit, TimeLimits

HOTSPOT_REPORTERS = 5
ESCALATION_PREFIX = "escalation:"  # watchers added here survive re-routing (case_routing)


def add_days(start: datetime, limit: Limit) -> datetime:
    if not limit.working_days:
        return start + timedelta(days=limit.days)
    day, left = start, limit.days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:  # Monday..Friday; public holidays are not modelled
            left -= 1
    return day


def stage_of(case: CaseState) -> str | None:
    if case.status in (CaseStatus.ASSIGNED, CaseStatus.REOPENED):
        return "acceptance"
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS):
        return "resolution"
    return None


def due_at(case: CaseState, limits: TimeLimits, since: datetime) -> datetime | None:
    """When the current stage must be done, counted from `since` (when it began)."""
    stage = stage_of(case)
    attempt = max((r.attempt for r in case.reports if r.kind == case.kind), default=1)
    limit = (
        limits.acceptance(case.kind)
        if stage == "acceptance"
        else limits.resolution(case.kind, attempt)
        if stage == "resolution"
        else None
    )
    return add_days(since, limit) if limit else None


def with_due_at(case: CaseState, limits: TimeLimits, since: datetime) -> CaseState:
    return replace(case, due_at=due_at(case, limits, since))


def breach_escalation(
    case: CaseState, directory: DirectoryPort, now: datetime
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """If the current stage's time limit has passed, escalate once; else no change."""
    stage = stage_of(case)
    if stage is None or case.due_at is None or now <= case.due_at:
        return case, ()
    code = f"sla_breach:{stage}"
    if code in case.escalations:
        return case, ()
    superior = agency_id_of(directory.superior_of(case.handler))
    added = tuple(a for a in (superior,) if a and a not in case.watcher_ids and a != case.handler)
    b = ChangeBuilder(case, actor="bus", at=now, request_id=None)
    reason = f"{stage} time limit passed on {case.due_at.date().isoformat()} (handler {case.handler})"
    b.emit(ev.CaseEscalated("sla_breach", reason, added))
    state = replace(
        case,
        escalations=(*case.escalations, code),
        watchers=(*case.watchers, *(Watcher(a, f"{ESCALATION_PREFIX} superior of a handler that missed the {stage} time limit") for a in added)),
    )
    return b.finish(state)


def distinct_reporters(case: CaseState) -> int:
    # Reports without a reporter key (anonymous) count one each.
    keyed = {r.reporter_key for r in case.reports if r.reporter_key}
    return len(keyed) + sum(1 for r in case.reports if not r.reporter_key)


def hotspot_escalation(
    case: CaseState, directory: DirectoryPort, now: datetime
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """A grievance many people raise gets the province's party and Front attention, once."""
    if "hotspot" in case.escalations or distinct_reporters(case) < HOTSPOT_REPORTERS or not case.province_code:
        return case, ()
    candidates = (f"party.bdv@{case.province_code}", f"front.mttq@{case.province_code}")
    added = tuple(
        a for a in candidates if directory.get(a) is not None and a not in case.watcher_ids and a != case.handler
    )
    b = ChangeBuilder(case, actor="bus", at=now, request_id=None)
    b.emit(ev.CaseEscalated("hotspot", f"{distinct_reporters(case)} distinct reporters raised this grievance", added))
    state = replace(
        case,
        escalations=(*case.escalations, "hotspot"),
        watchers=(*case.watchers, *(Watcher(a, f"{ESCALATION_PREFIX} hotspot of {HOTSPOT_REPORTERS}+ reporters") for a in added)),
    )
    return b.finish(state)
