"""The connection bound: seconds for a first attempt, doubling per failure, never above kafka-python's own."""

from __future__ import annotations

from typing import Any

import pytest

from gbus.kafka_io import connect_guard

BOUND = connect_guard.CONNECT_ATTEMPT_MS


class _Manager:
    """The two things the bound reads from kafka-python's connection manager."""

    def __init__(self, failures: dict[Any, int] | None = None, setup_ms: float = 10_000) -> None:
        self._backoff = {node: (n, 0.0, 0.0) for node, n in (failures or {}).items()}
        self.setup_ms = setup_ms

    def socket_connection_setup_timeout_ms(self, node_id: Any) -> float:
        return self.setup_ms


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    seen: list[tuple[Any, Any]] = []
    monkeypatch.setattr(connect_guard, "_unbounded", lambda _self, node_id, timeout_ms=None, **_: seen.append(
        (node_id, timeout_ms)))  # fmt: skip
    return seen


def test_a_bootstrap_attempt_gets_seconds_not_the_whole_bootstrap_timeout(calls: list[tuple[Any, Any]]) -> None:
    connect_guard._bounded_get_connection(_Manager(), "bootstrap-1", timeout_ms=30_000)
    connect_guard._bounded_get_connection(_Manager(), "bootstrap-0", timeout_ms=400)  # less left: kept
    assert calls == [("bootstrap-1", BOUND), ("bootstrap-0", 400)]


def test_a_reconnect_to_a_known_broker_gets_seconds_not_kafka_pythons_ten(calls: list[tuple[Any, Any]]) -> None:
    connect_guard._bounded_get_connection(_Manager(), 2)
    connect_guard._bounded_get_connection(_Manager(setup_ms=500), "coordinator-2")
    assert calls == [(2, BOUND), ("coordinator-2", 500)]


def test_each_failure_doubles_the_bound_so_a_slow_live_broker_still_connects(calls: list[tuple[Any, Any]]) -> None:
    manager = _Manager(failures={2: 1, "bootstrap-0": 2}, setup_ms=30_000)
    connect_guard._bounded_get_connection(manager, 2)
    connect_guard._bounded_get_connection(manager, "bootstrap-0", timeout_ms=60_000)
    assert calls == [(2, 2 * BOUND), ("bootstrap-0", 4 * BOUND)]


def test_installing_twice_keeps_one_bound() -> None:
    connect_guard.install()
    connect_guard.install()
    assert connect_guard.installed()
