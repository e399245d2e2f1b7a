"""Errors of the Kafka harness. Each message says what went wrong and what to do about it.

These are infrastructure errors for developers and CI, not domain errors, so they do not
derive from gbus.errors.BusError and never cross the gRPC boundary.
"""

from __future__ import annotations

INSTALL_HINT = "install with: apt-get install openjdk-17-jre-headless maven"


class HarnessError(Exception):
    """Base of every failure the harness reports on purpose."""


class MissingToolError(HarnessError):
    """`java` or `mvn` is not installed (or too old)."""

    def __init__(self, tool: str, detail: str) -> None:
        super().__init__(f"{detail}; {INSTALL_HINT}")
        self.tool = tool


class PortInUseError(HarnessError):
    """A port the broker must listen on is already bound by another process."""

    def __init__(self, port: int, owner: str | None) -> None:
        who = f" by {owner}" if owner else " by another process"
        super().__init__(
            f"port {port} on 127.0.0.1 is already in use{who}; stop it, or choose other ports "
            f"(gbus kafka up --port N uses N and N+1 per broker)"
        )
        self.port = port
        self.owner = owner


class JarFetchError(HarnessError):
    """Maven could not produce the broker classpath."""


class DataDirError(HarnessError):
    """The data dir does not hold what the request assumes (another cluster shape, other ports)."""


class BrokerStartError(HarnessError):
    """A broker exited during startup, or did not accept requests in time."""

    def __init__(self, message: str, node_id: int | None = None, log_tail: str = "") -> None:
        text = message if not log_tail else f"{message}\n--- last lines of the broker log ---\n{log_tail}"
        super().__init__(text)
        self.node_id = node_id
        self.log_tail = log_tail
