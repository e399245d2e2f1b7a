"""The per-shard candidate index: compact columns plus hashed postings.

One index per shard (province), owned by the one processor that owns the
shard, so it needs no locks. It must hold a year or more of a big city's
reports (~1M) in little memory and answer "which indexed reports could be
the same grievance as this one?" in well under a millisecond. So:

- each report is a row in numpy columns (ward, kind, category, case, time,
  hashes) plus its fingerprint bytes and id string;
- candidate keys (LSH bands scoped by ward, place names, reporter) point to
  row numbers through `Postings` (12 bytes a posting);
- the gates (gop_y only with the same draft, case window) are applied to
  candidate rows with vectorised numpy, before any text is read.

Rows are never updated in place except for their case (merges); removed or
expired rows are flagged dead and reclaimed by `compact`.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, timezone

import numpy as np

from gbus.dedup.compat import CATEGORY_INDEX
from gbus.dedup.entry import IndexEntry
from gbus.dedup.features import from_fingerprint
from gbus.dedup.matcher import Profile
from gbus.dedup.postings import Postings
from gbus.dedup.sketch import key64
from gbus.domain.kinds import KIND_POLICIES, is_draft_opinion
from gbus.domain.vocabulary import CATEGORIES, KINDS

KIND_INDEX = {k: i for i, k in enumerate(KINDS)}
# Opinions on a draft, as stored in the kind column (gbus.domain.kinds).
DRAFT_KINDS = np.array([KIND_INDEX[p.code] for p in KIND_POLICIES if p.draft_opinion], dtype=np.int8)
# The same as a boolean table by kind index, for gating candidate rows.
_IS_DRAFT_KIND = np.isin(np.arange(len(KINDS)), DRAFT_KINDS)
# Profiles kept parsed (~10 KB each: the char-gram table dominates).
_PROFILE_CACHE = 2048
_OPEN = np.iinfo(np.int64).max  # closed_at of an open case
_COLUMNS = {
    "case": np.int32,
    "ward": np.int32,
    "kind": np.int8,
    "category": np.int8,
    "subject": np.uint64,
    "reporter": np.uint64,
    "request": np.uint64,
    "submitted": np.int64,
    "text_end": np.int64,
    "alive": np.bool_,
}


def epoch(at: datetime) -> int:
    return int(at.timestamp())


def request_key(origin_agency: str, request_id: str) -> int:
    return key64("request", f"{origin_agency}\x1f{request_id}")


class CaseTable:
    """Case ids and their open/closed state; rows are referenced by entries."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []
        self.index: dict[str, int] = {}
        self.closed_at = np.empty(0, dtype=np.int64)
        self.alive = np.empty(0, dtype=np.bool_)
        self.id_bytes = 0  # sys.getsizeof of the live case id strings, kept as they come and go

    def __len__(self) -> int:
        return len(self.index)

    def row(self, case_id: str, *, create: bool) -> int | None:
        row = self.index.get(case_id)
        if row is None and create:
            row = len(self.ids)
            self.ids.append(case_id)
            self.index[case_id] = row
            self.id_bytes += sys.getsizeof(case_id)
            if row >= self.alive.size:
                grow = max(1024, self.alive.size)
                self.closed_at = np.concatenate((self.closed_at, np.full(grow, _OPEN, dtype=np.int64)))
                self.alive = np.concatenate((self.alive, np.zeros(grow, dtype=np.bool_)))
            self.closed_at[row] = _OPEN
            self.alive[row] = True
        return row

    def compact(self, entry_cases: np.ndarray) -> None:
        """Forget dropped cases' rows; rewrites `entry_cases` in place."""
        live = np.flatnonzero(self.alive[: len(self.ids)])
        mapping = np.full(len(self.ids), -1, dtype=np.int64)
        mapping[live] = np.arange(live.size)
        entry_cases[:] = mapping[entry_cases]
        self.ids = [self.ids[i] for i in live.tolist()]
        self.index = {case_id: row for row, case_id in enumerate(self.ids) if case_id is not None}
        grow = max(1024, live.size * 2)
        closed_at, alive = self.closed_at[live], self.alive[live]
        self.closed_at = np.full(grow, _OPEN, dtype=np.int64)
        self.alive = np.zeros(grow, dtype=np.bool_)
        self.closed_at[: live.size], self.alive[: live.size] = closed_at, alive

    def drop(self, row: int) -> None:
        case_id = self.ids[row]
        if case_id is not None:
            del self.index[case_id]
            self.id_bytes -= sys.getsizeof(case_id)
        self.ids[row] = None
        self.alive[row] = False


