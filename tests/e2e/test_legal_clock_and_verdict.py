"""The legal clock and the citizen's verdict on the real broker, processor and node.

- ExtendTimeLimit moves a denunciation's due date 30 days and the history records why;
- a breach escalates once per stage and shows in gbus_cases_overdue;
- a rating of 2 lets the origin reopen the case, with the rating as the reason.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import grpc
import pytest

from gbus.cases.holidays import load_calendar
from gbus.cli.tick_cmd import tick_record
from gbus.ops.trace import render_trace
from gbus.ops.trace_read import gather_trace
from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import CODEC, as_agency, wait_until

pytestmark = pytest.mark.e2e

ORIGIN = "front.mttq@79"
WARD = "gov.ubnd@79.26743"
PROVINCE = "gov.ubnd@79"


def _submit(node, kind: str, request_id: str, subject: str = WARD):
    report = report_pb2.Report(
        kind=kind, category="dat_dai", channel="tiep_cong_dan", province_code="79", ward_code="26743",
        title="Cán bộ địa chính nhận tiền", description=f"Phản ánh về việc cấp sổ đỏ, hồ sơ {request_id}.",
        submitted_at=timestamp(datetime.now(timezone.utc)), origin_agency=ORIGIN, request_id=request_id,
        subject_agency=subject, attempt=1, reporter=report_pb2.Reporter(name="Lan", phone="0904333444"),
    )  # fmt: skip
    node.intake.SubmitReport(intake_pb2.SubmitReportRequest(report=report), metadata=as_agency(ORIGIN), timeout=15)


def _case_of(node, agency: str):
    return wait_until(
        lambda: next(iter(node.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(agency), timeout=10).cases), None),
        20, f"a case handled by {agency}",
    )  # fmt: skip


def _last_day(due: datetime) -> date:
    """The Vietnam date whose 24:00 `due` is."""
    return (due - timedelta(seconds=1)).astimezone(timezone(timedelta(hours=7))).date()


def _get(node, case_id: str, agency: str):
    return node.cases.GetCase(
        case_pb2.GetCaseRequest(case_id=case_id, include_history=True), metadata=as_agency(agency), timeout=10
    )


def _status(node, case_id: str, agency: str, status: int):
    node.cases.UpdateStatus(
        case_pb2.UpdateStatusRequest(case_id=case_id, status=status), metadata=as_agency(agency), timeout=15
    )


def test_an_extension_moves_a_denunciations_due_date_by_thirty_days(bus, start_node, processor):
    n79 = start_node("79")
    _submit(n79, "to_cao", "tc-ext")  # a denunciation of the ward committee goes to the province's
    case = _case_of(n79, PROVINCE)
    assert (case.clock.stage, case.clock.article) == ("acceptance", "Art. 24(1)")
    _status(n79, case.case_id, PROVINCE, case_pb2.CASE_STATUS_ACCEPTED)
    accepted = _get(n79, case.case_id, PROVINCE).case
    assert (accepted.clock.stage, accepted.clock.article) == ("resolution", "Art. 30(1)")
    before = accepted.due_at.ToDatetime(tzinfo=timezone.utc)

    with pytest.raises(grpc.RpcError) as refused:
        n79.cases.ExtendTimeLimit(case_pb2.ExtendTimeLimitRequest(case_id=case.case_id, complexity="complex"),
                                  metadata=as_agency(PROVINCE), timeout=15)  # fmt: skip
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT and "reason" in refused.value.details()

    answer = n79.cases.ExtendTimeLimit(
        case_pb2.ExtendTimeLimitRequest(case_id=case.case_id, complexity="complex", reason="Phải xác minh tại hai địa điểm"),
        metadata=as_agency(PROVINCE), timeout=15,
    ).case  # fmt: skip
    after = answer.due_at.ToDatetime(tzinfo=timezone.utc)
    # 30 more days from the old last day, or the first working day after (e.g. past Tết 2027).
    old_last, new_last = _last_day(before), _last_day(after)
    assert new_last == load_calendar().next_working_day_from(old_last + timedelta(days=30))
    assert (answer.clock.complexity, answer.clock.extensions) == ("complex", 1)
    history = _get(n79, case.case_id, PROVINCE).history
    extended = [e.time_limit_extended for e in history if e.HasField("time_limit_extended")]
    assert [(x.reason, x.due_at.ToDatetime(tzinfo=timezone.utc)) for x in extended] == [
        ("Phải xác minh tại hai địa điểm", after)
    ]

    # gbus trace shows the extension in the history and the clock of the latest snapshot.
    traced = gather_trace(bus.kafka, case.case_id)
    lines = "\n".join(render_trace(traced))
    assert "resolution time limit extended (complex, extension 1)" in lines
    assert (
        f"legal clock: resolution stage due {after.isoformat().replace('+00:00', 'Z')} (complex, 1 extension(s))"
        in lines
    )

    with pytest.raises(grpc.RpcError) as twice:
        n79.cases.ExtendTimeLimit(case_pb2.ExtendTimeLimitRequest(case_id=case.case_id, complexity="complex", reason="lần hai"),
                                  metadata=as_agency(PROVINCE), timeout=15)  # fmt: skip
    assert twice.value.code() is grpc.StatusCode.FAILED_PRECONDITION


def test_a_breach_escalates_once_and_counts_as_overdue(bus, start_node, processor):
    n79 = start_node("79")
    _submit(n79, "khieu_nai", "kn-late")
    case = _case_of(n79, WARD)
    due = case.due_at.ToDatetime(tzinfo=timezone.utc)
    for at in (due + timedelta(hours=1), due + timedelta(hours=2)):  # two ticks after the limit: one escalation
        bus.produce(bus.topics.commands, CODEC.encode("gbus.avro.Command", tick_record("79", at)), key=b"79",
                    partition=bus.topics.partition_of_shard("79"))  # fmt: skip
    gauge = {"province": "79", "sector": "gov"}
    wait_until(
        lambda: processor.bus_metrics.registry.get_sample_value("gbus_cases_overdue", gauge) == 1,
        20,
        "the overdue gauge",
    )
    history = wait_until(lambda: (h := _get(n79, case.case_id, WARD).history) and any(e.HasField("escalated") for e in h) and h,
                         20, "the escalation")  # fmt: skip
    assert len([e for e in history if e.HasField("escalated")]) == 1
    assert processor.bus_metrics.registry.get_sample_value("gbus_escalations_total", {"code": "sla_breach"}) == 1


def test_a_poor_rating_lets_the_origin_reopen_with_the_rating_as_reason(bus, start_node, processor):
    n79 = start_node("79")
    _submit(n79, "khieu_nai", "kn-rate")
    case = _case_of(n79, WARD)
    for status in (case_pb2.CASE_STATUS_ACCEPTED, case_pb2.CASE_STATUS_RESOLVED):
        _status(n79, case.case_id, WARD, status)

    def rate(agency: str, rating: int):
        request = case_pb2.RateResolutionRequest(case_id=case.case_id, rating=rating, comment="Chưa khắc phục xong")
        return n79.cases.RateResolution(request, metadata=as_agency(agency), timeout=15).case

    with pytest.raises(grpc.RpcError) as not_origin:
        rate(WARD, 5)
    assert not_origin.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as before_reopen:
        n79.cases.ReopenCase(case_pb2.ReopenCaseRequest(case_id=case.case_id), metadata=as_agency(ORIGIN), timeout=15)
    assert before_reopen.value.code() is grpc.StatusCode.PERMISSION_DENIED

    rated = rate(ORIGIN, 2)
    assert [(r.rating, r.origin_agency) for r in rated.ratings] == [(2, ORIGIN)]
    assert PROVINCE in {w.agency_id for w in rated.watchers}
    with pytest.raises(grpc.RpcError) as again:
        rate(ORIGIN, 1)
    assert again.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    wait_until(lambda: processor.bus_metrics.registry.get_sample_value(
        "gbus_resolution_ratings_total", {"province": "79", "sector": "gov", "rating": "2"}) == 1, 10, "the rating counter")  # fmt: skip

    reopened = n79.cases.ReopenCase(
        case_pb2.ReopenCaseRequest(case_id=case.case_id), metadata=as_agency(ORIGIN), timeout=15
    ).case
    assert reopened.status == case_pb2.CASE_STATUS_REOPENED
    assert (reopened.clock.stage, reopened.clock.overdue) == ("acceptance", False)
    change = [e.status_changed for e in _get(n79, case.case_id, ORIGIN).history if e.HasField("status_changed")][-1]
    assert change.reason == "the citizen rated the resolution 2/5: Chưa khắc phục xong"
