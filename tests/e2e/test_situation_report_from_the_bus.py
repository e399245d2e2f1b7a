"""`gbus report` on what really went through the bus: read from the case-state and case-events
topics, and from the node's own store, its figures match what this test submitted and did."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import pytest

from gbus.cli.main import main as gbus_main
from gbus.situation.weeks import Week
from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import as_agency, wait_until

pytestmark = pytest.mark.e2e

ORIGIN = "front.mttq@79"
# (kind, category, channel, title): six distinct grievances in Phường Bến Thành.
SUBMITTED = [
    ("phan_anh", "moi_truong", "zalo", "Rác thải tập kết trái phép ở hẻm 12"),
    ("phan_anh", "ha_tang_giao_thong", "hotline_1022", "Đường Lê Lợi ngập nước sau mưa"),
    ("kien_nghi", "ha_tang_giao_thong", "cong_dvc", "Đề nghị lắp đèn chiếu sáng công viên"),
    ("phan_anh", "trat_tu_do_thi", "zalo", "Quán ăn lấn chiếm vỉa hè đường Pasteur"),
    ("khieu_nai", "dat_dai", "tiep_cong_dan", "Khiếu nại quyết định thu hồi đất số 12"),
    ("phan_anh", "dien_nuoc", "mttq", "Mất nước sinh hoạt ba ngày ở chung cư"),
]


def _report(n: int, kind: str, category: str, channel: str, title: str) -> report_pb2.Report:
    return report_pb2.Report(
        kind=kind, category=category, channel=channel, province_code="79", ward_code="26743", title=title,
        description=f"{title}. Người dân đề nghị xử lý sớm (hồ sơ số {n}).",
        submitted_at=timestamp(datetime.now(timezone.utc)), origin_agency=ORIGIN, request_id=f"sit-{n}",
        subject_agency="gov.ubnd@79.26743" if kind == "khieu_nai" else "", attempt=1,
        reporter=report_pb2.Reporter(name=f"Trần Thị Lụa {n}", phone=f"09040000{n:02d}"),
    )  # fmt: skip


def test_the_report_counts_what_went_through_the_bus(bus, start_node, processor, tmp_path):
    n79 = start_node("79", data_dir=str(tmp_path / "nodes"))
    week = Week.containing(datetime.now(timezone.utc))
    for n, row in enumerate(SUBMITTED):
        n79.intake.SubmitReport(
            intake_pb2.SubmitReportRequest(report=_report(n, *row)), metadata=as_agency(ORIGIN), timeout=15
        )
    cases = wait_until(
        lambda: (found := n79.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(ORIGIN), timeout=10).cases)
        and len(found) == len(SUBMITTED) and found,
        30, "a case per report",
    )  # fmt: skip
    worked = next(c for c in cases if c.kind == "phan_anh" and c.handler == "gov.ubnd@79.26743")
    for status in (case_pb2.CASE_STATUS_ACCEPTED, case_pb2.CASE_STATUS_RESOLVED):
        n79.cases.UpdateStatus(case_pb2.UpdateStatusRequest(case_id=worked.case_id, status=status),
                               metadata=as_agency(worked.handler), timeout=15)  # fmt: skip
    n79.cases.RateResolution(case_pb2.RateResolutionRequest(case_id=worked.case_id, rating=4, comment="Đã xử lý"),
                             metadata=as_agency(ORIGIN), timeout=15)  # fmt: skip

    from_topics, from_store = tmp_path / "topics.json", tmp_path / "store.json"
    assert gbus_main(["report", "--area", "79", "--week", week.label, "--bootstrap", bus.kafka.bootstrap_servers,
                      "--topic-prefix", bus.kafka.topic_prefix, "--out", str(from_topics)]) == 0  # fmt: skip
    store = tmp_path / "nodes" / "79" / "node.sqlite"
    wait_until(lambda: _rated_in(store), 10, "the rating in the node's store")
    assert (
        gbus_main(["report", "--area", "79", "--week", week.label, "--store", str(store), "--out", str(from_store)])
        == 0
    )

    for path in (from_topics, from_store):
        report = json.loads(path.read_text(encoding="utf-8"))
        volumes = report["volumes"]
        assert volumes["total"]["this_week"] == len(SUBMITTED)
        for section, column in (("by_kind", 0), ("by_category", 1), ("by_channel", 2)):
            assert {r["key"]: r["this_week"] for r in volumes[section]} == dict(
                Counter(row[column] for row in SUBMITTED)
            )
        assert [(r["label"], r["this_week"]) for r in volumes["by_place"]] == [("Phường Bến Thành", len(SUBMITTED))]
        assert [(s["agency"], s["ratings"], s["average"]) for s in report["satisfaction"]] == [(worked.handler, 1, 4.0)]
        accepted = {t["key"]: t["accepted"] for t in report["timeliness"]["by_agency"]}
        assert accepted == {worked.handler: 1}
        text = path.read_text(encoding="utf-8")
        assert "Lụa" not in text and "0904000" not in text  # no reporter identity


def _rated_in(store_path) -> bool:
    from gbus.situation.sources import from_node_store

    return any(h.state.ratings for h in from_node_store(store_path))
