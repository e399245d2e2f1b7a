"""guard_joins refuses to patch a coordinator it does not know, rather than silently doing nothing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gbus.kafka_io.join_guard import guard_joins


def test_a_coordinator_of_another_shape_is_refused_with_a_pointer_to_the_guard() -> None:
    consumer = SimpleNamespace(_coordinator=SimpleNamespace(group_id="g"))

    with pytest.raises(RuntimeError, match="join_guard"):
        guard_joins(consumer)


def test_a_consumer_without_a_group_needs_no_guard() -> None:
    coordinator = SimpleNamespace(group_id=None)
    consumer = SimpleNamespace(_coordinator=coordinator)

    assert guard_joins(consumer) is consumer
    assert consumer._coordinator is coordinator
