"""`gbus trace`: a case's history from the log, its hash chain checked, and each node's copy. Pure.

Inputs are raw records (offset + bytes) so that an event that no longer
decodes is reported by its offset instead of stopping the trace: a trace is
most needed exactly when something is wrong with the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gbus.cases.legal_clock import stage_of
from gbus.codec import AvroCodec, CodecError
from gbus.domain import events as ev
from gbus.domain.events import CaseEvent, verify_chain
from gbus.node.copies import decode_copy, integrity_problems
from gbus.wire.avro_records import event_from_record, state_from_snapshot

EVENT_SCHEMA = "gbus.avro.CaseEvent"
SNAPSHOT_SCHEMA = "gbus.avro.CaseSnapshot"


@dataclass(frozen=True, slots=True)
class RawRecord:
    offset: int
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


# Who signed a record: "processor:p1 (verified)", "... (NOT VERIFIED: why)", "unsigned".
SignerCheck = Callable[[RawRecord], str]


def claimed_signer(raw: RawRecord) -> str:
    """Without a trust directory a trace can only repeat what the headers claim."""
    signer = dict(raw.headers).get("gbus-signer")
    return f"{signer.decode('utf-8', 'replace')} (not checked: no trust directory)" if signer else "unsigned"


@dataclass(frozen=True, slots=True)
class TracedEvent:
    offset: int
    event: CaseEvent
    signed_by: str = "unsigned"  # who signed the case-events record (the processor)

    @property
    def summary(self) -> str:
        return describe(self.event.body)

    @property
    def vouched_by(self) -> str:
        """Who vouched for the actor: the node that signed the record behind this event."""
        v = self.event.vouched_by
        return f"{v.signer} ({v.source})" if v else "nobody (origin not verified)"


@dataclass(frozen=True, slots=True)
class Break:
    """One reason the history cannot be trusted, located by offset and event."""

    offset: int
    seq: int | None
    event_id: str
    problem: str

    def text(self) -> str:
        where = (
            f"event {self.event_id} (seq {self.seq}, offset {self.offset})"
            if self.event_id
            else f"record at offset {self.offset}"
        )
        return f"{where}: {self.problem}"


@dataclass(frozen=True, slots=True)
class NodeCopyView:
    area: str
    offset: int
    version: int | None
    status: str
    involved: tuple[str, ...]
    problems: tuple[str, ...]
    matches_log: bool | None  # the copy's history equals the log's first events (None: undecodable)

    def freshness(self, log_version: int | None) -> str:
        if self.version is None:
            return "undecodable"
        if log_version is None or self.version == log_version:
            return "current"
        return (
            f"behind (v{self.version} of v{log_version})"
            if self.version < log_version
            else f"ahead of the log (v{self.version})"
        )


@dataclass
class Trace:
    case_id: str
    shard: str
    topic: str
    partition: int
    events: list[TracedEvent] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    state: dict[str, Any] | None = None  # latest snapshot from case-state, summarised
    copies: list[NodeCopyView] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.events or self.breaks or self.state or self.copies)

    @property
    def log_version(self) -> int | None:
        return self.events[-1].event.version if self.events else None

    @property
    def verified(self) -> bool:
        return not self.breaks and all(not c.problems and c.matches_log is not False for c in self.copies)


def build_trace(
    case_id: str,
    shard: str,
    topic: str,
    partition: int,
    codec: AvroCodec,
    events: list[RawRecord],
    snapshot: RawRecord | None = None,
    copies: dict[str, RawRecord] | None = None,
    signer_of: SignerCheck = claimed_signer,
) -> Trace:
    trace = Trace(case_id, shard, topic, partition)
    decoded: list[TracedEvent] = []
    for raw in sorted(events, key=lambda r: r.offset):
        try:
            event = event_from_record(codec.decode(raw.value, expected=EVENT_SCHEMA))  # type: ignore[arg-type]
            decoded.append(TracedEvent(raw.offset, event, signer_of(raw)))
        except (CodecError, ValueError, KeyError, TypeError) as exc:
            trace.breaks.append(
                Break(
                    raw.offset, None, "", f"cannot be decoded ({type(exc).__name__}: {exc}); the chain is broken here"
                )
            )
    trace.events = decoded
    by_seq_offset = {(t.event.seq, t.event.event_id): t.offset for t in decoded}
    for p in verify_chain([t.event for t in decoded]):
        trace.breaks.append(Break(by_seq_offset.get((p.seq, p.event_id), -1), p.seq, p.event_id, p.problem))
    for t in decoded:
        if t.event.case_id != case_id:
            trace.breaks.append(
                Break(t.offset, t.event.seq, t.event.event_id, f"belongs to case {t.event.case_id}, keyed as {case_id}")
            )
    trace.breaks.sort(key=lambda b: (b.offset, b.seq or 0))
    if snapshot is not None and snapshot.value is not None:
        trace.state = _snapshot_summary(codec, snapshot)
    # Compared byte for byte: a copy altered while keeping the hashes must not pass as the log's.
    log_payloads = [bytes(r.value) for r in sorted(events, key=lambda r: r.offset) if r.value is not None]
    for area, raw in sorted((copies or {}).items(), key=lambda kv: (kv[0] != "VN", kv[0])):
        trace.copies.append(_copy_view(codec, area, raw, log_payloads))
    return trace


def _snapshot_summary(codec: AvroCodec, raw: RawRecord) -> dict[str, Any]:
    try:
        state = state_from_snapshot(codec.decode(raw.value, expected=SNAPSHOT_SCHEMA))  # type: ignore[arg-type]
    except (CodecError, ValueError, KeyError, TypeError) as exc:
        return {"offset": raw.offset, "error": f"{type(exc).__name__}: {exc}"}
    return {
        "offset": raw.offset,
        "version": state.version,
        "status": str(getattr(state.status, "value", state.status)),
        "handler": state.handler,
        "watchers": list(state.watcher_ids),
        "reports": [r.report_id for r in state.reports],
        "last_seq": state.last_seq,
        "merged_into": state.merged_into,
        # The legal clock (docs/legal-clock.md): which stage, due when, declared how complex.
        "stage": stage_of(state),
        "due_at": _iso(state.due_at) if state.due_at else None,
        "complexity": state.clock.complexity if state.clock else None,
        "extensions": state.clock.extensions if state.clock else 0,
        "ratings": [r.rating for r in state.ratings],
    }


def _copy_view(codec: AvroCodec, area: str, raw: RawRecord, log_payloads: list[bytes]) -> NodeCopyView:
    if raw.value is None:
        return NodeCopyView(area, raw.offset, None, "deleted (tombstone)", (), (), None)
    try:
        copy = decode_copy(codec, raw.value)
    except (CodecError, ValueError, KeyError, TypeError) as exc:
        return NodeCopyView(area, raw.offset, None, "?", (), (f"cannot be decoded: {type(exc).__name__}: {exc}",), None)
    return NodeCopyView(
        area=area,
        offset=raw.offset,
        version=copy.version,
        status=str(getattr(copy.state.status, "value", copy.state.status)),
        involved=copy.involved,
        problems=tuple(integrity_problems(copy)),
        matches_log=list(copy.event_payloads) == log_payloads[: len(copy.event_payloads)],
    )


def describe(body: ev.EventBody) -> str:
    """One line per event type, for people reading a history."""
    match body:
        case ev.CaseOpened():
            dup = f", possible duplicate of {body.possible_duplicate_of}" if body.possible_duplicate_of else ""
            return f"opened from report {body.report_id}: {body.kind}/{body.category} {body.title!r}{dup}"
        case ev.ReportLinked():
            return f"report {body.report_id} linked ({body.channel} via {body.origin_agency}, score {body.score:.2f})"
        case ev.CaseRouted():
            watchers = ", ".join(w.agency_id for w in body.watchers) or "none"
            return f"routed to {body.handler} by rule {body.rule}; watchers: {watchers}"
        case ev.StatusChanged():
            reason = f": {body.reason}" if body.reason else ""
            return f"status {body.from_status} -> {body.to_status}{reason}"
        case ev.CaseTransferred():
            return f"transferred from {body.from_agency} to {body.to_agency}"
        case ev.NoteAdded():
            return f"note: {body.text[:80]}"
        case ev.CaseMerged():
            return f"merged {body.source_case_id} into {body.target_case_id} ({len(body.report_ids)} reports)"
        case ev.ReportUnmerged():
            return f"report {body.report_id} unmerged from {body.from_case_id} into {body.new_case_id}"
        case ev.CaseEscalated():
            return f"escalated ({body.code}): {body.reason}"
        case ev.IdentityErased():
            return f"reporter identity erased for {len(body.report_ids)} report(s)"
        case ev.TimeLimitExtended():
            due = body.due_at.date().isoformat() if body.due_at else "none"
            return f"{body.stage} time limit extended ({body.complexity}, extension {body.extensions}) to {due}: {body.reason}"
        case ev.ResolutionRated():
            added = f"; {', '.join(body.added_watchers)} now watches" if body.added_watchers else ""
            return f"citizen rated the resolution of {body.handler} {body.rating}/5 (report {body.report_id}){added}"
        case ev.Rerouted():
            ward = f", ward {body.from_ward} -> {body.to_ward}" if body.from_ward != body.to_ward else ""
            return f"re-routed {body.from_handler} -> {body.to_handler} by rule {body.rule}{ward} ({body.reason})"
    return type(body).__name__


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def trace_dict(trace: Trace) -> dict[str, Any]:
    return {
        "case_id": trace.case_id,
        "shard": trace.shard,
        "topic": trace.topic,
        "partition": trace.partition,
        "found": trace.found,
        "verified": trace.verified,
        "log_version": trace.log_version,
        "events": [
            {
                "offset": t.offset,
                "seq": t.event.seq,
                "version": t.event.version,
                "type": t.event.type,
                "at": _iso(t.event.at),
                "actor": t.event.actor,
                "event_id": t.event.event_id,
                "hash": t.event.hash,
                "summary": t.summary,
                "signed_by": t.signed_by,
                "vouched_by": t.vouched_by,
            }
            for t in trace.events
        ],  # fmt: skip
        "breaks": [
            {"offset": b.offset, "seq": b.seq, "event_id": b.event_id, "problem": b.problem} for b in trace.breaks
        ],
        "state": trace.state,
        "nodes": [
            {
                "area": c.area,
                "offset": c.offset,
                "version": c.version,
                "status": c.status,
                "involved": list(c.involved),
                "freshness": c.freshness(trace.log_version),
                "history_matches_log": c.matches_log,
                "problems": list(c.problems),
            }
            for c in trace.copies
        ],  # fmt: skip
    }


def render_trace(trace: Trace) -> list[str]:
    lines = [f"case {trace.case_id}  shard {trace.shard}  ({trace.topic} partition {trace.partition})"]
    if not trace.found:
        return [*lines, "  not found: no event, snapshot or node copy has this key"]
    lines.append("")
    lines.append(f"history: {len(trace.events)} event(s)")
    for t in trace.events:
        e = t.event
        lines.append(
            f"  #{e.seq:<3} v{e.version:<3} @{t.offset:<7} {_iso(e.at)}  {e.actor:<24} {e.type:<15} {t.summary}"
        )
        lines.append(f"       signed by {t.signed_by}; actor vouched for by {t.vouched_by}")
    lines.append("")
    if trace.breaks:
        lines.append(f"HASH CHAIN BROKEN: {len(trace.breaks)} problem(s)")
        lines.extend(f"  {b.text()}" for b in trace.breaks)
    else:
        lines.append(
            f"hash chain verified: {len(trace.events)} event(s), last hash {trace.events[-1].event.hash[:16]}…"
            if trace.events
            else "no events"
        )
    if trace.state:
        s = trace.state
        lines.append("")
        if "error" in s:
            lines.append(f"latest snapshot (offset {s['offset']}): cannot be decoded: {s['error']}")
        else:
            lines.append(
                f"latest snapshot: v{s['version']} {s['status']}, handler {s['handler']}, {len(s['reports'])} report(s)"
            )
            if s.get("stage"):
                lines.append(f"legal clock: {s['stage']} stage due {s['due_at'] or 'no statutory limit'}"
                             f" ({s['complexity']}, {s['extensions']} extension(s))")  # fmt: skip
    lines.append("")
    lines.append(f"node copies: {len(trace.copies)}")
    for c in trace.copies:
        involved = ", ".join(c.involved) if c.involved else "no longer involved"
        version = f"v{c.version}" if c.version is not None else "v?"
        lines.append(
            f"  node {c.area:<3} {version:<5} {c.status:<12} {c.freshness(trace.log_version):<22} @{c.offset}  ({involved})"
        )
        if c.matches_log is False:
            lines.append("      its history differs from the case-events log")
        lines.extend(f"      integrity: {p}" for p in c.problems)
    return lines
