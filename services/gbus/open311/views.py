"""Cases as GeoReport sees them: a service request per report, an update per status change. Pure.

A service request is one report (service_request_id = report id). Its status
is its case's: open while the case is ASSIGNED, TRANSFERRED, ACCEPTED,
IN_PROGRESS or REOPENED; closed when RESOLVED, CLOSED or REJECTED; a report
whose case was MERGED follows the case it was merged into. No reporter
identity is ever part of a view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from gbus.open311.catalog import service
from gbus.open311.gateway_store import Filed
from gbus.v1 import case_pb2

S = case_pb2
CLOSED_STATUSES = frozenset({S.CASE_STATUS_RESOLVED, S.CASE_STATUS_CLOSED, S.CASE_STATUS_REJECTED})
# Civic apps show local time; Vietnam has one time zone and no daylight saving.
VIETNAM = timezone(timedelta(hours=7))


@dataclass(frozen=True, slots=True)
class Holding:
    """The case a report is in, with its history, and the case it was merged into (if it was)."""

    case: Any  # case_pb2.Case
    history: tuple[Any, ...]  # case_pb2.CaseEvent
    target: Any = None  # case_pb2.Case the case was merged into
    target_history: tuple[Any, ...] = ()

    @property
    def deciding(self) -> tuple[Any, tuple[Any, ...]]:
        """The case whose status, handler and notes the report shows."""
        return (self.target, self.target_history) if self.target is not None else (self.case, self.history)


def open_or_closed(status: int) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def w3c(ts: Any) -> str | None:
    """A protobuf Timestamp as GeoReport's W3C datetime, in Vietnam time; None when unset."""
    if ts is None or (ts.seconds == 0 and ts.nanos == 0):
        return None
    return ts.ToDatetime(tzinfo=timezone.utc).astimezone(VIETNAM).isoformat(timespec="seconds")


def service_request(
    report: Any,
    holding: Holding,
    filed: Filed | None,
    agency_name: Callable[[str], str],
    ward_name: Callable[[str], str],
) -> dict[str, Any]:
    case, history = holding.deciding
    svc = service(report.category)
    return {
        "service_request_id": report.report_id,
        "status": open_or_closed(case.status),
        "status_notes": last_reason(history),
        "service_name": svc.service_name if svc else report.category,
        "service_code": report.category,
        "description": report.description,
        "agency_responsible": agency_name(case.handler),
        "service_notice": f"Mã hồ sơ {case.case_id}",
        "requested_datetime": w3c(report.submitted_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_at) if open_or_closed(case.status) == "open" else None,
        "address": (filed.address_string if filed and filed.address_string else ward_name(holding.case.ward_code)),
        "address_id": holding.case.ward_code or None,
        "zipcode": None,
        "lat": filed.lat if filed else None,
        "long": filed.long if filed else None,
        "media_url": filed.media_url if filed and filed.media_url else None,
    }


def last_reason(history: Iterable[Any]) -> str:
    """The handler's last word: the reason of the latest status change that gave one."""
    reasons = [
        e.status_changed.reason
        for e in history
        if e.WhichOneof("detail") == "status_changed" and e.status_changed.reason
    ]
    return reasons[-1] if reasons else ""


def updates(holding: Holding) -> list[dict[str, Any]]:
    """mySociety's servicerequestupdates: each status change of the case, once per report it held then.

    Reports join (opened, linked, merged in) and leave (unmerged) a case over
    time; a change is an update of the reports in the case at that moment. The
    change to MERGED is an update carrying the status of the case merged into.
    """
    out: list[dict[str, Any]] = []
    members: list[str] = []
    merged_status = open_or_closed(holding.target.status) if holding.target is not None else "open"
    for event in holding.history:
        kind = event.WhichOneof("detail")
        if kind == "opened":
            members.append(event.opened.report_id)
        elif kind == "report_linked":
            members.append(event.report_linked.report_id)
        elif kind == "merged" and event.merged.target_case_id == holding.case.case_id:
            members.extend(r for r in event.merged.report_ids if r not in members)
        elif kind == "unmerged" and event.unmerged.report_id in members:
            members.remove(event.unmerged.report_id)
        elif kind == "status_changed":
            change = event.status_changed
            merged = change.to_status == S.CASE_STATUS_MERGED
            status = merged_status if merged else open_or_closed(change.to_status)
            note = f"merged into {holding.case.merged_into}: {change.reason}" if merged else change.reason
            for report_id in members:
                out.append({
                    "update_id": f"{event.case_id}.{event.seq}.{report_id}",
                    "service_request_id": report_id,
                    "status": status,
                    "updated_datetime": w3c(event.at),
                    "description": note,
                    "media_url": None,
                })  # fmt: skip
    return out


def within(when: str | None, start: datetime | None, end: datetime | None) -> bool:
    if when is None:
        return False
    at = datetime.fromisoformat(when)
    return (start is None or at >= start) and (end is None or at <= end)
