"""Shared end-to-end flows: the flooded-street grievance filed at node 79 and the central node."""

from __future__ import annotations

from datetime import datetime, timezone

from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import as_agency, wait_until

WARD = "26743"  # Phường Bến Thành, TP Hồ Chí Minh
HANDLER = f"gov.ubnd@79.{WARD}"
WARD_FRONT = f"front.mttq@79.{WARD}"  # origin at node 79
CENTRAL_UNION = "union.tld@VN"  # origin at the central node
PROVINCE_DEPT = "gov.so-xd@79"  # watcher by rule (infrastructure)
S = case_pb2


def report(request_id: str, origin: str, channel: str, title: str, description: str) -> report_pb2.Report:
    return report_pb2.Report(
        kind="phan_anh", category="ha_tang_giao_thong", channel=channel, province_code="79", ward_code=WARD,
        title=title, description=description, submitted_at=timestamp(datetime.now(timezone.utc)),
        origin_agency=origin, request_id=request_id, reporter=report_pb2.Reporter(name="Lan", phone="0901234567"),
    )  # fmt: skip


def submit(node, pb):
    return node.intake.SubmitReport(
        intake_pb2.SubmitReportRequest(report=pb), metadata=as_agency(pb.origin_agency), timeout=15
    )


def cases_of(node, agency):
    return list(node.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(agency), timeout=10).cases)


def flooded_street_case(n79, central):
    submit(n79, report(
        "front-flood-1", WARD_FRONT, "mttq", "Đường Lê Thánh Tôn ngập sâu sau mưa",
        "Đoạn đường Lê Thánh Tôn từ Pasteur đến Nam Kỳ Khởi Nghĩa ngập sâu 30-40cm sau mỗi trận mưa, cống thoát nước bị tắc.",
    ))  # fmt: skip
    submit(central, report(
        "union-flood-1", CENTRAL_UNION, "cong_doan", "Ngap nuoc duong Le Thanh Ton",
        "Duong Le Thanh Ton doan tu Pasteur den Nam Ky Khoi Nghia ngap sau 30-40cm moi khi mua, cong thoat nuoc bi tac.",
    ))  # fmt: skip
    return wait_until(
        lambda: next((c for c in cases_of(n79, HANDLER) if len(c.reports) == 2), None), 30, "the merged case at node 79"
    )
