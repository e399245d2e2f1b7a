"""What `gbus run` keeps in its run directory, and starting it afresh.

A run is fresh by default: a demo that silently continues yesterday's cases
shows other numbers than the ones it prints, and a data dir keeps the Kafka
ports it was formatted with. `--keep` continues the earlier state instead.

Only the entries `gbus run` itself writes are removed, never the directory as
a whole: `--run-dir` may name a directory that holds other things too.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from gbus.devrun.supervisor import PIDS_FILE

KAFKA_DIR = "kafka"
# Everything else `gbus run` writes: process state, logs, Prometheus targets, the dev PKI.
OWN_ENTRIES = ("processor", "nodes", "logs", "scrape-targets", "pki", PIDS_FILE)


class RunDirBusy(Exception):
    """An earlier run from the same directory is still running."""


def recorded_alive(run_dir: Path) -> list[str]:
    """Names of the processes an earlier run recorded that are still alive."""
    try:
        entries = json.loads((run_dir / PIDS_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return []
    alive = []
    for entry in entries:
        try:
            os.kill(int(entry["pid"]), 0)
        except ProcessLookupError:
            continue
        except PermissionError:  # a pid reused by another user's process: not ours
            continue
        alive.append(str(entry["name"]))
    return alive


def start_fresh(run_dir: Path) -> list[str]:
    """Stop the leftover Kafka and delete what an earlier run left; return what was removed.

    Refuses (RunDirBusy) while that run's processes are alive: deleting their files
    under them would leave a bus nobody can stop with `gbus run stop`.
    """
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_harness.state import load_state

    alive = recorded_alive(run_dir)
    if alive:
        raise RunDirBusy(
            f"a bus started from {run_dir} is still running ({', '.join(alive)}); "
            "stop it with `make stop` (gbus run stop), or use another --run-dir"
        )
    removed = []
    kafka_dir = run_dir / KAFKA_DIR
    if kafka_dir.is_dir() and load_state(kafka_dir) is not None:
        KafkaCluster.open(kafka_dir).wipe()  # stops a broker left running, then deletes its data
        removed.append(KAFKA_DIR)
    for name in OWN_ENTRIES:
        path = run_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed
