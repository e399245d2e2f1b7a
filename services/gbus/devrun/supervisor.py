"""Starting, watching and stopping the bus's processes for `gbus run`.

Children write stdout and stderr to log files under the run directory; a
child is ready when its stdout log shows its ready line (e.g. `node 79
grpc=… metrics=…`). Pids go to `pids.json` so `gbus run stop` (make stop)
can end what an earlier `make run` left behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from gbus.private_files import PRIVATE_UMASK, open_private, private_dir

PIDS_FILE = "pids.json"


class StartError(Exception):
    """A child did not become ready; the message carries the tail of its log."""


@dataclass
class Child:
    name: str
    role: str
    area: str
    popen: subprocess.Popen
    out_log: Path
    err_log: Path
    ready: dict[str, str] = field(default_factory=dict)

    def alive(self) -> bool:
        return self.popen.poll() is None


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Supervisor:
    def __init__(self, run_dir: Path, env: dict[str, str] | None = None) -> None:
        self.run_dir = run_dir
        self.env = dict(env or {})
        self.log_dir = run_dir / "logs"
        private_dir(self.log_dir)
        self.children: list[Child] = []

    def spawn(
        self,
        name: str,
        role: str,
        area: str,
        args: list[str],
        ready: re.Pattern[str],
        timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ) -> Child:
        out_log, err_log = self.log_dir / f"{name}.out", self.log_dir / f"{name}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env, **(env or {})}
        with open_private(out_log, "wb") as out, open_private(err_log, "wb") as err:
            popen = subprocess.Popen(
                [sys.executable, "-m", "gbus.cli.main", *args],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # Ctrl-C reaches us; we stop children in order
                umask=PRIVATE_UMASK,  # their stores and files: readable by this account only
            )
        child = Child(name, role, area, popen, out_log, err_log)
        self.children.append(child)
        self._write_pids()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = out_log.read_text(encoding="utf-8", errors="replace") if out_log.exists() else ""
            match = ready.search(text)
            if match:
                child.ready = match.groupdict()
                return child
            if not child.alive():
                raise StartError(f"{name} exited with code {popen.returncode}:\n{_tail(err_log)}")
            time.sleep(0.1)
        raise StartError(f"{name} was not ready after {timeout:.0f}s:\n{_tail(err_log)}")

    def _write_pids(self) -> None:
        data = [{"name": c.name, "pid": c.popen.pid} for c in self.children]
        with open_private(self.run_dir / PIDS_FILE, "w") as out:
            out.write(json.dumps(data, indent=2) + "\n")

    def dead_children(self) -> list[Child]:
        return [c for c in self.children if not c.alive()]

    def stop_all(self, grace: float = 15.0) -> None:
        """Nodes first, then the processor (reverse start order), SIGTERM then SIGKILL."""
        for child in reversed(self.children):
            if child.alive():
                child.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in reversed(self.children):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.popen.wait(remaining)
            except subprocess.TimeoutExpired:
                child.popen.kill()
                child.popen.wait()
        (self.run_dir / PIDS_FILE).unlink(missing_ok=True)


def stop_recorded(run_dir: Path, grace: float = 15.0) -> list[str]:
    """Stop the processes an earlier `gbus run` recorded; return their names."""
    path = run_dir / PIDS_FILE
    if not path.exists():
        return []
    stopped = []
    for entry in reversed(json.loads(path.read_text())):
        pid = entry["pid"]
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        stopped.append(entry["name"])
    path.unlink(missing_ok=True)
    return stopped
