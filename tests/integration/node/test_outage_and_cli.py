"""A node's behaviour at its edges: Kafka going away under it, and `gbus node` as a process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gbus.domain.case import make_report_id
from gbus.node.app import NodeApp
from gbus.v1 import intake_pb2
from support.node_harness import CODEC, ORIGIN, Bus, Running, as_agency, sample_report

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _submit(node: Running, request_id: str):
    return node.intake.SubmitReport(
        intake_pb2.SubmitReportRequest(report=sample_report(request_id)), metadata=as_agency(ORIGIN), timeout=15
    )


def test_while_kafka_is_unavailable_a_submit_is_unavailable_and_the_retry_gets_the_same_id(tmp_path, router):
    from gbus.kafka_harness import KafkaCluster

    with KafkaCluster(tmp_path / "kafka", brokers=1) as cluster:
        bus = Bus(cluster.bootstrap_servers, all_areas=False)
        settings = bus.settings("79", str(tmp_path / "nodes"))
        node = Running(NodeApp(settings, router=router, intake_ack_timeout_s=2.0).start())
        try:
            _submit(node, "before")
            cluster.kill(1, signal.SIGSTOP)  # the broker stops answering, connections stay open
            try:
                with pytest.raises(grpc.RpcError) as info:
                    _submit(node, "during")
            finally:
                cluster.kill(1, signal.SIGCONT)
            assert info.value.code() is grpc.StatusCode.UNAVAILABLE and "retry" in info.value.details()
            retried = _submit(node, "during")
            assert retried.report_id == make_report_id("79", ORIGIN, "during") and not retried.replayed
            ids = [CODEC.decode(r.value)["report_id"] for r in bus.read_all(bus.topics.reports, idle_s=0.5)]
            assert set(ids) == {make_report_id("79", ORIGIN, r) for r in ("before", "during")}
        finally:
            node.stop()
            bus.close()


def test_gbus_node_prints_its_ready_line_serves_and_stops_cleanly_on_sigterm(bus, tmp_path):
    env = dict(os.environ, GBUS__KAFKA__TOPIC_PREFIX=bus.prefix, GBUS__KAFKA__PARTITIONS=str(bus.topics.partitions),
               GBUS__LOGGING__LEVEL="WARNING")  # fmt: skip
    cmd = [sys.executable, "-m", "gbus.cli.main", "node", "--area", "79", "--bootstrap", bus.bootstrap,
           "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--data-dir", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        ready = re.fullmatch(r"node 79 grpc=(127\.0\.0\.1:\d+) metrics=(http://127\.0\.0\.1:\d+/metrics)\n", line)
        assert ready, f"unexpected first line {line!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        with grpc.insecure_channel(ready.group(1)) as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="gbus.v1.IntakeService"), timeout=5
            )
            assert health.status == health_pb2.HealthCheckResponse.SERVING
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
