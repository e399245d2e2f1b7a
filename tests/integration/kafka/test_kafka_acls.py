"""A `--secure` cluster: nodes authenticate with SCRAM and ACLs keep each to its own topic.

One secure broker for the module (its own data dir and free ports, not the session broker).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gbus.config import KafkaSettings
from gbus.topics import Topics, topic_specs

pytestmark = pytest.mark.integration

AREAS = ("79", "01")
PARTITIONS = 3


@pytest.fixture(scope="module")
def secure_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from gbus.cli.kafka_security_cmd import apply_bus_acls
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_io.admin import ensure_topics

    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-secure"), secure=True, bind_to_parent=True)
    with cluster:
        apply_bus_acls(cluster)  # default prefix gbus., as `gbus kafka up --secure` does
        ensure_topics(settings_as(cluster, "admin"), topic_specs(Topics("gbus.", PARTITIONS), areas=AREAS))
        yield cluster


def settings_as(cluster: Any, user: str, password: str | None = None) -> KafkaSettings:
    fields = cluster.settings_fields(user)  # TLS with the cluster's CA, SCRAM as `user`
    if password is not None:
        fields["sasl_password"] = password
    return KafkaSettings(bootstrap_servers=cluster.bootstrap_servers, partitions=PARTITIONS, request_timeout_ms=10_000,
                         **fields)  # fmt: skip


def produce(settings: KafkaSettings, topic: str, value: bytes, **extra: Any) -> None:
    from gbus.kafka_io.clients import make_producer

    producer = make_producer(settings, "acl-test", max_block_ms=10_000, **extra)
    try:
        producer.send(topic, key=b"k", value=value).get(timeout=15)
    finally:
        producer.close(timeout=5)


def read_all(settings: KafkaSettings, topic: str, partition: int = 0, timeout_s: float = 15) -> list[bytes]:
    """Every record of one partition, read without a group (as a node reads its copies)."""
    from kafka import TopicPartition

    from gbus.kafka_io.clients import make_consumer

    consumer = make_consumer(settings, "acl-test", group_id=None)
    tp = TopicPartition(topic, partition)
    try:
        consumer.assign([tp])
        end = consumer.end_offsets([tp])[tp]
        consumer.seek_to_beginning(tp)
        values: list[bytes] = []
        deadline = time.monotonic() + timeout_s
        while consumer.position(tp) < end:
            assert time.monotonic() < deadline, f"did not reach the end of {topic}"
            for records in consumer.poll(timeout_ms=200).values():
                values.extend(r.value for r in records)
        return values
    finally:
        consumer.close()


def blind_fetch(settings: KafkaSettings, topic: str, seconds: float = 2.0) -> list[bytes]:
    """Records a consumer gets when it assigns partition 0, seeks to 0 and polls for a while."""
    from kafka import TopicPartition
    from kafka.errors import TopicAuthorizationFailedError

    from gbus.kafka_io.clients import make_consumer

    consumer = make_consumer(settings, "acl-test", group_id=None)
    tp = TopicPartition(topic, 0)
    got: list[bytes] = []
    try:
        consumer.assign([tp])
        consumer.seek(tp, 0)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                batches = consumer.poll(timeout_ms=200)
            except TopicAuthorizationFailedError:
                break
            got.extend(r.value for records in batches.values() for r in records)
        return got
    finally:
        consumer.close()


def test_a_node_writes_intake_topics_and_reads_its_own_topic(secure_cluster: Any) -> None:
    node = settings_as(secure_cluster, "node-79")
    processor = settings_as(secure_cluster, "processor")
    marker = uuid.uuid4().hex.encode()

    produce(node, "gbus.reports", marker)
    produce(node, "gbus.commands", marker)
    produce(processor, "gbus.node.79", marker)

    assert marker in read_all(node, "gbus.node.79")
    assert marker in read_all(processor, "gbus.reports", partition=_partition_of(b"k"))


def test_a_node_cannot_read_another_provinces_topic(secure_cluster: Any) -> None:
    from kafka.errors import TopicAuthorizationFailedError

    produce(settings_as(secure_cluster, "processor"), "gbus.node.01", b"for province 01 only")
    node = settings_as(secure_cluster, "node-79")

    with pytest.raises(TopicAuthorizationFailedError):
        read_all(node, "gbus.node.01")
    # Fetching blind from offset 0 (no offset lookup) yields nothing either: the broker refuses the fetch.
    assert blind_fetch(node, "gbus.node.01") == []
    # Nor the processor's topics, which hold every province's cases.
    with pytest.raises(TopicAuthorizationFailedError):
        read_all(node, "gbus.case-events")
    # The owner still can.
    owner = settings_as(secure_cluster, "node-01")
    assert b"for province 01 only" in read_all(owner, "gbus.node.01")
    assert b"for province 01 only" in blind_fetch(owner, "gbus.node.01")


def test_a_node_reads_only_its_own_command_answers(secure_cluster: Any) -> None:
    from kafka.errors import TopicAuthorizationFailedError

    # One results topic per node (gbus.topics.command_results_of): ACLs are per topic, not per partition.
    produce(settings_as(secure_cluster, "processor"), "gbus.command-results.01", b"answer for node 01")
    node = settings_as(secure_cluster, "node-79")
    with pytest.raises(TopicAuthorizationFailedError):
        read_all(node, "gbus.command-results.01")
    assert blind_fetch(node, "gbus.command-results.01") == []
    assert b"answer for node 01" in read_all(settings_as(secure_cluster, "node-01"), "gbus.command-results.01")


def test_a_node_cannot_write_another_nodes_topic(secure_cluster: Any) -> None:
    from kafka.errors import TopicAuthorizationFailedError

    with pytest.raises(TopicAuthorizationFailedError):
        produce(settings_as(secure_cluster, "node-79"), "gbus.node.01", b"forged copy")


def test_a_wrong_password_fails_authentication(secure_cluster: Any) -> None:
    from kafka.errors import KafkaTimeoutError

    log = secure_cluster.files(1).logs_dir / "server.log"
    failures_before = _auth_failures(log)
    wrong = settings_as(secure_cluster, "node-79", password="not-the-password")
    # kafka-python sees the broker close the connection and retries until bootstrap times out.
    with pytest.raises(KafkaTimeoutError):
        produce(wrong, "gbus.reports", b"x", bootstrap_timeout_ms=3_000)
    # The broker's own account: it was the credentials, not the network.
    assert _auth_failures(log) > failures_before


def _auth_failures(log: Path) -> int:
    text = log.read_text(encoding="utf-8", errors="replace")
    return text.count("due to invalid credentials with SASL mechanism SCRAM-SHA-512")


def test_a_client_without_credentials_is_refused(secure_cluster: Any) -> None:
    from kafka.errors import KafkaError

    plain = KafkaSettings(bootstrap_servers=secure_cluster.bootstrap_servers, request_timeout_ms=5_000)
    with pytest.raises(KafkaError):
        produce(plain, "gbus.reports", b"x", bootstrap_timeout_ms=3_000)


def test_the_processor_writes_in_transactions_and_commits_its_group_offsets(secure_cluster: Any) -> None:
    from kafka import OffsetAndMetadata, TopicPartition

    from gbus.kafka_io.clients import make_consumer, make_producer

    settings = settings_as(secure_cluster, "processor")
    produce(settings, "gbus.commands", b"command")
    producer = make_producer(settings, "acl-test", transactional_id="gbus-processor-acltest", max_block_ms=15_000)
    consumer = make_consumer(settings, "acl-test", group_id="gbus-processor")
    try:
        producer.init_transactions()
        producer.begin_transaction()
        producer.send("gbus.case-events", key=b"k", value=b"event")
        tp = TopicPartition("gbus.commands", _partition_of(b"k"))
        consumer.assign([tp])
        producer.send_offsets_to_transaction({tp: OffsetAndMetadata(1, "", -1)}, consumer.group_metadata())
        producer.commit_transaction()
    finally:
        producer.close(timeout=5)
        consumer.close()
    # The commit markers are written after commit_transaction returns; until then the last stable
    # offset (what a read_committed reader sees as the end) has not moved. Over TLS that takes longer.
    deadline = time.monotonic() + 15
    while b"event" not in read_all(settings, "gbus.case-events", partition=_partition_of(b"k")):
        assert time.monotonic() < deadline, "the committed record never became readable"
        time.sleep(0.2)


def test_a_rotated_password_replaces_the_old_one(secure_cluster: Any, tmp_path: Path) -> None:
    from kafka import KafkaAdminClient

    from gbus.kafka_io.acl_admin import set_scram_password

    admin = KafkaAdminClient(bootstrap_servers=secure_cluster.bootstrap_servers, **secure_cluster.client_config())
    try:
        set_scram_password(admin, "node-VN", "rotated-password-1")
    finally:
        admin.close()
    produce(settings_as(secure_cluster, "node-VN", "rotated-password-1"), "gbus.reports", b"after rotation")
    from kafka.errors import KafkaError

    with pytest.raises(KafkaError):
        produce(settings_as(secure_cluster, "node-VN"), "gbus.reports", b"old password", bootstrap_timeout_ms=3_000)


def _partition_of(key: bytes) -> int:
    from kafka.partitioner.default import murmur2

    return (murmur2(key) & 0x7FFFFFFF) % PARTITIONS


def test_cli_up_secure_prints_no_password_and_credentials_print_and_rotate_one(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    def gbus(*args: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import sys, gbus.cli.main as m; m.COMMAND_MODULES = ('gbus.cli.kafka_cmd',); "
            "sys.exit(m.main(sys.argv[1:]))"
        )
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=180,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    data = str(tmp_path / "kafka")
    up = gbus("kafka", "up", "--secure", "--port", "0", "--data-dir", data)
    try:
        assert up.returncode == 0, up.stderr
        creds = json.loads((tmp_path / "kafka" / "credentials.json").read_text())
        for password in creds["users"].values():
            assert password not in up.stdout + up.stderr
        assert "ACLs for prefix 'gbus.'" in up.stderr

        shown = gbus("kafka", "credentials", "--area", "79", "--data-dir", data)
        assert shown.returncode == 0, shown.stderr
        assert f"GBUS__KAFKA__SASL_PASSWORD={creds['users']['node-79']}" in shown.stdout.splitlines()
        assert "GBUS__KAFKA__SASL_USERNAME=node-79" in shown.stdout.splitlines()

        rotated = gbus("kafka", "credentials", "--area", "79", "--rotate", "--json", "--data-dir", data)
        assert rotated.returncode == 0, rotated.stderr
        new = json.loads(rotated.stdout)
        assert new["sasl_password"] != creds["users"]["node-79"]
        saved = json.loads((tmp_path / "kafka" / "credentials.json").read_text())
        assert saved["users"]["node-79"] == new["sasl_password"]
        from gbus.kafka_io.admin import ensure_topics

        def as_user(user: str, password: str) -> KafkaSettings:
            return KafkaSettings(**{**new, "sasl_username": user, "sasl_password": password}, partitions=PARTITIONS)

        ensure_topics(
            as_user("admin", saved["users"]["admin"]), topic_specs(Topics("gbus.", PARTITIONS), areas=("79",))
        )
        produce(as_user("node-79", new["sasl_password"]), "gbus.reports", b"with the rotated password")

        refused = gbus("kafka", "credentials", "--user", "admin", "--rotate", "--data-dir", data)
        assert refused.returncode != 0 and "cannot be rotated" in refused.stderr
    finally:
        gbus("kafka", "down", "--data-dir", data)
