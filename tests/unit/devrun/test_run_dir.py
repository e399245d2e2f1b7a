"""gbus run starts fresh: what it removes from its run directory, and when it refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gbus.devrun.run_dir import RunDirBusy, recorded_alive, start_fresh


def _record(run_dir, **pids):
    (run_dir / "pids.json").write_text(json.dumps([{"name": n, "pid": p} for n, p in pids.items()]))


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_recorded_processes_that_still_run_count_as_alive(tmp_path):
    _record(tmp_path, **{"node-79": os.getpid(), "processor": _dead_pid()})
    assert recorded_alive(tmp_path) == ["node-79"]


def test_a_run_dir_without_records_has_nothing_alive(tmp_path):
    assert recorded_alive(tmp_path) == []


def test_a_fresh_start_removes_what_gbus_run_wrote_and_nothing_else(tmp_path):
    for name in ("processor", "nodes/79", "logs", "pki/agencies"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "state").write_text("old")
    _record(tmp_path, processor=_dead_pid())
    (tmp_path / "notes.txt").write_text("the operator's own file")

    removed = start_fresh(tmp_path)

    assert sorted(removed) == ["logs", "nodes", "pids.json", "pki", "processor"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_fresh_start_is_refused_while_the_earlier_run_is_alive(tmp_path):
    (tmp_path / "nodes").mkdir()
    _record(tmp_path, **{"node-01": os.getpid()})
    with pytest.raises(RunDirBusy, match="node-01.*make stop"):
        start_fresh(tmp_path)
    assert (tmp_path / "nodes").is_dir()
