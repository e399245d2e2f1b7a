"""Domain objects <-> the dicts the Avro codec writes and reads.

Union branches of several records (event and command bodies) use fastavro's
(full_name, record) tuple form, the same form the codec returns on read.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from gbus.cases import commands as cmd
from gbus.domain import events as ev
from gbus.domain.case import CaseReport, CaseState, KeyWrap, ResolutionRating, StageClock, Watcher
from gbus.domain.report import Report
from gbus.domain.status import CaseStatus

NS = "gbus.avro."

# --- reports -----------------------------------------------------------------


def report_record(
    report: Report,
    *,
    shard: str,
    accepted_at: datetime,
    accepted_by: str,
    anonymous: bool = False,
    reporter_sealed: dict[str, Any] | None = None,
    trace_id: str | None = None,
) -> dict[str, Any]:
    return {
        "report_id": report.report_id,
        "shard": shard,
        "kind": report.kind,
        "category": report.category,
        "channel": report.channel,
        "province_code": report.province_code,
        "ward_code": report.ward_code,
        "title": report.title,
        "description": report.description,
        "submitted_at": report.submitted_at,
        "accepted_at": accepted_at,
        "accepted_by": accepted_by,
        "origin_agency": report.origin_agency,
        "request_id": report.request_id,
        "subject_agency": report.subject_agency,
        "attempt": report.attempt,
        "reporter_key": report.reporter_key,
        "anonymous": anonymous,
        "reporter_sealed": reporter_sealed,
        "trace_id": trace_id,
    }


def case_report_from_record(rec: dict[str, Any]) -> CaseReport:
    """Works for a Report record and for a CaseSnapshot's CaseReport entries."""
    report = Report(
        report_id=rec["report_id"],
        kind=rec["kind"],
        category=rec["category"],
        channel=rec["channel"],
        origin_agency=rec["origin_agency"],
        request_id=rec["request_id"],
        submitted_at=rec["submitted_at"],
        title=rec["title"],
        description=rec["description"],
        subject_agency=rec.get("subject_agency"),
        attempt=rec.get("attempt", 1),
        province_code=rec.get("province_code"),
        ward_code=rec.get("ward_code"),
        reporter_key=rec.get("reporter_key"),
    )
    return CaseReport(
        report,
        anonymous=rec.get("anonymous", False),
        reporter_sealed=rec.get("reporter_sealed"),
        fingerprint=rec.get("fingerprint") or "",  # CaseSnapshot v6 only
    )


def case_report_record(r: CaseReport) -> dict[str, Any]:
    return {
        "report_id": r.report_id,
        "kind": r.kind,
        "category": r.category,
        "channel": r.channel,
        "origin_agency": r.origin_agency,
        "request_id": r.request_id,
        "subject_agency": r.subject_agency,
        "attempt": r.attempt,
        "province_code": r.province_code,
        "ward_code": r.ward_code,
        "submitted_at": r.submitted_at,
        "title": r.title,
        "description": r.description,
        "reporter_key": r.reporter_key,
        "anonymous": r.anonymous,
        "reporter_sealed": r.reporter_sealed,
    }


# --- snapshots ---------------------------------------------------------------


def snapshot_record(s: CaseState) -> dict[str, Any]:
    return {
        "case_id": s.case_id,
        "shard": s.shard,
        "version": s.version,
        "last_seq": s.last_seq,
        "last_hash": s.last_hash,
        "status": s.status.value,
        "kind": s.kind,
        "category": s.category,
        "province_code": s.province_code,
        "ward_code": s.ward_code,
        "title": s.title,
        "handler": s.handler,
        "watchers": [{"agency_id": w.agency_id, "reason": w.reason} for w in s.watchers],
        "route_rule": s.route_rule,
        # v6: each report's index fingerprint, in the snapshot only (events are hashed without it).
        "reports": [{**case_report_record(r), "fingerprint": r.fingerprint or None} for r in s.reports],
        "merged_into": s.merged_into,
        "merged_from": list(s.merged_from),
        "possible_duplicate_of": list(s.possible_duplicate_of),
        "opened_at": s.opened_at,
        "updated_at": s.updated_at,
        "due_at": s.due_at,
        "closed_at": s.closed_at,
        "escalations": list(s.escalations),
        "processed_requests": list(s.processed_requests),
        "key_wraps": [
            {"agency_id": w.agency_id, "key_id": w.key_id, "report_id": w.report_id, "wrapped_key": w.wrapped_key}
            for w in s.key_wraps
        ],
        "clock": _clock_record(s.clock),
        "duplicate_suggestions": [{"case_id": d.case_id, "score": d.score} for d in s.duplicate_suggestions],
        "ratings": [
            {
                "report_id": r.report_id,
                "origin_agency": r.origin_agency,
                "rating": r.rating,
                "comment": r.comment,
                "rated_at": r.rated_at,
                "handler": r.handler,
            }
            for r in s.ratings
        ],  # fmt: skip
    }


