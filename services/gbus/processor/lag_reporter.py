"""The processor's consumer-lag gauge, measured on its own thread with its own client.

Lag needs two round trips to the brokers (end offsets, committed offsets). Done on
the processing thread, a slow or frozen broker turned a metric into a 30 s stall of
case processing (issue 13). Here a separate consumer, which never joins the group,
asks for both with a short timeout every few seconds; if Kafka does not answer, the
gauge keeps its last value and processing never notices.

Lag is `end offset - committed offset`, the number every Kafka tool reports (see
gbus.ops.lag for why commit markers make it read a little high while it is small).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from gbus.kafka_io.clients import close_quietly
from gbus.observability.logging import get_logger

_log = get_logger("gbus.processor.lag")


class LagReporter:
    def __init__(
        self,
        *,
        make_consumer: Callable[[], KafkaConsumer],
        owned: Callable[[], Iterable[TopicPartition]],
        publish: Callable[[TopicPartition, int], None],
        interval_s: float = 5.0,
        timeout_ms: int = 2_000,
    ) -> None:
        self._make_consumer = make_consumer
        self._owned = owned
        self._publish = publish
        self._interval_s = interval_s
        self._timeout_ms = timeout_ms
        self._consumer: KafkaConsumer | None = None
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def report_once(self) -> int:
        """Measure and publish the lag of every owned partition; returns how many were published."""
        tps = sorted(self._owned(), key=lambda tp: (tp.topic, tp.partition))
        if not tps:
            return 0
        consumer = self._client()
        ends: dict[Any, int] = consumer.end_offsets(tps, timeout_ms=self._timeout_ms)
        published = 0
        for tp in tps:
            committed = consumer.committed(tp, timeout_ms=self._timeout_ms)
            end = ends.get(tp)
            if end is None:
                continue
            self._publish(tp, max(0, end - (committed or 0)))
            published += 1
        return published

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="processor-lag", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=self._timeout_ms / 1000 * 3 + self._interval_s)
            self._thread = None
        self._drop_client()

    def _run(self) -> None:
        while not self._closed.wait(self._interval_s):
            try:
                self.report_once()
            except Exception as exc:  # informative only; a new client next time
                _log.warning("lag_unavailable", error=f"{type(exc).__name__}: {exc}")
                self._drop_client()

    def _client(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = self._make_consumer()
        return self._consumer

    def _drop_client(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            close_quietly(consumer, _log, "lag_client_close_failed")
