"""Escalations of a case: a missed legal time limit, and a hotspot. Pure.

- A breach escalates once per stage (gbus.cases.legal_clock numbers the
  stages): the handler's superior becomes a watcher and a CaseEscalated event
  is emitted (the processor counts it for the alert).
- A hotspot — a case reaching 5 distinct reporters — adds the province's party
  mass-mobilisation board and Fatherland Front as watchers, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from gbus.cases.authority import agency_id_of
from gbus.cases.history import ChangeBuilder
from gbus.cases.legal_clock import breach_code_of, stage_of
from gbus.cases.ports import DirectoryPort
from gbus.domain import events as ev
from gbus.domain.case import CaseState, Watcher
from gbus.domain.vocabulary import SECTORS

HOTSPOT_REPORTERS = 5
ESCALATION_PREFIX = "escalation:"  # watchers added here survive re-routing (case_routing)


def breach_code(case: CaseState) -> str | None:
    """The escalation code of the current stage: one breach escalation per code."""
    stage = stage_of(case)
    if stage is None:
        return None
    return breach_code_of(stage, case.clock.number if case.clock else 1)


def breach_escalation(
    case: CaseState, directory: DirectoryPort, now: datetime
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """If the current stage's time limit has passed, escalate once; else no change."""
    stage, code = stage_of(case), breach_code(case)
    if stage is None or code is None or case.due_at is None or now <= case.due_at:
        return case, ()
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
        watchers=(
            *case.watchers,
            *(
                Watcher(a, f"{ESCALATION_PREFIX} superior of a handler that missed the {stage} time limit")
                for a in added
            ),
        ),
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
    # The province party's propaganda and mass mobilisation commission (merged in 2025; the
    # old id party.bdv still resolves, but new watchers carry the body's current id).
    candidates = (f"party.btgdv@{case.province_code}", f"front.mttq@{case.province_code}")
    added = tuple(
        a for a in candidates if directory.get(a) is not None and a not in case.watcher_ids and a != case.handler
    )
    b = ChangeBuilder(case, actor="bus", at=now, request_id=None)
    b.emit(ev.CaseEscalated("hotspot", f"{distinct_reporters(case)} distinct reporters raised this grievance", added))
    state = replace(
        case,
        escalations=(*case.escalations, "hotspot"),
        watchers=(
            *case.watchers,
            *(Watcher(a, f"{ESCALATION_PREFIX} hotspot of {HOTSPOT_REPORTERS}+ reporters") for a in added),
        ),
    )
    return b.finish(state)


def overdue_by_sector(cases: Iterable[CaseState], now: datetime) -> dict[str, int]:
    """Open cases past their stage's limit at `now`, by the handler's sector (every sector listed)."""
    counts = dict.fromkeys(SECTORS, 0)
    for case in cases:
        if stage_of(case) is not None and case.due_at is not None and now > case.due_at:
            sector = case.handler.split(".", 1)[0]
            counts[sector] = counts.get(sector, 0) + 1
    return counts