class ShardIndex:
    def __init__(self, shard: str, *, bucket_limit: int = 256) -> None:
        self.shard = shard
        self.bucket_limit = bucket_limit
        self.cases = CaseTable()
        self.size = 0  # rows used, dead or alive
        self.dead = 0
        self._cap = 0
        self._cols: dict[str, np.ndarray] = {name: np.empty(0, dtype=t) for name, t in _COLUMNS.items()}
        # Per row: b"report_id\x1ffingerprint" in one arena, ending at the
        # row's text_end; no per-row Python object (saves ~90 bytes a row and
        # keeps the allocator from fragmenting over millions of small strings).
        self._arena = bytearray()
        self.wards: Counter[int] = Counter()  # live rows per ward, to look up reports without a ward
        self.postings = Postings()
        self.postings.is_alive = lambda rows: self._cols["alive"][rows]
        # Parsed candidates, least recently used first: a busy ward's reports
        # are candidates of many decisions in a row.
        self._profiles: dict[int, Profile] = {}

    # -- columns -------------------------------------------------------------
    def col(self, name: str) -> np.ndarray:
        return self._cols[name][: self.size]

    def _grow(self) -> None:
        new_cap = max(1024, self._cap * 2)
        for name, arr in self._cols.items():
            bigger = np.zeros(new_cap, dtype=arr.dtype)
            bigger[: self._cap] = arr
            self._cols[name] = bigger
        self._cap = new_cap

    # -- adding and removing ---------------------------------------------------
    def add(self, entry: IndexEntry, keys: np.ndarray) -> int:
        row = self._append_row(entry)
        identity = np.array([key64("report", entry.report_id), int(self._cols["request"][row])], dtype=np.uint64)
        self.postings.add(np.concatenate((identity, keys)), row)
        return row

    def add_many(self, entries: list[IndexEntry], keys: list[np.ndarray]) -> None:
        """Bulk `add` (a rebuild): one sorted run for the whole batch."""
        rows = [self._append_row(entry) for entry in entries]
        identity = [
            np.array([key64("report", e.report_id), int(self._cols["request"][row])], dtype=np.uint64)
            for e, row in zip(entries, rows)
        ]
        all_keys = [np.concatenate((ident, k)) for ident, k in zip(identity, keys)]
        counts = np.fromiter((k.size for k in all_keys), dtype=np.int64, count=len(all_keys))
        self.postings.add_bulk(np.concatenate(all_keys), np.repeat(np.array(rows, dtype=np.int64), counts))

    def report_ids_present(self, report_ids: list[str]) -> list[str]:
        """Which of these report ids are indexed (vectorised pre-check, then verified)."""
        keys = np.array([key64("report", rid) for rid in report_ids], dtype=np.uint64)
        maybe = np.flatnonzero(self.postings.contains(keys))
        return [report_ids[i] for i in maybe.tolist() if self.find_report(report_ids[i]) is not None]

    def _append_row(self, entry: IndexEntry) -> int:
        if self.size == self._cap:
            self._grow()
        row = self.size
        self.size += 1
        c = self._cols
        c["case"][row] = self.cases.row(entry.case_id, create=True)
        c["ward"][row] = int(entry.ward) if entry.ward else 0
        c["kind"][row] = KIND_INDEX[entry.kind]
        c["category"][row] = CATEGORY_INDEX[entry.category]
        c["subject"][row] = key64("subject", entry.subject_agency) if entry.subject_agency else 0
        c["reporter"][row] = key64("reporter", entry.reporter_key) if entry.reporter_key else 0
        c["submitted"][row] = epoch(entry.submitted_at)
        c["alive"][row] = True
        request = request_key(entry.origin_agency, entry.request_id)
        c["request"][row] = request
        self._arena += f"{entry.report_id}\x1f{entry.fingerprint}".encode()
        c["text_end"][row] = len(self._arena)
        self.wards[int(c["ward"][row])] += 1
        return row

    def kill(self, row: int) -> None:
        if not self._cols["alive"][row]:
            return
        self._cols["alive"][row] = False
        self.dead += 1
        ward = int(self._cols["ward"][row])
        self.wards[ward] -= 1
        if not self.wards[ward]:
            del self.wards[ward]
        self._profiles.pop(row, None)

    def _find(self, key: int, check) -> int | None:
        """The newest live row under an exact key, verified by `check(row)`:
        postings keys are 32-bit, so a bucket may hold strangers."""
        rows = self.postings.lookup(np.array([key], dtype=np.uint64), self.bucket_limit)
        alive = self._cols["alive"]
        for row in sorted(rows.tolist(), reverse=True):
            if alive[row] and check(row):
                return row
        return None

    def find_report(self, report_id: str) -> int | None:
        return self._find(key64("report", report_id), lambda row: self.report_id(row) == report_id)

    def find_request(self, origin_agency: str, request_id: str) -> int | None:
        """The live row of the same member system's request (idempotency).
        Verified on a 64-bit hash of the pair: a false replay would need a
        64-bit collision, and a replay must never make a second report."""
        key = request_key(origin_agency, request_id)
        return self._find(key, lambda row: int(self._cols["request"][row]) == key)

    def _text(self, row: int) -> bytes:
        end = int(self._cols["text_end"][row])
        start = int(self._cols["text_end"][row - 1]) if row else 0
        return bytes(self._arena[start:end])

    def report_id(self, row: int) -> str:
        return self._text(row).split(b"\x1f", 1)[0].decode()

    # -- reading -----------------------------------------------------------------
    def case_id(self, row: int) -> str:
        case_id = self.cases.ids[int(self._cols["case"][row])]
        assert case_id is not None, "a live row always belongs to a live case"
        return case_id

    def profile(self, row: int) -> Profile:
        cached = self._profiles.pop(row, None)
        if cached is not None:
            self._profiles[row] = cached  # least recently used first
            return cached
        c = self._cols
        ward = int(c["ward"][row])
        text = self._text(row)
        profile = Profile(
            features=from_fingerprint(text.split(b"\x1f", 1)[1].decode()),
            ward=f"{ward:05d}" if ward else None,
            kind=KINDS[int(c["kind"][row])],
            category=CATEGORIES[int(c["category"][row])],
            subject_agency=None,  # only its hash is kept; compared in `candidates`
            reporter=int(c["reporter"][row]),
            submitted_at=datetime.fromtimestamp(int(c["submitted"][row]), tz=timezone.utc),
        )
        if len(self._profiles) >= _PROFILE_CACHE:
            self._profiles.pop(next(iter(self._profiles)))
        self._profiles[row] = profile
        return profile

    def candidates(
        self,
        weighted_keys: list[tuple[np.ndarray, float]],
        *,
        kind: str,
        subject: int,
        not_closed_before: int,
        limit: int,
    ) -> np.ndarray:
        """Rows sharing keys with the query that pass the gates, best first
        (most shared keys; then newest), at most `limit`. The gates are only
        those law or fact demand: an opinion on a draft (gop_y) joins only
        opinions on the same draft, and a case closed before
        `not_closed_before` is out. Ward and category are scored, not gated."""
        groups = [(keys, w) for keys, w in weighted_keys if keys.size]
        if not groups:
            return np.empty(0, dtype=np.int64)
        found, group = self.postings.lookup_groups([keys for keys, _ in groups], self.bucket_limit)
        if not found.size:
            return np.empty(0, dtype=np.int64)
        # Weights are small integers: their sums are exact in any order.
        weights = np.array([w for _, w in groups], dtype=np.float64)[group]
        rows, inverse = np.unique(found.astype(np.int64), return_inverse=True)
        hits = np.bincount(inverse, weights=weights)
        c = self._cols
        keep = c["alive"][rows]
        is_gop_y = _IS_DRAFT_KIND[c["kind"][rows]]
        if is_draft_opinion(kind):
            keep &= is_gop_y & (c["subject"][rows] == np.uint64(subject)) & (subject != 0)
        else:
            keep &= ~is_gop_y
        case_rows = c["case"][rows]
        keep &= self.cases.closed_at[case_rows] >= not_closed_before
        rows, hits = rows[keep], hits[keep]
        order = np.lexsort((-rows, -hits))[:limit]
        return rows[order]

    # -- cases ---------------------------------------------------------------------
    def rows_of_case(self, case_row: int) -> np.ndarray:
        c = self._cols
        return np.flatnonzero((c["case"][: self.size] == case_row) & c["alive"][: self.size])

    def expire(self, cutoff: int) -> int:
        """Kill every row of a case closed before `cutoff`; returns rows killed."""
        c = self._cols
        expired_cases = self.cases.alive & (self.cases.closed_at < cutoff)
        if not expired_cases.any():
            return 0
        rows = np.flatnonzero(c["alive"][: self.size] & expired_cases[c["case"][: self.size]])
        for row in rows.tolist():
            self.kill(row)
        for case_row in np.flatnonzero(expired_cases).tolist():
            self.cases.drop(case_row)
        self.maybe_compact()
        return int(rows.size)

    # -- memory ----------------------------------------------------------------------
    def nbytes(self) -> int:
        """Bytes held by the index's data: columns, text arena, postings and
        the case table (Python object sizes from sys.getsizeof)."""
        cases = self.cases
        case_objects = sys.getsizeof(cases.index) + sys.getsizeof(cases.ids) + cases.id_bytes
        columns = sum(arr.nbytes for arr in self._cols.values())
        arrays = cases.closed_at.nbytes + cases.alive.nbytes
        return columns + len(self._arena) + self.postings.nbytes + case_objects + arrays

    def maybe_compact(self) -> None:
        if self.dead > 1024 and self.dead * 4 > self.size:
            self.compact()

    def compact(self) -> None:
        """Drop dead rows and renumber the live ones (and their postings)."""
        self.postings.flush()  # merges read liveness by the old row numbers
        alive = self._cols["alive"][: self.size]
        mapping = np.where(alive, np.cumsum(alive) - 1, -1).astype(np.int64)
        live = np.flatnonzero(alive)
        texts = [self._text(row) for row in live.tolist()]
        self._arena = bytearray(b"".join(texts))
        self._cols["text_end"][live] = np.cumsum([len(t) for t in texts], dtype=np.int64)
        for name, arr in self._cols.items():
            kept = arr[live]
            self._cols[name] = np.zeros(max(1024, kept.size * 2), dtype=arr.dtype)
            self._cols[name][: kept.size] = kept
        self._cap = self._cols["alive"].size
        self.size = int(live.size)
        self.dead = 0
        self._profiles.clear()
        self.postings.renumber(mapping)
        self.cases.compact(self._cols["case"][: self.size])
