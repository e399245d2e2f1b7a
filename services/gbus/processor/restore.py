"""Rebuild the state of newly owned partitions from `case-state` and `case-events`.

Like a Kafka Streams state store restored from its changelog: read the
partitions from the beginning, read_committed, up to the end offsets taken
when the partitions were assigned. Snapshots and events of a case are written
in one transaction, so what is read is a consistent cut.

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

from kafka import KafkaConsumer, TopicPartition

from gbus.codec import AvroCodec, CodecError
from gbus.config import KafkaSettings
from gbus.domain.case import CaseState
from gbus.kafka_io.clients import make_consumer
from gbus.observability.logging import get_logger
from gbus.processor.outputs import EVENT, SNAPSHOT
from gbus.processor.store import CaseWrite
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
    unsettled_partitions: list[str] = field(default_factory=list)
    seconds: float = 0.0


class CaseRebuilder:
    """Accumulates snapshot and event records; yields one CaseWrite per case. Pure."""

    def __init__(self, codec: AvroCodec) -> None:
        self._codec = codec
        self._snapshots: dict[str, tuple[int, bytes]] = {}
        self._events: dict[str, dict[int, bytes]] = {}
        self.stats = RestoreStats()

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
            self._snapshots[case_id] = (version, value)

    def add_event(self, value: bytes | None) -> None:
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

    def writes(self) -> list[CaseWrite]:
        out: list[CaseWrite] = []
        for case_id, (_, blob) in self._snapshots.items():
            state: CaseState = state_from_snapshot(self._codec.decode(blob, expected=SNAPSHOT))
            events = self._events.get(case_id, {})
            history = tuple((seq, events[seq]) for seq in sorted(events) if seq <= state.last_seq)
            if [seq for seq, _ in history] != list(range(1, state.last_seq + 1)):
                self.stats.incomplete_histories += 1
                _log.error("restore_history_incomplete", case_id=case_id, last_seq=state.last_seq, found=len(history))
            out.append(CaseWrite(state=state, snapshot=blob, new_events=history))
        self.stats.cases = len(out)
        return out


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
    tps = state_tps + event_tps
    rebuilder = CaseRebuilder(codec)
    consumer = make_consumer(settings, "restore", group_id=None, max_poll_records=5000)
    probe = make_consumer(settings, "restore-probe", group_id=None, isolation_level="read_uncommitted")
    try:
        consumer.assign(tps)
        ends, unsettled = settled_end_offsets(consumer, probe, tps, settle_s)
        rebuilder.stats.unsettled_partitions = [f"{tp.topic}/{tp.partition}" for tp in unsettled]
        if unsettled:
            _log.warning("restore_open_transactions", partitions=rebuilder.stats.unsettled_partitions)
        consumer.seek_to_beginning(*tps)
        remaining = {tp for tp in tps if ends[tp] > 0}
        deadline = started + timeout_s
        is_state = set(state_tps)
        while remaining:
            if time.monotonic() > deadline:
                raise RestoreError(f"restore of partitions {parts} did not finish in {timeout_s:.0f} s")
            for tp, records in consumer.poll(timeout_ms=200).items():
                end = ends[tp]
                for r in records:
                    if r.offset >= end:
                        break
                    if tp in is_state:
                        rebuilder.add_snapshot(r.key, r.value)
                    else:
                        rebuilder.add_event(r.value)
            for tp in list(remaining):
                if consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
                    consumer.pause(tp)
    finally:
        consumer.close()
        probe.close()
    writes = rebuilder.writes()
    rebuilder.stats.seconds = round(time.monotonic() - started, 3)
    return writes, rebuilder.stats
