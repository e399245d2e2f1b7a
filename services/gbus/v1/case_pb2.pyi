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

class CaseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATUS_UNSPECIFIED: _ClassVar[CaseStatus]
    CASE_STATUS_ASSIGNED: _ClassVar[CaseStatus]
    CASE_STATUS_ACCEPTED: _ClassVar[CaseStatus]
    CASE_STATUS_REJECTED: _ClassVar[CaseStatus]
    CASE_STATUS_TRANSFERRED: _ClassVar[CaseStatus]
    CASE_STATUS_IN_PROGRESS: _ClassVar[CaseStatus]
    CASE_STATUS_RESOLVED: _ClassVar[CaseStatus]
    CASE_STATUS_CLOSED: _ClassVar[CaseStatus]
    CASE_STATUS_REOPENED: _ClassVar[CaseStatus]
    CASE_STATUS_MERGED: _ClassVar[CaseStatus]

class CaseRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_ROLE_UNSPECIFIED: _ClassVar[CaseRole]
    CASE_ROLE_HANDLER: _ClassVar[CaseRole]
    CASE_ROLE_WATCHER: _ClassVar[CaseRole]
    CASE_ROLE_ORIGIN: _ClassVar[CaseRole]
CASE_STATUS_UNSPECIFIED: CaseStatus
CASE_STATUS_ASSIGNED: CaseStatus
CASE_STATUS_ACCEPTED: CaseStatus
CASE_STATUS_REJECTED: CaseStatus
CASE_STATUS_TRANSFERRED: CaseStatus
CASE_STATUS_IN_PROGRESS: CaseStatus
CASE_STATUS_RESOLVED: CaseStatus
CASE_STATUS_CLOSED: CaseStatus
CASE_STATUS_REOPENED: CaseStatus
CASE_STATUS_MERGED: CaseStatus
CASE_ROLE_UNSPECIFIED: CaseRole
CASE_ROLE_HANDLER: CaseRole
CASE_ROLE_WATCHER: CaseRole
CASE_ROLE_ORIGIN: CaseRole

