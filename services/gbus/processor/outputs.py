"""The records the processor writes, encoded and addressed. Pure (codec in, bytes out).

Addressing is the contract with every other process:
- case-events and case-state: key case_id, partition of the case's shard, so
  the shard's next owner restores from the partitions it owns;
- node.<area>: key case_id, the topic's only partition;
- command-results.<area>: key reply_to, the waiting node's own topic (one partition);
- report-results.<area>: key report_id, the accepting node's own topic;
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
from gbus.processor.history import Marks, marks_record
from gbus.processor.staging import CaseDelta
from gbus.security.record_signing import RecordSigner
from gbus.topics import Topics
from gbus.wire.avro_records import event_record, snapshot_record

SNAPSHOT = "gbus.avro.CaseSnapshot"
EVENT = "gbus.avro.CaseEvent"
COPY = "gbus.avro.CaseCopy"
RESULT = "gbus.avro.CommandResult"
REPORT_RESULT = "gbus.avro.ReportResult"
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
    # The processor's signature (gbus.security.record_signing), when it has a key.
    headers: tuple[tuple[str, bytes], ...] = ()


class Outputs:
    def __init__(
        self, codec: AvroCodec, topics: Topics, known_areas: Collection[str], signer: RecordSigner | None = None
    ) -> None:
        self.codec = codec
        self.topics = topics
        self.known_areas = frozenset(known_areas)
        # Signed history: events, snapshots and node copies carry the processor's
        # signature, so whoever else can write those topics cannot pass a copy off as ours.
        self._signer = signer

    def _signed(self, topic: str, partition: int, key: bytes, value: bytes) -> OutRecord:
        headers = tuple(self._signer.headers(topic, key, value)) if self._signer is not None else ()
        return OutRecord(topic, partition, key, value, headers)

    # -- encoding (done per record, so a record that cannot be encoded is dead-lettered alone)

    def encode_events(self, events: tuple[CaseEvent, ...]) -> tuple[bytes, ...]:
        return tuple(self.codec.encode(EVENT, event_record(e)) for e in events)

    def encode_snapshot(self, state: CaseState, marks: Marks | None = None) -> bytes:
        """`marks`: where the case's events lie (gbus.processor.history); None only outside the processor."""
        return self.codec.encode(SNAPSHOT, {**snapshot_record(state), "history_marks": marks_record(marks)})

    # -- one touched case: its events, its snapshot, a copy per node area -----------

    def case_records(self, delta: CaseDelta, history: list[bytes], now: datetime) -> tuple[list[OutRecord], list[str]]:
        """(records to write, involved areas that have no node topic)."""
        state = delta.after
        key = state.case_id.encode("utf-8")
        partition = self.topics.partition_of_shard(state.shard)
        out = [self._signed(self.topics.case_events, partition, key, blob) for blob in delta.encoded_events]
        out.append(self._signed(self.topics.case_state, partition, key, delta.snapshot))
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
            out.append(self._signed(self.topics.node(area), 0, key, self.codec.encode(COPY, record)))
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
        return self._signed(self.topics.command_results_of(reply_to), 0, reply_to.encode(), value)

    def report_result(
        self,
        *,
        report_id: str,
        origin_agency: str,
        request_id: str,
        reply_to: str,
        submission_accepted_at: datetime,
        verdict: str,
        case_id: str,
        handler: str,
        message: str,
        now: datetime,
    ) -> OutRecord:
        value = self.codec.encode(
            REPORT_RESULT,
            {
                "report_id": report_id,
                "origin_agency": origin_agency,
                "request_id": request_id,
                "reply_to": reply_to,
                "submission_accepted_at": submission_accepted_at,
                "verdict": verdict,
                "case_id": case_id,
                "handler": handler,
                "message": message,
                "at": now,
            },
        )
        # Signed like every answer, so a node holding a trust directory can check where it came from.
        return self._signed(self.topics.report_results(reply_to), 0, report_id.encode("utf-8"), value)

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
        headers: tuple[tuple[str, bytes], ...] = (),
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
            # The writer's signature travels with the record, so `gbus dlq replay` stays verifiable.
            "headers": [{"name": n, "value": v} for n, v in headers],
        }
        return OutRecord(self.topics.dead_letters, 0, source_topic.encode(), self.codec.encode(DEAD_LETTER, record))
