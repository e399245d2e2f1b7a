"""Several harness clusters started at the same moment on free ports never collide on a port."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

_GBUS = "import sys, gbus.cli.main as m; m.COMMAND_MODULES = ('gbus.cli.kafka_cmd',); sys.exit(m.main(sys.argv[1:]))"
CLUSTERS = 3


def test_clusters_started_together_on_port_0_all_start_on_disjoint_ports(tmp_path):
    dirs = [tmp_path / f"kafka-{i}" for i in range(CLUSTERS)]
    procs = [
        subprocess.Popen([sys.executable, "-c", _GBUS, "kafka", "up", "--data-dir", str(d), "--port", "0", "--fresh"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        for d in dirs
    ]  # fmt: skip
    try:
        results = [p.communicate(timeout=300) for p in procs]
        for proc, (out, err) in zip(procs, results):
            assert proc.returncode == 0, f"a concurrent start failed:\n{err[-3000:]}"
        ports = []
        for d in dirs:
            status = subprocess.run([sys.executable, "-c", _GBUS, "kafka", "status", "--json", "--data-dir", str(d)],
                                    capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
            assert status.returncode == 0, status.stderr
            nodes = json.loads(status.stdout)["nodes"]
            ports += [p for n in nodes for p in (n["port"], n["controller_port"])]
        assert len(ports) == len(set(ports)) == 2 * CLUSTERS
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for d in dirs:
            subprocess.run([sys.executable, "-c", _GBUS, "kafka", "down", "--data-dir", str(d), "--grace", "10"],
                           capture_output=True, timeout=120, check=False)  # fmt: skip
