"""Case events (past tense) and their hash-chained envelope. Pure.

Each case's events carry a sequence number and the SHA-256 of the previous
event, so the whole history can be verified end to end and a forged or
removed event is detected (a message log that can serve as evidence).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import datetime
from typing import Any, Union

# --- bodies ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseOpened:
    report_id: str
    kind: str
    category: str
    province_code: str | None
    ward_code: str | None
    title: str
    possible_duplicate_of: str | None = None
    score: float = 0.0
    unmerged_from: str | None = None


@dataclass(frozen=True, slots=True)
class ReportLinked:
    report_id: str
    kind: str
    channel: str
    origin_agency: str
    score: float
    matched_report_id: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RoutedWatcher:
    agency_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CaseRouted:
    handler: str
    watchers: tuple[RoutedWatcher, ...]
    rule: str
    kind: str


@dataclass(frozen=True, slots=True)
class StatusChanged:
    from_status: str
    to_status: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CaseTransferred:
    from_agency: str
    to_agency: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class NoteAdded:
    text: str


@dataclass(frozen=True, slots=True)
class CaseMerged:
    source_case_id: str
    target_case_id: str
    report_ids: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReportUnmerged:
    report_id: str
    from_case_id: str
    new_case_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CaseEscalated:
    code: str  # sla_breach | hotspot
    reason: str
    added_watchers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IdentityErased:
    report_ids: tuple[str, ...]
    reason: str = ""


EventBody = Union[
    CaseOpened,
    ReportLinked,
    CaseRouted,
    StatusChanged,
    CaseTransferred,
    NoteAdded,
    CaseMerged,
    ReportUnmerged,
    CaseEscalated,
    IdentityErased,
]

BODY_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        CaseOpened,
        ReportLinked,
        CaseRouted,
        StatusChanged,
        CaseTransferred,
        NoteAdded,
        CaseMerged,
        ReportUnmerged,
        CaseEscalated,
        IdentityErased,
    )
}


# --- envelope and hash chain ----------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseEvent:
    event_id: str
    case_id: str
    shard: str
    seq: int
    version: int
    at: datetime
    actor: str
    request_id: str | None
    prev_hash: str
    hash: str
    body: EventBody

    @property
    def type(self) -> str:
        return type(self.body).__name__


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)  # millisecond precision: what Avro keeps
    if isinstance(value, float):
        return repr(round(value, 9))  # floats hashed as stable text
    return value


def event_digest(
    *,
    prev_hash: str,
    event_id: str,
    case_id: str,
    seq: int,
    version: int,
    at: datetime,
    actor: str,
    request_id: str | None,
    body: EventBody,
) -> str:
    """SHA-256 over the previous hash and this event's canonical JSON."""
    canonical = json.dumps(
        {
            "prev_hash": prev_hash,
            "event_id": event_id,
            "case_id": case_id,
            "seq": seq,
            "version": version,
            "at": _plain(at),
            "actor": actor,
            "request_id": request_id,
            "type": type(body).__name__,
            "body": _plain(body),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(
    *,
    case_id: str,
    shard: str,
    seq: int,
    version: int,
    at: datetime,
    actor: str,
    request_id: str | None,
    prev_hash: str,
    body: EventBody,
) -> CaseEvent:
    """Build an event with its id and hash. The id is derived, so replays agree."""
    event_id = f"{case_id}#{seq}"
    digest = event_digest(
        prev_hash=prev_hash,
        event_id=event_id,
        case_id=case_id,
        seq=seq,
        version=version,
        at=at,
        actor=actor,
        request_id=request_id,
        body=body,
    )
    return CaseEvent(event_id, case_id, shard, seq, version, at, actor, request_id, prev_hash, digest, body)


def recomputed_hash(event: CaseEvent) -> str:
    """What `event.hash` must be, given the rest of the event."""
    return event_digest(
        prev_hash=event.prev_hash,
        event_id=event.event_id,
        case_id=event.case_id,
        seq=event.seq,
        version=event.version,
        at=event.at,
        actor=event.actor,
        request_id=event.request_id,
        body=event.body,
    )


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    event_id: str
    problem: str


def verify_chain(events: list[CaseEvent] | tuple[CaseEvent, ...]) -> list[ChainProblem]:
    """Every break in a case's history: wrong hash, broken link, gap or reorder."""
    problems: list[ChainProblem] = []
    prev_hash = ""
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            problems.append(ChainProblem(event.seq, event.event_id, f"sequence {event.seq}, expected {expected_seq}"))
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(event.seq, event.event_id, "prev_hash does not match the previous event"))
        if recomputed_hash(event) != event.hash:
            problems.append(ChainProblem(event.seq, event.event_id, "content does not match its hash (altered)"))
        prev_hash = event.hash
        expected_seq = event.seq + 1
    return problems


def body_as_dict(body: EventBody) -> dict[str, Any]:
    return asdict(body)
