"""`gbus topics create` makes every topic once; a second run creates nothing."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gbus.topics import Topics, topic_specs

pytestmark = pytest.mark.integration

GBUS = str(Path(sys.executable).with_name("gbus"))


def test_topics_create_makes_every_topic_and_is_idempotent(kafka_bootstrap, kafka_admin):
    prefix = f"t-{uuid.uuid4().hex[:10]}."
    cmd = [GBUS, "topics", "create", "--bootstrap", kafka_bootstrap, "--prefix", prefix, "--partitions", "3"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    expected = {s.name for s in topic_specs(Topics(prefix=prefix, partitions=3))}
    assert set(first.stdout.split()) == expected
    described = {t["name"]: t for t in kafka_admin().describe_topics([f"{prefix}reports", f"{prefix}node.79"])}
    assert len(described[f"{prefix}reports"]["partitions"]) == 3
    assert len(described[f"{prefix}node.79"]["partitions"]) == 1

    second = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    assert second.stdout == ""
