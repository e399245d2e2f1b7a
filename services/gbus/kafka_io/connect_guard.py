"""Give a broker that accepts connections and never answers seconds, not the whole timeout.

A frozen broker (SIGSTOP, a stalled disk, a network that keeps TCP up but drops the
rest) completes the TCP handshake and then never answers. kafka-python 3.0.12 waits on
such a connection for:
- a new client's bootstrap: the broker of `bootstrap_servers` it picked at random gets
  the whole `bootstrap_timeout_ms` (30 s), so a client made after a broker froze waits
  30 s, or until the broker wakes, one time in three, instead of trying another;
- a reconnect to a known broker: `socket_connection_setup_timeout_ms` (10 s), which the
  producer and consumer do not let us set; meanwhile the requests queued on that
  connection (a metadata refresh, say) wait with it.
In issue 13's fault campaign (a broker SIGSTOPped for 30 s) these were most of the
processor's commit stall: its stuck transactional producer is replaced and its shards
reloaded with new clients, and its consumer reconnected to the frozen leader before
refreshing its metadata.

The fix: the first attempt on a broker gets at most CONNECT_ATTEMPT_MS, and each failure
doubles that bound, so a slow but live broker still gets the time it needs (kafka-python's
own exponential timeouts remain the upper limit). A failed attempt backs that broker off;
kafka-python's bootstrap loop then picks again within the same `bootstrap_timeout_ms`, and
requests go to other brokers. Installed for the whole process when gbus.kafka_io.clients is
imported.

For kafka-python upstream: `KafkaConnectionManager._do_bootstrap` should give each attempt
min(remaining, socket_connection_setup_timeout_ms), as other connections get, and
KafkaProducer/KafkaConsumer should accept socket_connection_setup_timeout_ms as Java's do.
"""

from __future__ import annotations

import inspect
from typing import Any

from kafka.net import manager as _manager

# A live broker answers ApiVersions (and a SCRAM login) in milliseconds, even on a loaded
# machine, and one that misses the first second gets two on the next try, then four. A frozen
# broker costs each new client that picks it first this much: with 3 s, a broker freeze cost the
# processor's replacement producer and its restore consumer 3 s each, a third of the stall left.
CONNECT_ATTEMPT_MS = 1_000

_unbounded = _manager.KafkaConnectionManager.get_connection


def _attempt_bound_ms(manager: Any, node_id: Any) -> float:
    """CONNECT_ATTEMPT_MS, doubled for each failed attempt on this broker since its last success."""
    backoff = getattr(manager, "_backoff", {}).get(node_id)
    failures = backoff[0] if backoff else 0
    return float(CONNECT_ATTEMPT_MS * 2 ** min(failures, 8))


def _bounded_get_connection(self: Any, node_id: Any, timeout_ms: float | None = None, **kwargs: Any) -> Any:
    if node_id is not None:
        if timeout_ms is None:  # an ordinary connection: kafka-python's setup timeout, bounded
            timeout_ms = self.socket_connection_setup_timeout_ms(node_id)
        timeout_ms = min(timeout_ms, _attempt_bound_ms(self, node_id))
    return _unbounded(self, node_id, timeout_ms=timeout_ms, **kwargs)


def install() -> None:
    """Bound connection attempts process-wide; idempotent.

    Raises RuntimeError on a kafka-python whose connection manager no longer has the
    shape this relies on, so that an upgrade cannot silently drop the bound.
    """
    cls = _manager.KafkaConnectionManager
    if cls.get_connection is _bounded_get_connection:
        return
    shape_ok = (
        "timeout_ms" in inspect.signature(_unbounded).parameters
        and hasattr(cls, "socket_connection_setup_timeout_ms")
        and hasattr(cls, "_do_bootstrap")
    )
    if not shape_ok:
        raise RuntimeError(
            "kafka-python's connection manager changed; re-check gbus.kafka_io.connect_guard against the new release"
        )
    cls.get_connection = _bounded_get_connection


def installed() -> bool:
    return _manager.KafkaConnectionManager.get_connection is _bounded_get_connection
