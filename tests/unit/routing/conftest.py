"""Fixtures for routing tests: the default router and a report factory."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from gbus.domain.report import Report
from gbus.routing import Router

# Phường Bến Thành, Thành phố Hồ Chí Minh.
BEN_THANH = "26743"


@pytest.fixture(scope="session")
def router() -> Router:
    return Router.default()


def report(**overrides) -> Report:
    """A routable feedback report from the national public service portal (run by
    gov.vpcp@VN), in Phường Bến Thành; tests override what they are about."""
    fields = dict(
        report_id="r-1",
        kind="phan_anh",
        category="khac",
        channel="cong_dvc",
        province_code="79",
        ward_code=BEN_THANH,
        title="Phản ánh",
        description="Nội dung phản ánh",
        submitted_at=datetime(2025, 11, 2, 2, 15, tzinfo=timezone.utc),
        origin_agency="gov.vpcp@VN",
        request_id="dvc-1",
    )
    fields.update(overrides)
    return Report(**fields)


@pytest.fixture
def make_report():
    return report
