"""Kafka transactions on the real broker: Avro records and consumer offsets commit together.

This is the guarantee the case processor stands on: its output records and
the offsets of the input they came from become visible atomically, and a
read_committed consumer never sees the output of an aborted attempt.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from gbus.codec import AvroCodec

pytestmark = pytest.mark.integration

CODEC = AvroCodec()
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def _agency(i: int) -> dict:
    return {
        "agency_id": f"gov.ubnd@79.{i:05d}",
        "name": f"Ủy ban nhân dân Phường {i}",
        "sector": "gov",
        "role": "ubnd",
        "level": "commune",
        "area": f"79.{i:05d}",
        "superior_id": "gov.ubnd@79",
        "active": True,
    }


def _drain(bootstrap: str, topic: str, isolation: str, expected: int) -> list[dict]:
    """Read `topic` from the start until `expected` records arrived, or 2 s pass without one."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        isolation_level=isolation,
    )
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        out: list[dict] = []
        deadline, idle_until = time.monotonic() + 30, time.monotonic() + 5
        while len(out) < expected and time.monotonic() < min(deadline, idle_until):
            for batch in consumer.poll(timeout_ms=200).values():
                out.extend(CODEC.decode(m.value, expected="gbus.avro.Agency") for m in batch)
                idle_until = time.monotonic() + 2
        return out
    finally:
        consumer.close()


def test_output_and_input_offsets_commit_in_one_transaction_and_aborts_stay_invisible(kafka_bootstrap, create_topic):
    source = create_topic(partitions=1)
    sink = create_topic(partitions=1)
    group = f"g-{uuid.uuid4().hex[:8]}"

    plain = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for i in range(6):
        plain.send(source, key=b"79", value=CODEC.encode("gbus.avro.Agency", _agency(i)))
    plain.flush()
    plain.close()

    consumer = KafkaConsumer(
        source,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"tx-{uuid.uuid4().hex[:8]}", acks="all"
    )
    producer.init_transactions()
    tp = TopicPartition(source, 0)
    try:
        records: list = []
        while len(records) < 6:
            for batch in consumer.poll(timeout_ms=2000, max_records=6).values():
                records.extend(batch)
        first, second = records[:3], records[3:]

        # Attempt 1: processed the first three, then "crashed": abort.
        producer.begin_transaction()
        for r in first:
            rec = CODEC.decode(r.value)
            producer.send(
                sink, key=r.key, value=CODEC.encode("gbus.avro.Agency", dict(rec, name="ABORTED " + rec["name"]))
            )
        producer.send_offsets_to_transaction(
            {tp: OffsetAndMetadata(first[-1].offset + 1, "", -1)}, consumer.group_metadata()
        )
        producer.flush()  # the aborted records really reach the log; an abort alone may drop them unsent
        producer.abort_transaction()

        # Attempt 2: the first three again, committed with their offsets.
        producer.begin_transaction()
        for r in first:
            producer.send(sink, key=r.key, value=r.value)
        producer.send_offsets_to_transaction(
            {tp: OffsetAndMetadata(first[-1].offset + 1, "", -1)}, consumer.group_metadata()
        )
        producer.commit_transaction()

        # Attempt 3: the rest, left open (never committed) when we look.
        producer.begin_transaction()
        for r in second:
            producer.send(
                sink, key=r.key, value=CODEC.encode("gbus.avro.Agency", dict(CODEC.decode(r.value), name="OPEN"))
            )
        producer.flush()

        committed_view = _drain(kafka_bootstrap, sink, "read_committed", expected=4)
        assert [a["agency_id"] for a in committed_view] == [f"gov.ubnd@79.{i:05d}" for i in range(3)]
        assert not any(a["name"].startswith(("ABORTED", "OPEN")) for a in committed_view)

        # Uncommitted readers do see the aborted and open attempts: the test can tell them apart.
        raw_view = _drain(kafka_bootstrap, sink, "read_uncommitted", expected=9)
        assert any(a["name"].startswith("ABORTED") for a in raw_view)

        # The group's committed offset moved with the committed transaction only.
        assert consumer.committed(tp) == 3
        producer.abort_transaction()
    finally:
        producer.close()
        consumer.close()
