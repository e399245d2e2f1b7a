from gbus.v1 import report_pb2 as _report_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Agency(_message.Message):
    __slots__ = ("agency_id", "name", "sector", "role", "level", "area", "superior_id")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SECTOR_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    AREA_FIELD_NUMBER: _ClassVar[int]
    SUPERIOR_ID_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    name: str
    sector: str
    role: str
    level: str
    area: str
    superior_id: str
    def __init__(self, agency_id: _Optional[str] = ..., name: _Optional[str] = ..., sector: _Optional[str] = ..., role: _Optional[str] = ..., level: _Optional[str] = ..., area: _Optional[str] = ..., superior_id: _Optional[str] = ...) -> None: ...

class GetAgencyRequest(_message.Message):
    __slots__ = ("agency_id",)
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    def __init__(self, agency_id: _Optional[str] = ...) -> None: ...

class GetAgencyResponse(_message.Message):
    __slots__ = ("agency",)
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    agency: Agency
    def __init__(self, agency: _Optional[_Union[Agency, _Mapping]] = ...) -> None: ...

class ListAgenciesRequest(_message.Message):
    __slots__ = ("area", "include_subareas", "sector", "level", "page_size", "page_token")
    AREA_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SUBAREAS_FIELD_NUMBER: _ClassVar[int]
    SECTOR_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    area: str
    include_subareas: bool
    sector: str
    level: str
    page_size: int
    page_token: str
    def __init__(self, area: _Optional[str] = ..., include_subareas: _Optional[bool] = ..., sector: _Optional[str] = ..., level: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAgenciesResponse(_message.Message):
    __slots__ = ("agencies", "next_page_token")
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agencies: _containers.RepeatedCompositeFieldContainer[Agency]
    next_page_token: str
    def __init__(self, agencies: _Optional[_Iterable[_Union[Agency, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExplainRouteRequest(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _report_pb2.Report
    def __init__(self, report: _Optional[_Union[_report_pb2.Report, _Mapping]] = ...) -> None: ...

class RouteWatcher(_message.Message):
    __slots__ = ("agency_id", "reason")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    reason: str
    def __init__(self, agency_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ExplainRouteResponse(_message.Message):
    __slots__ = ("handler", "watchers", "rule", "explanation")
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    WATCHERS_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    handler: str
    watchers: _containers.RepeatedCompositeFieldContainer[RouteWatcher]
    rule: str
    explanation: str
    def __init__(self, handler: _Optional[str] = ..., watchers: _Optional[_Iterable[_Union[RouteWatcher, _Mapping]]] = ..., rule: _Optional[str] = ..., explanation: _Optional[str] = ...) -> None: ...
