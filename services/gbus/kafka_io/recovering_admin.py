"""A long-lived admin client that survives coordinator moves and broker restarts.

kafka-python's KafkaAdminClient caches each consumer group's coordinator in its cluster
metadata and never drops the entry when the coordinator answers NotCoordinator. A process
that keeps one admin client for life (`gbus monitor`) therefore returned NotCoordinatorError
on every reading after the coordinator broker restarted, until the process itself was
restarted. RecoveringAdmin drops the client on such an error and builds a new one, which asks
the cluster afresh; the call is retried once at once, and a failure after that is left to
the caller's next attempt (the monitor counts it and reads again next interval).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NodeNotReadyError,
    NotCoordinatorError,
)

from gbus.observability.logging import get_logger

Client = TypeVar("Client")
Result = TypeVar("Result")

_log = get_logger("gbus.kafka")

# Errors that mean "what this client believes about the cluster is out of date".
_STALE_VIEW: tuple[type[KafkaError], ...] = (
    NotCoordinatorError,
    CoordinatorNotAvailableError,
    CoordinatorLoadInProgressError,
    NodeNotReadyError,
    KafkaConnectionError,
    KafkaTimeoutError,
)


def is_stale_view(exc: BaseException) -> bool:
    """True for errors a fresh client can get past: a moved coordinator or leader, a dead broker.

    Authorisation and request errors are not: a new client would fail the same way.
    """
    if isinstance(exc, _STALE_VIEW):
        return True
    return isinstance(exc, KafkaError) and bool(getattr(exc, "invalid_metadata", False))


class RecoveringAdmin(Generic[Client]):
    def __init__(self, factory: Callable[[], Client], name: str = "admin") -> None:
        self._factory = factory
        self._name = name
        self._client: Client | None = None
        self.rebuilds = 0

    def call(self, action: Callable[[Client], Result]) -> Result:
        try:
            return self._attempt(action)
        except Exception as exc:
            if not is_stale_view(exc):
                raise
            _log.warning("admin_client_rebuilt", client=self._name, error=f"{type(exc).__name__}: {exc}")
        return self._attempt(action)

    def _attempt(self, action: Callable[[Client], Result]) -> Result:
        try:
            return action(self._current())
        except Exception as exc:
            if is_stale_view(exc):
                self._discard()  # whoever calls next starts from a fresh view
                self.rebuilds += 1
            raise

    def close(self) -> None:
        self._discard()

    def __enter__(self) -> "RecoveringAdmin[Client]":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def _current(self) -> Client:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def _discard(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - closing a client whose brokers are gone may fail; it is dropped anyway
                pass
