"""A bus of its own per test (unique topic prefix, few partitions) and nodes on it.

Nodes run in-process (`NodeApp`) with real gRPC on port 0 and a real broker;
the router (directory load) is shared by the session because it is pure.
"""

from __future__ import annotations

import dataclasses
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
    b = Bus(kafka_bootstrap, all_areas=False)
    yield b
    b.close()


@pytest.fixture
def processor(bus: Bus, router: Any) -> Iterator[Any]:
    """A real processor on `bus` (a test module may override `bus`, e.g. with every area's topics)."""
    with running_processor(processor_settings(bus.kafka), router) as proc:
        yield proc


@pytest.fixture
def start_node(bus: Bus, router: Any, tmp_path: Any) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(
        area: str = "79",
        *,
        data_dir: str | None = None,
        placement_wait_s: float = 0.0,
        placement_waiters: int = 8,
        **grpc_over: Any,
    ) -> Running:
        settings = bus.settings(area, data_dir or str(tmp_path / "nodes"), **grpc_over)
        # Most of these tests run a node without a case processor: a submit then answers
        # placed=false at once instead of waiting for a verdict that cannot come.
        settings = dataclasses.replace(
            settings,
            node=dataclasses.replace(
                settings.node, placement_wait_s=placement_wait_s, placement_waiters=placement_waiters
            ),
        )
        node = Running(NodeApp(settings, router=router).start())
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()