class CaseWatcher(_message.Message):
    __slots__ = ("agency_id", "reason")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    reason: str
    def __init__(self, agency_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CaseReport(_message.Message):
    __slots__ = ("report_id", "kind", "category", "channel", "origin_agency", "request_id", "submitted_at", "title", "description", "subject_agency", "attempt", "reporter")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_AGENCY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_AGENCY_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    REPORTER_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    kind: str
    category: str
    channel: str
    origin_agency: str
    request_id: str
    submitted_at: _timestamp_pb2.Timestamp
    title: str
    description: str
    subject_agency: str
    attempt: int
    reporter: _report_pb2.Reporter
    def __init__(self, report_id: _Optional[str] = ..., kind: _Optional[str] = ..., category: _Optional[str] = ..., channel: _Optional[str] = ..., origin_agency: _Optional[str] = ..., request_id: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., subject_agency: _Optional[str] = ..., attempt: _Optional[int] = ..., reporter: _Optional[_Union[_report_pb2.Reporter, _Mapping]] = ...) -> None: ...

class Case(_message.Message):
    __slots__ = ("case_id", "status", "version", "kind", "category", "province_code", "ward_code", "title", "handler", "watchers", "reports", "merged_into", "possible_duplicate_of", "route_rule", "opened_at", "updated_at", "due_at", "integrity_alert", "clock", "ratings", "duplicate_suggestions")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    WARD_CODE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    WATCHERS_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    POSSIBLE_DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    ROUTE_RULE_FIELD_NUMBER: _ClassVar[int]
    OPENED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    INTEGRITY_ALERT_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    RATINGS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    status: CaseStatus
    version: int
    kind: str
    category: str
    province_code: str
    ward_code: str
    title: str
    handler: str
    watchers: _containers.RepeatedCompositeFieldContainer[CaseWatcher]
    reports: _containers.RepeatedCompositeFieldContainer[CaseReport]
    merged_into: str
    possible_duplicate_of: _containers.RepeatedScalarFieldContainer[str]
    route_rule: str
    opened_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    integrity_alert: bool
    clock: CaseClock
    ratings: _containers.RepeatedCompositeFieldContainer[ResolutionRating]
    duplicate_suggestions: _containers.RepeatedCompositeFieldContainer[DuplicateSuggestion]
    def __init__(self, case_id: _Optional[str] = ..., status: _Optional[_Union[CaseStatus, str]] = ..., version: _Optional[int] = ..., kind: _Optional[str] = ..., category: _Optional[str] = ..., province_code: _Optional[str] = ..., ward_code: _Optional[str] = ..., title: _Optional[str] = ..., handler: _Optional[str] = ..., watchers: _Optional[_Iterable[_Union[CaseWatcher, _Mapping]]] = ..., reports: _Optional[_Iterable[_Union[CaseReport, _Mapping]]] = ..., merged_into: _Optional[str] = ..., possible_duplicate_of: _Optional[_Iterable[str]] = ..., route_rule: _Optional[str] = ..., opened_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., integrity_alert: _Optional[bool] = ..., clock: _Optional[_Union[CaseClock, _Mapping]] = ..., ratings: _Optional[_Iterable[_Union[ResolutionRating, _Mapping]]] = ..., duplicate_suggestions: _Optional[_Iterable[_Union[DuplicateSuggestion, _Mapping]]] = ...) -> None: ...

class DuplicateSuggestion(_message.Message):
    __slots__ = ("case_id", "score")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    score: float
    def __init__(self, case_id: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class CaseClock(_message.Message):
    __slots__ = ("stage", "stage_started_at", "working_days_left", "overdue", "article", "complexity", "extensions", "remote")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    STAGE_STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_LEFT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    REMOTE_FIELD_NUMBER: _ClassVar[int]
    stage: str
    stage_started_at: _timestamp_pb2.Timestamp
    working_days_left: int
    overdue: bool
    article: str
    complexity: str
    extensions: int
    remote: bool
    def __init__(self, stage: _Optional[str] = ..., stage_started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., working_days_left: _Optional[int] = ..., overdue: _Optional[bool] = ..., article: _Optional[str] = ..., complexity: _Optional[str] = ..., extensions: _Optional[int] = ..., remote: _Optional[bool] = ...) -> None: ...

class ResolutionRating(_message.Message):
    __slots__ = ("report_id", "origin_agency", "rating", "comment", "rated_at", "handler")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_AGENCY_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    RATED_AT_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    origin_agency: str
    rating: int
    comment: str
    rated_at: _timestamp_pb2.Timestamp
    handler: str
    def __init__(self, report_id: _Optional[str] = ..., origin_agency: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ..., rated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handler: _Optional[str] = ...) -> None: ...

class TimeLimitExtended(_message.Message):
    __slots__ = ("stage", "complexity", "extensions", "due_at", "reason")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    stage: str
    complexity: str
    extensions: int
    due_at: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, stage: _Optional[str] = ..., complexity: _Optional[str] = ..., extensions: _Optional[int] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ResolutionRated(_message.Message):
    __slots__ = ("report_id", "rating", "comment", "handler", "added_watchers")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    ADDED_WATCHERS_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    rating: int
    comment: str
    handler: str
    added_watchers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, report_id: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ..., handler: _Optional[str] = ..., added_watchers: _Optional[_Iterable[str]] = ...) -> None: ...

class Rerouted(_message.Message):
    __slots__ = ("change_ids", "reason", "from_handler", "to_handler", "watchers", "removed_watchers", "from_ward", "to_ward", "rule")
    CHANGE_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FROM_HANDLER_FIELD_NUMBER: _ClassVar[int]
    TO_HANDLER_FIELD_NUMBER: _ClassVar[int]
    WATCHERS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_WATCHERS_FIELD_NUMBER: _ClassVar[int]
    FROM_WARD_FIELD_NUMBER: _ClassVar[int]
    TO_WARD_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    change_ids: _containers.RepeatedScalarFieldContainer[str]
    reason: str
    from_handler: str
    to_handler: str
    watchers: _containers.RepeatedCompositeFieldContainer[CaseWatcher]
    removed_watchers: _containers.RepeatedScalarFieldContainer[str]
    from_ward: str
    to_ward: str
    rule: str
    def __init__(self, change_ids: _Optional[_Iterable[str]] = ..., reason: _Optional[str] = ..., from_handler: _Optional[str] = ..., to_handler: _Optional[str] = ..., watchers: _Optional[_Iterable[_Union[CaseWatcher, _Mapping]]] = ..., removed_watchers: _Optional[_Iterable[str]] = ..., from_ward: _Optional[str] = ..., to_ward: _Optional[str] = ..., rule: _Optional[str] = ...) -> None: ...

class CaseOpened(_message.Message):
    __slots__ = ("report_id", "kind", "category")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    kind: str
    category: str
    def __init__(self, report_id: _Optional[str] = ..., kind: _Optional[str] = ..., category: _Optional[str] = ...) -> None: ...

class ReportLinked(_message.Message):
    __slots__ = ("report_id", "score", "matched_report_id")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    score: float
    matched_report_id: str
    def __init__(self, report_id: _Optional[str] = ..., score: _Optional[float] = ..., matched_report_id: _Optional[str] = ...) -> None: ...

class CaseRouted(_message.Message):
    __slots__ = ("handler", "watchers", "rule")
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    WATCHERS_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    handler: str
    watchers: _containers.RepeatedCompositeFieldContainer[CaseWatcher]
    rule: str
    def __init__(self, handler: _Optional[str] = ..., watchers: _Optional[_Iterable[_Union[CaseWatcher, _Mapping]]] = ..., rule: _Optional[str] = ...) -> None: ...

class StatusChanged(_message.Message):
    __slots__ = ("from_status", "to_status", "reason")
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    from_status: CaseStatus
    to_status: CaseStatus
    reason: str
    def __init__(self, from_status: _Optional[_Union[CaseStatus, str]] = ..., to_status: _Optional[_Union[CaseStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class CaseTransferred(_message.Message):
    __slots__ = ("from_agency", "to_agency", "reason")
    FROM_AGENCY_FIELD_NUMBER: _ClassVar[int]
    TO_AGENCY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    from_agency: str
    to_agency: str
    reason: str
    def __init__(self, from_agency: _Optional[str] = ..., to_agency: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class NoteAdded(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class CaseMerged(_message.Message):
    __slots__ = ("source_case_id", "target_case_id", "report_ids")
    SOURCE_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_IDS_FIELD_NUMBER: _ClassVar[int]
    source_case_id: str
    target_case_id: str
    report_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, source_case_id: _Optional[str] = ..., target_case_id: _Optional[str] = ..., report_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ReportUnmerged(_message.Message):
    __slots__ = ("report_id", "new_case_id")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    new_case_id: str
    def __init__(self, report_id: _Optional[str] = ..., new_case_id: _Optional[str] = ...) -> None: ...

class CaseEscalated(_message.Message):
    __slots__ = ("reason", "added_watchers")
    REASON_FIELD_NUMBER: _ClassVar[int]
    ADDED_WATCHERS_FIELD_NUMBER: _ClassVar[int]
    reason: str
    added_watchers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, reason: _Optional[str] = ..., added_watchers: _Optional[_Iterable[str]] = ...) -> None: ...

class CaseEvent(_message.Message):
    __slots__ = ("event_id", "case_id", "seq", "version", "at", "actor", "prev_hash", "hash", "opened", "report_linked", "routed", "status_changed", "transferred", "note_added", "merged", "unmerged", "escalated", "time_limit_extended", "resolution_rated", "rerouted")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    OPENED_FIELD_NUMBER: _ClassVar[int]
    REPORT_LINKED_FIELD_NUMBER: _ClassVar[int]
    ROUTED_FIELD_NUMBER: _ClassVar[int]
    STATUS_CHANGED_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_FIELD_NUMBER: _ClassVar[int]
    NOTE_ADDED_FIELD_NUMBER: _ClassVar[int]
    MERGED_FIELD_NUMBER: _ClassVar[int]
    UNMERGED_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_EXTENDED_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_RATED_FIELD_NUMBER: _ClassVar[int]
    REROUTED_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    case_id: str
    seq: int
    version: int
    at: _timestamp_pb2.Timestamp
    actor: str
    prev_hash: str
    hash: str
    opened: CaseOpened
    report_linked: ReportLinked
    routed: CaseRouted
    status_changed: StatusChanged
    transferred: CaseTransferred
    note_added: NoteAdded
    merged: CaseMerged
    unmerged: ReportUnmerged
    escalated: CaseEscalated
    time_limit_extended: TimeLimitExtended
    resolution_rated: ResolutionRated
    rerouted: Rerouted
    def __init__(self, event_id: _Optional[str] = ..., case_id: _Optional[str] = ..., seq: _Optional[int] = ..., version: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., prev_hash: _Optional[str] = ..., hash: _Optional[str] = ..., opened: _Optional[_Union[CaseOpened, _Mapping]] = ..., report_linked: _Optional[_Union[ReportLinked, _Mapping]] = ..., routed: _Optional[_Union[CaseRouted, _Mapping]] = ..., status_changed: _Optional[_Union[StatusChanged, _Mapping]] = ..., transferred: _Optional[_Union[CaseTransferred, _Mapping]] = ..., note_added: _Optional[_Union[NoteAdded, _Mapping]] = ..., merged: _Optional[_Union[CaseMerged, _Mapping]] = ..., unmerged: _Optional[_Union[ReportUnmerged, _Mapping]] = ..., escalated: _Optional[_Union[CaseEscalated, _Mapping]] = ..., time_limit_extended: _Optional[_Union[TimeLimitExtended, _Mapping]] = ..., resolution_rated: _Optional[_Union[ResolutionRated, _Mapping]] = ..., rerouted: _Optional[_Union[Rerouted, _Mapping]] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("case_id", "include_history")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    include_history: bool
    def __init__(self, case_id: _Optional[str] = ..., include_history: _Optional[bool] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case", "history")
    CASE_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    case: Case
    history: _containers.RepeatedCompositeFieldContainer[CaseEvent]
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ..., history: _Optional[_Iterable[_Union[CaseEvent, _Mapping]]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("agency_id", "role", "statuses", "category", "updated_after", "updated_before", "page_size", "page_token")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    role: CaseRole
    statuses: _containers.RepeatedScalarFieldContainer[CaseStatus]
    category: str
    updated_after: _timestamp_pb2.Timestamp
    updated_before: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, agency_id: _Optional[str] = ..., role: _Optional[_Union[CaseRole, str]] = ..., statuses: _Optional[_Iterable[_Union[CaseStatus, str]]] = ..., category: _Optional[str] = ..., updated_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "next_page_token")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[Case]
    next_page_token: str
    def __init__(self, cases: _Optional[_Iterable[_Union[Case, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateStatusRequest(_message.Message):
    __slots__ = ("case_id", "status", "reason", "expected_version", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    status: CaseStatus
    reason: str
    expected_version: int
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., status: _Optional[_Union[CaseStatus, str]] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateStatusResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class TransferCaseRequest(_message.Message):
    __slots__ = ("case_id", "to_agency", "reason", "expected_version", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_AGENCY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    to_agency: str
    reason: str
    expected_version: int
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., to_agency: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class TransferCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class AddNoteRequest(_message.Message):
    __slots__ = ("case_id", "text", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    text: str
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., text: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddNoteResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ReopenCaseRequest(_message.Message):
    __slots__ = ("case_id", "reason", "expected_version", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    expected_version: int
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReopenCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ExtendTimeLimitRequest(_message.Message):
    __slots__ = ("case_id", "complexity", "reason", "expected_version", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLEXITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    complexity: str
    reason: str
    expected_version: int
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., complexity: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class ExtendTimeLimitResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class RateResolutionRequest(_message.Message):
    __slots__ = ("case_id", "report_id", "rating", "comment", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    report_id: str
    rating: int
    comment: str
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., report_id: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RateResolutionResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class MergeCasesRequest(_message.Message):
    __slots__ = ("source_case_id", "target_case_id", "reason", "request_id")
    SOURCE_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    source_case_id: str
    target_case_id: str
    reason: str
    request_id: str
    def __init__(self, source_case_id: _Optional[str] = ..., target_case_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MergeCasesResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class UnmergeReportRequest(_message.Message):
    __slots__ = ("case_id", "report_id", "reason", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    report_id: str
    reason: str
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UnmergeReportResponse(_message.Message):
    __slots__ = ("new_case", "case")
    NEW_CASE_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    new_case: Case
    case: Case
    def __init__(self, new_case: _Optional[_Union[Case, _Mapping]] = ..., case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class EraseReporterIdentityRequest(_message.Message):
    __slots__ = ("case_id", "reason", "request_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    request_id: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EraseReporterIdentityResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: Case
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class WatchCasesRequest(_message.Message):
    __slots__ = ("cursor", "agency_id")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    agency_id: str
    def __init__(self, cursor: _Optional[str] = ..., agency_id: _Optional[str] = ...) -> None: ...

class WatchCasesResponse(_message.Message):
    __slots__ = ("case", "events", "cursor")
    CASE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    case: Case
    events: _containers.RepeatedCompositeFieldContainer[CaseEvent]
    cursor: str
    def __init__(self, case: _Optional[_Union[Case, _Mapping]] = ..., events: _Optional[_Iterable[_Union[CaseEvent, _Mapping]]] = ..., cursor: _Optional[str] = ...) -> None: ...
