"""A bus of its own per test (unique topic prefix, 4 partitions) and a processor running in a thread."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from gbus.cases.commands import CaseCommand
from gbus.codec import AvroCodec
from gbus.config import KafkaSettings, ProcessorSettings, Settings
from gbus.domain.case import CaseReport, shard_of_case
from gbus.kafka_io.admin import ensure_topics
from gbus.observability.metrics import Metrics
from gbus.processor.bootstrap import build_processor
from gbus.processor.loop import CaseProcessor
from gbus.topics import Topics, topic_specs
from gbus.wire.avro_records import command_record, report_record
from support.factories import T0
from support.polling import wait_until

CODEC = AvroCodec()
PARTITIONS = 4


@dataclass
class RunningProcessor:
    processor: CaseProcessor
    metrics: Metrics
    thread: threading.Thread
    stop_event: threading.Event
    error: list[BaseException] = field(default_factory=list)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "processor did not stop"
        if self.error:
            raise self.error[0]


class Bus:
    """Topics of one test, a plain producer for input, read_committed readers for output."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.prefix = f"t-{uuid.uuid4().hex[:10]}."
        self.topics = Topics(prefix=self.prefix, partitions=PARTITIONS)
        self.group = f"g-{uuid.uuid4().hex[:8]}"
        self.kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=self.prefix, partitions=PARTITIONS)
        ensure_topics(self.kafka, topic_specs(self.topics))
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        self.running: list[RunningProcessor] = []

    def settings(self, instance: str = "p1", data_dir: str = "") -> Settings:
        return Settings(kafka=self.kafka, processor=ProcessorSettings(group_id=self.group, instance_id=instance,
                                                                      data_dir=data_dir))  # fmt: skip

    # -- input ----------------------------------------------------------------------

    def send_report(self, report: CaseReport, *, flush: bool = True) -> None:
        shard = report.province_code or "00"
        value = CODEC.encode("gbus.avro.Report",
                             report_record(report.report, shard=shard, accepted_at=T0, accepted_by="79"))  # fmt: skip
        self.send_raw(
            self.topics.reports, self.topics.partition_of_shard(shard), value, key=shard.encode(), flush=flush
        )

    def send_command(self, command: CaseCommand, *, reply_to: str = "79") -> None:
        shard = shard_of_case(command.case_id)
        value = CODEC.encode("gbus.avro.Command", command_record(command, shard=shard, reply_to=reply_to))
        self.send_raw(self.topics.commands, self.topics.partition_of_shard(shard), value, key=shard.encode())

    def send_raw(self, topic: str, partition: int, value: bytes | None, *, key: bytes | None = None,
                 flush: bool = True) -> None:  # fmt: skip
        self._producer.send(topic, key=key, value=value, partition=partition)
        if flush:
            self._producer.flush()

    def flush(self) -> None:
        self._producer.flush()

    # -- output ---------------------------------------------------------------------

    def read(self, topic: str) -> list[Any]:
        """Every committed record of the topic now (all partitions), in partition/offset order."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                 isolation_level="read_committed", auto_offset_reset="earliest")  # fmt: skip
        try:
            tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            consumer.assign(tps)
            ends = consumer.end_offsets(tps)
            out: list[Any] = []
            deadline = time.monotonic() + 30
            while any(consumer.position(tp) < ends[tp] for tp in tps):
                assert time.monotonic() < deadline, f"could not read {topic} to its end"
                for tp, records in consumer.poll(timeout_ms=200).items():
                    out.extend(r for r in records if r.offset < ends[tp])
            return sorted(out, key=lambda r: (r.partition, r.offset))
        finally:
            consumer.close()

    def decoded(self, topic: str, schema: str) -> list[dict[str, Any]]:
        return [CODEC.decode(r.value, expected=schema) for r in self.read(topic)]

    def latest_snapshots(self) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for snap in self.decoded(self.topics.case_state, "gbus.avro.CaseSnapshot"):
            if snap["case_id"] not in latest or snap["version"] >= latest[snap["case_id"]]["version"]:
                latest[snap["case_id"]] = snap
        return latest

    # -- processors -----------------------------------------------------------------

    def start_processor(self, instance: str = "p1", *, dedup: Any = None, wait_ready: bool = True,
                        **kwargs: Any) -> RunningProcessor:  # fmt: skip
        from gbus.processor.dedup_bridge import EngineAdapter

        metrics = Metrics()
        processor = build_processor(self.settings(instance), metrics=metrics, dedup=dedup or EngineAdapter(),
                                    in_memory=True, **kwargs)  # fmt: skip
        processor.start()
        stop = threading.Event()
        running = RunningProcessor(processor, metrics, threading.Thread(target=lambda: None), stop)

        def loop() -> None:
            try:
                processor.run(stop, poll_timeout_ms=100)
            except BaseException as exc:  # surfaced by stop()
                running.error.append(exc)
            finally:
                processor.close()

        running.thread = threading.Thread(target=loop, name=f"processor-{instance}", daemon=True)
        running.thread.start()
        self.running.append(running)
        if wait_ready:
            # Joining the group and restoring on a busy CI machine can take more than half a minute.
            wait_until(lambda: processor.ready_partitions, 90, "partition assignment")
        return running

    def close(self) -> None:
        for r in self.running:
            if r.thread.is_alive():
                r.stop_event.set()
                r.thread.join(30)
        self._producer.close()


@pytest.fixture
def bus(kafka_bootstrap: str) -> Iterator[Bus]:
    b = Bus(kafka_bootstrap)
    try:
        yield b
    finally:
        b.close()
