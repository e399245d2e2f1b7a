"""Read one case's events from `case-events`, guided by its history marks.

Called by the store (gbus.processor.store) the first time a restored case is
needed with its history, i.e. when it is next changed. For each mark: seek to
its offset and read forward until the mark's events are found. Records of
other cases are skipped by key without decoding; the case's own are decoded
for their seq. A mark's offset is a lower bound inside the transaction that
wrote its events, usually their exact offset (gbus.processor.staging
`event_floor`), so a load is one small fetch per mark.
"""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

from gbus.codec import AvroCodec
from gbus.config import KafkaSettings
from gbus.kafka_io.clients import close_quietly, make_consumer
from gbus.observability.logging import get_logger
from gbus.processor.history import Marks, seq_ranges
from gbus.processor.outputs import EVENT
from gbus.topics import Topics

_log = get_logger("gbus.processor.history")


class HistoryUnavailable(Exception):
    """A committed event of the case could not be found where its marks say: the process must not go on."""


class KafkaHistoryReader:
    def __init__(self, settings: KafkaSettings, topics: Topics, codec: AvroCodec, *, timeout_s: float = 30.0) -> None:
        self._settings, self._topics, self._codec = settings, topics, codec
        self._timeout_s = timeout_s
        self._consumer: KafkaConsumer | None = None
        self.records_scanned = 0

    def load(self, shard: str, case_id: str, last_seq: int, marks: Marks) -> list[tuple[int, bytes]]:
        tp = TopicPartition(self._topics.case_events, self._topics.partition_of_shard(shard))
        consumer = self._client()
        consumer.assign([tp])
        key = case_id.encode("utf-8")
        found: dict[int, bytes] = {}
        deadline = time.monotonic() + self._timeout_s
        end = consumer.end_offsets([tp])[tp]
        for from_offset, first, last in seq_ranges(marks, last_seq):
            wanted = set(range(first, last + 1)) - found.keys()
            if wanted:
                self._scan(consumer, tp, key, from_offset, end, wanted, found, last_seq, deadline)
        missing = set(range(1, last_seq + 1)) - found.keys()
        if missing:
            # Marks are lower bounds by construction; if one was not, the partition's start is.
            _log.error("history_marks_missed", case_id=case_id, missing=sorted(missing), marks=len(marks))
            self._scan(consumer, tp, key, 0, end, missing, found, last_seq, deadline)
        if sorted(found) != list(range(1, last_seq + 1)):
            raise HistoryUnavailable(f"case {case_id}: history has {sorted(found)}, expected 1..{last_seq}")
        _log.debug("history_loaded", case_id=case_id, events=last_seq, marks=len(marks), scanned=self.records_scanned)
        return [(seq, found[seq]) for seq in sorted(found)]

    def _scan(
        self, consumer: KafkaConsumer, tp: TopicPartition, key: bytes, from_offset: int, end: int,
        wanted: set[int], found: dict[int, bytes], last_seq: int, deadline: float,
    ) -> None:  # fmt: skip
        """Read from `from_offset` until every wanted seq of the case is found or the stable end is reached."""
        consumer.seek(tp, from_offset)
        while wanted and consumer.position(tp) < end:
            if time.monotonic() > deadline:
                raise HistoryUnavailable(f"{key.decode()}: events {sorted(wanted)} not read in {self._timeout_s:.0f} s")
            records = consumer.poll(timeout_ms=200).get(tp, [])
            self.records_scanned += len(records)
            for r in records:
                if r.key != key:
                    continue
                seq = self._codec.decode(r.value, expected=EVENT)["seq"]
                if seq <= last_seq:  # one of a later mark's found on the way counts too
                    found[seq] = r.value
                    wanted.discard(seq)

    def close(self) -> None:
        if self._consumer is not None:
            close_quietly(self._consumer, _log, "history_reader_close_failed")
            self._consumer = None

    def _client(self) -> KafkaConsumer:
        if self._consumer is None:
            # Small fetches: a load wants a few records near each mark, not a megabyte after it.
            self._consumer = make_consumer(self._settings, "history", group_id=None,
                                           max_partition_fetch_bytes=64 * 1024)  # fmt: skip
        return self._consumer
