"""gRPC messages (gbus.v1) <-> domain values.

Proto3 has no "absent" for strings: an empty string means "not given" and
becomes None, so validation sees the same input from gRPC as from a JSONL
line. An unset Timestamp becomes None too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from gbus.cases.legal_clock import ClockStanding
from gbus.domain import events as ev
from gbus.domain.case import CaseReport, CaseState
from gbus.domain.status import CaseStatus
from gbus.errors import ValidationError
from gbus.security.identity_seal import ReporterIdentity
from gbus.v1 import case_pb2, report_pb2

# --- scalars -----------------------------------------------------------------


def timestamp(dt: datetime | None) -> Timestamp | None:
    if dt is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc))
    return ts


def datetime_of(message: Any, field: str) -> datetime | None:
    """The Timestamp field `field` of `message` as an aware UTC datetime, None when unset."""
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        # Proto3 lets seconds and nanos carry any int64/int32; a Timestamp is only
        # defined for years 1..9999 and nanos below one second.
        raise ValidationError.single(
            field, "is out of range: seconds must fall in years 0001..9999 and nanos in 0..999999999"
        ) from None


def _text(value: str) -> str | None:
    return value if value.strip() else None


def status_to_pb(status: CaseStatus | str) -> case_pb2.CaseStatus:
    return case_pb2.CaseStatus.Value(f"CASE_STATUS_{CaseStatus(status).value}")


def status_from_pb(value: int, field: str = "status") -> CaseStatus:
    """CaseStatus enum number -> CaseStatus; UNSPECIFIED or unknown numbers are invalid input."""
    try:
        name = case_pb2.CaseStatus.Name(value)
    except ValueError:
        raise ValidationError.single(field, f"unknown status number {value}") from None
    if value == case_pb2.CASE_STATUS_UNSPECIFIED:
        raise ValidationError.single(field, "is required")
    return CaseStatus(name.removeprefix("CASE_STATUS_"))


_ROLES: dict[int, str] = {
    case_pb2.CASE_ROLE_HANDLER: "handler",
    case_pb2.CASE_ROLE_WATCHER: "watcher",
    case_pb2.CASE_ROLE_ORIGIN: "origin",
}


def role_from_pb(value: int) -> str | None:
    """CaseRole -> "handler" | "watcher" | "origin"; None for UNSPECIFIED (any role)."""
    if value == case_pb2.CASE_ROLE_UNSPECIFIED:
        return None
    if value not in _ROLES:
        raise ValidationError.single("role", f"unknown role number {value}")
    return _ROLES[value]


# --- reports -----------------------------------------------------------------


def report_mapping(report: report_pb2.Report) -> dict[str, Any]:
    """The mapping `report_from_mapping` validates; the reporter is handled apart (it is sealed)."""
    return {
        "kind": _text(report.kind),
        "category": _text(report.category),
        "channel": _text(report.channel),
        "province_code": _text(report.province_code),
        "ward_code": _text(report.ward_code),
        "title": _text(report.title),
        "description": _text(report.description),
        "submitted_at": datetime_of(report, "submitted_at"),
        "origin_agency": _text(report.origin_agency),
        "request_id": _text(report.request_id),
        "subject_agency": _text(report.subject_agency),
        "attempt": report.attempt or None,
    }


def reporter_of(report: report_pb2.Report) -> tuple[ReporterIdentity | None, bool]:
    """(identity or None, anonymous flag) as given; whether that is acceptable is intake's call."""
    if not report.HasField("reporter"):
        return None, False
    r = report.reporter
    identity = ReporterIdentity(
        name=_text(r.name), phone=_text(r.phone), national_id=_text(r.national_id), address=_text(r.address),
        email=_text(r.email),
    )  # fmt: skip
    return (None if identity.is_empty() else identity), r.anonymous


def reporter_to_pb(identity: ReporterIdentity) -> report_pb2.Reporter:
    return report_pb2.Reporter(
        name=identity.name or "",
        phone=identity.phone or "",
        national_id=identity.national_id or "",
        address=identity.address or "",
        email=identity.email or "",
    )


# --- cases -------------------------------------------------------------------


def case_report_to_pb(r: CaseReport, identity: ReporterIdentity | None) -> case_pb2.CaseReport:
    out = case_pb2.CaseReport(
        report_id=r.report_id,
        kind=r.kind,
        category=r.category,
        channel=r.channel,
        origin_agency=r.origin_agency,
        request_id=r.request_id,
        submitted_at=timestamp(r.submitted_at),
        title=r.title,
        description=r.description,
        subject_agency=r.subject_agency or "",
        attempt=r.attempt,
    )
    if identity is not None:
        out.reporter.CopyFrom(reporter_to_pb(identity))
    elif r.anonymous:
        out.reporter.anonymous = True
    return out


