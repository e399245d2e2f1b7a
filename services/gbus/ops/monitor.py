"""`gbus monitor`: Kafka-side lag and node delivery measured from outside the processes.

A node that is down exports nothing, so its own delivery-lag gauge vanishes
exactly when it matters. The monitor reads the cluster's offsets every few
seconds and exports, per node, the end offset of its topic (and its backlog
when the node commits its position for monitoring), plus the lag of every
consumer group on the bus's topics. Alert rules combine these with the last
position a node reported (see deploy/prometheus/alerts.yml).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from gbus.observability.logging import get_logger
from gbus.observability.metrics import MonitorMetrics
from gbus.ops.cluster import ClusterSnapshot
from gbus.ops.lag import group_lags, node_deliveries

_log = get_logger("gbus.monitor")


class LabelSets:
    """Remove a gauge's children that the latest reading no longer has (a deleted group, topic)."""

    def __init__(self) -> None:
        self._previous: dict[int, set[tuple[str, ...]]] = {}

    def replace(self, gauge: object, values: dict[tuple[str, ...], float]) -> None:
        for labels, value in values.items():
            gauge.labels(*labels).set(value)  # type: ignore[attr-defined]
        for labels in self._previous.get(id(gauge), set()) - set(values):
            gauge.remove(*labels)  # type: ignore[attr-defined]
        self._previous[id(gauge)] = set(values)


def export(snapshot: ClusterSnapshot, metrics: MonitorMetrics, labels: LabelSets) -> None:
    """Set every monitor gauge from one snapshot."""
    metrics.brokers.set(sum(1 for b in snapshot.brokers if not b.fenced))
    labels.replace(
        metrics.group_lag,
        {(p.group, p.topic, str(p.partition)): p.lag for g in group_lags(snapshot) for p in g.partitions},
    )
    deliveries = node_deliveries(snapshot)
    labels.replace(metrics.node_topic_end, {(d.area,): d.end_offset for d in deliveries})
    labels.replace(metrics.node_committed, {(d.area,): d.position for d in deliveries if d.position is not None})
    labels.replace(metrics.node_backlog, {(d.area,): d.lag for d in deliveries if d.lag is not None})


class Monitor:
    def __init__(
        self,
        read: Callable[[], ClusterSnapshot],
        metrics: MonitorMetrics,
        *,
        interval_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._read = read
        self._metrics = metrics
        self._interval_s = interval_s
        self._clock = clock
        self._labels = LabelSets()

    def poll_once(self) -> bool:
        try:
            snapshot = self._read()
            export(snapshot, self._metrics, self._labels)
        except Exception as exc:  # noqa: BLE001 - a failed reading is counted and retried, never fatal
            self._metrics.polls.labels("error").inc()
            _log.warning("monitor_read_failed", error=f"{type(exc).__name__}: {exc}")
            return False
        self._metrics.polls.labels("ok").inc()
        self._metrics.last_success.set(self._clock())
        return True

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            self.poll_once()
            stop.wait(max(0.0, self._interval_s - (time.monotonic() - started)))
