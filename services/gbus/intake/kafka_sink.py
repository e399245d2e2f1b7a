"""Where accepted reports go: the `reports` topic, partition of their shard.

`send` returns a future at once so a bulk import can pipeline many sends;
`wait` turns Kafka's failures into UnavailableError, the one answer a member
system needs: retry later with the same request_id (the report id is
deterministic, so a retry never creates a second report).
"""

from __future__ import annotations

from typing import Any, Protocol

from kafka.errors import KafkaError

from gbus.codec import AvroCodec
from gbus.errors import UnavailableError
from gbus.topics import Topics

REPORT_SCHEMA = "gbus.avro.Report"


class ReportSink(Protocol):
    def send(self, record: dict[str, Any]) -> Any: ...

    def wait(self, pending: Any, timeout_s: float) -> None: ...


class KafkaReportSink:
    def __init__(self, producer: Any, topics: Topics, codec: AvroCodec) -> None:
        self._producer = producer
        self._topics = topics
        self._codec = codec

    def send(self, record: dict[str, Any]) -> Any:
        shard = record["shard"]
        value = self._codec.encode(REPORT_SCHEMA, record)
        try:
            return self._producer.send(
                self._topics.reports,
                key=shard.encode("ascii"),
                value=value,
                partition=self._topics.partition_of_shard(shard),
            )
        except KafkaError as exc:  # includes KafkaTimeoutError: no metadata within max_block_ms
            raise UnavailableError(
                f"Kafka is not reachable ({type(exc).__name__}); retry with the same request_id"
            ) from exc

    def wait(self, pending: Any, timeout_s: float) -> None:
        """Block until the broker acknowledged the record (acks=all) or raise UnavailableError."""
        try:
            pending.get(timeout=timeout_s)
        except KafkaError as exc:
            raise UnavailableError(
                f"Kafka did not acknowledge the report ({type(exc).__name__}); retry with the same request_id"
            ) from exc
