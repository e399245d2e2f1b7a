"""What the gateway keeps beside each report it filed: the token, and the GeoReport fields the bus has none for.

The bus routes by ward code and keeps no coordinates or photos; a civic app
wants its lat/long, address text and media_url back in every GET. The token
answers `tokens/{token}` for clients that poll for the request id.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from gbus.private_files import private_sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS filed (
    report_id      TEXT PRIMARY KEY,
    token          TEXT NOT NULL UNIQUE,
    origin_agency  TEXT NOT NULL,
    service_code   TEXT NOT NULL,
    address_string TEXT NOT NULL,
    lat            REAL,
    long           REAL,
    media_url      TEXT NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Filed:
    report_id: str
    token: str
    origin_agency: str
    service_code: str
    address_string: str = ""
    lat: float | None = None
    long: float | None = None
    media_url: str = ""


class GatewayStore:
    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(private_sqlite(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex

    def put(self, filed: Filed) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO filed VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (filed.report_id, filed.token, filed.origin_agency, filed.service_code, filed.address_string,
                 filed.lat, filed.long, filed.media_url),
            )  # fmt: skip

    def by_report(self, report_id: str) -> Filed | None:
        return self._one("SELECT * FROM filed WHERE report_id = ?", report_id)

    def by_token(self, token: str) -> Filed | None:
        return self._one("SELECT * FROM filed WHERE token = ?", token)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, arg: str) -> Filed | None:
        with self._lock:
            row = self._db.execute(sql, (arg,)).fetchone()
        return Filed(*row) if row else None
