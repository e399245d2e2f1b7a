"""A harness broker keeps its data private: Kafka's log directories 0700, its files 0600."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from gbus.kafka_harness import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def shared_with_others(root: Path) -> list[str]:
    return [
        f"{p.relative_to(root)} {oct(p.stat().st_mode & 0o777)}"
        for p in [root, *root.rglob("*")]
        if p.stat().st_mode & 0o077
    ]


def test_a_harness_broker_writes_its_data_dirs_0700_and_files_0600(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)  # the usual default: without explicit modes Kafka writes 0644 segments
    try:
        with KafkaCluster(tmp_path / "kafka", bind_to_parent=True) as cluster:
            admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers)
            admin.create_topics(
                {"grievances": {"num_partitions": 1, "replication_factor": 1}},
                wait_for_metadata=True,
            )
            admin.close()
            producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers)
            producer.send("grievances", b"a report text").get(timeout=30)
            producer.close()
            segments = list((tmp_path / "kafka").rglob("*.log"))
            assert any("grievances-0" in str(s) for s in segments)
            assert shared_with_others(tmp_path / "kafka") == []
    finally:
        os.umask(old)
