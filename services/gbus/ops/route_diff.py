"""What an administrative changes file would move, before it is applied (`gbus route diff`). Pure.

- `moved_cases`: the open cases the changes would re-route, with their handler,
  watchers and ward before and after — the same decision the processor makes at
  the tick that puts the changes in force (gbus.cases.rerouting).
- `routing_diff`: without cases, how routing itself changes: for each place a
  change touches (a merged ward, the area of a renamed or dissolved body) and each
  kind and category, the decision for a report from there before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from gbus.cases.rerouting import affected_cases, reroute
from gbus.directory.changes import WARD_MERGED, Change, removed_ids
from gbus.domain.case import CaseState
from gbus.domain.kinds import policy
from gbus.domain.report import Report
from gbus.domain.vocabulary import CATEGORIES, CENTRAL_AREA, KINDS
from gbus.errors import ValidationError
from gbus.routing.engine import RouteDecision, Router

_CHANNEL = "tiep_cong_dan"  # a channel no always-watcher keys on, so only the rules show


def moved_cases(
    cases: Iterable[CaseState], changes: Sequence[Change], before: Router, after: Router, at: datetime
) -> Iterator[dict[str, Any]]:
    """One dict per open case the changes would move, in case id order."""
    removed = {c.id: removed_ids(c, before.directory) for c in changes}
    for affected in sorted(affected_cases(cases, changes, removed), key=lambda a: a.case.case_id):
        case = affected.case
        moved, _ = reroute(affected, after, after.directory, at)
        was, now = set(case.watcher_ids), set(moved.watcher_ids)
        yield {
            "case_id": case.case_id,
            "status": case.status.value,
            "changes": [c.id for c in affected.changes],
            "handler": [case.handler, moved.handler],
            "ward": [case.ward_code, moved.ward_code],
            "watchers_added": sorted(now - was),
            "watchers_removed": sorted(was - now),
            "rule": moved.route_rule,
        }


def routing_diff(changes: Sequence[Change], before: Router, after: Router) -> Iterator[dict[str, Any]]:
    """One dict per (place, kind, category) whose decision the changes alter."""
    for area, change_ids in _places(changes, before):
        for kind in KINDS:
            if policy(kind).accuses_subject:
                continue  # a denunciation names a subject: its routing is the subject's, shown by the cases
            for category in CATEGORIES:
                report = _report(area, kind, category)
                old, new = _decide(before, report), _decide(after, report)
                if old != new:
                    yield {"area": area, "kind": kind, "category": category, "changes": change_ids,
                           "before": old, "after": new}  # fmt: skip


def _places(changes: Sequence[Change], before: Router) -> list[tuple[str, list[str]]]:
    """The places whose reports a change may route differently, each with the changes touching it."""
    places: dict[str, list[str]] = {}
    for change in changes:
        if change.type == WARD_MERGED and change.from_area:
            places.setdefault(change.from_area, []).append(change.id)
        elif change.old_id:
            agency = before.directory.get(change.old_id)
            if agency is not None:
                places.setdefault(agency.area, []).append(change.id)
    return sorted(places.items())


def _report(area: str, kind: str, category: str) -> Report:
    province, _, ward = area.partition(".")
    local = area if area != CENTRAL_AREA else None
    return Report(
        report_id=f"diff-{area}-{kind}-{category}", kind=kind, category=category, channel=_CHANNEL,
        province_code=province if local else None, ward_code=ward or None, title="", description="",
        submitted_at=datetime(2000, 1, 1, tzinfo=timezone.utc), origin_agency=f"front.mttq@{area}", request_id="diff",
    )  # fmt: skip


def _decide(router: Router, report: Report) -> dict[str, Any]:
    try:
        decision: RouteDecision = router.route(report)
    except ValidationError as exc:
        return {"rejected": "; ".join(f"{v.field}: {v.description}" for v in exc.violations)}
    return {"handler": decision.handler, "watchers": list(decision.watchers), "rule": decision.rule}
