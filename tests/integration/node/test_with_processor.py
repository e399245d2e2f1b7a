"""Nodes and the real case processor on one broker: submit -> case -> commands -> every node."""

from __future__ import annotations

from datetime import datetime, timezone

import grpc
import pytest

from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import Bus, as_agency, wait_until

pytestmark = pytest.mark.integration

WARD = "25747"
HANDLER = f"gov.ubnd@79.{WARD}"
FRONT_WARD = f"front.mttq@79.{WARD}"
CENTRAL_UNION = "union.tld@VN"
WATCHER = "gov.so-nnmt@79"


@pytest.fixture
def bus(kafka_bootstrap):
    b = Bus(kafka_bootstrap, all_areas=True)
    yield b
    b.close()


def report(request_id, origin, channel, **over):
    pb = report_pb2.Report(
        kind="phan_anh", category="dat_dai", channel=channel, province_code="79", ward_code=WARD,
        title="Lấn chiếm đất công ở khu phố 3", submitted_at=timestamp(datetime.now(timezone.utc)),
        description="Hộ dân số 12 xây tường rào lấn ra đường đi chung của khu phố 3, gây cản trở đi lại.",
        origin_agency=origin, request_id=request_id, reporter=report_pb2.Reporter(name="Lan", phone="0901234567"),
    )  # fmt: skip
    for k, v in over.items():
        setattr(pb, k, v)
    return pb


def submit(node, pb):
    return node.intake.SubmitReport(
        intake_pb2.SubmitReportRequest(report=pb), metadata=as_agency(pb.origin_agency), timeout=15
    )


def my_cases(node, agency):
    return list(node.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(agency), timeout=10).cases)


def command(node, method, request, agency=HANDLER):
    return getattr(node.cases, method)(request, metadata=as_agency(agency), timeout=20)


def test_a_report_becomes_a_case_at_every_involved_node_and_commands_round_trip(bus, start_node, processor):
    n79, central = start_node("79"), start_node("VN")
    submit(n79, report("front-1", FRONT_WARD, "mttq"))
    submit(central, report("union-1", CENTRAL_UNION, "cong_doan"))  # the same grievance, another channel
    case = wait_until(lambda: next((c for c in my_cases(n79, HANDLER) if len(c.reports) == 2), None), 20, "merged case")
    assert {r.origin_agency for r in case.reports} == {FRONT_WARD, CENTRAL_UNION}
    # The central union sees the case at its node, with its own reporter only.
    seen = wait_until(lambda: my_cases(central, CENTRAL_UNION), 20, "the case at the central node")[0]
    shown = {r.origin_agency: r.HasField("reporter") for r in seen.reports}
    assert seen.case_id == case.case_id and shown == {FRONT_WARD: False, CENTRAL_UNION: True}

    accepted = command(n79, "UpdateStatus", case_pb2.UpdateStatusRequest(
        case_id=case.case_id, status=case_pb2.CASE_STATUS_ACCEPTED, expected_version=case.version, request_id="acc-1"))  # fmt: skip
    assert accepted.case.status == case_pb2.CASE_STATUS_ACCEPTED and accepted.case.version == case.version + 1
    wait_until(lambda: my_cases(central, CENTRAL_UNION)[0].status == case_pb2.CASE_STATUS_ACCEPTED, 5, "status at VN")

    again = command(n79, "UpdateStatus", case_pb2.UpdateStatusRequest(
        case_id=case.case_id, status=case_pb2.CASE_STATUS_ACCEPTED, expected_version=case.version, request_id="acc-1"))  # fmt: skip
    assert again.case.version == accepted.case.version  # a retry is applied once

    refusals = [
        (WATCHER, case_pb2.CASE_STATUS_IN_PROGRESS, 0, grpc.StatusCode.PERMISSION_DENIED),
        (HANDLER, case_pb2.CASE_STATUS_IN_PROGRESS, case.version, grpc.StatusCode.ABORTED),
        (HANDLER, case_pb2.CASE_STATUS_CLOSED, 0, grpc.StatusCode.FAILED_PRECONDITION),
    ]
    for agency, status, expected, code in refusals:
        with pytest.raises(grpc.RpcError) as info:
            command(n79, "UpdateStatus", case_pb2.UpdateStatusRequest(
                case_id=case.case_id, status=status, expected_version=expected), agency)  # fmt: skip
        assert info.value.code() is code, (agency, status)

    note = command(
        n79, "AddNote", case_pb2.AddNoteRequest(case_id=case.case_id, text="Đã xác minh hiện trường"), WATCHER
    )
    assert note.case.version == accepted.case.version + 1


def test_merge_and_unmerge_through_the_nodes(bus, start_node, processor):
    n79 = start_node("79")
    a = submit(n79, report("m-a", FRONT_WARD, "mttq"))
    b = submit(n79, report("m-b", FRONT_WARD, "mttq", category="y_te", title="Trạm y tế đóng cửa giờ hành chính",
                           description="Trạm y tế phường không mở cửa buổi sáng thứ hai."))  # fmt: skip
    cases = wait_until(lambda: (cs := my_cases(n79, FRONT_WARD)) and len(cs) == 2 and cs, 20, "two cases")
    by_report = {c.reports[0].report_id: c for c in cases}
    source, target = by_report[b.report_id], by_report[a.report_id]
    merged = command(n79, "MergeCases", case_pb2.MergeCasesRequest(
        source_case_id=source.case_id, target_case_id=target.case_id, reason="cùng một việc"), source.handler)  # fmt: skip
    assert merged.case.case_id == target.case_id and {r.report_id for r in merged.case.reports} == {
        a.report_id,
        b.report_id,
    }

    handler = merged.case.handler
    unmerged = command(n79, "UnmergeReport", case_pb2.UnmergeReportRequest(
        case_id=target.case_id, report_id=b.report_id, reason="nhầm"), handler)  # fmt: skip
    assert [r.report_id for r in unmerged.case.reports] == [a.report_id]
    # The new case is routed anew (y_te -> the health department): the ward's committee that
    # unmerged it is not involved, so it learns the id only; the origin sees the whole case.
    assert unmerged.new_case.case_id and not unmerged.new_case.reports
    own = n79.cases.GetCase(case_pb2.GetCaseRequest(case_id=unmerged.new_case.case_id), metadata=as_agency(FRONT_WARD))
    assert [r.report_id for r in own.case.reports] == [b.report_id] and own.case.handler == "gov.so-yt@79"
