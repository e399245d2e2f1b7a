"""Rebuild the state of newly owned partitions from `case-state`.

Like a Kafka Streams state store restored from its changelog: read the
compacted snapshots from the beginning, read_committed, up to the end offsets
taken when the partitions were assigned. A snapshot holds all a case's next
change needs except its earlier events, and those are read when the case is
next changed (gbus.processor.history), so restore costs O(cases), not
O(events). Only if a snapshot was written before CaseSnapshot v4 (no history
marks) is `case-events` of the restored partitions read as well, as it always was.
The end of each `case-events` partition is taken too: the lower bound of where
this owner's first transaction will write (gbus.processor.history).

One subtlety: `commit_transaction()` returns before the commit markers have
reached every partition, so right after a hand-over the previous owner's last
transaction may be committed (its input offsets already count, KIP-447 makes
the consumer wait for those) while its output is not yet readable. We
therefore wait, briefly, until the last stable offset of each partition has
reached its high watermark. A transaction left open by a crashed process with
another transactional id stays open until the transaction timeout; we do not
wait for it (it will be aborted, so reading up to the stable offset is right).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from gbus.codec import AvroCodec, CodecError
from gbus.config import KafkaSettings
from gbus.domain.case import CaseState
from gbus.kafka_io.clients import make_consumer
from gbus.observability.logging import get_logger
from gbus.processor.history import Marks, marks_from_record, marks_of_offsets
from gbus.processor.outputs import EVENT, SNAPSHOT
from gbus.processor.store import CaseWrite, gc_paused
from gbus.topics import Topics
from gbus.wire.avro_records import state_from_snapshot

_log = get_logger("gbus.processor.restore")


class RestoreError(Exception):
    """The partitions could not be read to their end in time; the processor must not go on."""


@dataclass
class RestoreStats:
    snapshots_read: int = 0
    events_read: int = 0
    undecodable: int = 0
    cases: int = 0
    incomplete_histories: int = 0
    # Cases whose snapshot has no history marks (written before CaseSnapshot v4): their events were read.
    cases_without_marks: int = 0
    unsettled_partitions: list[str] = field(default_factory=list)
    # case-events partition -> its stable end when restored.
    event_ends: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0


class CaseRebuilder:
    """Accumulates snapshot and event records; yields one CaseWrite per case. Pure."""

    def __init__(self, codec: AvroCodec) -> None:
        self._codec = codec
        # case_id -> (version, bytes, state, marks): each snapshot is decoded once.
        self._snapshots: dict[str, tuple[int, bytes, CaseState, Marks | None]] = {}
        self._events: dict[str, dict[int, bytes]] = {}
        self._offsets: dict[str, dict[int, int]] = {}
        self.stats = RestoreStats()

    @property
    def needs_events(self) -> bool:
        """Whether some case's snapshot lacks history marks, so its events must be read now."""
        return any(marks is None for _, _, _, marks in self._snapshots.values())

    def add_snapshot(self, key: bytes | None, value: bytes | None) -> None:
        self.stats.snapshots_read += 1
        if value is None:  # a tombstone: the case was deleted
            if key is not None:
                self._snapshots.pop(key.decode("utf-8"), None)
            return
        try:
            header = self._codec.decode(value, expected=SNAPSHOT)
        except CodecError as exc:
            self.stats.undecodable += 1
            _log.error("restore_snapshot_undecodable", error=str(exc))
            return
        case_id, version = header["case_id"], header["version"]
        current = self._snapshots.get(case_id)
        if current is None or version >= current[0]:
            self._snapshots[case_id] = (
                version,
                value,
                state_from_snapshot(header),
                marks_from_record(header.get("history_marks")),
            )

    def add_event(self, value: bytes | None, offset: int | None = None) -> None:
        self.stats.events_read += 1
        if value is None:
            return
        try:
            rec = self._codec.decode(value, expected=EVENT)
        except CodecError as exc:
            self.stats.undecodable += 1
            _log.error("restore_event_undecodable", error=str(exc))
            return
        # Deterministic (case_id, seq): a record seen twice collapses to one.
        self._events.setdefault(rec["case_id"], {})[rec["seq"]] = value
        if offset is not None:
            self._offsets.setdefault(rec["case_id"], {})[rec["seq"]] = offset

    def writes(self) -> list[CaseWrite]:
        out: list[CaseWrite] = []
        for case_id, (_, blob, state, marks) in self._snapshots.items():
            if marks is not None:
                out.append(CaseWrite(state=state, snapshot=blob, marks=marks, history_loaded=False))
                continue
            self.stats.cases_without_marks += 1
            events = self._events.get(case_id, {})
            history = tuple((seq, events[seq]) for seq in sorted(events) if seq <= state.last_seq)
            if [seq for seq, _ in history] != list(range(1, state.last_seq + 1)):
                self.stats.incomplete_histories += 1
                _log.error("restore_history_incomplete", case_id=case_id, last_seq=state.last_seq, found=len(history))
            out.append(
                CaseWrite(state=state, snapshot=blob, new_events=history, marks=self._exact_marks(case_id, state))
            )
        self.stats.cases = len(out)
        return out

    def _exact_marks(self, case_id: str, state: CaseState) -> Marks:
        """Marks from the offsets the events were read at, so the next snapshot carries them."""
        offsets = self._offsets.get(case_id, {})
        return marks_of_offsets({seq: o for seq, o in offsets.items() if seq <= state.last_seq})