def case_to_pb(
    state: CaseState,
    *,
    reporters: Mapping[str, ReporterIdentity] | None = None,
    integrity_alert: bool = False,
    clock: ClockStanding | None = None,
    suggestions: Sequence[ev.DuplicateSuggestion] = (),
) -> case_pb2.Case:
    """`reporters` maps report id -> identity for the reports this caller may see the reporter of;
    `clock` is the legal clock as of the read (working days left depend on the day);
    `suggestions` are the case's duplicate suggestions the caller may see (the reader filters them)."""
    shown = reporters or {}
    out = case_pb2.Case(
        case_id=state.case_id,
        status=status_to_pb(state.status),
        version=state.version,
        kind=state.kind,
        category=state.category,
        province_code=state.province_code or "",
        ward_code=state.ward_code or "",
        title=state.title,
        handler=state.handler,
        watchers=[case_pb2.CaseWatcher(agency_id=w.agency_id, reason=w.reason) for w in state.watchers],
        reports=[case_report_to_pb(r, shown.get(r.report_id)) for r in state.reports],
        merged_into=state.merged_into or "",
        possible_duplicate_of=list(state.possible_duplicate_of),
        route_rule=state.route_rule,
        opened_at=timestamp(state.opened_at),
        updated_at=timestamp(state.updated_at),
        due_at=timestamp(state.due_at),
        integrity_alert=integrity_alert,
        ratings=[
            case_pb2.ResolutionRating(
                report_id=r.report_id,
                origin_agency=r.origin_agency,
                rating=r.rating,
                comment=r.comment,
                rated_at=timestamp(r.rated_at),
                handler=r.handler,
            )
            for r in state.ratings
        ],  # fmt: skip
        duplicate_suggestions=[case_pb2.DuplicateSuggestion(case_id=d.case_id, score=d.score) for d in suggestions],
    )
    if clock is not None:
        out.clock.CopyFrom(_clock_to_pb(state, clock))
    return out


def _clock_to_pb(state: CaseState, standing: ClockStanding) -> case_pb2.CaseClock:
    out = case_pb2.CaseClock(stage=standing.stage or "", overdue=standing.overdue, article=standing.article or "")
    if standing.working_days_left is not None:
        out.working_days_left = standing.working_days_left
    if state.clock is not None and standing.stage:
        out.stage_started_at.CopyFrom(timestamp(state.clock.started_at))
        out.complexity, out.extensions, out.remote = state.clock.complexity, state.clock.extensions, state.clock.remote
    return out


# --- events ------------------------------------------------------------------


def _detail(body: ev.EventBody) -> tuple[str, Any] | None:
    if isinstance(body, ev.CaseOpened):
        return "opened", case_pb2.CaseOpened(report_id=body.report_id, kind=body.kind, category=body.category)
    if isinstance(body, ev.ReportLinked):
        return "report_linked", case_pb2.ReportLinked(
            report_id=body.report_id, score=body.score, matched_report_id=body.matched_report_id or ""
        )
    if isinstance(body, ev.CaseRouted):
        watchers = [case_pb2.CaseWatcher(agency_id=w.agency_id, reason=w.reason) for w in body.watchers]
        return "routed", case_pb2.CaseRouted(handler=body.handler, watchers=watchers, rule=body.rule)
    if isinstance(body, ev.StatusChanged):
        return "status_changed", case_pb2.StatusChanged(
            from_status=status_to_pb(body.from_status), to_status=status_to_pb(body.to_status), reason=body.reason
        )
    if isinstance(body, ev.CaseTransferred):
        return "transferred", case_pb2.CaseTransferred(
            from_agency=body.from_agency, to_agency=body.to_agency, reason=body.reason
        )
    if isinstance(body, ev.NoteAdded):
        return "note_added", case_pb2.NoteAdded(text=body.text)
    if isinstance(body, ev.CaseMerged):
        return "merged", case_pb2.CaseMerged(
            source_case_id=body.source_case_id, target_case_id=body.target_case_id, report_ids=list(body.report_ids)
        )
    if isinstance(body, ev.ReportUnmerged):
        return "unmerged", case_pb2.ReportUnmerged(report_id=body.report_id, new_case_id=body.new_case_id)
    if isinstance(body, ev.CaseEscalated):
        return "escalated", case_pb2.CaseEscalated(
            reason=f"{body.code}: {body.reason}", added_watchers=list(body.added_watchers)
        )
    if isinstance(body, ev.TimeLimitExtended):
        return "time_limit_extended", case_pb2.TimeLimitExtended(
            stage=body.stage, complexity=body.complexity, extensions=body.extensions, due_at=timestamp(body.due_at),
            reason=body.reason,
        )  # fmt: skip
    if isinstance(body, ev.ResolutionRated):
        return "resolution_rated", case_pb2.ResolutionRated(
            report_id=body.report_id, rating=body.rating, comment=body.comment, handler=body.handler,
            added_watchers=list(body.added_watchers),
        )  # fmt: skip
    if isinstance(body, ev.Rerouted):
        return "rerouted", case_pb2.Rerouted(
            change_ids=list(body.change_ids), reason=body.reason, from_handler=body.from_handler,
            to_handler=body.to_handler,
            watchers=[case_pb2.CaseWatcher(agency_id=w.agency_id, reason=w.reason) for w in body.watchers],
            removed_watchers=list(body.removed_watchers), from_ward=body.from_ward or "", to_ward=body.to_ward or "",
            rule=body.rule,
        )  # fmt: skip
    return None  # IdentityErased has no detail in gbus.v1: the envelope (who, when) is the record


def event_to_pb(event: ev.CaseEvent) -> case_pb2.CaseEvent:
    out = case_pb2.CaseEvent(
        event_id=event.event_id,
        case_id=event.case_id,
        seq=event.seq,
        version=event.version,
        at=timestamp(event.at),
        actor=event.actor,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )
    detail = _detail(event.body)
    if detail is not None:
        getattr(out, detail[0]).CopyFrom(detail[1])
    return out
