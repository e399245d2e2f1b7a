"""On a 3-broker cluster: `gbus topics create` replicates by default, and `gbus monitor` keeps
reading after the broker coordinating a consumer group is killed and restarted.

The cluster is the session's shared 3-broker cluster (tests/conftest.py), separate from the session broker.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType

from gbus.kafka_harness import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The real `gbus` entry point with only the commands used here, so these tests do not depend
# on other areas' CLI modules being importable.
GBUS = [
    sys.executable,
    "-c",
    "import sys, gbus.cli.main as m; "
    "m.COMMAND_MODULES = ('gbus.cli.topics_cmd', 'gbus.cli.monitor_cmd'); sys.exit(m.main(sys.argv[1:]))",
]


@pytest.fixture
def cluster(three_brokers: KafkaCluster) -> KafkaCluster:
    """The session's shared 3-broker cluster (tests/conftest.py)."""
    return three_brokers


@pytest.fixture
def prefix(cluster: KafkaCluster) -> str:
    prefix = f"ops-{uuid.uuid4().hex[:8]}."
    done = subprocess.run([*GBUS, "topics", "create", "--bootstrap", cluster.bootstrap_servers, "--prefix", prefix,
                           "--partitions", "3"], capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{prefix}reports" in done.stdout.split()
    return prefix


def test_topics_created_without_options_get_three_replicas_and_two_in_sync(cluster, prefix):
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers)
    try:
        names = [f"{prefix}reports", f"{prefix}case-events", f"{prefix}node.79"]
        for described in admin.describe_topics(names):
            assert {len(p["replica_nodes"]) for p in described["partitions"]} == {3}, described["name"]
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])["topic"]
        assert {n: configs[n]["min.insync.replicas"]["value"] for n in names} == dict.fromkeys(names, "2")
    finally:
        admin.close()


def committed_group(cluster: KafkaCluster, topic: str) -> tuple[str, int]:
    """A consumer group with a committed offset on topic; returns it and its coordinator broker."""
    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers, acks="all")
    for i in range(10):
        producer.send(topic, value=b"r%d" % i, partition=0)
    producer.flush(timeout=30)
    producer.close()
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap_servers, group_id=group, enable_auto_commit=False)
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek(tp, 4)
        consumer.commit({tp: OffsetAndMetadata(4, "", -1)})
        # kafka-python names the coordinator's connection "coordinator-<broker id>".
        return group, int(str(consumer._coordinator.coordinator_id).rsplit("-", 1)[-1])
    finally:
        consumer.close()


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def ok_polls(text: str) -> float:
    found = re.search(r'^gbus_monitor_polls_total\{outcome="ok"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_monitor_reads_group_lag_again_after_the_coordinator_broker_restarts(cluster, prefix):
    topic = f"{prefix}reports"
    group, coordinator = committed_group(cluster, topic)
    env = dict(os.environ, GBUS__KAFKA__TOPIC_PREFIX=prefix, GBUS__LOGGING__LEVEL="WARNING")
    monitor = subprocess.Popen([*GBUS, "monitor", "--bootstrap", cluster.bootstrap_servers, "--interval", "0.5",
                                "--metrics-listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)  # fmt: skip
    try:
        ready = re.fullmatch(r"monitor metrics=(\S+)\n", monitor.stdout.readline())
        assert ready, monitor.stderr.read() if monitor.poll() is not None else "no ready line"
        url = ready.group(1)
        lag_line = f'gbus_kafka_group_lag_records{{group="{group}",partition="0",topic="{topic}"}} 6.0'
        assert lag_line in scrape(url)

        cluster.kill(coordinator, signal.SIGKILL)
        cluster.start()  # restarts the killed broker and waits until all three are registered
        back = ok_polls(scrape(url))
        deadline = time.monotonic() + 60
        while ok_polls(scrape(url)) < back + 3:
            assert monitor.poll() is None, monitor.stderr.read()
            assert time.monotonic() < deadline, "the monitor stopped reading after the coordinator restarted"
            time.sleep(0.5)
        assert lag_line in scrape(url)
    finally:
        monitor.send_signal(signal.SIGTERM)
        try:
            monitor.wait(timeout=20)
        except subprocess.TimeoutExpired:
            monitor.kill()