def settled_end_offsets(
    committed: KafkaConsumer,
    uncommitted: KafkaConsumer,
    tps: list[TopicPartition],
    settle_s: float,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[dict[TopicPartition, int], list[TopicPartition]]:
    """(last stable offsets, partitions still holding an open transaction after settle_s)."""
    deadline = clock() + settle_s
    while True:
        stable = committed.end_offsets(tps)
        high = uncommitted.end_offsets(tps)
        open_txn = [tp for tp in tps if stable[tp] < high[tp]]
        if not open_txn or clock() >= deadline:
            return stable, open_txn
        time.sleep(0.05)  # markers land within milliseconds; poll the broker until then


def read_partitions(
    settings: KafkaSettings,
    topics: Topics,
    partitions: Iterable[int],
    codec: AvroCodec,
    *,
    settle_s: float = 5.0,
    timeout_s: float = 240.0,
) -> tuple[list[CaseWrite], RestoreStats]:
    """Every case of the given partitions, as of the end offsets at call time."""
    started = time.monotonic()
    parts = sorted(set(partitions))
    state_tps = [TopicPartition(topics.case_state, p) for p in parts]
    event_tps = [TopicPartition(topics.case_events, p) for p in parts]
    rebuilder = CaseRebuilder(codec)
    consumer = make_consumer(settings, "restore", group_id=None, **RESTORE_CONSUMER)
    probe = make_consumer(settings, "restore-probe", group_id=None, isolation_level="read_uncommitted")
    with gc_paused():
        writes = _read(consumer, probe, rebuilder, state_tps, event_tps, parts, settle_s, started + timeout_s)
    rebuilder.stats.seconds = round(time.monotonic() - started, 3)
    return writes, rebuilder.stats


# The restore consumer reads whole partitions from their start, alone: large fetches mean fewer round
# trips to the broker (a CaseSnapshot is about 700 bytes, so kafka-python's default 1 MiB per partition
# is some 1,500 records a fetch), and a poll returns all a fetch brought.
RESTORE_CONSUMER: dict[str, Any] = {
    "max_poll_records": 50_000,
    "max_partition_fetch_bytes": 16 * 1024 * 1024,
    "fetch_max_bytes": 64 * 1024 * 1024,
}


def _read(
    consumer: KafkaConsumer, probe: KafkaConsumer, rebuilder: CaseRebuilder, state_tps: list[TopicPartition],
    event_tps: list[TopicPartition], parts: list[int], settle_s: float, deadline: float,
) -> list[CaseWrite]:  # fmt: skip
    tps = state_tps + event_tps
    try:
        consumer.assign(tps)
        ends, unsettled = settled_end_offsets(consumer, probe, tps, settle_s)
        rebuilder.stats.unsettled_partitions = [f"{tp.topic}/{tp.partition}" for tp in unsettled]
        if unsettled:
            _log.warning("restore_open_transactions", partitions=rebuilder.stats.unsettled_partitions)
        rebuilder.stats.event_ends = {tp.partition: ends[tp] for tp in event_tps}
        _read_to_end(consumer, state_tps, ends, deadline, lambda r: rebuilder.add_snapshot(r.key, r.value))
        if rebuilder.needs_events:
            _log.info("restore_reads_events", partitions=parts, reason="snapshots written before CaseSnapshot v4")
            _read_to_end(consumer, event_tps, ends, deadline, lambda r: rebuilder.add_event(r.value, r.offset))
    finally:
        consumer.close()
        probe.close()
    return rebuilder.writes()


def _read_to_end(
    consumer: KafkaConsumer, tps: list[TopicPartition], ends: dict[TopicPartition, int], deadline: float,
    take: Callable[[Any], None],
) -> None:  # fmt: skip
    """Feed every record of the partitions below their end offsets to `take`."""
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    remaining = {tp for tp in tps if ends[tp] > 0}
    while remaining:
        if time.monotonic() > deadline:
            raise RestoreError(
                f"restore of {sorted(f'{tp.topic}/{tp.partition}' for tp in tps)} did not finish in time"
            )
        for tp, records in consumer.poll(timeout_ms=200).items():
            end = ends[tp]
            for r in records:
                if r.offset >= end:
                    break
                take(r)
        for tp in list(remaining):
            if consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
                consumer.pause(tp)
