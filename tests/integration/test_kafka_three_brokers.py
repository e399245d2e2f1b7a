"""A 3-broker cluster (replication 3, min.insync.replicas=2) loses no acknowledged record
when a broker is SIGKILLed mid-stream, and takes the broker back after a restart.

The cluster is this module's own (free ports, temp dir), separate from the session broker.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gbus.kafka_harness import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RECORDS = 3000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    # A cluster of this module's own, not the session's shared one: its tests kill brokers and
    # leave them down on purpose (the last one restarts one), which the shared one must not see.
    three = KafkaCluster(tmp_path_factory.mktemp("kafka3-own"), brokers=3, bind_to_parent=True,
                         progress=lambda message: print(f"[kafka 3 brokers] {message}", flush=True))  # fmt: skip
    three.start()
    try:
        yield three
    finally:
        three.stop(grace=20)


def admin_for(cluster: KafkaCluster) -> Any:
    from kafka import KafkaAdminClient

    return KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers, client_id="three-brokers-test")


def leader_of(admin: Any, topic: str, partition: int) -> int:
    # Metadata can lag the topic's creation by a moment on a busy machine: ask until it names one.
    deadline = time.monotonic() + 15
    while True:
        (described,) = admin.describe_topics([topic])
        for p in described["partitions"]:
            if p["partition_index"] == partition and p["leader_id"] >= 0:
                return int(p["leader_id"])
        assert time.monotonic() < deadline, f"no leader for {topic}-{partition}: {described}"
        time.sleep(0.2)


def read_all(bootstrap: str, topic: str, partitions: int) -> list[bytes]:
    """Every record in the topic, read by partition up to the end offsets seen now."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        values: list[bytes] = []
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < end[tp] for tp in tps):
            assert time.monotonic() < deadline, "could not read up to the end offsets in 60 s"
            for records in consumer.poll(timeout_ms=1000).values():
                values.extend(r.value for r in records)
        return values
    finally:
        consumer.close()


def test_all_three_brokers_register_and_new_topics_get_three_replicas(
    cluster: KafkaCluster, topic_name: Callable[[str], str]
) -> None:
    admin = admin_for(cluster)
    try:
        info = admin.describe_cluster()
        assert sorted(b["broker_id"] for b in info["brokers"]) == [1, 2, 3]
        topic = topic_name("rf")
        # No replication factor given: the cluster default (3) applies.
        admin.create_topics({topic: {"num_partitions": 2}}, wait_for_metadata=True)
        (described,) = admin.describe_topics([topic])
        assert all(len(p["replica_nodes"]) == 3 for p in described["partitions"])
    finally:
        admin.close()


def test_every_acknowledged_record_is_readable_after_a_broker_is_killed_mid_stream(
    cluster: KafkaCluster, topic_name: Callable[[str], str]
) -> None:
    from kafka import KafkaProducer

    topic = topic_name("acks-all")
    admin = admin_for(cluster)
    try:
        admin.create_topics(
            {topic: {"num_partitions": 3, "replication_factor": 3, "configs": {"min.insync.replicas": "2"}}},
            wait_for_metadata=True,
        )
        victim = leader_of(admin, topic, 0)
    finally:
        admin.close()

    acked: set[bytes] = set()
    failed: list[BaseException] = []
    lock = threading.Lock()

    def on_ack(value: bytes) -> Callable[[Any], None]:
        def record(_metadata: Any) -> None:
            with lock:
                acked.add(value)

        return record

    producer = KafkaProducer(
        bootstrap_servers=cluster.bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        # A killed leader is replaced once its broker session (9 s) expires; leave room for that.
        delivery_timeout_ms=60_000,
        request_timeout_ms=15_000,
    )
    try:
        for i in range(RECORDS):
            value = f"record-{i}".encode()
            future = producer.send(topic, key=str(i % 97).encode(), value=value)
            future.add_callback(on_ack(value))
            future.add_errback(failed.append)
            if i == RECORDS // 3:
                cluster.kill(victim, signal.SIGKILL)  # writes are in flight to its partitions now
            if i % 100 == 0:
                time.sleep(0.05)  # spread the stream across the failover, not all before it
        producer.flush(timeout=90)
    finally:
        producer.close(timeout=10)

    assert cluster.status().nodes[victim - 1].running is False
    # Two in-sync replicas remain, so writes keep being acknowledged after the kill.
    assert not failed, f"{len(failed)} writes failed, e.g. {failed[:3]}"
    assert len(acked) == RECORDS
    readable = set(read_all(cluster.bootstrap_servers, topic, 3))
    lost = acked - readable
    assert not lost, f"{len(lost)} acknowledged records are missing, e.g. {sorted(lost)[:5]}"


def test_a_killed_broker_rejoins_the_cluster_after_restart(cluster: KafkaCluster) -> None:
    node = 3
    if cluster.pid(node) is not None:
        cluster.kill(node, signal.SIGKILL)
    assert cluster.pid(node) is None

    cluster.restart(node)

    assert cluster.pid(node) is not None
    assert cluster.not_ready_reason() is None
    assert cluster.status().state == "running"
    assert Path(cluster.files(node).logs_dir / "server.log").is_file()
