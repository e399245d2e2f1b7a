"""Routing a whole case: the deciding report picks the handler, every report adds watchers.

A case takes the most formal kind among its reports and is re-routed when that
changes. A denunciation must never end up handled — or watched — by the
accused's own agency, even if that agency handled the feedback case the
denunciation joined: subject agencies of `to_cao` reports are kept out.
"""

from __future__ import annotations

from dataclasses import dataclass

from gbus.cases.ports import RouterPort
from gbus.domain.case import CaseReport, Watcher, accused_agencies


@dataclass(frozen=True, slots=True)
class CaseRoute:
    handler: str
    watchers: tuple[Watcher, ...]
    rule: str
    kind: str


def route_case(
    router: RouterPort,
    reports: tuple[CaseReport, ...],
    deciding: CaseReport | None = None,
    *,
    handler_override: str | None = None,
    extra_watchers: tuple[Watcher, ...] = (),
) -> CaseRoute:
    """Handler from the deciding report (unless a transfer overrides it); watchers from all.

    The router's `route_case` picks the deciding report, keeps every report's
    origin and channel watchers, and keeps every accused agency away.
    """
    decision = router.route_case([r.report for r in reports])
    handler = handler_override or decision.handler
    directory = getattr(router, "directory", None)
    canonical = directory.canonical_id if directory is not None else None
    accused = accused_agencies(reports, canonical) | frozenset(getattr(decision, "excluded", {}) or {})
    reasons = getattr(decision, "reasons", {}) or {}
    watchers: dict[str, str] = {}

    def add(agency_id: str, reason: str) -> None:
        if agency_id != handler and agency_id not in accused and agency_id not in watchers:
            watchers[agency_id] = reason

    if handler_override and handler_override != decision.handler:
        # The routed handler still watches a case a person transferred away from it.
        add(decision.handler, "routing: the rules' handler, before a transfer")
    for agency_id in decision.watchers:
        add(agency_id, reasons.get(agency_id, ""))
    for w in extra_watchers:
        add(w.agency_id, w.reason)
    kind = next((r.kind for r in reports if r.report_id == decision.report_id), (deciding or reports[0]).kind)
    return CaseRoute(
        handler=handler, watchers=tuple(Watcher(a, why) for a, why in watchers.items()), rule=decision.rule, kind=kind
    )
