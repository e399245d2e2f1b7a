"""What the case logic needs from routing and the directory, as protocols."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gbus.domain.report import Report


class RouteWatcherLike(Protocol):
    agency_id: str
    reason: str


class RouteDecisionLike(Protocol):
    handler: str
    watchers: Sequence[RouteWatcherLike]
    rule: str


class RouterPort(Protocol):
    def route(self, report: Report) -> RouteDecisionLike: ...


class DirectoryPort(Protocol):
    def get(self, agency_id: str) -> object | None: ...

    # An Agency-like object with `agency_id`, or the id itself.
    def superior_of(self, agency_id: str) -> object | None: ...
