"""End-to-end: the real processor and several nodes on one broker, each test on its own topics."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gbus.config import ProcessorSettings, Settings
from gbus.node.app import NodeApp
from gbus.observability.metrics import Metrics
from support.node_harness import Bus, Running, wait_until


@pytest.fixture(scope="session")
def router():
    from gbus.routing import Router

    return Router.default()


@pytest.fixture
def bus(kafka_bootstrap: str) -> Iterator[Bus]:
    b = Bus(kafka_bootstrap, all_areas=True)
    yield b
    b.close()


@pytest.fixture
def start_node(bus: Bus, router: Any, tmp_path: Any) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(area: str, *, data_dir: str | None = None) -> Running:
        settings = bus.settings(area, data_dir or str(tmp_path / "nodes"))
        node = Running(NodeApp(settings, router=router).start())
        started.append(node)
        return node

    yield start
    for node in started:
        try:
            node.stop()
        except Exception:  # noqa: BLE001 - a test may have stopped it already
            pass


@pytest.fixture
def processor(bus: Bus, router: Any) -> Iterator[Any]:
    from gbus.processor.bootstrap import build_processor

    settings = Settings(
        kafka=bus.kafka, processor=ProcessorSettings(group_id=f"g-{uuid.uuid4().hex[:8]}", instance_id="p1")
    )
    metrics = Metrics()
    proc = build_processor(settings, in_memory=True, router=router, metrics=metrics)
    proc.bus_metrics = metrics  # what the test may read of the processor's /metrics
    proc.start()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: proc.run(stop, poll_timeout_ms=50), daemon=True)
    thread.start()
    wait_until(lambda: proc.ready_partitions, 30, "the processor's partition assignment")
    yield proc
    stop.set()
    thread.join(30)
    proc.close()
