"""A whole bus per test module: topics under a unique prefix, the real processor, nodes, the monitor.

Everything runs in-process on the session's broker (real Kafka, real gRPC on
port 0, real /metrics endpoints), so tests can stop and restart a node and
read every process's metrics.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gbus.config import ProcessorSettings
from gbus.devrun.scrape_targets import ScrapeProcess, write_scrape_targets
from gbus.node.app import NodeApp
from gbus.observability.metrics import Metrics, MonitorMetrics, serve_metrics
from gbus.ops.kafka_view import admin_client, read_cluster
from gbus.ops.monitor import Monitor
from support.node_harness import Bus, wait_until


@pytest.fixture(scope="session")
def router():
    from gbus.routing import Router

    return Router.default()


@dataclass
class OpsBus:
    bus: Bus
    router: Any
    workdir: Path
    nodes: dict[str, NodeApp] = field(default_factory=dict)
    _closers: list[Any] = field(default_factory=list)
    processor_metrics_url: str = ""
    monitor_metrics_url: str = ""
    processor: Any = None

    @property
    def kafka(self) -> Any:
        return self.bus.kafka

    @property
    def targets_file(self) -> Path:
        return self.workdir / "scrape-targets" / "gbus.json"

    def start_processor(self) -> None:
        from gbus.processor.bootstrap import build_processor

        settings = self.bus.settings("79", str(self.workdir / "unused")).replace(
            "processor", **vars(ProcessorSettings(group_id=f"g-{uuid.uuid4().hex[:8]}", instance_id="p1"))
        )
        metrics = Metrics()
        endpoint = serve_metrics(metrics)
        self.processor_metrics_url = endpoint.url
        proc = build_processor(settings, metrics=metrics, in_memory=True, router=self.router)
        proc.start()
        stop = threading.Event()
        thread = threading.Thread(target=lambda: proc.run(stop, poll_timeout_ms=100), daemon=True)
        thread.start()
        wait_until(lambda: proc.ready_partitions, 30, "the processor's partition assignment")
        self.processor = proc

        def close() -> None:
            stop.set()
            thread.join(30)
            proc.close()
            endpoint.close()

        self._closers.append(close)

    def start_node(self, area: str) -> NodeApp:
        settings = self.bus.settings(area, str(self.workdir / "nodes"))
        app = NodeApp(settings, router=self.router).start()
        self.nodes[area] = app
        self._closers.append(app.stop)
        return app

    def stop_node(self, area: str) -> None:
        self.nodes.pop(area).stop(grace_s=0.5)

    def start_monitor(self, interval_s: float = 0.5) -> None:
        metrics = MonitorMetrics()
        endpoint = serve_metrics(metrics)
        self.monitor_metrics_url = endpoint.url
        admin_cm = admin_client(self.kafka, "test-monitor")
        admin = admin_cm.__enter__()
        monitor = Monitor(lambda: read_cluster(self.kafka, admin), metrics, interval_s=interval_s)
        monitor.poll_once()
        stop = threading.Event()
        thread = threading.Thread(target=monitor.run, args=(stop,), daemon=True)
        thread.start()

        def close() -> None:
            stop.set()
            thread.join(10)
            admin_cm.__exit__(None, None, None)
            endpoint.close()

        self._closers.append(close)

    def write_targets(self) -> None:
        """What `gbus run` does once every process is ready: the file Prometheus discovers targets from."""
        processes = [ScrapeProcess("processor", "p1", self.processor_metrics_url)] if self.processor_metrics_url else []
        processes += [ScrapeProcess("node", f"node-{a}", app.metrics_url, area=a) for a, app in self.nodes.items()]
        if self.monitor_metrics_url:
            processes.append(ScrapeProcess("monitor", "monitor", self.monitor_metrics_url))
        write_scrape_targets(self.targets_file, processes)

    def metrics_urls(self) -> dict[str, str]:
        urls = {f"node-{a}": app.metrics_url for a, app in self.nodes.items()}
        if self.processor_metrics_url:
            urls["processor"] = self.processor_metrics_url
        if self.monitor_metrics_url:
            urls["monitor"] = self.monitor_metrics_url
        return urls

    def close(self) -> None:
        for close in reversed(self._closers):
            try:
                close()
            except Exception:  # noqa: BLE001 - one failing close must not leak the rest
                pass
        self.bus.close()


@pytest.fixture(scope="module")
def ops_bus(kafka_bootstrap: str, router: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsBus]:
    bus = OpsBus(Bus(kafka_bootstrap, all_areas=True), router, tmp_path_factory.mktemp("ops-bus"))
    yield bus
    bus.close()
