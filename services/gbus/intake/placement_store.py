"""The verdicts a node received, kept in SQLite, and the submits waiting for them.

The verdict feed applies each record of report-results.<area> together with
its offset in one SQLite transaction (exactly once, resumable after a
restart, like the copy feed), then wakes whoever waits: a submit waiting for
the verdict on its own submission, or a retry waiting to learn where the
first one went.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gbus.intake.placement import Placement, Verdict, apply_verdict
from gbus.private_files import private_sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS placements (
    report_id     TEXT PRIMARY KEY,
    origin_agency TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    placed        INTEGER NOT NULL,
    case_id       TEXT NOT NULL,
    decision      TEXT NOT NULL,
    handler       TEXT NOT NULL,
    placed_at     INTEGER,
    refusal       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS placements_request_idx ON placements (origin_agency, request_id);
CREATE TABLE IF NOT EXISTS verdict_offset (
    topic       TEXT PRIMARY KEY,
    next_offset INTEGER NOT NULL
) WITHOUT ROWID;
"""
_COLUMNS = "report_id, origin_agency, request_id, placed, case_id, decision, handler, placed_at, refusal"


class _Waiter:
    __slots__ = ("done", "verdict")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.verdict: Verdict | None = None


class PlacementStore:
    """SQLite file (or ":memory:"), safe to use from gRPC worker threads and the feed."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(private_sqlite(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        # Notified on every applied verdict: retries wait on it for "any placement of this report".
        self._changed = threading.Condition(self._lock)
        self._waiters: dict[tuple[str, int], list[_Waiter]] = {}
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    # -- reads --------------------------------------------------------------------

    def get(self, report_id: str) -> Placement | None:
        with self._lock:
            return self._get(report_id)

    def find(self, origin_agency: str, request_id: str) -> Placement | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM placements WHERE origin_agency = ? AND request_id = ?",
                (origin_agency, request_id),
            ).fetchone()
        return _placement_of(row) if row else None

    def next_offset(self, topic: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT next_offset FROM verdict_offset WHERE topic = ?", (topic,)).fetchone()
        return row[0] if row else None

    # -- the feed's write ---------------------------------------------------------

    def apply(self, verdict: Verdict, *, topic: str, offset: int) -> tuple[Placement, bool]:
        """Record the verdict and the offset after it; (the new placement, whether a submit waited for it)."""
        with self._changed:
            placement = apply_verdict(self._get(verdict.report_id), verdict)
            self._db.execute("BEGIN")
            self._db.execute(
                f"INSERT OR REPLACE INTO placements ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _row_of(placement)
            )
            self._db.execute("INSERT OR REPLACE INTO verdict_offset VALUES (?, ?)", (topic, offset + 1))
            self._db.execute("COMMIT")
            waiting = self._waiters.get(verdict.submission, [])
            for waiter in waiting:
                waiter.verdict = verdict
                waiter.done.set()
            self._changed.notify_all()
        return placement, bool(waiting)

    def skip(self, *, topic: str, offset: int) -> None:
        """Move past a record that must not be applied (it went to the dead-letter topic)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdict_offset VALUES (?, ?)", (topic, offset + 1))

    # -- waiting --------------------------------------------------------------------

    def expect(self, submission: tuple[str, int]) -> _Waiter:
        """Register before sending, so that a verdict arriving at once is not missed."""
        waiter = _Waiter()
        with self._lock:
            self._waiters.setdefault(submission, []).append(waiter)
        return waiter

    def wait(self, submission: tuple[str, int], waiter: _Waiter, timeout_s: float) -> Verdict | None:
        """The verdict on this submission, or None when it did not come within the timeout."""
        try:
            waiter.done.wait(timeout_s)
            return waiter.verdict
        finally:
            self.cancel(submission, waiter)

    def cancel(self, submission: tuple[str, int], waiter: _Waiter) -> None:
        """Nobody waits any more (answered, or the write failed): a verdict after this is a late one."""
        with self._lock:
            waiting = self._waiters.get(submission, [])
            if waiter in waiting:
                waiting.remove(waiter)
            if not waiting:
                self._waiters.pop(submission, None)

    def wait_placed(self, report_id: str, timeout_s: float) -> Placement | None:
        """The report's placement once known (at once if it is), else whatever is known at the timeout."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                placement = self._get(report_id)
                remaining = deadline - time.monotonic()
                if (placement is not None and placement.placed) or remaining <= 0:
                    return placement
                self._changed.wait(remaining)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _get(self, report_id: str) -> Placement | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM placements WHERE report_id = ?", (report_id,)).fetchone()
        return _placement_of(row) if row else None


def _row_of(p: Placement) -> tuple[object, ...]:
    placed_at = int(p.placed_at.timestamp() * 1000) if p.placed_at else None
    return (
        p.report_id,
        p.origin_agency,
        p.request_id,
        int(p.placed),
        p.case_id,
        p.decision,
        p.handler,
        placed_at,
        p.refusal,
    )


def _placement_of(row: tuple[Any, ...]) -> Placement:
    report_id, origin, request_id, placed, case_id, decision, handler, placed_at, refusal = row
    return Placement(
        report_id=str(report_id),
        origin_agency=str(origin),
        request_id=str(request_id),
        placed=bool(placed),
        case_id=str(case_id),
        decision=str(decision),
        handler=str(handler),
        placed_at=datetime.fromtimestamp(int(placed_at) / 1000, tz=timezone.utc) if placed_at is not None else None,
        refusal=str(refusal),
    )
