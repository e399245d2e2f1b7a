"""Factories for dedup tests: reports and index entries with sensible defaults."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gbus.dedup import DedupConfig, DedupEngine, IndexEntry
from gbus.domain.report import Report

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=timezone.utc)
BEN_THANH = "26743"  # Phường Bến Thành, Thành phố Hồ Chí Minh (79)
SAI_GON = "26740"


@pytest.fixture
def make_report():
    counter = iter(range(1, 1_000_000))

    def make(title: str, description: str = "", **fields) -> Report:
        n = next(counter)
        values = dict(
            report_id=f"R{n}",
            kind="phan_anh",
            category="ha_tang_giao_thong",
            channel="zalo",
            province_code="79",
            ward_code=BEN_THANH,
            title=title,
            description=description or title,
            submitted_at=T0 + timedelta(hours=n),
            origin_agency="gov.ubnd@79",
            request_id=f"req-{n}",
        )
        values.update(fields)
        return Report(**values)

    return make


@pytest.fixture
def engine() -> DedupEngine:
    return DedupEngine("79", DedupConfig())


@pytest.fixture
def place(engine):
    """Decide and index a report the way the processor does; returns (decision, case_id)."""
    counter = iter(range(1, 1_000_000))

    def place_report(report: Report, now: datetime | None = None):
        decision = engine.decide(report, now or report.submitted_at)
        if decision.decision in ("link", "replay"):
            case_id = decision.case_id
        else:
            case_id = f"79-{next(counter):06d}"
        if decision.decision != "replay":
            engine.add_report(IndexEntry.from_report(report, case_id))
        return decision, case_id

    return place_report
