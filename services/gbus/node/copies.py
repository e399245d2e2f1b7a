"""A case copy as it arrives on `node.<area>`: decode it and check its evidence.

A copy is self-contained (snapshot + complete hash-chained history), so the
node can verify the whole history of every case it serves, not just trust
the latest snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gbus.codec import AvroCodec
from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent, verify_chain
from gbus.wire.avro_records import event_from_record, state_from_snapshot

COPY_SCHEMA = "gbus.avro.CaseCopy"
SNAPSHOT_SCHEMA = "gbus.avro.CaseSnapshot"
EVENT_SCHEMA = "gbus.avro.CaseEvent"


@dataclass(frozen=True, slots=True)
class ReceivedCopy:
    case_id: str
    area: str
    version: int
    snapshot: bytes  # kept encoded: the node stores what it received, byte for byte
    state: CaseState
    event_payloads: tuple[bytes, ...]
    events: tuple[CaseEvent, ...]
    new_events: int
    involved: tuple[str, ...]
    emitted_at: datetime
    first_submitted_at: datetime


def decode_copy(codec: AvroCodec, value: bytes) -> ReceivedCopy:
    """Raises gbus.codec.CodecError (or ValueError for an unknown event type)."""
    rec = codec.decode(value, expected=COPY_SCHEMA)
    snapshot = bytes(rec["snapshot"])
    payloads = tuple(bytes(e) for e in rec["events"])
    return ReceivedCopy(
        case_id=rec["case_id"],
        area=rec["area"],
        version=rec["version"],
        snapshot=snapshot,
        state=state_from_snapshot(codec.decode(snapshot, expected=SNAPSHOT_SCHEMA)),
        event_payloads=payloads,
        events=tuple(event_from_record(codec.decode(p, expected=EVENT_SCHEMA)) for p in payloads),
        new_events=rec["new_events"],
        involved=tuple(rec["involved"]),
        emitted_at=rec["emitted_at"],
        first_submitted_at=rec["first_submitted_at"],
    )


def integrity_problems(copy: ReceivedCopy) -> list[str]:
    """Why this copy's history cannot be trusted; empty when it verifies end to end."""
    problems = [f"event {p.seq} ({p.event_id}): {p.problem}" for p in verify_chain(copy.events)]
    state = copy.state
    if not copy.events:
        return [*problems, "the copy carries no history"]
    last = copy.events[-1]
    if any(e.case_id != copy.case_id for e in copy.events):
        problems.append("history holds events of another case")
    if state.case_id != copy.case_id:
        problems.append(f"snapshot is of case {state.case_id}")
    if last.hash != state.last_hash or last.seq != state.last_seq:
        problems.append("snapshot does not end where the history ends (last_hash/last_seq differ)")
    if last.version != state.version or copy.version != state.version:
        problems.append(f"versions disagree: copy {copy.version}, snapshot {state.version}, last event {last.version}")
    return problems
