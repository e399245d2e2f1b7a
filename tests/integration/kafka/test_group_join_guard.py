"""A group consumer whose polls are shorter than a rebalance still ends up owning its partitions.

kafka-python loses a rebalance the consumer asked for itself (subscription or metadata
change) when its JoinGroup/SyncGroup finishes after poll() returned; gbus.kafka_io.join_guard
makes the next poll apply it. A subscription change is the deterministic way to provoke one:
with 1 ms polls the join always outlives the poll that started it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from gbus.config import KafkaSettings
from gbus.kafka_io.clients import make_consumer

pytestmark = pytest.mark.integration


def _poll_until(consumer: Any, wanted: set[str], seconds: float, poll_ms: int) -> set[str]:
    deadline = time.monotonic() + seconds
    topics: set[str] = set()
    while time.monotonic() < deadline:
        consumer.poll(timeout_ms=poll_ms)
        topics = {tp.topic for tp in consumer.assignment()}
        if topics == wanted:
            break
    return topics


def test_a_rebalance_that_outlives_the_poll_that_started_it_is_applied_by_the_next_poll(
    kafka_bootstrap: str, create_topic: Callable[..., str]
) -> None:
    first, second = create_topic(partitions=2), create_topic(partitions=2)
    consumer = make_consumer(
        KafkaSettings(bootstrap_servers=kafka_bootstrap), "join-guard", group_id=f"g-{uuid.uuid4().hex[:8]}"
    )
    try:
        consumer.subscribe([first])
        assert _poll_until(consumer, {first}, 30, poll_ms=200) == {first}

        consumer.subscribe([first, second])  # the consumer's own reason to rejoin
        owned = _poll_until(consumer, {first, second}, 20, poll_ms=1)

        assert owned == {first, second}, f"still owns only {sorted(owned)} after the subscription grew"
    finally:
        consumer.close()


def test_a_consumer_without_a_group_is_left_as_kafka_python_made_it(kafka_bootstrap: str) -> None:
    from kafka.coordinator.consumer import ConsumerCoordinator

    consumer = make_consumer(KafkaSettings(bootstrap_servers=kafka_bootstrap), "no-group", group_id=None)
    try:
        assert type(consumer._coordinator) is ConsumerCoordinator
    finally:
        consumer.close()
