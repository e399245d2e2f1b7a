import datetime

from gbus.v1 import report_pb2 as _report_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlacementDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLACEMENT_DECISION_UNSPECIFIED: _ClassVar[PlacementDecision]
    PLACEMENT_DECISION_NEW: _ClassVar[PlacementDecision]
    PLACEMENT_DECISION_LINK: _ClassVar[PlacementDecision]
    PLACEMENT_DECISION_POSSIBLE_DUPLICATE: _ClassVar[PlacementDecision]
    PLACEMENT_DECISION_REPLAY: _ClassVar[PlacementDecision]

class ReportOutcomeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_OUTCOME_STATUS_UNSPECIFIED: _ClassVar[ReportOutcomeStatus]
    REPORT_OUTCOME_STATUS_ACCEPTED: _ClassVar[ReportOutcomeStatus]
    REPORT_OUTCOME_STATUS_REPLAYED: _ClassVar[ReportOutcomeStatus]
    REPORT_OUTCOME_STATUS_REJECTED: _ClassVar[ReportOutcomeStatus]
PLACEMENT_DECISION_UNSPECIFIED: PlacementDecision
PLACEMENT_DECISION_NEW: PlacementDecision
PLACEMENT_DECISION_LINK: PlacementDecision
PLACEMENT_DECISION_POSSIBLE_DUPLICATE: PlacementDecision
PLACEMENT_DECISION_REPLAY: PlacementDecision
REPORT_OUTCOME_STATUS_UNSPECIFIED: ReportOutcomeStatus
REPORT_OUTCOME_STATUS_ACCEPTED: ReportOutcomeStatus
REPORT_OUTCOME_STATUS_REPLAYED: ReportOutcomeStatus
REPORT_OUTCOME_STATUS_REJECTED: ReportOutcomeStatus

class SubmitReportRequest(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _report_pb2.Report
    def __init__(self, report: _Optional[_Union[_report_pb2.Report, _Mapping]] = ...) -> None: ...

class SubmitReportResponse(_message.Message):
    __slots__ = ("report_id", "replayed", "accepted_at", "placement")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    replayed: bool
    accepted_at: _timestamp_pb2.Timestamp
    placement: ReportPlacement
    def __init__(self, report_id: _Optional[str] = ..., replayed: _Optional[bool] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., placement: _Optional[_Union[ReportPlacement, _Mapping]] = ...) -> None: ...

class ReportPlacement(_message.Message):
    __slots__ = ("report_id", "placed", "case_id", "decision", "handler", "placed_at", "refusal")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    PLACED_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    placed: bool
    case_id: str
    decision: PlacementDecision
    handler: str
    placed_at: _timestamp_pb2.Timestamp
    refusal: str
    def __init__(self, report_id: _Optional[str] = ..., placed: _Optional[bool] = ..., case_id: _Optional[str] = ..., decision: _Optional[_Union[PlacementDecision, str]] = ..., handler: _Optional[str] = ..., placed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refusal: _Optional[str] = ...) -> None: ...

class GetReportRequest(_message.Message):
    __slots__ = ("origin_agency", "request_id", "report_id")
    ORIGIN_AGENCY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    origin_agency: str
    request_id: str
    report_id: str
    def __init__(self, origin_agency: _Optional[str] = ..., request_id: _Optional[str] = ..., report_id: _Optional[str] = ...) -> None: ...

class GetReportResponse(_message.Message):
    __slots__ = ("placement",)
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    placement: ReportPlacement
    def __init__(self, placement: _Optional[_Union[ReportPlacement, _Mapping]] = ...) -> None: ...

class SubmitReportsRequest(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _report_pb2.Report
    def __init__(self, report: _Optional[_Union[_report_pb2.Report, _Mapping]] = ...) -> None: ...

class ReportOutcome(_message.Message):
    __slots__ = ("index", "request_id", "report_id", "status", "errors", "placement")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    index: int
    request_id: str
    report_id: str
    status: ReportOutcomeStatus
    errors: _containers.RepeatedScalarFieldContainer[str]
    placement: ReportPlacement
    def __init__(self, index: _Optional[int] = ..., request_id: _Optional[str] = ..., report_id: _Optional[str] = ..., status: _Optional[_Union[ReportOutcomeStatus, str]] = ..., errors: _Optional[_Iterable[str]] = ..., placement: _Optional[_Union[ReportPlacement, _Mapping]] = ...) -> None: ...

class SubmitReportsResponse(_message.Message):
    __slots__ = ("accepted", "replayed", "rejected", "outcomes")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    accepted: int
    replayed: int
    rejected: int
    outcomes: _containers.RepeatedCompositeFieldContainer[ReportOutcome]
    def __init__(self, accepted: _Optional[int] = ..., replayed: _Optional[int] = ..., rejected: _Optional[int] = ..., outcomes: _Optional[_Iterable[_Union[ReportOutcome, _Mapping]]] = ...) -> None: ...
