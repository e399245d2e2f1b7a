"""Case events (past tense) and their hash-chained envelope. Pure.

Each case's events carry a sequence number and the SHA-256 of the previous
event, so the whole history can be verified end to end and a forged or
removed event is detected (a message log that can serve as evidence).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime
from typing import Any, Union

# --- bodies ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DuplicateSuggestion:
    """A case the duplicate engine found similar to a report it did not join to
    it: for a clerk to confirm with MergeCases. `score` is the engine's
    calibrated probability that both are one grievance."""

    case_id: str
    score: float


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
    # CaseEvent v4: the intake decision's other similar cases, best first.
    suggestions: tuple[DuplicateSuggestion, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportLinked:
    report_id: str
    kind: str
    channel: str
    origin_agency: str
    score: float
    matched_report_id: str | None = None
    reason: str = ""
    # CaseEvent v4: the intake decision's similar cases besides the one joined.
    suggestions: tuple[DuplicateSuggestion, ...] = ()


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
class TimeLimitExtended:
    """The handler declared the case complex or extended its time limit (ExtendTimeLimit)."""

    stage: str
    complexity: str
    extensions: int  # extensions granted in this stage, this one included
    due_at: datetime | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ResolutionRated:
    """The origin agency recorded the citizen's verdict on the resolution (RateResolution)."""

    report_id: str
    rating: int
    comment: str
    handler: str
    added_watchers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rerouted:
    """An administrative change (gbus.directory.changes) moved an open case: its ward was
    merged into another, or its handler or a watcher stopped existing. `change_ids` name
    the changes; the routing rules chose the new handler and `watchers` (the full list)."""

    change_ids: tuple[str, ...]
    reason: str
    from_handler: str
    to_handler: str
    watchers: tuple[RoutedWatcher, ...]
    removed_watchers: tuple[str, ...]
    from_ward: str | None
    to_ward: str | None
    rule: str


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
    TimeLimitExtended,
    ResolutionRated,
    Rerouted,
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
        TimeLimitExtended,
        ResolutionRated,
        Rerouted,
    )
}


# --- envelope and hash chain ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Voucher:
    """Which node (or operator) vouched for the actor of the record that caused an
    event: a receipt. `source` ("<topic>/<partition>@<offset>") locates the signed
    original on an input topic kept forever, so the signature can be shown again."""

    signer: str
    key_id: str
    signed_at: str
    source: str


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
    # None: written before origins were verified, or by a processor without a trust directory.
    vouched_by: Voucher | None = None

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


# Body fields added after events were first written (CaseEvent v4's suggestions).
_HASHED_WHEN_SET = ("suggestions",)


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
    vouched_by: Voucher | None = None,
) -> str:
    """SHA-256 over the previous hash and this event's canonical JSON.

    The voucher is hashed only when present, so events from before vouchers keep
    their hashes and a voucher cannot be added or swapped without breaking the chain.
    Body fields added later (`_HASHED_WHEN_SET`) are likewise hashed only when set:
    an event written before them reads back with their empty default and must
    keep its hash.
    """
    plain_body = _plain(body)
    for name in _HASHED_WHEN_SET:
        if plain_body.get(name) == []:
            del plain_body[name]
    content: dict[str, Any] = {
        "prev_hash": prev_hash,
        "event_id": event_id,
        "case_id": case_id,
        "seq": seq,
        "version": version,
        "at": _plain(at),
        "actor": actor,
        "request_id": request_id,
        "type": type(body).__name__,
        "body": plain_body,
    }
    if vouched_by is not None:
        content["vouched_by"] = _plain(vouched_by)
    canonical = json.dumps(
        content,
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
        vouched_by=event.vouched_by,
    )


def vouched(events: tuple[CaseEvent, ...], voucher: Voucher | None) -> tuple[CaseEvent, ...]:
    """The same change with `voucher` on every event, the chain re-linked from the
    first event's prev_hash (the case's head before the change)."""
    if voucher is None or not events:
        return events
    out: list[CaseEvent] = []
    prev = events[0].prev_hash
    for event in events:
        draft = replace(event, prev_hash=prev, vouched_by=voucher)
        sealed = replace(draft, hash=recomputed_hash(draft))
        out.append(sealed)
        prev = sealed.hash
    return tuple(out)


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
