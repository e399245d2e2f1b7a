"""The gateway's gRPC calls to its node, each as the agency that owns the API key.

In development (the node's insecure mode) the agency travels in the
x-agency-id header; with mutual TLS the gateway presents the agency's
certificate, so one gateway process serves one agency's keys.
gRPC errors become Open311 errors with the node's own words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
from grpc_status import rpc_status

from gbus.api.identity import AGENCY_HEADER
from gbus.open311.errors import Open311Error
from gbus.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc, report_pb2

_TIMEOUT_S = 15.0
# gRPC code -> HTTP status of the Open311 error array.
_HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.ALREADY_EXISTS: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 503,
}


class NodeClient:
    def __init__(self, channel: grpc.Channel) -> None:
        self._channel = channel
        self._intake = intake_pb2_grpc.IntakeServiceStub(self._channel)
        self._cases = case_pb2_grpc.CaseServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def submit(self, agency: str, report: report_pb2.Report) -> Any:
        return _call(self._intake.SubmitReport, intake_pb2.SubmitReportRequest(report=report), agency)

    def placement(self, agency: str, report_id: str) -> Any | None:
        """Where a report the agency filed went; None when it may not see it or it is unknown."""
        try:
            return _call(self._intake.GetReport, intake_pb2.GetReportRequest(report_id=report_id), agency).placement
        except Open311Error as exc:
            if exc.status == 404:
                return None
            raise

    def case(self, agency: str, case_id: str) -> tuple[Any, tuple[Any, ...]] | None:
        try:
            got = _call(self._cases.GetCase, case_pb2.GetCaseRequest(case_id=case_id, include_history=True), agency)
        except Open311Error as exc:
            if exc.status == 404:
                return None
            raise
        return got.case, tuple(got.history)

    def cases(self, agency: str) -> Iterator[Any]:
        """Every case the agency may see at this node, page by page."""
        token = ""
        while True:
            page = _call(self._cases.ListCases, case_pb2.ListCasesRequest(page_size=200, page_token=token), agency)
            yield from page.cases
            token = page.next_page_token
            if not token:
                return


def _call(method: Any, request: Any, agency: str) -> Any:
    try:
        return method(request, metadata=((AGENCY_HEADER, agency),), timeout=_TIMEOUT_S)
    except grpc.RpcError as exc:
        raise _open311_error(exc) from None


def _open311_error(exc: grpc.RpcError) -> Open311Error:
    code = exc.code()
    status = _HTTP_STATUS.get(code, 500)
    descriptions = _field_violations(exc) or [exc.details() or code.name]
    return Open311Error(status, *descriptions)


def _field_violations(exc: grpc.RpcError) -> list[str]:
    """`report.ward_code: ...` per field the node named (google.rpc.BadRequest)."""
    from google.rpc import error_details_pb2

    status = rpc_status.from_call(exc)
    found: list[str] = []
    for detail in status.details if status else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found.extend(f"{v.field}: {v.description}" for v in bad.field_violations)
    return found