def _clock_record(c: StageClock | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"stage": c.stage, "started_at": c.started_at, "number": c.number, "complexity": c.complexity,
            "extensions": c.extensions, "remote": c.remote}  # fmt: skip


def _clock_from_record(rec: dict[str, Any] | None) -> StageClock | None:
    if rec is None:
        return None
    return StageClock(rec["stage"], rec["started_at"], int(rec["number"]), rec.get("complexity", "normal"),
                      int(rec.get("extensions", 0)), bool(rec.get("remote", False)))  # fmt: skip


def state_from_snapshot(rec: dict[str, Any]) -> CaseState:
    return CaseState(
        case_id=rec["case_id"],
        shard=rec["shard"],
        version=rec["version"],
        last_seq=rec["last_seq"],
        last_hash=rec["last_hash"],
        status=CaseStatus(rec["status"]),
        kind=rec["kind"],
        category=rec["category"],
        province_code=rec.get("province_code"),
        ward_code=rec.get("ward_code"),
        title=rec["title"],
        handler=rec["handler"],
        watchers=tuple(Watcher(w["agency_id"], w["reason"]) for w in rec["watchers"]),
        route_rule=rec["route_rule"],
        reports=tuple(case_report_from_record(r) for r in rec["reports"]),
        opened_at=rec["opened_at"],
        updated_at=rec["updated_at"],
        merged_into=rec.get("merged_into"),
        merged_from=tuple(rec.get("merged_from", ())),
        possible_duplicate_of=tuple(rec.get("possible_duplicate_of", ())),
        due_at=rec.get("due_at"),
        closed_at=rec.get("closed_at"),
        escalations=tuple(rec.get("escalations", ())),
        processed_requests=tuple(rec.get("processed_requests", ())),
        key_wraps=tuple(
            KeyWrap(w["agency_id"], w["key_id"], bytes(w["wrapped_key"]), w.get("report_id"))
            for w in rec.get("key_wraps", ())
        ),
        clock=_clock_from_record(rec.get("clock")),
        ratings=tuple(
            ResolutionRating(
                r["report_id"], r["origin_agency"], int(r["rating"]), r.get("comment", ""), r["rated_at"], r["handler"]
            )  # fmt: skip
            for r in rec.get("ratings", ())
        ),
        # Absent before CaseSnapshot v5.
        duplicate_suggestions=tuple(
            ev.DuplicateSuggestion(d["case_id"], float(d["score"])) for d in rec.get("duplicate_suggestions") or ()
        ),
    )


# --- events ------------------------------------------------------------------


def _body_record(body: ev.EventBody) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(body):
        value = getattr(body, f.name)
        if isinstance(value, tuple):
            value = [_item_record(v) for v in value]
        out[f.name] = value
    return out


def _item_record(v: Any) -> Any:
    if isinstance(v, ev.RoutedWatcher):
        return {"agency_id": v.agency_id, "reason": v.reason}
    if isinstance(v, ev.DuplicateSuggestion):
        return {"case_id": v.case_id, "score": v.score}
    return v


def _item_from_record(v: Any) -> Any:
    if isinstance(v, dict):
        if "case_id" in v:
            return ev.DuplicateSuggestion(v["case_id"], float(v["score"]))
        return ev.RoutedWatcher(v["agency_id"], v["reason"])
    return v


def _body_from_record(name: str, rec: dict[str, Any]) -> ev.EventBody:
    short = name.rsplit(".", 1)[-1]
    cls = ev.BODY_TYPES.get(short)
    if cls is None:
        raise ValueError(f"unknown event type {name}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in rec:
            continue
        value = rec[f.name]
        if isinstance(value, list):
            value = tuple(_item_from_record(v) for v in value)
        kwargs[f.name] = value
    return cls(**kwargs)


def event_record(e: ev.CaseEvent) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "case_id": e.case_id,
        "shard": e.shard,
        "seq": e.seq,
        "version": e.version,
        "at": e.at,
        "actor": e.actor,
        "request_id": e.request_id,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "vouched_by": _voucher_record(e.vouched_by),
        **_event_body_fields(e.body),
    }


# Event types added after CaseEvent v2 travel in `body_v3`, under a NoteAdded
# summary that v1/v2 readers can show (a union cannot grow compatibly).
_V3_EVENTS = (ev.TimeLimitExtended, ev.ResolutionRated)
# Event types added after CaseEvent v4 travel in `body_v5`, the same way.
_V5_EVENTS = (ev.Rerouted,)


