"""`make run` end to end: `gbus run` brings up Kafka, the processor and three nodes, and the
sample flows through them (routing, a merge across channels, a worked case, sync)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from gbus.kafka_harness.ports import pick_free_ports

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("secure", [False, True], ids=["development", "secure"])
def test_gbus_run_shows_routing_merges_and_sync_then_stops_cleanly(tmp_path, secure):
    port = pick_free_ports(2)[0]
    result = subprocess.run(
        [sys.executable, "-m", "gbus.cli.main", "run", "--run-dir", str(tmp_path / "run"), "--kafka-port", str(port),
         "--partitions", "8", "--exit-after-sample", *(["--secure"] if secure else [])],
        capture_output=True, text=True, timeout=300, env=dict(os.environ),
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "10 reports became 7 cases" in out
    assert "MERGED   3 reports of one grievance" in out  # portal, union and hotline copies of the flooded street
    assert "PERMISSION_DENIED" in out  # a watcher may not close the case
    assert "-> RESOLVED" in out
    for area in ("VN", "79", "01"):
        assert f"node {area} grpc=127.0.0.1:" in out
    # The Open311 gateway in front of node 79, for the city's People's Committee and its citizen app.
    assert re.search(r"^open311 url=http://127\.0\.0\.1:\d+/ api_key=\S+ agency=gov\.ubnd@79$", out, re.MULTILINE)
    sync = [line for line in out.splitlines() if " sees " in line]
    assert sync and all("RESOLVED" in line for line in sync), sync
    assert out.rstrip().endswith("stopped")
    assert not (tmp_path / "run" / "pids.json").exists()
    if secure:  # every call went over mutual TLS, every process logged in to Kafka as itself
        assert "mutual TLS" in out and "SASL/SCRAM-SHA-512" in out
        assert (tmp_path / "run" / "pki" / "agencies" / "gov.ubnd@79.26743.pem").exists()
