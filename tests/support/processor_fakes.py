"""A stand-in duplicate engine for processor tests: same shard + same title = duplicate.

It exercises the processor's side of the dedup port (decide, index upkeep,
rebuild) without depending on the real engine's tuning; the real engine has
its own tests (issue 4). Titles starting with "maybe:" produce the
possible-duplicate band.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gbus.domain.case import CaseReport, CaseState

OPEN = {"ASSIGNED", "ACCEPTED", "IN_PROGRESS", "REOPENED", "TRANSFERRED"}


@dataclass(frozen=True)
class FakeDecision:
    decision: str
    case_id: str | None = None
    score: float = 0.0
    matched_report_id: str | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeEntry:
    report_id: str
    case_id: str
    key: str


def _key(title: str) -> str:
    return title.removeprefix("maybe:").strip().lower()


class FakeEngine:
    def __init__(self, shard: str) -> None:
        self.shard = shard
        self.entries: dict[str, FakeEntry] = {}
        self.status: dict[str, str] = {}
        self.calls: list[tuple[str, Any]] = []

    def decide(self, report: CaseReport, now: datetime) -> FakeDecision:
        for e in self.entries.values():
            if e.key == _key(report.title) and self.status.get(e.case_id, "ASSIGNED") in OPEN:
                band = "possible_duplicate" if report.title.startswith("maybe:") else "link"
                return FakeDecision(band, e.case_id, 0.97, e.report_id, ("same title",))
        return FakeDecision("new")

    def add_report(self, entry: FakeEntry) -> None:
        self.calls.append(("add", entry.report_id))
        self.entries[entry.report_id] = entry

    def add_reports(self, entries: Iterable[FakeEntry]) -> int:
        entries = list(entries)
        for entry in entries:
            self.add_report(entry)
        return len(entries)

    def remove_report(self, report_id: str) -> None:
        self.calls.append(("remove", report_id))
        self.entries.pop(report_id, None)

    def set_case_status(self, case_id: str, open: bool, at: datetime) -> None:
        self.calls.append(("status", (case_id, open)))
        self.status[case_id] = "ASSIGNED" if open else "CLOSED"

    def expire(self, now: datetime) -> int:
        self.calls.append(("expire", now))
        return 0


class FakeAdapter:
    def __init__(self) -> None:
        self.engines: dict[str, FakeEngine] = {}

    def new_engine(self, shard: str) -> FakeEngine:
        self.engines[shard] = FakeEngine(shard)
        return self.engines[shard]

    def entry(self, report: CaseReport, case: CaseState) -> FakeEntry:
        return FakeEntry(report.report_id, case.case_id, _key(report.title))

    def query(self, report: CaseReport) -> CaseReport:
        return report

    def fingerprint(self, report: CaseReport) -> str:
        return ""  # this engine matches on titles (`entry`); nothing to keep with the case
