"""The node's local store (SQLite): cases, their histories, who plays which role,
and the change log whose position is the WatchCases cursor.

One writer (the copy feed) applies each copy and the Kafka offset after it in
one SQLite transaction, so a restart resumes exactly after the last applied
copy: each copy takes effect once at the node. Readers (gRPC threads) use
their own connections; WAL lets them read while the feed writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from gbus.codec import AvroCodec
from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent, IdentityErased
from gbus.node.copies import EVENT_SCHEMA, SNAPSHOT_SCHEMA, ReceivedCopy, integrity_problems
from gbus.private_files import private_sqlite
from gbus.wire.avro_records import event_from_record, snapshot_record, state_from_snapshot

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY, version INTEGER NOT NULL, last_seq INTEGER NOT NULL,
    status TEXT NOT NULL, category TEXT NOT NULL,
    opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    snapshot BLOB NOT NULL, integrity_alert INTEGER NOT NULL, integrity_problem TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_listing ON cases (opened_at DESC, case_id DESC);
CREATE TABLE IF NOT EXISTS events (
    case_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, event BLOB NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS roles (
    agency_id TEXT NOT NULL, role TEXT NOT NULL, case_id TEXT NOT NULL,
    PRIMARY KEY (agency_id, role, case_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS roles_by_case ON roles (case_id);
CREATE TABLE IF NOT EXISTS changes (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL, version INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
    snapshot BLOB NOT NULL, integrity_alert INTEGER NOT NULL, applied_at INTEGER NOT NULL,
    involved_before TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS offsets (
    topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
);
"""


@dataclass(frozen=True, slots=True)
class StoredCase:
    state: CaseState
    integrity_alert: bool
    integrity_problem: str


@dataclass(frozen=True, slots=True)
class Change:
    position: int
    state: CaseState
    first_seq: int
    last_seq: int
    integrity_alert: bool
    # Agencies involved before this change: one transferred away still hears of it.
    involved_before: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Applied:
    stale: bool  # the copy was not newer than the stored case: nothing changed
    position: int = 0
    created: bool = False  # first copy of this case at this node
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseFilter:
    agency_id: str
    role: str | None = None  # handler | watcher | origin; None = any
    statuses: tuple[str, ...] = ()
    category: str | None = None
    updated_after_ms: int | None = None
    updated_before_ms: int | None = None


def _roles(state: CaseState) -> set[tuple[str, str]]:
    roles = {(state.handler, "handler")}
    roles.update((w, "watcher") for w in state.watcher_ids)
    roles.update((o, "origin") for o in state.origin_agencies)
    return roles


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


