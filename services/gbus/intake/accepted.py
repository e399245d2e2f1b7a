"""The request keys this node has accepted: (origin_agency, request_id) -> report id.

Answers "did *this* node accept it already?" without a second Kafka write,
and refuses other content under a key locally. Correctness does not depend
on it: the report id is derived from the key, and the case processor is the
authority (a retry anywhere is a replay, other content is refused), so a
retry at another node, or after this file was lost, still creates nothing
new. An entry is written once the processor placed the content (or did not
answer in time) and removed when the processor refuses it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from gbus.private_files import private_sqlite

# Member systems retry within minutes or hours; a month covers any sane retry
# policy and keeps the file small on a busy node.
RETENTION_S = 30 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accepted (
    origin_agency TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    report_id     TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    accepted_at   INTEGER NOT NULL,
    PRIMARY KEY (origin_agency, request_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS accepted_at_idx ON accepted (accepted_at);
CREATE INDEX IF NOT EXISTS accepted_report_idx ON accepted (report_id);
"""


@dataclass(frozen=True, slots=True)
class AcceptedRequest:
    report_id: str
    fingerprint: str
    accepted_at: datetime


class AcceptedRequests:
    """SQLite file (or ":memory:"), safe to use from the gRPC worker threads."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(private_sqlite(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            cutoff = int((time.time() - RETENTION_S) * 1000)
            self._db.execute("DELETE FROM accepted WHERE accepted_at < ?", (cutoff,))

    def get(self, origin_agency: str, request_id: str) -> AcceptedRequest | None:
        with self._lock:
            row = self._db.execute(
                "SELECT report_id, fingerprint, accepted_at FROM accepted WHERE origin_agency = ? AND request_id = ?",
                (origin_agency, request_id),
            ).fetchone()
        if row is None:
            return None
        return AcceptedRequest(row[0], row[1], datetime.fromtimestamp(row[2] / 1000, tz=timezone.utc))

    def find_report(self, report_id: str) -> tuple[str, str] | None:
        """(origin_agency, request_id) of a report id this node accepted."""
        with self._lock:
            row = self._db.execute(
                "SELECT origin_agency, request_id FROM accepted WHERE report_id = ?", (report_id,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def forget(self, origin_agency: str, request_id: str) -> None:
        """The processor refused what this node accepted under the key: it is not the content."""
        with self._lock:
            self._db.execute(
                "DELETE FROM accepted WHERE origin_agency = ? AND request_id = ?", (origin_agency, request_id)
            )

    def put_many(self, entries: list[tuple[str, str, str, str, datetime]]) -> None:
        """(origin_agency, request_id, report_id, fingerprint, accepted_at) rows, after Kafka acked them."""
        if not entries:
            return
        rows = [(o, r, rid, fp, int(at.timestamp() * 1000)) for o, r, rid, fp, at in entries]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO accepted VALUES (?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()
