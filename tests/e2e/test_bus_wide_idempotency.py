"""Idempotency across the whole bus, the case processor deciding (issue 12.2, 12.3): a submit answers
where the report went; the same request at another node is a replay of it; other content under the
same request id is refused at whichever node it arrives, also when the refusal comes after the answer."""

from __future__ import annotations

import dataclasses

import grpc
import pytest

from gbus.node.app import NodeApp
from gbus.v1 import intake_pb2
from support.flows import HANDLER, WARD_FRONT, cases_of, report, submit
from support.node_harness import Running, as_agency, wait_until

pytestmark = pytest.mark.e2e
P = intake_pb2


def _flood(request_id: str):
    return report(
        request_id, WARD_FRONT, "mttq", "Hẻm 42 Lê Thánh Tôn ngập sau mưa",
        "Hẻm 42 đường Lê Thánh Tôn ngập 30cm sau mỗi trận mưa, nước tràn vào nhà dân.",
    )  # fmt: skip


def _get_report(node, agency: str, **key: str):
    return node.intake.GetReport(P.GetReportRequest(**key), metadata=as_agency(agency), timeout=10).placement


def test_a_report_answers_its_case_and_handler_and_the_same_request_at_another_node_replays_it(
    bus, start_node, processor
):
    n79, n01 = start_node("79"), start_node("01")
    pb = _flood("front-idem-1")

    first = submit(n79, pb)
    assert not first.replayed and first.placement.placed
    assert (first.placement.decision, first.placement.handler) == (P.PLACEMENT_DECISION_NEW, HANDLER)
    case_id = first.placement.case_id
    assert case_id.startswith("79-")

    again = submit(n01, pb)
    assert again.replayed and again.report_id == first.report_id
    assert (again.placement.case_id, again.placement.handler) == (case_id, HANDLER)
    assert again.placement.decision == P.PLACEMENT_DECISION_REPLAY
    # A retry at the first node is answered from what it knows, with the same ids.
    retry = submit(n79, pb)
    assert retry.replayed and retry.placement.case_id == case_id

    other = _flood("front-idem-1")
    other.description = "Một nội dung khác: đèn đường hẻm 42 hỏng cả tuần."
    with pytest.raises(grpc.RpcError) as refused:
        submit(n01, other)  # node 01 knows the placed content since the replay: refused at once
    assert refused.value.code() is grpc.StatusCode.ALREADY_EXISTS

    # A node that never saw the request writes it, and the processor refuses it, naming what differs.
    central = start_node("VN")
    with pytest.raises(grpc.RpcError) as refused_by_processor:
        submit(central, other)
    assert refused_by_processor.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert "description" in refused_by_processor.value.details()
    # The refused content did not stick there: the original is still a replay of the same case.
    assert submit(central, pb).placement.case_id == case_id
    # Nothing new was written to the case: one report, opened once.
    [case] = wait_until(lambda: cases_of(n79, HANDLER), 10, "the case at node 79")
    assert case.case_id == case_id and [r.report_id for r in case.reports] == [first.report_id]
    assert processor.bus_metrics.report_conflicts.labels("79")._value.get() == 1

    # GetReport: by request id or report id for the origin; NOT_FOUND for anyone else.
    assert _get_report(n79, WARD_FRONT, request_id="front-idem-1").case_id == case_id
    assert _get_report(n01, WARD_FRONT, report_id=first.report_id).case_id == case_id
    with pytest.raises(grpc.RpcError) as hidden:
        _get_report(n79, HANDLER, origin_agency=WARD_FRONT, request_id="front-idem-1")
    assert hidden.value.code() is grpc.StatusCode.NOT_FOUND


def test_a_refusal_after_the_answer_shows_in_get_report_and_is_counted(bus, start_node, processor, router, tmp_path):
    n79 = start_node("79")
    first = submit(n79, _flood("front-late-1"))
    # A node that answers without waiting: its caller hears placed=false at once.
    settings = bus.settings("01", str(tmp_path / "impatient"))
    settings = dataclasses.replace(settings, node=dataclasses.replace(settings.node, placement_wait_s=0.0))
    n01 = Running(NodeApp(settings, router=router).start())
    try:
        other = _flood("front-late-1")
        other.title = "Đèn đường hẻm 42 hỏng"
        answer = submit(n01, other)
        assert answer.report_id == first.report_id and not answer.placement.placed

        late = wait_until(
            lambda: _get_report(n01, WARD_FRONT, request_id="front-late-1").refusal or None, 15, "the late refusal"
        )
        assert "title" in late
        placement = _get_report(n01, WARD_FRONT, request_id="front-late-1")
        assert not placement.placed and placement.case_id == first.placement.case_id
        assert n01.app.metrics.intake_late_refusals.labels("01")._value.get() == 1
    finally:
        n01.stop()


def test_a_bulk_import_answers_each_reports_placement_and_refuses_other_content_per_report(bus, start_node, processor):
    n79, n01 = start_node("79"), start_node("01")
    original = _flood("front-bulk-1")
    placed = submit(n79, original)
    other = P.SubmitReportRequest(report=original).report  # a copy
    other.title = "Đèn đường hẻm 42 hỏng"
    fresh = report("front-bulk-2", WARD_FRONT, "mttq", "Rác thải tồn đọng chợ Bến Thành",
                   "Rác thải tồn đọng ba ngày ở cổng chợ Bến Thành, bốc mùi hôi.")  # fmt: skip
    stream = [P.SubmitReportsRequest(report=r) for r in (original, fresh, other)]
    summary = n01.intake.SubmitReports(iter(stream), metadata=as_agency(WARD_FRONT), timeout=30)

    replayed, new, refused = summary.outcomes
    assert replayed.status == P.REPORT_OUTCOME_STATUS_REPLAYED
    assert replayed.placement.case_id == placed.placement.case_id
    assert new.status == P.REPORT_OUTCOME_STATUS_ACCEPTED and new.placement.placed
    assert new.placement.decision == P.PLACEMENT_DECISION_NEW and new.placement.case_id != placed.placement.case_id
    # The third repeats the first's request id in the same stream with other content.
    assert refused.status == P.REPORT_OUTCOME_STATUS_REJECTED


def test_a_node_that_was_down_when_the_verdict_came_answers_get_report_after_its_restart(
    bus, processor, router, tmp_path
):
    settings = bus.settings("79", str(tmp_path / "restarted"))
    settings = dataclasses.replace(settings, node=dataclasses.replace(settings.node, placement_wait_s=0.0))
    node = Running(NodeApp(settings, router=router).start())
    answer = submit(node, _flood("front-restart-1"))
    node.stop()
    assert not answer.placement.placed
    # The verdict is written while the node is down...
    [verdict] = bus.read_all(bus.topics.report_results("79"), expect=1, timeout_s=30)
    assert verdict.key == answer.report_id.encode()
    # ...and read from where the node stopped once it is back.
    node = Running(NodeApp(settings, router=router).start())
    try:
        placement = wait_until(
            lambda: (p := _get_report(node, WARD_FRONT, report_id=answer.report_id)).placed and p, 15, "the placement"
        )
        assert placement.case_id.startswith("79-") and placement.decision == P.PLACEMENT_DECISION_NEW
    finally:
        node.stop()
