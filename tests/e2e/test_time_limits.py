"""A complaint not accepted within its legal 10 days escalates when time passes (`gbus tick`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gbus.cli.tick_cmd import tick_record
from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import CODEC, as_agency, wait_until

pytestmark = pytest.mark.e2e

HANDLER = "gov.ubnd@79.26743"
ORIGIN = "front.mttq@79"


def test_a_complaint_past_its_acceptance_limit_gets_the_handlers_superior_watching(bus, start_node, processor):
    n79 = start_node("79")
    complaint = report_pb2.Report(
        kind="khieu_nai", category="dat_dai", channel="tiep_cong_dan", province_code="79", ward_code="26743",
        title="Khiếu nại quyết định thu hồi đất", description="Khiếu nại Quyết định 12/QĐ-UBND về thu hồi 30m2 đất.",
        submitted_at=timestamp(datetime.now(timezone.utc)), origin_agency=ORIGIN, request_id="kn-1",
        subject_agency=HANDLER, attempt=1, reporter=report_pb2.Reporter(name="Vinh", phone="0904111222"),
    )  # fmt: skip
    n79.intake.SubmitReport(intake_pb2.SubmitReportRequest(report=complaint), metadata=as_agency(ORIGIN), timeout=15)
    case = wait_until(
        lambda: next(iter(n79.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(HANDLER), timeout=10).cases), None),
        20, "the complaint's case",
    )  # fmt: skip
    due = case.due_at.ToDatetime(tzinfo=timezone.utc)
    # Law on Complaints Art. 27: 10 days after receipt, ending at 24:00 Vietnam time (17:00 UTC),
    # later only when the tenth day is a day off.
    vn = timezone(timedelta(hours=7))
    received_on = case.opened_at.ToDatetime(tzinfo=timezone.utc).astimezone(vn).date()
    assert (due.hour, due.minute) == (17, 0)
    assert 10 <= ((due - timedelta(seconds=1)).astimezone(vn).date() - received_on).days <= 14

    # Time passes: a tick just before the limit does nothing, one after it escalates.
    for at in (due - timedelta(hours=1), due + timedelta(hours=1)):
        bus.produce(bus.topics.commands, CODEC.encode("gbus.avro.Command", tick_record("79", at)), key=b"79",
                    partition=bus.topics.partition_of_shard("79"))  # fmt: skip
    escalated = wait_until(
        lambda: (c := n79.cases.GetCase(case_pb2.GetCaseRequest(case_id=case.case_id, include_history=True),
                                       metadata=as_agency(HANDLER), timeout=10)) and c.case.version > case.version and c,
        20, "the escalation",
    )  # fmt: skip
    assert "gov.ubnd@79" in {w.agency_id for w in escalated.case.watchers}
    escalations = [e for e in escalated.history if e.HasField("escalated")]
    assert len(escalations) == 1 and escalations[0].escalated.added_watchers == ["gov.ubnd@79"]
    assert processor_metric(processor) == 1


def processor_metric(processor) -> float:
    return wait_until(
        lambda: processor.bus_metrics.registry.get_sample_value("gbus_escalations_total", {"code": "sla_breach"}),
        5, "the escalation counter",
    )  # fmt: skip
