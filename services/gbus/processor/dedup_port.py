"""The duplicate index as the processor uses it: one engine per owned shard.

The engine itself (gbus.dedup, issue 4) is pure matching logic plus an index.
The processor only needs `decide` and the index maintenance calls below; it
keeps one engine per shard so that dropping a revoked shard, or rebuilding one
after a restore or an aborted transaction, never touches another shard.

Keeping the index in step with committed state is this module's job
(`IndexKeeper.sync`): every case change is translated into add / remove /
status calls, so the index never needs to look at events itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from gbus.domain.case import CaseReport, CaseState
from gbus.domain.events import DuplicateSuggestion
from gbus.domain.status import CaseStatus, is_open

DECISIONS = ("replay", "link", "possible_duplicate", "new")
# Reports handed to the engine's bulk add at a time when an index is rebuilt.
_REBUILD_CHUNK = 4096


class DedupDecision(Protocol):
    # Read-only, so a frozen dataclass (gbus.dedup's own decision) qualifies.
    @property
    def decision(self) -> str: ...  # one of DECISIONS
    @property
    def case_id(self) -> str | None: ...
    @property
    def score(self) -> float: ...
    @property
    def matched_report_id(self) -> str | None: ...


class DedupEngine(Protocol):
    def decide(self, report: Any, now: datetime) -> DedupDecision: ...

    def add_report(self, entry: Any) -> None: ...

    def add_reports(self, entries: Iterable[Any]) -> int: ...  # bulk add_report; returns how many

    def remove_report(self, report_id: str) -> object: ...  # the engine says whether it held it; unused here

    def set_case_status(self, case_id: str, open: bool, at: datetime) -> None: ...

    def expire(self, now: datetime) -> int: ...


class DedupAdapter(Protocol):
    """How to make an engine and its index entries; the bridge to gbus.dedup."""

    def new_engine(self, shard: str) -> DedupEngine: ...

    def entry(self, report: CaseReport, case: CaseState) -> Any: ...

    def query(self, report: CaseReport) -> Any: ...

    # What `entry` derives from the report's text, kept with the case (IndexKeeper.with_fingerprint).
    def fingerprint(self, report: CaseReport) -> str: ...


@dataclass(frozen=True, slots=True)
class Decision:
    decision: str
    case_id: str | None = None
    score: float = 0.0
    matched_report_id: str | None = None
    reason: str = ""
    # The engine's other similar cases, best first, for a clerk (never the case linked into).
    suggestions: tuple[DuplicateSuggestion, ...] = ()


def _suggestions_of(d: DedupDecision) -> tuple[DuplicateSuggestion, ...]:
    # Optional on the port: an engine without suggestions offers none.
    return tuple(DuplicateSuggestion(str(c), float(p)) for c, p in getattr(d, "suggestions", ()) or ())


def _reason_of(d: DedupDecision) -> str:
    reasons = getattr(d, "reasons", None)
    if reasons:
        return "; ".join(str(r) for r in reasons)
    return str(getattr(d, "reason", "") or "")


class IndexKeeper:
    """The per-shard engines and their upkeep."""

    def __init__(self, adapter: DedupAdapter, expire_every: timedelta = timedelta(hours=1)) -> None:
        self._adapter = adapter
        self._engines: dict[str, DedupEngine] = {}
        self._expire_every = expire_every
        self._expired_at: dict[str, datetime] = {}

    def decide(self, shard: str, report: CaseReport, now: datetime) -> Decision:
        engine = self._engine(shard)
        self._maybe_expire(shard, engine, now)
        d = engine.decide(self._adapter.query(report), now)
        if d.decision not in DECISIONS:
            raise ValueError(f"dedup engine answered an unknown decision {d.decision!r}")
        return Decision(
            d.decision, d.case_id, float(d.score or 0.0), d.matched_report_id, _reason_of(d), _suggestions_of(d)
        )

    def with_fingerprint(self, report: CaseReport) -> CaseReport:
        """The report carrying its index fingerprint, to be kept with its case (CaseSnapshot v6),
        so that a rebuild after a takeover reads it instead of analysing the text again. Always
        derived here from the text, never taken from what a node sent."""
        return replace(report, fingerprint=self._adapter.fingerprint(report))

    def sync(self, before: CaseState | None, after: CaseState) -> None:
        """Bring the shard's index in line with one case change."""
        engine = self._engine(after.shard)
        had = {r.report_id for r in before.reports} if before is not None else set()
        if after.status is CaseStatus.MERGED:
            # Its reports now belong to the target, whose own change (in the same
            # outcome) adds them there; re-adding is simpler to keep right than
            # re-pointing entries, and merges are rare.
            if before is not None and before.status is not CaseStatus.MERGED:
                for rid in sorted(had):
                    engine.remove_report(rid)
            return
        now_has = {r.report_id for r in after.reports}
        for rid in sorted(had - now_has):
            engine.remove_report(rid)
        for r in after.reports:
            if r.report_id not in had:
                engine.add_report(self._adapter.entry(r, after))
        if before is None or is_open(before.status) != is_open(after.status):
            engine.set_case_status(after.case_id, is_open(after.status), after.closed_at or after.updated_at)

    def rebuild(self, shard: str, states: Iterable[CaseState]) -> int:
        """A fresh engine for the shard holding the given (committed) cases; returns reports indexed.

        The reports go to the engine's bulk `add_reports` (gbus.dedup's hashes a batch's
        shingles in one pass) in chunks of about `_REBUILD_CHUNK`; the cases' statuses follow
        each chunk, once its reports have made them known to the index, so memory stays
        bounded by a chunk.
        """
        engine = self._adapter.new_engine(shard)
        indexed = 0
        entries: list[Any] = []
        statuses: list[tuple[str, bool, datetime]] = []

        def flush() -> int:
            added = int(engine.add_reports(entries))
            for case_id, open_, at in statuses:
                engine.set_case_status(case_id, open_, at)
            entries.clear()
            statuses.clear()
            return added

        for state in states:
            if state.status is CaseStatus.MERGED:
                continue  # its reports are indexed under the case they were merged into
            entries.extend(self._adapter.entry(r, state) for r in state.reports)
            statuses.append((state.case_id, is_open(state.status), state.closed_at or state.updated_at))
            if len(entries) >= _REBUILD_CHUNK:
                indexed += flush()
        indexed += flush()
        self._engines[shard] = engine
        return indexed

    def drop(self, shards: Iterable[str]) -> None:
        for shard in shards:
            self._engines.pop(shard, None)

    def shards(self) -> set[str]:
        return set(self._engines)

    def _maybe_expire(self, shard: str, engine: DedupEngine, now: datetime) -> None:
        """Closed cases leave the candidate set after the engine's window; sweeping
        hourly keeps that cost off the per-report path."""
        last = self._expired_at.get(shard)
        if last is None:
            self._expired_at[shard] = now
        elif now - last >= self._expire_every:
            engine.expire(now)
            self._expired_at[shard] = now

    def _engine(self, shard: str) -> DedupEngine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = self._engines[shard] = self._adapter.new_engine(shard)
        return engine


AdapterFactory = Callable[[], DedupAdapter]
