"""gbus.v1.CaseService: wire data in, one call to the node's reader or actions, wire data out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc

from gbus.api.identity import caller_agency
from gbus.node.acting import CaseActions
from gbus.node.reading import CaseReader, CaseView, ListQuery
from gbus.v1 import case_pb2, case_pb2_grpc
from gbus.wire.protobuf import case_to_pb, datetime_of, event_to_pb, role_from_pb, status_from_pb


def view_to_pb(view: CaseView) -> case_pb2.Case:
    if view.state is None:
        return case_pb2.Case(case_id=view.case_id, version=view.version)
    return case_to_pb(
        view.state, reporters=view.reporters, integrity_alert=view.integrity_alert, clock=view.clock,
        suggestions=view.suggestions,
    )  # fmt: skip


def list_query_of(request: case_pb2.ListCasesRequest) -> ListQuery:
    return ListQuery(
        agency_id=request.agency_id,
        role=role_from_pb(request.role),
        statuses=tuple(status_from_pb(s, "statuses").value for s in request.statuses),
        category=request.category or None,
        updated_after=datetime_of(request, "updated_after"),
        updated_before=datetime_of(request, "updated_before"),
        page_size=request.page_size,
        page_token=request.page_token,
    )


class CaseServicer(case_pb2_grpc.CaseServiceServicer):
    def __init__(self, reader: CaseReader, actions: CaseActions, *, insecure_dev_mode: bool) -> None:
        self._reader = reader
        self._actions = actions
        self._insecure = insecure_dev_mode

    def _caller(self, context: grpc.ServicerContext) -> str:
        return caller_agency(context, self._insecure)

    def GetCase(self, request: case_pb2.GetCaseRequest, context: grpc.ServicerContext) -> Any:
        view, history = self._reader.get(self._caller(context), request.case_id, request.include_history)
        return case_pb2.GetCaseResponse(case=view_to_pb(view), history=[event_to_pb(e) for e in history])

    def ListCases(self, request: case_pb2.ListCasesRequest, context: grpc.ServicerContext) -> Any:
        views, token = self._reader.list(self._caller(context), list_query_of(request))
        return case_pb2.ListCasesResponse(cases=[view_to_pb(v) for v in views], next_page_token=token)

    def UpdateStatus(self, request: case_pb2.UpdateStatusRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.update_status(
            self._caller(context), request.case_id, status_from_pb(request.status), request.reason,
            request.expected_version, request.request_id,
        )  # fmt: skip
        return case_pb2.UpdateStatusResponse(case=view_to_pb(view))

    def TransferCase(self, request: case_pb2.TransferCaseRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.transfer(
            self._caller(context), request.case_id, request.to_agency, request.reason,
            request.expected_version, request.request_id,
        )  # fmt: skip
        return case_pb2.TransferCaseResponse(case=view_to_pb(view))

    def AddNote(self, request: case_pb2.AddNoteRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.add_note(self._caller(context), request.case_id, request.text, request.request_id)
        return case_pb2.AddNoteResponse(case=view_to_pb(view))

    def ReopenCase(self, request: case_pb2.ReopenCaseRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.reopen(
            self._caller(context), request.case_id, request.reason, request.expected_version, request.request_id
        )
        return case_pb2.ReopenCaseResponse(case=view_to_pb(view))

    def MergeCases(self, request: case_pb2.MergeCasesRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.merge(
            self._caller(context), request.source_case_id, request.target_case_id, request.reason, request.request_id
        )
        return case_pb2.MergeCasesResponse(case=view_to_pb(view))

    def UnmergeReport(self, request: case_pb2.UnmergeReportRequest, context: grpc.ServicerContext) -> Any:
        new_case, case = self._actions.unmerge(
            self._caller(context), request.case_id, request.report_id, request.reason, request.request_id
        )
        return case_pb2.UnmergeReportResponse(new_case=view_to_pb(new_case), case=view_to_pb(case))

    def EraseReporterIdentity(
        self, request: case_pb2.EraseReporterIdentityRequest, context: grpc.ServicerContext
    ) -> Any:
        view = self._actions.erase_identity(self._caller(context), request.case_id, request.reason, request.request_id)
        return case_pb2.EraseReporterIdentityResponse(case=view_to_pb(view))

    def ExtendTimeLimit(self, request: case_pb2.ExtendTimeLimitRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.extend_time_limit(
            self._caller(context), request.case_id, request.complexity, request.reason,
            request.expected_version, request.request_id,
        )  # fmt: skip
        return case_pb2.ExtendTimeLimitResponse(case=view_to_pb(view))

    def RateResolution(self, request: case_pb2.RateResolutionRequest, context: grpc.ServicerContext) -> Any:
        view = self._actions.rate_resolution(
            self._caller(context),
            request.case_id,
            request.report_id,
            request.rating,
            request.comment,
            request.request_id,
        )
        return case_pb2.RateResolutionResponse(case=view_to_pb(view))

    def WatchCases(self, request: case_pb2.WatchCasesRequest, context: grpc.ServicerContext) -> Iterator[Any]:
        caller = self._caller(context)
        # Wake the waiting stream at once when the client cancels, not at its next check.
        context.add_callback(self._reader.wake)
        for item in self._reader.watch(
            caller, cursor=request.cursor, agency_id=request.agency_id, is_active=context.is_active
        ):
            yield case_pb2.WatchCasesResponse(
                case=view_to_pb(item.view), events=[event_to_pb(e) for e in item.events], cursor=item.cursor
            )
