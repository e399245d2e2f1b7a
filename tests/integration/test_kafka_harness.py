"""The Kafka harness gives a real broker that produces and consumes, via the API and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gbus.kafka_harness.ports import is_port_free, pick_free_ports

pytestmark = pytest.mark.integration

# Runs the real `gbus` entry point with only the kafka command registered, so these tests do
# not depend on other areas' CLI modules being importable.
_GBUS = "import sys, gbus.cli.main as m; m.COMMAND_MODULES = ('gbus.cli.kafka_cmd',); sys.exit(m.main(sys.argv[1:]))"


def gbus(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _GBUS, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def free_port_pair() -> int:
    for _ in range(50):
        port = pick_free_ports(1)[0]
        if port < 65000 and is_port_free(port + 1):
            return port
    raise AssertionError("no two consecutive free ports found")


def test_a_record_produced_to_the_session_broker_is_consumed_back(
    kafka_bootstrap: str, create_topic: Callable[..., str]
) -> None:
    from kafka import KafkaConsumer, KafkaProducer

    topic = create_topic(partitions=3)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    sent = {f"key-{i}".encode(): f"value-{i}".encode() for i in range(50)}
    for key, value in sent.items():
        producer.send(topic, key=key, value=value)
    producer.flush(timeout=30)
    producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"g-{topic}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=10_000,
    )
    received: dict[bytes, bytes] = {}
    for message in consumer:
        received[message.key] = message.value
        if len(received) == len(sent):
            break
    consumer.close()
    assert received == sent


def test_topics_are_not_created_by_producing_to_them(kafka_bootstrap: str, topic_name: Callable[[str], str]) -> None:
    # The bus creates its topics explicitly; a typo must fail, not make a new topic.
    from kafka import KafkaProducer
    from kafka.errors import KafkaTimeoutError

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, max_block_ms=3000)
    try:
        with pytest.raises(KafkaTimeoutError):
            producer.send(topic_name("missing"), b"x").get(timeout=5)
    finally:
        producer.close(timeout=5)


def test_cli_up_prints_the_bootstrap_string_last_and_down_stops_the_broker(tmp_path: Path) -> None:
    data_dir = tmp_path / "kafka"
    port = free_port_pair()
    try:
        up = gbus("kafka", "up", "--data-dir", str(data_dir), "--port", str(port))
        assert up.returncode == 0, up.stderr
        assert up.stdout.splitlines()[-1] == f"127.0.0.1:{port}"
        assert "ready" in up.stderr  # progress goes to stderr, not stdout

        again = gbus("kafka", "up", "--data-dir", str(data_dir))
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == f"127.0.0.1:{port}"
        assert "already running" in again.stderr

        status = gbus("kafka", "status", "--data-dir", str(data_dir), "--json")
        report = json.loads(status.stdout)
        assert status.returncode == 0
        assert report["state"] == "running" and report["ready"] is True
        assert report["nodes"][0]["port"] == port
    finally:
        down = gbus("kafka", "down", "--data-dir", str(data_dir))
    assert down.returncode == 0, down.stderr
    assert is_port_free(port)
    stopped = gbus("kafka", "status", "--data-dir", str(data_dir), "--json")
    assert stopped.returncode == 1
    assert json.loads(stopped.stdout)["state"] == "stopped"


def test_cli_up_names_the_port_and_its_owner_when_the_port_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = gbus("kafka", "up", "--data-dir", str(tmp_path / "k"), "--port", str(port))
    assert result.returncode == 1
    assert f"port {port}" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert result.stdout == ""


def test_a_single_broker_keeps_its_records_across_sigkill_and_restart(tmp_path: Path) -> None:
    import signal

    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

    from gbus.kafka_harness import KafkaCluster

    with KafkaCluster(tmp_path / "kafka", bind_to_parent=True) as cluster:
        admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers)
        admin.create_topics({"kept": {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True)
        admin.close()
        producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers, acks="all")
        for i in range(20):
            producer.send("kept", f"r{i}".encode())
        producer.flush(timeout=30)
        producer.close()

        cluster.kill(1, signal.SIGKILL)
        assert cluster.status().state == "stopped"
        cluster.restart(1)
        assert cluster.status().state == "running"

        consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap_servers, group_id=None)
        tp = TopicPartition("kept", 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        values = [r.value for batch in consumer.poll(timeout_ms=10_000).values() for r in batch]
        consumer.close()
    assert values == [f"r{i}".encode() for i in range(20)]
    assert cluster.status().state == "stopped"
