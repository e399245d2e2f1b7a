"""End-to-end: the real processor and several nodes on one broker, each test on its own topics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gbus.node.app import NodeApp
from support.node_harness import Bus, Running
from support.processor_harness import processor_settings, running_processor


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
    with running_processor(processor_settings(bus.kafka), router, poll_timeout_ms=50) as proc:
        yield proc
