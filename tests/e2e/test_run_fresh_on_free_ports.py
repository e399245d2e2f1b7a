"""`gbus run` without options: Kafka and every process on free ports, the printed addresses
answer (DirectoryService included), a second run from the same directory is refused while the
first is alive, and the next run after it starts fresh."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from kafka import KafkaAdminClient

from gbus.v1 import directory_pb2, directory_pb2_grpc

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def gbus_run(run_dir, *extra):
    return [sys.executable, "-m", "gbus.cli.main", "run", "--run-dir", str(run_dir), "--areas", "79",
            "--partitions", "4", "--no-sample", *extra]  # fmt: skip


def read_until_ready(proc) -> str:
    """stdout up to the last address line `gbus run` prints once everything is up."""
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("prometheus targets:"):
            return "".join(lines)
    raise AssertionError(f"gbus run ended before it was ready:\n{''.join(lines)}")


def test_gbus_run_serves_on_the_addresses_it_prints_and_starts_fresh(tmp_path):
    run_dir = tmp_path / "run"
    first = subprocess.Popen(gbus_run(run_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             env=dict(os.environ))  # fmt: skip
    try:
        out = read_until_ready(first)
        node = re.search(r"^node 79 grpc=(\S+)", out, re.M).group(1)
        bootstrap = re.search(r"^kafka bootstrap=(\S+)", out, re.M).group(1)
        assert bootstrap != "127.0.0.1:9092"

        with grpc.insecure_channel(node) as channel:
            replies = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10
            )
            assert "gbus.v1.DirectoryService" in {s.name for r in replies for s in r.list_services_response.service}
            agency = (
                directory_pb2_grpc.DirectoryServiceStub(channel)
                .GetAgency(directory_pb2.GetAgencyRequest(agency_id="gov.ubnd@79"), timeout=10)
                .agency
            )
            assert agency.name == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            assert any(t.endswith("reports") for t in admin.list_topics())
        finally:
            admin.close()

        refused = subprocess.run(gbus_run(run_dir, "--exit-after-sample"), capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0
        assert "still running" in refused.stderr and "make stop" in refused.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=120)

    again = subprocess.run(gbus_run(run_dir, "--exit-after-sample"), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "== fresh start: removed kafka, processor, nodes, logs, scrape-targets" in again.stdout
