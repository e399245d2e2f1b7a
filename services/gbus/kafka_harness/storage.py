"""Formatting KRaft storage: writes meta.properties and the bootstrap metadata for a node.

One node: `format --standalone` makes it the single voter of a dynamic quorum (KIP-853).
Three nodes: the quorum is static (controller.quorum.voters in each config), and Kafka 4.x
formats such nodes with no quorum flag at all; every node gets the same cluster id.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from gbus.kafka_harness.errors import HarnessError
from gbus.kafka_harness.jars import KafkaRuntime
from gbus.kafka_harness.process import NodeFiles, jvm_command
from gbus.private_files import PRIVATE_UMASK, private_dir

STORAGE_TOOL = "kafka.tools.StorageTool"
FORMAT_TIMEOUT_S = 120


def format_command(
    java: str,
    runtime: KafkaRuntime,
    log4j_config: Path,
    files: NodeFiles,
    cluster_id: str,
    standalone: bool,
    extra_args: Sequence[str] = (),
) -> list[str]:
    args = [STORAGE_TOOL, "format", "-t", cluster_id, "-c", str(files.config)]
    if standalone:
        args.append("--standalone")
    args.extend(extra_args)  # e.g. --add-scram (security.scram_format_args)
    # The tool needs little heap; 256m keeps three parallel formats light.
    return jvm_command(java, runtime, log4j_config, files, "256m", args)


def start_format(
    java: str,
    runtime: KafkaRuntime,
    log4j_config: Path,
    files: NodeFiles,
    cluster_id: str,
    standalone: bool,
    extra_args: Sequence[str] = (),
) -> subprocess.Popen[str]:
    """Start formatting; nodes of a cluster are formatted in parallel (a JVM start each)."""
    private_dir(files.logs_dir)
    cmd = format_command(java, runtime, log4j_config, files, cluster_id, standalone, extra_args)
    return subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        umask=PRIVATE_UMASK,  # the metadata log it writes holds SCRAM credentials on a secure cluster
    )


def finish_format(proc: subprocess.Popen[str], files: NodeFiles) -> None:
    try:
        output, _ = proc.communicate(timeout=FORMAT_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise HarnessError(f"formatting {files.root} did not finish in {FORMAT_TIMEOUT_S} s") from exc
    # 0600: with --add-scram the tool prints each user's salted SCRAM keys.
    log = files.root / "format.log"
    log.touch(mode=0o600)
    log.chmod(0o600)
    log.write_text(output, encoding="utf-8")
    if proc.returncode != 0 or not files.is_formatted:
        last = "\n".join(output.strip().splitlines()[-15:])
        raise HarnessError(f"kafka StorageTool format failed for {files.root} (exit {proc.returncode}):\n{last}")
