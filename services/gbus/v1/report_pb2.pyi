import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Reporter(_message.Message):
    __slots__ = ("name", "phone", "national_id", "address", "anonymous", "email")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone: str
    national_id: str
    address: str
    anonymous: bool
    email: str
    def __init__(self, name: _Optional[str] = ..., phone: _Optional[str] = ..., national_id: _Optional[str] = ..., address: _Optional[str] = ..., anonymous: _Optional[bool] = ..., email: _Optional[str] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ("kind", "category", "channel", "province_code", "ward_code", "title", "description", "submitted_at", "origin_agency", "request_id", "subject_agency", "attempt", "reporter")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    WARD_CODE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_AGENCY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_AGENCY_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    REPORTER_FIELD_NUMBER: _ClassVar[int]
    kind: str
    category: str
    channel: str
    province_code: str
    ward_code: str
    title: str
    description: str
    submitted_at: _timestamp_pb2.Timestamp
    origin_agency: str
    request_id: str
    subject_agency: str
    attempt: int
    reporter: Reporter
    def __init__(self, kind: _Optional[str] = ..., category: _Optional[str] = ..., channel: _Optional[str] = ..., province_code: _Optional[str] = ..., ward_code: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., origin_agency: _Optional[str] = ..., request_id: _Optional[str] = ..., subject_agency: _Optional[str] = ..., attempt: _Optional[int] = ..., reporter: _Optional[_Union[Reporter, _Mapping]] = ...) -> None: ...
