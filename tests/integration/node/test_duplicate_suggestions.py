"""The duplicate engine's suggestions reach the clerk over gRPC (issue 11.4): two similar
reports that are not linked, the real processor and engine, GetCase and MergeCases."""

from __future__ import annotations

from datetime import datetime, timezone

import grpc
import pytest

from gbus.dedup.config import DedupConfig
from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import Bus, as_agency, wait_until

pytestmark = pytest.mark.integration

WARD = "25747"
HANDLER = f"gov.ubnd@79.{WARD}"
FRONT_WARD = f"front.mttq@79.{WARD}"
CENTRAL_UNION = "union.tld@VN"  # reads its own cases, not the ward front's


@pytest.fixture
def bus(kafka_bootstrap):
    b = Bus(kafka_bootstrap, all_areas=True)
    yield b
    b.close()


def _report(request_id, origin, channel, title, description, reporter):
    return report_pb2.Report(
        kind="phan_anh", category="dat_dai", channel=channel, province_code="79", ward_code=WARD, title=title,
        description=description, submitted_at=timestamp(datetime.now(timezone.utc)), origin_agency=origin,
        request_id=request_id, reporter=reporter,
    )  # fmt: skip


def _submit(node, pb):
    return node.intake.SubmitReport(
        intake_pb2.SubmitReportRequest(report=pb), metadata=as_agency(pb.origin_agency), timeout=15
    )


def _get(node, case_id, agency):
    return node.cases.GetCase(case_pb2.GetCaseRequest(case_id=case_id), metadata=as_agency(agency), timeout=10).case


def _case_of(node, report_id, agency):
    listed = node.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(agency), timeout=10).cases
    return next((c for c in listed if any(r.report_id == report_id for r in c.reports)), None)


def test_a_similar_report_that_is_not_linked_shows_the_earlier_case_as_a_suggestion_to_those_who_may_see_it(
    bus, start_node, processor
):
    central, n79 = start_node("VN"), start_node("79")
    # The same household number and fence in another neighbourhood group, from two different
    # residents: similar, but not one grievance.
    first = _submit(central, _report(
        "sug-1", CENTRAL_UNION, "cong_doan", "Lấn chiếm đất công ở khu phố 3",
        "Hộ dân số 12 xây tường rào lấn ra đường đi chung của khu phố 3, gây cản trở đi lại.",
        report_pb2.Reporter(name="Lan", phone="0901234567")))  # fmt: skip
    earlier = wait_until(lambda: _case_of(n79, first.report_id, HANDLER), 30, "the first case at the ward's node")
    second = _submit(n79, _report(
        "sug-2", FRONT_WARD, "mttq", "Tường rào lấn đường ở khu phố 5",
        "Hộ dân số 12 xây tường rào lấn ra đường đi chung của khu phố 5.",
        report_pb2.Reporter(name="Minh", phone="0987654321")))  # fmt: skip
    later = wait_until(lambda: _case_of(n79, second.report_id, HANDLER), 30, "the second case")
    assert later.case_id != earlier.case_id  # not linked: a clerk decides

    seen = _get(n79, later.case_id, HANDLER)
    [suggestion] = seen.duplicate_suggestions
    link_at = DedupConfig().link_threshold
    assert suggestion.case_id == earlier.case_id and 0.0 < suggestion.score < link_at

    # The ward's front filed the second report and reads its case, but may not read the
    # union's case: the suggestion is left out rather than reveal that case.
    with pytest.raises(grpc.RpcError) as info:
        _get(n79, earlier.case_id, FRONT_WARD)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    own = _get(n79, later.case_id, FRONT_WARD)
    assert [r.report_id for r in own.reports] == [second.report_id] and not own.duplicate_suggestions

    # The handler acts on the suggestion.
    merged = n79.cases.MergeCases(case_pb2.MergeCasesRequest(
        source_case_id=later.case_id, target_case_id=suggestion.case_id, reason="cùng một hộ, cùng tường rào"),
        metadata=as_agency(HANDLER), timeout=20).case  # fmt: skip
    assert merged.case_id == earlier.case_id
    assert {r.report_id for r in merged.reports} == {first.report_id, second.report_id}
