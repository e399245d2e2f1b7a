"""The processor's local state of the shards it owns, in SQLite.

It holds only what committed Kafka transactions say: a batch's changes are
staged elsewhere (gbus.processor.staging) and applied here after
`commit_transaction()` succeeded. It is a cache of the topics, not a source
of truth: on every assignment a partition's shards are wiped and rebuilt from
`case-state` (gbus.processor.restore), so durability of the
file itself is not needed (hence `synchronous=OFF`).

Rows: cases (snapshot bytes as written to `case-state`, with the due date of
the running legal time limit as an index for ticks and the history marks of
gbus.processor.history), each case's events (bytes as written to
`case-events`, needed to send a node the complete history) and report_id ->
case_id, so a replayed report is recognised.

A restored case's events are not read at restore: `history_loaded` is 0 and
the first `events()` or `history_size()` of the case reads them from
`case-events` through the history source (gbus.processor.history_reader).
"""

from __future__ import annotations

import gc
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

from gbus.domain.case import CaseState
from gbus.domain.status import OPEN_STATES, CaseStatus
from gbus.private_files import private_sqlite
from gbus.processor.history import Marks, marks_from_text, marks_text

# Page cache while a restore loads a shard (see CaseStore._bulk_page_cache), in KiB.
_BULK_CACHE_KIB = 256 * 1024

# Bumped whenever _SCHEMA changes: the file is a cache, so an older one is simply rebuilt.
_SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_id  TEXT PRIMARY KEY,
    shard    TEXT NOT NULL,
    status   TEXT NOT NULL,
    version  INTEGER NOT NULL,
    snapshot BLOB NOT NULL,
    due_at   INTEGER,
    marks    TEXT NOT NULL DEFAULT '',
    history_loaded INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS cases_by_shard ON cases (shard, status);
