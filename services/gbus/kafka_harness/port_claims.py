"""Machine-wide claims on the ports a harness cluster picked, from the pick until its brokers bind.

Checking that a port is free and then letting the JVM bind it leaves a window of seconds (a
JVM takes 1-3 s to reach its bind on a loaded machine). Two harness clusters starting at once
(parallel test sessions, several engineers' brokers) could pick the same free port in that
window and one of them then failed with "Address already in use" on a port it had picked
itself - about one start in three on a busy 2-core machine. A claim is a file created with
O_EXCL in one directory shared by every harness on the machine: only one picker can hold a
port, and the others skip it while it is claimed.

A claim that outlives its picker (a killed test run) expires after CLAIM_TTL_S; by then the
broker either listens on the port, which makes it taken anyway, or never will.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

# Longer than the harness's default start timeout (120 s): a claim must hold until the broker binds.
CLAIM_TTL_S = 300.0


def claims_dir() -> Path:
    # Per user: another user's harness cannot take or remove our claims.
    path = Path(tempfile.gettempdir()) / f"gbus-kafka-port-claims-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


class PortClaims:
    """The ports this process holds claims on; release() when the brokers listen (or gave up)."""

    def __init__(self, directory: Path | None = None, ttl_s: float = CLAIM_TTL_S) -> None:
        self._dir = directory or claims_dir()
        self._ttl_s = ttl_s
        self._held: set[int] = set()

    @property
    def held(self) -> frozenset[int]:
        return frozenset(self._held)

    def try_claim(self, port: int) -> bool:
        """True if this process now holds port (or already did); False if someone else does."""
        if port in self._held:
            return True
        path = self._path(port)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                if not self._expired(path):
                    return False
                path.unlink(missing_ok=True)  # a dead picker's claim; try once more
                continue
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"{os.getpid()}\n")
            self._held.add(port)
            return True
        return False

    def release(self) -> None:
        for port in self._held:
            self._path(port).unlink(missing_ok=True)
        self._held.clear()

    def _path(self, port: int) -> Path:
        return self._dir / f"{port}.claim"

    def _expired(self, path: Path) -> bool:
        try:
            return time.time() - path.stat().st_mtime > self._ttl_s
        except FileNotFoundError:
            return True
