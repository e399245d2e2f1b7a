"""The records the processor writes, encoded and addressed. Pure (codec in, bytes out).

Addressing is the contract with every other process:
- case-events and case-state: key case_id, partition of the case's shard, so
  the shard's next owner restores from the partitions it owns;
- node.<area>: key case_id, the topic's only partition;
- command-results: key reply_to, the partition of the waiting node's area;
- dead-letters: key the source topic, one partition.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from gbus.codec import AvroCodec
from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent
from gbus.processor.fanout import case_copy_record, copy_targets
from gbus.processor.staging import CaseDelta
from gbus.topics import Topics
from gbus.wire.avro_records import event_record, snapshot_record

SNAPSHOT = "gbus.avro.CaseSnapshot"
EVENT = "gbus.avro.CaseEvent"
COPY = "gbus.avro.CaseCopy"
RESULT = "gbus.avro.CommandResult"
DEAD_LETTER = "gbus.avro.DeadLetter"
REPORT = "gbus.avro.Report"
COMMAND = "gbus.avro.Command"

# A reason is for a person reading the dead-letter topic, not a stack dump.
MAX_REASON_CHARS = 4000


@dataclass(frozen=True, slots=True)
class OutRecord:
    topic: str
    partition: int
    key: bytes
    value: bytes


class Outputs:
    def __init__(self, codec: AvroCodec, topics: Topics, known_areas: Collection[str]) -> None:
        self.codec = codec
        self.topics = topics
        self.known_areas = frozenset(known_areas)

    # -- encoding (done per record, so a record that cannot be encoded is dead-lettered alone)

    def encode_events(self, events: tuple[CaseEvent, ...]) -> tuple[bytes, ...]:
        return tuple(self.codec.encode(EVENT, event_record(e)) for e in events)

    def encode_snapshot(self, state: CaseState) -> bytes:
        return self.codec.encode(SNAPSHOT, snapshot_record(state))

    # -- one touched case: its events, its snapshot, a copy per node area -----------

    def case_records(self, delta: CaseDelta, history: list[bytes], now: datetime) -> tuple[list[OutRecord], list[str]]:
        """(records to write, involved areas that have no node topic)."""
        state = delta.after
        key = state.case_id.encode("utf-8")
        partition = self.topics.partition_of_shard(state.shard)
        out = [OutRecord(self.topics.case_events, partition, key, blob) for blob in delta.encoded_events]
        out.append(OutRecord(self.topics.case_state, partition, key, delta.snapshot))
        targets, unknown = copy_targets(delta.before, state, self.known_areas)
        for area, involved in targets:
            record = case_copy_record(
                state,
                area=area,
                involved=involved,
                snapshot=delta.snapshot,
                history=history,
                new_events=len(delta.encoded_events),
                emitted_at=now,
            )
            out.append(OutRecord(self.topics.node(area), 0, key, self.codec.encode(COPY, record)))
        return out, unknown

    # -- answers and dead letters ---------------------------------------------------

    def command_result(
        self,
        *,
        command_id: str,
        request_id: str,
        case_id: str,
        reply_to: str,
        code: str,
        message: str,
        case_version: int,
        new_case_id: str | None,
        now: datetime,
    ) -> OutRecord:
        value = self.codec.encode(
            RESULT,
            {
                "command_id": command_id,
                "request_id": request_id,
                "case_id": case_id,
                "reply_to": reply_to,
                "code": code,
                "message": message,
                "case_version": case_version,
                "new_case_id": new_case_id,
                "at": now,
            },
        )
        return OutRecord(self.topics.command_results, self.topics.partition_of_area(reply_to), reply_to.encode(), value)

    def dead_letter(
        self,
        *,
        source_topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        error_type: str,
        reason: str,
        consumer: str,
        now: datetime,
    ) -> OutRecord:
        record = {
            "source_topic": source_topic,
            "partition": partition,
            "offset": offset,
            "key": key,
            "value": value,
            "error_type": error_type,
            "reason": reason[:MAX_REASON_CHARS],
            "failed_at": now,
            "consumer": consumer,
        }
        return OutRecord(self.topics.dead_letters, 0, source_topic.encode(), self.codec.encode(DEAD_LETTER, record))
