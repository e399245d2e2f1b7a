"""The real duplicate engine (gbus.dedup, issue 4) behind the processor's dedup port."""

from __future__ import annotations

from gbus.dedup.config import DedupConfig
from gbus.dedup.engine import DedupEngine
from gbus.dedup.entry import IndexEntry, fingerprint_of
from gbus.domain.case import CaseReport, CaseState
from gbus.domain.report import Report


class EngineAdapter:
    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()

    def new_engine(self, shard: str) -> DedupEngine:
        return DedupEngine(shard, self.config)

    def entry(self, report: CaseReport, case: CaseState) -> IndexEntry:
        return IndexEntry.from_report(report.report, case.case_id, report.fingerprint)

    def fingerprint(self, report: CaseReport) -> str:
        # Right after a decision the text's analysis is cached: this costs a lookup.
        return fingerprint_of(report.report)

    def query(self, report: CaseReport) -> Report:
        return report.report


def default_adapter() -> EngineAdapter:
    """The engine with its measured default thresholds (docs/dedup.md)."""
    return EngineAdapter()
