"""What the case logic needs from routing and the directory, as protocols."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from gbus.domain.report import Report


class RouteDecisionLike(Protocol):
    # Read-only members, so the router's frozen RouteDecision (watchers a tuple) qualifies.
    @property
    def report_id(self) -> str: ...  # the report whose kind decided
    @property
    def handler(self) -> str: ...
    # Watcher agency ids, handler never among them; `reasons` says why each watches.
    @property
    def watchers(self) -> Sequence[str]: ...
    @property
    def reasons(self) -> Mapping[str, str]: ...
    @property
    def rule(self) -> str: ...


class RouterPort(Protocol):
    def route(self, report: Report) -> RouteDecisionLike: ...

    def route_case(self, reports: Sequence[Report]) -> RouteDecisionLike: ...


class DirectoryPort(Protocol):
    def get(self, agency_id: str) -> object | None: ...

    # The id of the body that answers to `agency_id` today (itself if not renamed).
    def canonical_id(self, agency_id: str) -> str: ...

    # An Agency-like object with `agency_id`, or the id itself.
    def superior_of(self, agency_id: str) -> object | None: ...
