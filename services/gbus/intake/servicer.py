"""gbus.v1.IntakeService: wire data in, one call to Intake, wire data out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from gbus.api.identity import caller_agency
from gbus.intake.lookup import ReportLookup
from gbus.intake.placement import Placement
from gbus.intake.submit import Intake, Outcome, Submission
from gbus.v1 import intake_pb2, intake_pb2_grpc, report_pb2
from gbus.wire.protobuf import report_mapping, reporter_of, timestamp

_STATUS = {
    "accepted": intake_pb2.REPORT_OUTCOME_STATUS_ACCEPTED,
    "replayed": intake_pb2.REPORT_OUTCOME_STATUS_REPLAYED,
    "rejected": intake_pb2.REPORT_OUTCOME_STATUS_REJECTED,
}


_DECISION = {
    "new": intake_pb2.PLACEMENT_DECISION_NEW,
    "link": intake_pb2.PLACEMENT_DECISION_LINK,
    "possible_duplicate": intake_pb2.PLACEMENT_DECISION_POSSIBLE_DUPLICATE,
    "replay": intake_pb2.PLACEMENT_DECISION_REPLAY,
}


def placement_pb(p: Placement | None) -> intake_pb2.ReportPlacement | None:
    if p is None:
        return None
    return intake_pb2.ReportPlacement(
        report_id=p.report_id, placed=p.placed, case_id=p.case_id,
        decision=_DECISION.get(p.decision, intake_pb2.PLACEMENT_DECISION_UNSPECIFIED), handler=p.handler,
        placed_at=timestamp(p.placed_at), refusal=p.refusal,
    )  # fmt: skip


def submission_of(report: report_pb2.Report) -> Submission:
    identity, anonymous = reporter_of(report)
    return Submission(report_mapping(report), identity, anonymous)


def _outcome_pb(o: Outcome) -> intake_pb2.ReportOutcome:
    return intake_pb2.ReportOutcome(
        index=o.index, request_id=o.request_id, report_id=o.report_id, status=_STATUS[o.status], errors=list(o.errors),
        placement=placement_pb(o.placement),
    )  # fmt: skip


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, intake: Intake, lookup: ReportLookup, *, insecure_dev_mode: bool) -> None:
        self._intake = intake
        self._lookup = lookup
        self._insecure = insecure_dev_mode

    def SubmitReport(self, request: intake_pb2.SubmitReportRequest, context: grpc.ServicerContext) -> Any:
        caller = caller_agency(context, self._insecure)
        accepted = self._intake.submit(submission_of(request.report), caller)
        return intake_pb2.SubmitReportResponse(
            report_id=accepted.report_id, replayed=accepted.replayed, accepted_at=timestamp(accepted.accepted_at),
            placement=placement_pb(accepted.placement),
        )  # fmt: skip

    def SubmitReports(
        self, request_iterator: Iterator[intake_pb2.SubmitReportsRequest], context: grpc.ServicerContext
    ) -> Any:
        caller = caller_agency(context, self._insecure)
        summary = self._intake.submit_stream((submission_of(r.report) for r in request_iterator), caller)
        return intake_pb2.SubmitReportsResponse(
            accepted=summary.count("accepted"),
            replayed=summary.count("replayed"),
            rejected=summary.count("rejected"),
            outcomes=[_outcome_pb(o) for o in summary.outcomes],
        )

    def GetReport(self, request: intake_pb2.GetReportRequest, context: grpc.ServicerContext) -> Any:
        placement = self._lookup.get(
            caller_agency(context, self._insecure),
            origin_agency=request.origin_agency, request_id=request.request_id, report_id=request.report_id,
        )  # fmt: skip
        return intake_pb2.GetReportResponse(placement=placement_pb(placement))
