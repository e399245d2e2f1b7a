"""Factories for reports and cases with real province/ward codes (vietnam-provinces 2025)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import count
from typing import Any

from gbus.domain.case import CaseReport, make_report_id
from gbus.domain.report_fields import report_from_mapping

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
BEN_THANH = ("79", "26743")  # Phường Bến Thành, TP Hồ Chí Minh
HOAN_KIEM = ("01", "00070")  # Phường Hoàn Kiếm, Hà Nội

_seq = count(1)


@lru_cache(maxsize=1)
def router():
    from gbus.routing import Router

    return Router.default()


@lru_cache(maxsize=1)
def directory():
    from gbus.directory.directory import Directory

    return Directory.default()


def report_mapping(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    province, ward = overrides.pop("place", BEN_THANH)
    base = {
        "kind": "phan_anh",
        "category": "dat_dai",
        "channel": "mttq",
        "province_code": province,
        "ward_code": ward,
        "title": "Lấn chiếm đất công tại hẻm 12",
        "description": "Hộ dân xây tường lấn chiếm lối đi chung của hẻm 12, người dân không đi lại được.",
        "submitted_at": (T0 + timedelta(minutes=n)).isoformat(),
        "origin_agency": f"front.mttq@{province}.{ward}" if ward else f"front.mttq@{province}",
        "request_id": f"req-{n}",
    }
    base.update(overrides)
    return base


def case_report(**overrides: Any) -> CaseReport:
    data = report_mapping(**overrides)
    report = report_from_mapping(data, report_id="x")
    shard = report.province_code or "00"
    return CaseReport(replace(report, report_id=make_report_id(shard, report.origin_agency, report.request_id)))
