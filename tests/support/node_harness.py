"""Helpers for node integration tests: a bus of its own per test, running nodes, polling."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import grpc

if TYPE_CHECKING:
    from gbus.node.app import NodeApp
from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from gbus.codec import AvroCodec
from gbus.config import GrpcSettings, KafkaSettings, MetricsSettings, NodeSettings, SecuritySettings, Settings
from gbus.kafka_io.admin import ensure_topics
from gbus.topics import Topics, node_areas, topic_specs
from gbus.v1 import case_pb2_grpc, intake_pb2_grpc, report_pb2
from gbus.wire.protobuf import timestamp
from support.polling import wait_until  # noqa: F401  (re-exported for the node tests)

CODEC = AvroCodec()
PARTITIONS = 4


def as_agency(agency: str) -> tuple[tuple[str, str]]:
    return (("x-agency-id", agency),)


class Bus:
    def __init__(self, bootstrap: str, all_areas: bool) -> None:
        self.bootstrap = bootstrap
        self.prefix = f"t-{uuid.uuid4().hex[:10]}."
        self.topics = Topics(prefix=self.prefix, partitions=PARTITIONS)
        self.kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=self.prefix, partitions=PARTITIONS)
        # The processor writes to every area's topic; node-only tests need just theirs.
        ensure_topics(self.kafka, topic_specs(self.topics, areas=node_areas() if all_areas else ("VN", "79", "01")))
        # Case copies may reach 8 MB (gbus.topics.MAX_CASE_RECORD_BYTES), as the processor writes them.
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap, acks="all", linger_ms=1, max_request_size=9 * 1024 * 1024
        )

    def produce(self, topic: str, value: bytes, *, key: bytes, partition: int = 0) -> None:
        self.producer.send(topic, key=key, value=value, partition=partition).get(timeout=10)

    def read_all(
        self, topic: str, *, expect: int | None = None, idle_s: float = 1.0, timeout_s: float = 30.0
    ) -> list[Any]:
        """Every committed record of `topic`; stops at `expect` records or after `idle_s` without one."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                 isolation_level="read_committed")  # fmt: skip
        try:
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            out: list[Any] = []
            deadline, idle_until = time.monotonic() + timeout_s, time.monotonic() + idle_s
            while time.monotonic() < deadline and time.monotonic() < idle_until:
                for records in consumer.poll(timeout_ms=200).values():
                    out.extend(records)
                    idle_until = time.monotonic() + idle_s
                if expect is not None and len(out) >= expect:
                    break
            return out
        finally:
            consumer.close()

    def settings(self, area: str, data_dir: str, **grpc_over: Any) -> Settings:
        return Settings(
            kafka=self.kafka,
            grpc=GrpcSettings(listen="127.0.0.1:0", **grpc_over),
            metrics=MetricsSettings(listen="127.0.0.1:0"),
            node=NodeSettings(area=area, data_dir=data_dir),
            security=SecuritySettings(),  # the development master the processor fixtures use too
        )

    def close(self) -> None:
        self.producer.close()


class Running:
    """A started node and stubs of its services on one channel."""

    def __init__(self, app: NodeApp) -> None:
        self.app = app
        self.channel = grpc.insecure_channel(app.grpc_address)
        self.intake = intake_pb2_grpc.IntakeServiceStub(self.channel)
        self.cases = case_pb2_grpc.CaseServiceStub(self.channel)

    def stop(self) -> None:
        self.channel.close()
        self.app.stop(grace_s=1.0)


WARD = "25747"
ORIGIN = f"front.mttq@79.{WARD}"
SUBMITTED = timestamp(datetime(2026, 11, 2, 1, 30, tzinfo=timezone.utc))
PERSON = report_pb2.Reporter(name="Nguyễn Thị Lan", phone="0901234567", national_id="079123456789", address="12 Lê Lợi")


def sample_report(request_id: str = "r-1", **over: Any) -> report_pb2.Report:
    """A valid report from the ward's Front committee; `over` replaces fields."""
    pb = report_pb2.Report(
        kind="phan_anh", category="dat_dai", channel="mttq", province_code="79", ward_code=WARD,
        title="Lấn chiếm đất công", description="Một hộ dân xây tường rào lấn ra đường đi chung.",
        submitted_at=SUBMITTED, origin_agency=ORIGIN, request_id=request_id, reporter=PERSON,
    )  # fmt: skip
    for k, v in over.items():
        if isinstance(v, Message):  # message fields (reporter, submitted_at) are copied, not assigned
            getattr(pb, k).CopyFrom(v)
        else:
            setattr(pb, k, v)
    return pb