class NodeStore:
    def __init__(self, path: str | Path, codec: AvroCodec) -> None:
        self._path = str(path)
        if self._path != ":memory:":
            private_sqlite(self._path)
        else:  # one shared in-memory database for every thread (tests)
            self._path = f"file:nodestore-{uuid.uuid4().hex}?mode=memory&cache=shared"
        self._codec = codec
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._changed = threading.Condition()
        self._closed = False
        self._wakeups = 0
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex[:8],))
        self.epoch: str = db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]
        self._last_position = db.execute("SELECT COALESCE(MAX(position), 0) FROM changes").fetchone()[0]

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self._path, uri=self._path.startswith("file:"), check_same_thread=False, isolation_level=None
            )
            db.execute("PRAGMA synchronous=NORMAL")
            # Overwrite deleted content, so an erased reporter identity is not left in free pages.
            db.execute("PRAGMA secure_delete=ON")
            db.execute("PRAGMA busy_timeout=5000")
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    # -- writing (the copy feed only) -------------------------------------------

    def apply(self, copy: ReceivedCopy, *, topic: str, partition: int, offset: int) -> Applied:
        """Apply one copy and record `offset + 1` as the feed's position, atomically."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            result = self._apply_in_tx(db, copy)
            self._set_offset(db, topic, partition, offset + 1)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if not result.stale:
            with self._changed:
                self._last_position = result.position
                self._changed.notify_all()
        return result

    def skip(self, *, topic: str, partition: int, offset: int) -> None:
        """Move past a record that cannot be applied (it went to the dead-letter topic)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        self._set_offset(db, topic, partition, offset + 1)
        db.execute("COMMIT")

    def _apply_in_tx(self, db: sqlite3.Connection, copy: ReceivedCopy) -> Applied:
        row = db.execute(
            "SELECT version, last_seq, integrity_alert, integrity_problem FROM cases WHERE case_id = ?", (copy.case_id,)
        ).fetchone()
        if row is not None and copy.version <= row[0]:
            return Applied(stale=True)
        problems = integrity_problems(copy)
        held = dict(db.execute("SELECT seq, hash FROM events WHERE case_id = ?", (copy.case_id,)).fetchall())
        rewritten = [e.seq for e in copy.events if e.seq in held and held[e.seq] != e.hash]
        if rewritten:
            problems.append(f"history differs from the one this node held (events {rewritten[:5]})")
        # Once raised, an alert stays: a later clean copy does not erase the evidence.
        alert = bool(problems) or bool(row and row[2])
        problem = "; ".join(problems) or (row[3] if row else "")
        state = copy.state
        db.execute(
            "INSERT OR REPLACE INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (copy.case_id, copy.version, state.last_seq, state.status.value, state.category,
             _ms(state.opened_at), _ms(state.updated_at), copy.snapshot, int(alert), problem),
        )  # fmt: skip
        db.execute("DELETE FROM events WHERE case_id = ?", (copy.case_id,))
        db.executemany(
            "INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?)",
            [(copy.case_id, e.seq, e.hash, p) for e, p in zip(copy.events, copy.event_payloads)],
        )
        before = sorted({r[0] for r in db.execute("SELECT agency_id FROM roles WHERE case_id = ?", (copy.case_id,))})
        db.execute("DELETE FROM roles WHERE case_id = ?", (copy.case_id,))
        db.executemany("INSERT INTO roles VALUES (?, ?, ?)", [(a, r, copy.case_id) for a, r in _roles(state)])
        first_seq = (row[1] if row else 0) + 1
        if any(isinstance(e.body, IdentityErased) and e.seq >= first_seq for e in copy.events):
            self._shred_identities(db, copy.case_id)
        cur = db.execute(
            "INSERT INTO changes (case_id, version, first_seq, last_seq, snapshot, integrity_alert, applied_at, "
            "involved_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                copy.case_id,
                copy.version,
                first_seq,
                state.last_seq,
                copy.snapshot,
                int(alert),
                int(time.time() * 1000),
                "\n".join(before),
            ),
        )
        return Applied(stale=False, position=int(cur.lastrowid or 0), created=row is None, problems=tuple(problems))

    def _shred_identities(self, db: sqlite3.Connection, case_id: str) -> None:
        """The case's identities were erased: earlier change-log snapshots (kept for
        WatchCases replay) must not keep the sealed identities and key wraps either."""
        rows = db.execute("SELECT position, snapshot FROM changes WHERE case_id = ?", (case_id,)).fetchall()
        for position, blob in rows:
            state = self._state(blob)
            shredded = replace(
                state, reports=tuple(replace(r, reporter_sealed=None) for r in state.reports), key_wraps=()
            )
            db.execute(
                "UPDATE changes SET snapshot = ? WHERE position = ?",
                (self._codec.encode(SNAPSHOT_SCHEMA, snapshot_record(shredded)), position),
            )

    @staticmethod
    def _set_offset(db: sqlite3.Connection, topic: str, partition: int, next_offset: int) -> None:
        db.execute("INSERT OR REPLACE INTO offsets VALUES (?, ?, ?)", (topic, partition, next_offset))

    # -- reading ------------------------------------------------------------------

    def next_offset(self, topic: str, partition: int) -> int | None:
        row = (
            self._db()
            .execute("SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?", (topic, partition))
            .fetchone()
        )
        return None if row is None else int(row[0])

    def case(self, case_id: str) -> StoredCase | None:
        row = (
            self._db()
            .execute("SELECT snapshot, integrity_alert, integrity_problem FROM cases WHERE case_id = ?", (case_id,))
            .fetchone()
        )
        return None if row is None else self._stored(row)

    def history(self, case_id: str, first_seq: int = 1, last_seq: int | None = None) -> list[CaseEvent]:
        rows = (
            self._db()
            .execute(
                "SELECT event FROM events WHERE case_id = ? AND seq >= ? AND seq <= ? ORDER BY seq",
                (case_id, first_seq, last_seq if last_seq is not None else 2**62),
            )
            .fetchall()
        )
        return [event_from_record(self._codec.decode(r[0], expected=EVENT_SCHEMA)) for r in rows]

    def all_cases(self) -> list[tuple[CaseState, list[CaseEvent]]]:
        """Every case held here with its history (the weekly situation report reads them all)."""
        rows = self._db().execute("SELECT case_id, snapshot FROM cases ORDER BY case_id").fetchall()
        return [(self._state(snapshot), self.history(case_id)) for case_id, snapshot in rows]

    def count_cases(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM cases").fetchone()[0])

    def list_cases(
        self, f: CaseFilter, *, after: tuple[int, str] | None, limit: int
    ) -> list[tuple[StoredCase, tuple[int, str]]]:
        """Cases of one agency, newest opened first; `after` is the last (opened_at, case_id) already seen."""
        sql = [
            "SELECT c.snapshot, c.integrity_alert, c.integrity_problem, c.opened_at, c.case_id FROM cases c",
            "WHERE c.case_id IN (SELECT case_id FROM roles WHERE agency_id = ?" + (" AND role = ?)" if f.role else ")"),
        ]
        args: list[object] = [f.agency_id, *([f.role] if f.role else [])]
        if f.statuses:
            sql.append(f"AND c.status IN ({','.join('?' * len(f.statuses))})")
            args.extend(f.statuses)
        for clause, value in (("AND c.category = ?", f.category), ("AND c.updated_at > ?", f.updated_after_ms),
                              ("AND c.updated_at < ?", f.updated_before_ms)):  # fmt: skip
            if value is not None:
                sql.append(clause)
                args.append(value)
        if after is not None:
            sql.append("AND (c.opened_at < ? OR (c.opened_at = ? AND c.case_id < ?))")
            args.extend((after[0], after[0], after[1]))
        sql.append("ORDER BY c.opened_at DESC, c.case_id DESC LIMIT ?")
        args.append(limit)
        rows = self._db().execute(" ".join(sql), args).fetchall()
        return [(self._stored(r[:3]), (int(r[3]), str(r[4]))) for r in rows]

    def changes_after(self, position: int, limit: int = 200) -> list[Change]:
        rows = (
            self._db()
            .execute(
                "SELECT position, snapshot, first_seq, last_seq, integrity_alert, involved_before FROM changes "
                "WHERE position > ? ORDER BY position LIMIT ?",
                (position, limit),
            )
            .fetchall()
        )
        return [
            Change(
                int(r[0]), self._state(r[1]), int(r[2]), int(r[3]), bool(r[4]), tuple(filter(None, r[5].split("\n")))
            )
            for r in rows
        ]

    @property
    def last_position(self) -> int:
        with self._changed:
            return self._last_position

    # -- waiting ------------------------------------------------------------------

    @property
    def wakeups(self) -> int:
        """Pass to wait_for_change so a wake() that came before the wait still counts."""
        with self._changed:
            return self._wakeups

    def wait_for_change(self, after: int, timeout_s: float, woken: int | None = None) -> bool:
        """Block until a change after `after` exists, a wake() since `woken`, the store
        closes, or the timeout; True if there is such a change."""
        with self._changed:
            woken = self._wakeups if woken is None else woken
            self._changed.wait_for(
                lambda: self._last_position > after or self._closed or self._wakeups != woken, timeout_s
            )
            return self._last_position > after

    def wait_until(self, case_id: str, ready: Callable[[CaseState], bool], timeout_s: float) -> StoredCase | None:
        """The case once `ready(state)` holds, or None when the timeout passes first."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._changed:
                seen = self._last_position
            stored = self.case(case_id)
            if stored is not None and ready(stored.state):
                return stored
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed:
                return None
            self.wait_for_change(seen, remaining)

    def wake(self) -> None:
        """Wake every waiter (a watcher cancelled, or the node is stopping)."""
        with self._changed:
            self._wakeups += 1
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- decoding -----------------------------------------------------------------

    def _state(self, snapshot: bytes) -> CaseState:
        return state_from_snapshot(self._codec.decode(snapshot, expected=SNAPSHOT_SCHEMA))

    def _stored(self, row: Sequence[object]) -> StoredCase:
        return StoredCase(self._state(row[0]), bool(row[1]), str(row[2]))  # type: ignore[arg-type]
