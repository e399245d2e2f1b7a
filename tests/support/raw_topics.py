"""Every record of every topic of a test bus, as raw bytes, aborted transactions included."""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition


@dataclass(frozen=True)
class RawRecord:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: bytes

    def contains(self, needle: bytes) -> bool:
        return needle in self.key or needle in self.value or needle in self.headers


def read_every_record(bootstrap: str, prefix: str, timeout_s: float = 30.0) -> list[RawRecord]:
    """Reads to the high watermark of each partition; read_uncommitted, so records of
    aborted or still-open transactions are searched too."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             isolation_level="read_uncommitted")  # fmt: skip
    try:
        topics = sorted(t for t in consumer.topics() if t.startswith(prefix))
        parts = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        out: list[RawRecord] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {prefix}* to its end in {timeout_s:g} s")
            for tp, records in consumer.poll(timeout_ms=200).items():
                out.extend(
                    RawRecord(
                        tp.topic,
                        tp.partition,
                        r.offset,
                        r.key or b"",
                        r.value or b"",
                        b"".join(k.encode() + (v or b"") for k, v in r.headers or ()),
                    )  # fmt: skip
                    for r in records
                )
        return out
    finally:
        consumer.close()