def _event_body_fields(body: ev.EventBody) -> dict[str, Any]:
    typed = (NS + type(body).__name__, _body_record(body))
    note = (NS + "NoteAdded", {"text": _summary(body)})
    if isinstance(body, _V5_EVENTS):
        return {"body": note, "body_v3": None, "body_v5": {"body": typed}}
    if isinstance(body, _V3_EVENTS):
        return {"body": note, "body_v3": {"body": typed}, "body_v5": None}
    return {"body": typed, "body_v3": None, "body_v5": None}


def _summary(body: ev.EventBody) -> str:
    if isinstance(body, ev.TimeLimitExtended):
        due = body.due_at.date().isoformat() if body.due_at else "none"
        return f"[{type(body).__name__}] {body.complexity}, extension {body.extensions}, due {due}: {body.reason}"
    if isinstance(body, ev.ResolutionRated):
        return f"[{type(body).__name__}] {body.rating}/5 for report {body.report_id}: {body.comment}"
    if isinstance(body, ev.Rerouted):
        return f"[{type(body).__name__}] {body.from_handler} -> {body.to_handler}: {body.reason}"
    return f"[{type(body).__name__}]"


def _voucher_record(v: ev.Voucher | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {"signer": v.signer, "key_id": v.key_id, "signed_at": v.signed_at, "source": v.source}


def event_from_record(rec: dict[str, Any]) -> ev.CaseEvent:
    typed = (rec.get("body_v5") or rec.get("body_v3") or rec)["body"]
    # body_v5's union has one record type so far, which the codec decodes bare (no name).
    name, body = typed if isinstance(typed, tuple) else (NS + "Rerouted", typed)
    return ev.CaseEvent(
        event_id=rec["event_id"],
        case_id=rec["case_id"],
        shard=rec["shard"],
        seq=rec["seq"],
        version=rec["version"],
        at=rec["at"],
        actor=rec["actor"],
        request_id=rec.get("request_id"),
        prev_hash=rec["prev_hash"],
        hash=rec["hash"],
        body=_body_from_record(name, body),
        # v1 records have no voucher; schema resolution gives None.
        vouched_by=ev.Voucher(**voucher) if (voucher := rec.get("vouched_by")) else None,
    )


# --- commands ----------------------------------------------------------------

_COMMAND_BODIES: dict[str, type] = {
    "UpdateStatus": cmd.UpdateStatus,
    "TransferCase": cmd.TransferCase,
    "AddNote": cmd.AddNote,
    "ReopenCase": cmd.ReopenCase,
    "MergeCases": cmd.MergeCases,
    "UnmergeReport": cmd.UnmergeReport,
    "EraseIdentity": cmd.EraseIdentity,
    "ExtendTimeLimit": cmd.ExtendTimeLimit,
    "RateResolution": cmd.RateResolution,
}
# Commands added after Command v1 travel in `body_v2`; `body` then carries an
# UpdateStatus naming the command, which a v1 processor refuses as unknown.
_V2_COMMANDS = (cmd.ExtendTimeLimit, cmd.RateResolution)


def command_record(c: cmd.CaseCommand, *, shard: str, reply_to: str) -> dict[str, Any]:
    body = c.body
    return {
        "command_id": c.command_id,
        "request_id": c.request_id,
        "case_id": c.case_id,
        "shard": shard,
        "actor": c.actor,
        "issued_at": c.issued_at,
        "reply_to": reply_to,
        "expected_version": c.expected_version,
        **_command_body_fields(body),
    }


def _command_body_fields(body: object) -> dict[str, Any]:
    name = type(body).__name__
    typed = (NS + name, {f.name: getattr(body, f.name) for f in fields(body)})  # type: ignore[arg-type]
    if isinstance(body, _V2_COMMANDS):
        carrier = {"status": name, "reason": f"{name} needs a processor that reads Command v2"}
        return {"body": (NS + "UpdateStatus", carrier), "body_v2": {"body": typed}}
    return {"body": typed, "body_v2": None}


def command_from_record(rec: dict[str, Any]) -> cmd.CaseCommand:
    name, body = (rec.get("body_v2") or rec)["body"]
    short = name.rsplit(".", 1)[-1]
    cls = _COMMAND_BODIES.get(short)
    if cls is None:
        raise ValueError(f"unsupported command {name}")
    return cmd.CaseCommand(
        command_id=rec["command_id"],
        request_id=rec["request_id"],
        case_id=rec["case_id"],
        actor=rec["actor"],
        issued_at=rec["issued_at"],
        expected_version=rec.get("expected_version", 0),
        body=cls(**{f.name: body[f.name] for f in fields(cls) if f.name in body}),
    )
