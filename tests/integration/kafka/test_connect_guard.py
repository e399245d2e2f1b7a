"""A new client whose first bootstrap pick is a frozen broker moves on to a live one in seconds.

A frozen broker accepts TCP connections and never answers; here a listening socket that
never accepts plays it. kafka-python picks the bootstrap broker at random, so the test
makes the pick deterministic: the frozen one first.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kafka.net import manager as kafka_manager

from gbus.config import KafkaSettings
from gbus.kafka_io import connect_guard
from gbus.kafka_io.clients import make_admin, make_consumer, make_producer

pytestmark = pytest.mark.integration


@pytest.fixture
def frozen_broker() -> Iterator[str]:
    """host:port of a socket that completes TCP handshakes (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


class _FrozenFirst:
    """Stands in for kafka-python's `random`: the first bootstrap pick is the frozen broker."""

    def __init__(self, frozen: str) -> None:
        self.frozen = frozen
        self.picks: list[str] = []

    def choice(self, brokers: list[Any]) -> Any:
        chosen = next((b for b in brokers if f"{b.host}:{b.port}" == self.frozen), brokers[0])
        if self.picks:  # later picks: any other broker
            chosen = next(b for b in brokers if f"{b.host}:{b.port}" != self.frozen)
        self.picks.append(f"{chosen.host}:{chosen.port}")
        return chosen

    def __getattr__(self, name: str) -> Any:  # backoff jitter and the rest: the real module
        return getattr(random, name)


@pytest.mark.parametrize("make", [make_consumer, make_producer, make_admin], ids=["consumer", "producer", "admin"])
def test_a_client_whose_bootstrap_pick_is_frozen_tries_another_broker_after_one_attempt(
    kafka_bootstrap: str, frozen_broker: str, monkeypatch: pytest.MonkeyPatch, make: Any
) -> None:
    assert connect_guard.installed()
    picks = _FrozenFirst(frozen_broker)
    monkeypatch.setattr(kafka_manager, "random", picks)
    settings = KafkaSettings(bootstrap_servers=f"{frozen_broker},{kafka_bootstrap}")
    started = time.monotonic()
    client = make(settings, "bootstrap-guard", group_id=None) if make is make_consumer else make(settings, "bg")
    took = time.monotonic() - started
    try:
        assert picks.picks[0] == frozen_broker and picks.picks[-1] != frozen_broker
        # One bounded attempt (1 s), then the live broker; unbounded it waited 30 s.
        assert took < connect_guard.CONNECT_ATTEMPT_MS / 1000 + 5, f"bootstrap took {took:.1f} s"
    finally:
        client.close()
