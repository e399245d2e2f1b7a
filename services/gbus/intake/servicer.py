"""gbus.v1.IntakeService: wire data in, one call to Intake, wire data out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from gbus.api.identity import caller_agency
from gbus.intake.submit import Intake, Outcome, Submission
from gbus.v1 import intake_pb2, intake_pb2_grpc, report_pb2
from gbus.wire.protobuf import report_mapping, reporter_of, timestamp

_STATUS = {
    "accepted": intake_pb2.REPORT_OUTCOME_STATUS_ACCEPTED,
    "replayed": intake_pb2.REPORT_OUTCOME_STATUS_REPLAYED,
    "rejected": intake_pb2.REPORT_OUTCOME_STATUS_REJECTED,
}


def submission_of(report: report_pb2.Report) -> Submission:
    identity, anonymous = reporter_of(report)
    return Submission(report_mapping(report), identity, anonymous)


def _outcome_pb(o: Outcome) -> intake_pb2.ReportOutcome:
    return intake_pb2.ReportOutcome(
        index=o.index, request_id=o.request_id, report_id=o.report_id, status=_STATUS[o.status], errors=list(o.errors)
    )


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, intake: Intake, *, insecure_dev_mode: bool) -> None:
        self._intake = intake
        self._insecure = insecure_dev_mode

    def SubmitReport(self, request: intake_pb2.SubmitReportRequest, context: grpc.ServicerContext) -> Any:
        caller = caller_agency(context, self._insecure)
        accepted = self._intake.submit(submission_of(request.report), caller)
        return intake_pb2.SubmitReportResponse(
            report_id=accepted.report_id, replayed=accepted.replayed, accepted_at=timestamp(accepted.accepted_at)
        )

    def SubmitReports(self, request_iterator: Iterator[intake_pb2.SubmitReportsRequest], context: grpc.ServicerContext) -> Any:
        caller = caller_agency(context, self._insecure)
        summary = self._intake.submit_stream((submission_of(r.report) for r in request_iterator), caller)
        return intake_pb2.SubmitReportsResponse(
            accepted=summary.count("accepted"),
            replayed=summary.count("replayed"),
            rejected=summary.count("rejected"),
            outcomes=[_outcome_pb(o) for o in summary.outcomes],
        )