CREATE INDEX IF NOT EXISTS cases_by_due_at ON cases (shard, due_at);
CREATE TABLE IF NOT EXISTS events (
    case_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    shard   TEXT NOT NULL,
    event   BLOB NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_shard ON events (shard);
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL,
    shard     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reports_by_shard ON reports (shard);
"""

_OPEN = tuple(s.value for s in OPEN_STATES)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MICROSECOND = timedelta(microseconds=1)


def _micros(at: datetime | None) -> int | None:
    """A UTC instant as integer microseconds, so SQLite compares due dates exactly."""
    return None if at is None else (at - _EPOCH) // _ONE_MICROSECOND


class HistorySource(Protocol):
    def load(self, shard: str, case_id: str, last_seq: int, marks: Marks) -> list[tuple[int, bytes]]:
        """The case's events 1..last_seq as (seq, bytes), from case-events; raises if incomplete."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class CaseWrite:
    """One case's committed change: its new state, snapshot bytes and the new events."""

    state: CaseState
    snapshot: bytes
    new_events: tuple[tuple[int, bytes], ...] = ()
    marks: Marks = ()
    # False for a case restored without its events: they are read when first needed.
    history_loaded: bool = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a restore builds or loads its cases.

    A restore allocates millions of objects that all stay alive; each full collection on the way
    walks every one made so far, which was a quarter of the restore's time. Reference counting still
    frees what is dropped; the collector runs again (if it ran before) once the restore is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def report_owners(states: Iterable[CaseState]) -> dict[str, str]:
    """report_id -> case_id for the given states; a merged case's reports belong to its target.

    Every report is in exactly one case that is not MERGED, so the result does
    not depend on the order of the states.
    """
    owners: dict[str, str] = {}
    for s in states:
        if s.status is CaseStatus.MERGED:
            continue
        for r in s.reports:
            owners[r.report_id] = s.case_id
    return owners


class CaseStore:
    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        decode_state: Callable[[bytes], CaseState],
        cache_size: int = 50_000,
        history_source: HistorySource | None = None,
    ) -> None:
        private_sqlite(path)
        # Built by bootstrap, used by the processor thread: one user at a time, never two.
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        # Overwrite deleted content, so an erased reporter identity is not left in free pages.
        self._db.execute("PRAGMA secure_delete=ON")
        if int(self._db.execute("PRAGMA user_version").fetchone()[0]) != _SCHEMA_VERSION:
            self._db.executescript(
                "DROP TABLE IF EXISTS cases; DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS reports;"
            )
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        self._db.executescript(_SCHEMA)
        self._decode = decode_state
        self._history = history_source
        # Decoded states of recently used cases: decoding a snapshot costs more
        # than the SQLite read, and CaseState is immutable, so sharing is safe.
        self._cache: OrderedDict[str, CaseState] = OrderedDict()
        self._cache_size = cache_size
        # History marks and history size of recently used cases, as their rows say: a linked
        # report needs both, and three SQLite reads per report cost more than the rest of the store.
        self._info: OrderedDict[str, _Info] = OrderedDict()

    # -- reads ------------------------------------------------------------------

    def case(self, case_id: str) -> CaseState | None:
        cached = self._cache.get(case_id)
        if cached is not None:
            self._cache.move_to_end(case_id)
            return cached
        blob = self.snapshot(case_id)
        if blob is None:
            return None
        state = self._decode(blob)
        self._remember(state)
        return state

    def snapshot(self, case_id: str) -> bytes | None:
        row = self._db.execute("SELECT snapshot FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def events(self, case_id: str) -> list[bytes]:
        info = self._info.get(case_id)
        # A known size means the history is loaded.
        shard = info.shard if info is not None and info.size is not None else self._load_history(case_id)
        rows = self._db.execute("SELECT event FROM events WHERE case_id = ? ORDER BY seq", (case_id,))
        events = [bytes(r[0]) for r in rows]
        if shard is not None:
            self._noted(case_id, shard).size = sum(map(len, events))
        return events

    def history_size(self, case_id: str) -> int:
        info = self._info.get(case_id)
        if info is not None and info.size is not None:
            self._info.move_to_end(case_id)
            return info.size
        shard = self._load_history(case_id)
        row = self._db.execute(
            "SELECT coalesce(sum(length(event)), 0) FROM events WHERE case_id = ?", (case_id,)
        ).fetchone()
        size = int(row[0])
        if shard is not None:
            self._noted(case_id, shard).size = size
        return size

    def history_marks(self, case_id: str) -> Marks:
        info = self._info.get(case_id)
        if info is not None and info.marks is not None:
            self._info.move_to_end(case_id)
            return info.marks
        row = self._db.execute("SELECT marks, shard FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        if row is None:
            return ()
        marks = marks_from_text(row[0])
        self._noted(case_id, row[1]).marks = marks
        return marks

    def history_loaded(self, case_id: str) -> bool:
        row = self._db.execute("SELECT history_loaded FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        return row is not None and bool(row[0])

    def overdue_candidates(self, shard: str, at: datetime) -> list[CaseState]:
        """Open cases of the shard whose due date is before `at`, found by the due_at index."""
        marks = ",".join("?" * len(_OPEN))
        rows = self._db.execute(
            f"SELECT case_id FROM cases WHERE shard = ? AND due_at < ? AND status IN ({marks}) ORDER BY case_id",
            (shard, _micros(at), *_OPEN),
        ).fetchall()
        return [s for (case_id,) in rows if (s := self.case(case_id)) is not None]

    def case_of_report(self, report_id: str) -> str | None:
        row = self._db.execute("SELECT case_id FROM reports WHERE report_id = ?", (report_id,)).fetchone()
        return None if row is None else row[0]

    def states_of_shard(self, shard: str) -> Iterator[CaseState]:
        rows = self._db.execute("SELECT case_id FROM cases WHERE shard = ? ORDER BY case_id", (shard,)).fetchall()
        for (case_id,) in rows:
            state = self.case(case_id)
            if state is not None:
                yield state

    def open_count(self, shard: str) -> int:
        marks = ",".join("?" * len(_OPEN))
        row = self._db.execute(
            f"SELECT count(*) FROM cases WHERE shard = ? AND status IN ({marks})", (shard, *_OPEN)
        ).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        return {
            table: int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("cases", "events", "reports")
        }

    # -- writes -----------------------------------------------------------------

    def apply(self, writes: Sequence[CaseWrite]) -> None:
        """Apply one committed batch atomically."""
        if not writes:
            return
        with self._transaction():
            self._write(writes)
        for w in writes:
            self._remember(w.state)
            self._note_write(w)

    def replace_shards(self, shards: Iterable[str], writes: Sequence[CaseWrite]) -> None:
        """Wipe the shards and load their restored cases, atomically."""
        shards = tuple(shards)
        with gc_paused(), self._bulk_page_cache(), self._transaction():
            self._delete(shards)
            self._write(writes)
        self._forget(shards)

    def drop_shards(self, shards: Iterable[str]) -> None:
        shards = tuple(shards)
        with self._transaction():
            self._delete(shards)
        self._forget(shards)

    def drop_all(self) -> None:
        with self._transaction():
            for table in ("cases", "events", "reports"):
                self._db.execute(f"DELETE FROM {table}")
        self._cache.clear()
        self._info.clear()

    def close(self) -> None:
        self._db.close()
        if self._history is not None:
            self._history.close()

    # -- internals --------------------------------------------------------------

    def _write(self, writes: Sequence[CaseWrite]) -> None:
        db = self._db
        # An existing row keeps its history_loaded: a change adds events, it does not load the earlier ones.
        db.executemany(
            "INSERT INTO cases (case_id, shard, status, version, snapshot, due_at, marks, history_loaded)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET shard = excluded.shard,"
            " status = excluded.status, version = excluded.version, snapshot = excluded.snapshot,"
            " due_at = excluded.due_at, marks = excluded.marks",
            [
                (
                    w.state.case_id,
                    w.state.shard,
                    w.state.status.value,
                    w.state.version,
                    w.snapshot,
                    _micros(w.state.due_at),
                    marks_text(w.marks),
                    int(w.history_loaded),
                )  # fmt: skip
                for w in writes
            ],
        )
        db.executemany(
            "INSERT OR REPLACE INTO events (case_id, seq, shard, event) VALUES (?, ?, ?, ?)",
            [(w.state.case_id, seq, w.state.shard, blob) for w in writes for seq, blob in w.new_events],
        )
        shard_of = {w.state.case_id: w.state.shard for w in writes}
        db.executemany(
            "INSERT OR REPLACE INTO reports (report_id, case_id, shard) VALUES (?, ?, ?)",
            [(rid, cid, shard_of[cid]) for rid, cid in report_owners(w.state for w in writes).items()],
        )

    def _load_history(self, case_id: str) -> str | None:
        """Read a restored case's events from case-events, once, when they are first needed.

        Returns the case's shard, None if there is no such case.
        """
        row = self._db.execute(
            "SELECT history_loaded, marks, shard FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        if row is None:
            return None
        if row[0]:
            return str(row[2])
        state = self.case(case_id)
        if self._history is None or state is None:
            raise RuntimeError(f"case {case_id} was restored without its events and there is no history source")
        events = self._history.load(state.shard, case_id, state.last_seq, marks_from_text(row[1]))
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO events (case_id, seq, shard, event) VALUES (?, ?, ?, ?)",
                [(case_id, seq, state.shard, blob) for seq, blob in events],
            )
            self._db.execute("UPDATE cases SET history_loaded = 1 WHERE case_id = ?", (case_id,))
        return state.shard

    def _delete(self, shards: tuple[str, ...]) -> None:
        for table in ("cases", "events", "reports"):
            self._db.executemany(f"DELETE FROM {table} WHERE shard = ?", [(s,) for s in shards])

    def _transaction(self) -> "_Txn":
        return _Txn(self._db)

    @contextmanager
    def _bulk_page_cache(self) -> Iterator[None]:
        """A page cache large enough for a restored shard's rows while they are loaded.

        With SQLite's default 2 MiB the pages of a million-case load spill to the WAL and are read
        back many times over: the load took about twice the CPU. The usual size returns afterwards.
        """
        usual = self._db.execute("PRAGMA cache_size").fetchone()[0]
        self._db.execute(f"PRAGMA cache_size = {-_BULK_CACHE_KIB}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA cache_size = {int(usual)}")

    def _remember(self, state: CaseState) -> None:
        self._cache[state.case_id] = state
        self._cache.move_to_end(state.case_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _forget(self, shards: tuple[str, ...]) -> None:
        gone = set(shards)
        for case_id in [c for c, s in self._cache.items() if s.shard in gone]:
            del self._cache[case_id]
        for case_id in [c for c, i in self._info.items() if i.shard in gone]:
            del self._info[case_id]

    def _noted(self, case_id: str, shard: str) -> _Info:
        """The case's cached row facts, made (empty) if need be; most recently used last."""
        info = self._info.get(case_id)
        if info is None:
            info = self._info[case_id] = _Info(shard)
            while len(self._info) > self._cache_size:
                self._info.popitem(last=False)
        else:
            self._info.move_to_end(case_id)
        return info

    def _note_write(self, w: CaseWrite) -> None:
        """What a committed write makes the case's row say: its marks, and its history's size if known."""
        info = self._info.get(w.state.case_id)
        added = sum(len(blob) for _, blob in w.new_events)
        if w.history_loaded and w.new_events and w.new_events[0][0] == 1:
            size: int | None = added  # the whole history is in this write (a new case)
        elif info is not None and info.size is not None:
            size = info.size + added
        else:
            size = None  # its earlier events were never counted (or never loaded)
        noted = self._noted(w.state.case_id, w.state.shard)
        noted.shard, noted.marks, noted.size = w.state.shard, w.marks, size


@dataclass(slots=True)
class _Info:
    shard: str
    marks: Marks | None = None  # the row's history marks, once read or written
    size: int | None = None  # bytes of the case's events, once known with its history loaded


class _Txn:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
