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

class ReportOutcomeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_OUTCOME_STATUS_UNSPECIFIED: _ClassVar[ReportOutcomeStatus]
    REPORT_OUTCOME_STATUS_ACCEPTED: _ClassVar[ReportOutcomeStatus]
    REPORT_OUTCOME_STATUS_REPLAYED: _ClassVar[ReportOutcomeStatus]
    REPORT_OUTCOME_STATUS_REJECTED: _ClassVar[ReportOutcomeStatus]
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
    __slots__ = ("report_id", "replayed", "accepted_at")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    replayed: bool
    accepted_at: _timestamp_pb2.Timestamp
    def __init__(self, report_id: _Optional[str] = ..., replayed: _Optional[bool] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SubmitReportsRequest(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _report_pb2.Report
    def __init__(self, report: _Optional[_Union[_report_pb2.Report, _Mapping]] = ...) -> None: ...

class ReportOutcome(_message.Message):
    __slots__ = ("index", "request_id", "report_id", "status", "errors")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    index: int
    request_id: str
    report_id: str
    status: ReportOutcomeStatus
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, index: _Optional[int] = ..., request_id: _Optional[str] = ..., report_id: _Optional[str] = ..., status: _Optional[_Union[ReportOutcomeStatus, str]] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...

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
