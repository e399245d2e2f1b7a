"""`gbus run --bootstrap` runs the whole bus on a Kafka cluster it did not start, and leaves it running."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gbus.kafka_harness import KafkaCluster

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_bus_runs_the_sample_on_an_existing_cluster_and_leaves_the_cluster_up(tmp_path):
    # A cluster of its own: the sample's duplicate counts assume topics nobody wrote to before.
    with KafkaCluster(tmp_path / "kafka", brokers=1, bind_to_parent=True) as cluster:
        result = subprocess.run(
            [sys.executable, "-m", "gbus.cli.main", "run", "--bootstrap", cluster.bootstrap_servers,
             "--run-dir", str(tmp_path / "run"), "--partitions", "8", "--exit-after-sample"],
            capture_output=True, text=True, timeout=300, env=dict(os.environ),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        out = result.stdout
        assert f"the existing cluster at {cluster.bootstrap_servers} (1 brokers" in out
        assert "10 reports became 7 cases" in out
        assert f"kafka bootstrap={cluster.bootstrap_servers}" in out
        assert not (tmp_path / "run" / "kafka").exists(), "no cluster of its own was made"
        assert cluster.status().state == "running"


def test_an_unreachable_cluster_is_named_and_nothing_is_started(tmp_path):
    from gbus.kafka_harness.ports import pick_free_ports

    nobody = f"127.0.0.1:{pick_free_ports(1)[0]}"
    result = subprocess.run(
        [sys.executable, "-m", "gbus.cli.main", "run", "--bootstrap", nobody, "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode != 0
    assert f"no Kafka broker answered at {nobody}" in result.stderr


def test_secure_mode_on_an_existing_cluster_is_refused_as_a_usage_error(tmp_path):
    # --secure creates the Kafka users and ACLs on a cluster of its own; an existing one has its own.
    result = subprocess.run(
        [sys.executable, "-m", "gbus.cli.main", "run", "--bootstrap", "kafka-1.example:9093", "--secure",
         "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 2
    assert "--bootstrap runs against an existing cluster: it cannot be combined with --secure" in result.stderr
