"""Nodes and processors never create the bus's topics: on a cluster without them they refuse to
start and tell the operator to run `gbus topics create`; nothing is created behind their back."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

pytestmark = pytest.mark.integration

GBUS = [
    sys.executable,
    "-c",
    "import sys, gbus.cli.main as m; "
    "m.COMMAND_MODULES = ('gbus.cli.node_cmd', 'gbus.cli.processor_cmd'); sys.exit(m.main(sys.argv[1:]))",
]


@pytest.mark.parametrize("command", [["node", "--area", "79", "--grpc-listen", "127.0.0.1:0"], ["processor"]])
def test_a_process_on_a_cluster_without_the_bus_topics_fails_naming_the_command_to_run(
    kafka_bootstrap, kafka_admin, tmp_path, command
):
    prefix = f"bare-{uuid.uuid4().hex[:8]}."
    env = dict(os.environ, GBUS__KAFKA__TOPIC_PREFIX=prefix, GBUS__LOGGING__LEVEL="WARNING")
    done = subprocess.run(
        [*GBUS, *command, "--bootstrap", kafka_bootstrap, "--metrics-listen", "127.0.0.1:0", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"the bus's topics are missing on {kafka_bootstrap}: {prefix}reports" in done.stderr
    assert f"gbus topics create --bootstrap {kafka_bootstrap}" in done.stderr
    assert not [t for t in kafka_admin().list_topics() if t.startswith(prefix)]
