"""Waiting until brokers accept requests: every node registered, unfenced, with a controller.

A listening socket is not enough: a KRaft broker binds its port before it has caught up with
the metadata log and been unfenced, and requests in that window fail. So readiness asks the
cluster itself (DescribeCluster via kafka-python's admin client).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from typing import Any

from gbus.kafka_harness.config import NodeSpec

Progress = Callable[[str], None]
# Returns a complaint (e.g. "node 2 exited") when a broker died, so waiting can stop early.
Liveness = Callable[[], str | None]


class NotReady(Exception):
    pass


def describe(
    bootstrap: str, timeout_s: float = 5.0, client_config: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """DescribeCluster result, or NotReady with the reason. client_config: SASL settings of a secure cluster."""
    from kafka import KafkaAdminClient  # heavy import, only when a broker is actually needed
    from kafka.errors import KafkaError

    admin = None
    try:
        timeout_ms = int(timeout_s * 1000)
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="gbus-kafka-harness",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
            **(client_config or {}),
        )
        return admin.describe_cluster()
    except (KafkaError, OSError) as exc:
        raise NotReady(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if admin is not None:
            admin.close()


def check_ready(
    nodes: list[NodeSpec], expected_ids: set[int], client_config: Mapping[str, object] | None = None
) -> str | None:
    """None when ready, else why not (for progress output)."""
    closed = [n.address for n in nodes if n.node_id in expected_ids and not _accepts(n.host, n.port)]
    if closed:
        return f"not listening yet: {', '.join(closed)}"
    bootstrap = ",".join(n.address for n in nodes if n.node_id in expected_ids)
    try:
        info = describe(bootstrap, client_config=client_config)
    except NotReady as exc:
        return str(exc)
    brokers = info.get("brokers") or []
    live = {int(b["broker_id"]) for b in brokers if not b.get("is_fenced")}
    missing = expected_ids - live
    if missing:
        return f"brokers not registered yet: {sorted(missing)}"
    if int(info.get("controller_id", -1)) < 0:
        return "no active controller yet"
    return None


def wait_until_ready(
    nodes: list[NodeSpec],
    expected_ids: set[int],
    timeout_s: float,
    liveness: Liveness,
    progress: Progress | None = None,
    client_config: Mapping[str, object] | None = None,
) -> float:
    """Block until ready; returns seconds waited. Raises TimeoutError or RuntimeError (died)."""
    started = time.monotonic()
    last_report = started
    reason = "not checked yet"
    while True:
        died = liveness()
        if died:
            raise RuntimeError(died)
        reason = check_ready(nodes, expected_ids, client_config) or ""
        if not reason:
            return time.monotonic() - started
        now = time.monotonic()
        if now - started > timeout_s:
            raise TimeoutError(f"not ready after {timeout_s:.0f} s ({reason})")
        if progress and now - last_report >= 5:
            progress(f"waiting for brokers ({now - started:.0f} s): {reason}")
            last_report = now
        time.sleep(0.2)


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
