"""Root fixtures. Kafka: tests against a real broker (integration and end-to-end).

One broker per test session (starting one costs seconds); tests stay independent by using
their own topics (`topic_name`) and consumer groups, never by sharing state.

`make test` starts the broker itself and exports GBUS_TEST_KAFKA_BOOTSTRAP; without it
(e.g. running pytest directly) the session starts its own broker on free ports in a temp
dir, so it never collides with a `make run` cluster on 9092.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

BOOTSTRAP_ENV = "GBUS_TEST_KAFKA_BOOTSTRAP"


def _progress(message: str) -> None:
    # Visible with `pytest -s`; otherwise captured, and shown only if the fixture fails.
    print(f"[kafka harness] {message}", file=sys.stderr, flush=True)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of the session's broker, e.g. '127.0.0.1:40123'."""
    external = os.environ.get(BOOTSTRAP_ENV, "").strip()
    if external:
        yield external
        return
    from gbus.kafka_harness import KafkaCluster

    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka"), brokers=1, progress=_progress, bind_to_parent=True)
    with cluster:
        yield cluster.bootstrap_servers


@pytest.fixture
def topic_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Factory of unique topic names that say which test made them: t-<test>-<uuid>."""
    test = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")[:60]

    def make(prefix: str = "t") -> str:
        return f"{prefix}-{test}-{uuid.uuid4().hex[:12]}"

    return make


@pytest.fixture
def kafka_admin(kafka_bootstrap: str) -> Iterator[Callable[..., Any]]:
    """Factory of KafkaAdminClient on the session broker; all are closed after the test."""
    from kafka import KafkaAdminClient

    clients: list[Any] = []

    def make(**config: Any) -> Any:
        config.setdefault("bootstrap_servers", kafka_bootstrap)
        config.setdefault("client_id", "gbus-test-admin")
        client = KafkaAdminClient(**config)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def create_topic(kafka_admin: Callable[..., Any], topic_name: Callable[[str], str]) -> Callable[..., str]:
    """create_topic(partitions=1, replication=1, config=None, prefix='t') -> a new topic's name.

    Topics are made explicitly because the harness brokers run with
    auto.create.topics.enable=false, as production does.
    """
    admin = kafka_admin()

    def make(
        partitions: int = 1,
        replication: int = 1,
        config: dict[str, str] | None = None,
        prefix: str = "t",
    ) -> str:
        name = topic_name(prefix)
        spec = {"num_partitions": partitions, "replication_factor": replication, "configs": config or {}}
        # wait_for_metadata: a producer started right after must find a leader for every partition.
        admin.create_topics({name: spec}, wait_for_metadata=True)
        return name

    return make


@pytest.fixture(scope="session")
def kafka_three_brokers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One 3-broker cluster (replication 3, min ISR 2) for every fault test of the session.

    Starting one costs 30-80 s on a 2-core machine, so the modules share it; each test
    gets it through `three_brokers`, which brings back any broker the test killed.
    """
    from gbus.kafka_harness import KafkaCluster

    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka3"), brokers=3, bind_to_parent=True,
                           progress=lambda m: _progress(f"[3 brokers] {m}"))  # fmt: skip
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop(grace=20)


@pytest.fixture
def three_brokers(kafka_three_brokers: Any) -> Iterator[Any]:
    """The session's 3-broker cluster; every broker is running again after the test."""
    yield kafka_three_brokers
    stopped = [n for n in (1, 2, 3) if kafka_three_brokers.pid(n) is None]
    if stopped:
        kafka_three_brokers.start()  # starts the missing brokers and waits for all three
