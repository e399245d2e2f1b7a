"""Factories of real cases (opened by the case logic with the real router) and of
the CaseCopy / CommandResult / ReportResult records the processor writes, for node tests that
run before or without a processor."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from gbus.cases.history import ChangeBuilder
from gbus.cases.intake_decisions import open_case
from gbus.codec import AvroCodec
from gbus.domain import events as ev
from gbus.domain.case import CaseReport, CaseState, make_report_id
from gbus.domain.report import Report
from gbus.domain.status import CaseStatus
from gbus.wire.avro_records import event_record, snapshot_record

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
WARD = "25747"  # Phường Thủ Dầu Một, province 79
HANDLER = f"gov.ubnd@79.{WARD}"
ORIGIN = f"front.mttq@79.{WARD}"
WATCHER = "gov.so-nnmt@79"
UNRELATED = "gov.ubnd@01.00004"


def case_report(
    request_id: str, *, origin: str = ORIGIN, sealed: dict | None = None, at: datetime = T0, **over: Any
) -> CaseReport:
    fields: dict[str, Any] = dict(
        report_id=make_report_id("79", origin, request_id),
        kind="phan_anh",
        category="dat_dai",
        channel="mttq",
        origin_agency=origin,
        request_id=request_id,
        submitted_at=at,
        title="Lấn chiếm đất công ở khu phố 3",
        description="Một hộ dân xây tường rào lấn ra đường đi chung.",
        province_code="79",
        ward_code=WARD,
        reporter_sealed=sealed,
        reporter_key="k-" + request_id if sealed else None,
    )
    fields.update(over)
    held = {k: fields.pop(k) for k in ("anonymous", "reporter_sealed") if k in fields}
    return CaseReport(Report(**fields), **held)


def opened(router: Any, request_id: str = "r-1", **report_fields: Any) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    report = case_report(request_id, **report_fields)
    return open_case(router, report, now=report.submitted_at)


def with_status(
    state: CaseState, history: tuple[ev.CaseEvent, ...], to: CaseStatus, *, actor: str = HANDLER, minutes: int = 5
) -> tuple[CaseState, tuple[ev.CaseEvent, ...]]:
    """The case after its handler moved it to `to`; returns (state, full history)."""
    at = state.updated_at + timedelta(minutes=minutes)
    builder = ChangeBuilder(state, actor=actor, at=at, request_id=None)
    builder.emit(ev.StatusChanged(state.status.value, to.value, "test"))
    after, new = builder.finish(replace(state, status=to))
    return after, (*history, *new)


def copy_bytes(
    codec: AvroCodec,
    state: CaseState,
    history: tuple[ev.CaseEvent, ...] | list[ev.CaseEvent],
    *,
    area: str = "79",
    new_events: int | None = None,
    first_submitted_at: datetime | None = None,
) -> bytes:
    """A gbus.avro.CaseCopy exactly as the processor writes it to node.<area>."""
    return codec.encode(
        "gbus.avro.CaseCopy",
        {
            "case_id": state.case_id,
            "area": area,
            "version": state.version,
            "snapshot": codec.encode("gbus.avro.CaseSnapshot", snapshot_record(state)),
            "events": [codec.encode("gbus.avro.CaseEvent", event_record(e)) for e in history],
            "new_events": len(history) if new_events is None else new_events,
            "involved": [a for a in state.involved_agencies() if a.rpartition("@")[2].startswith(area)],
            "emitted_at": datetime.now(timezone.utc),
            "first_submitted_at": first_submitted_at or min(r.submitted_at for r in state.reports),
        },
    )


def result_bytes(codec: AvroCodec, *, command_id: str, request_id: str, case_id: str, reply_to: str,
                 code: str = "OK", message: str = "", case_version: int = 0, new_case_id: str | None = None) -> bytes:  # fmt: skip
    return codec.encode(
        "gbus.avro.CommandResult",
        {
            "command_id": command_id, "request_id": request_id, "case_id": case_id, "reply_to": reply_to,
            "code": code, "message": message, "case_version": case_version, "new_case_id": new_case_id,
            "at": datetime.now(timezone.utc),
        },
    )  # fmt: skip


def verdict_bytes(codec: AvroCodec, *, report_id: str, origin_agency: str, request_id: str, reply_to: str,
                  case_id: str, handler: str, verdict: str = "new", message: str = "") -> bytes:  # fmt: skip
    """A gbus.avro.ReportResult: the processor's verdict on one submission, as on report-results.<area>."""
    now = datetime.now(timezone.utc)
    return codec.encode(
        "gbus.avro.ReportResult",
        {
            "report_id": report_id, "origin_agency": origin_agency, "request_id": request_id, "reply_to": reply_to,
            "submission_accepted_at": now, "verdict": verdict, "case_id": case_id, "handler": handler,
            "message": message, "at": now,
        },
    )  # fmt: skip
