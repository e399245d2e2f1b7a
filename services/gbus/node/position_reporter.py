"""Publishes the node's applied position in Kafka, for monitoring only.

The node keeps its position in `node.<area>` in its own store, exactly once with the
change each copy made; it never resumes from Kafka. But a position that lives only in
the node's store is invisible while the node is down, which is exactly when an operator
needs it: `gbus status` showed `position: unknown` and the lag alert could only guess
from the last scrape (issue 15). So every few seconds, and once more on a clean stop,
the node commits that position to its monitoring group `<prefix>node-monitor.<area>`
(gbus.ops.lag.node_monitor_group), where `gbus status`, `gbus monitor` and the
`GbusNodeDeliveryLagging` alert read it — also after the node has stopped.

Committing is best effort: a broker that does not answer costs a log line, never a copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata

from gbus.kafka_io.clients import close_quietly
from gbus.observability.logging import get_logger

_log = get_logger("gbus.node.position")


class PositionReporter:
    def __init__(
        self,
        *,
        make_consumer: Callable[[], Any],
        topic: str,
        position: Callable[[], int | None],
        interval_s: float = 5.0,
    ) -> None:
        self._make_consumer = make_consumer
        self._tp = TopicPartition(topic, 0)
        self._position = position
        self._interval_s = interval_s
        self._consumer: Any = None
        self._last_committed: int | None = None
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def report_once(self) -> bool:
        """Commit the current position if it moved; True when something was committed."""
        position = self._position()
        if position is None or position == self._last_committed:
            return False
        consumer = self._client()
        consumer.commit({self._tp: OffsetAndMetadata(position, "", -1)})
        self._last_committed = position
        return True

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"node-position-{self._tp.topic}", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval_s + 5)
            self._thread = None
        self._safe_report()  # the last position, so a stopped node's lag is exact
        self._drop_client()

    def _run(self) -> None:
        while not self._closed.wait(self._interval_s):
            self._safe_report()

    def _safe_report(self) -> None:
        try:
            self.report_once()
        except Exception as exc:  # monitoring only: never let it touch delivery
            _log.warning("position_not_published", error=f"{type(exc).__name__}: {exc}")
            self._drop_client()

    def _client(self) -> Any:
        if self._consumer is None:
            consumer = self._make_consumer()
            consumer.assign([self._tp])  # a standalone member: commits without joining the group
            self._consumer = consumer
        return self._consumer

    def _drop_client(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            close_quietly(consumer, _log, "position_client_close_failed")
