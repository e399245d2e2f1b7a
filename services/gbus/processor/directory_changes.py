"""Administrative changes while the bus runs (setting `directory.changes_file`).

The processor decides with the directory as it stands at the latest time it has
seen: its start, then each Tick (time reaches the processor as input, so a replay
decides alike). When a change comes into force, routing, commands and escalations
use the changed directory from then on, and the Tick's shard moves its open cases
that the change affects (gbus.cases.rerouting), one Rerouted event each.

The file is re-read when it changed (checked at every Tick): a new change is added
without a restart. A file that cannot be read or applied stops the processor at
start (it is never half-applied); at a later reload the last good file stays in
force and the error is logged.

Sweeping a shard reads all its cases, so it is done only until a sweep finds
nothing left to move from the committed state; after that the shard is settled for
those changes (a rolled-back batch leaves it unsettled, and its Tick sweeps again).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from gbus.cases.rerouting import affected_cases, reroute
from gbus.directory import DataFileError, Directory
from gbus.directory.changes import Change, ChangeSet, DirectoryInputs, directory_with, load_changes, removed_ids
from gbus.domain import events as ev
from gbus.domain.case import CaseState
from gbus.observability.logging import get_logger
from gbus.routing import Router

_log = get_logger("gbus.processor.directory_changes")

Moved = tuple[CaseState, CaseState, tuple[ev.CaseEvent, ...]]  # before, after, events


class LiveRouting:
    """The router and directory in force, and the re-routing of a shard's cases."""

    def __init__(
        self,
        base: Router,
        changes_file: str | Path | None,
        *,
        now: datetime,
        inputs: DirectoryInputs = DirectoryInputs(),
    ) -> None:
        self._base = base
        self._inputs = inputs
        self._path = Path(changes_file) if changes_file else None
        self._stamp: tuple[int, int] | None = None
        self._changes = ChangeSet(())
        self._router = base
        self._in_force: tuple[str, ...] = ()
        self._removed: dict[str, frozenset[str]] = {}
        self._settled: dict[str, tuple[str, ...]] = {}  # shard -> the in-force change ids it has no case left for
        self._seen = now
        if self._path is not None:
            self._load(strict=True)
        self.advance(now)
        self.router = _LiveRouter(self)
        self.directory = _LiveDirectory(self)

    @property
    def changes(self) -> ChangeSet:
        return self._changes

    def current(self) -> Router:
        return self._router

    # -- time and the file ---------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the changes file if it changed since it was last read."""
        if self._path is not None and self._file_stamp() != self._stamp:
            self._load(strict=False)

    def advance(self, at: datetime) -> None:
        """Put in force every change effective at `at` (time never goes back: the latest seen counts)."""
        self._seen = max(self._seen, at)
        in_force = self._changes.in_force(self._seen)
        ids = tuple(c.id for c in in_force)
        if ids == self._in_force:
            return
        previous = self._router.directory
        for change in in_force:
            if change.id not in self._removed:
                self._removed[change.id] = removed_ids(change, previous)
        self._router = self._router_with(in_force)
        self._in_force = ids
        _log.info("directory_changes_in_force", changes=list(ids), agencies=len(self._router.directory))

    def reroute_shard(self, shard: str, at: datetime, view: Any) -> list[Moved]:
        """The shard's open cases that the changes in force move, moved (for a Tick)."""
        self.refresh()
        self.advance(at)
        if not self._in_force or self._settled.get(shard) == self._in_force:
            return []
        in_force = [c for c in self._changes.changes if c.id in self._in_force]
        affected = affected_cases(view.states_of_shard(shard), in_force, self._removed)
        if not affected:
            # Settled only from committed state: a change this batch staged for the shard could still roll back.
            staged_shards = view.shards() if hasattr(view, "shards") else {shard}
            if shard not in staged_shards:
                self._settled[shard] = self._in_force
            return []
        router = self._router
        moved = [(a.case, *reroute(a, router, router.directory, at)) for a in affected]
        change_ids = sorted({c.id for a in affected for c in a.changes})
        _log.info("cases_rerouted", shard=shard, cases=len(moved), changes=change_ids)
        return moved

    def _router_with(self, changes: Iterable[Change]) -> Router:
        changes = tuple(changes)
        if not changes:
            return self._base
        directory = directory_with(changes, inputs=self._inputs, source=self._changes.source)
        return Router(directory, self._base.rules)

    def _file_stamp(self) -> tuple[int, int] | None:
        assert self._path is not None
        try:
            stat = os.stat(self._path)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def _load(self, *, strict: bool) -> None:
        assert self._path is not None
        stamp = self._file_stamp()
        try:
            changes = load_changes(self._path)
            # Every change must apply, also those not yet in force: a mistake is found now, not on the day.
            directory_with(changes.changes, inputs=self._inputs, source=changes.source)
        except DataFileError as exc:
            if strict:
                raise
            _log.error("directory_changes_not_reloaded", file=str(self._path), error=str(exc))
            self._stamp = stamp  # do not re-read the same bad file at every Tick
            return
        kept = [c.id for c in self._changes.changes if c.id in self._in_force]
        changed_in_force = [i for i in kept if changes.by_id(i) != self._changes.by_id(i)]
        if changed_in_force:
            _log.warning("directory_changes_edited_in_force", changes=changed_in_force)
        self._changes, self._stamp = changes, stamp
        self._in_force = ()  # rebuild the router from the new file at the next advance
        self._settled.clear()
        _log.info("directory_changes_loaded", file=str(self._path), changes=len(changes))
        self.advance(self._seen)


class _LiveRouter:
    """Routes with whatever router is in force (RouterPort; `directory` for case routing)."""

    def __init__(self, live: LiveRouting) -> None:
        self._live = live

    @property
    def directory(self) -> Directory:
        return self._live.current().directory

    @property
    def rules(self) -> Any:
        return self._live.current().rules

    def route(self, report: Any) -> Any:
        return self._live.current().route(report)

    def route_case(self, reports: Any) -> Any:
        return self._live.current().route_case(reports)


class _LiveDirectory:
    """The directory in force (DirectoryPort and the rest of Directory's reads)."""

    def __init__(self, live: LiveRouting) -> None:
        self._live = live

    def get(self, agency_id: str) -> Any:
        return self._live.current().directory.get(agency_id)

    def canonical_id(self, agency_id: str) -> str:
        return self._live.current().directory.canonical_id(agency_id)

    def resolve_id(self, agency_id: str) -> str | None:
        return self._live.current().directory.resolve_id(agency_id)

    def superior_of(self, agency_id: str) -> Any:
        return self._live.current().directory.superior_of(agency_id)

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._live.current().directory

    def __getattr__(self, name: str) -> Any:
        return getattr(self._live.current().directory, name)
