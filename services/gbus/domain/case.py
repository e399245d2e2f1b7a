"""A case: one grievance, one or more reports merged. Pure, immutable values.

Identifiers are deterministic so that every step is idempotent under replay:
a report id is derived from (origin_agency, request_id) and a case id from the
report that opened it, prefixed with its shard so commands find their
partition without a lookup.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from gbus.domain.events import DuplicateSuggestion
from gbus.domain.kinds import policy
from gbus.domain.report import Report
from gbus.domain.status import CaseStatus
from gbus.domain.vocabulary import KIND_FORMALITY


def _digest(*parts: str, length: int = 16) -> str:
    raw = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()[:length]


def accused_agencies(reports: Iterable[Any], canonical: Callable[[str], str] | None = None) -> frozenset[str]:
    """The agencies the case's denunciations accuse: none of them may handle or watch it.

    The one place this rule lives (routing, re-routing, transfers and intake all ask it).
    `canonical` maps an id renamed since the denunciation was filed to the body that
    answers to it today (the directory's aliases), so a rename cannot let the accused
    take the case.
    """
    accused = (r.subject_agency for r in reports if policy(r.kind).accuses_subject and r.subject_agency)
    return frozenset(canonical(a) if canonical else a for a in accused)


class _Filed(Protocol):
    """What deciding between reports reads: a Report and a CaseReport both qualify."""

    @property
    def report_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def submitted_at(self) -> datetime: ...


_FiledT = TypeVar("_FiledT", bound=_Filed)


def deciding_report(reports: Sequence[_FiledT]) -> _FiledT:
    """The report whose kind decides a case's routing: the most formal
    (to_cao > khieu_nai > kien_nghi = phan_anh > gop_y); among equals the earliest
    submitted, then the smallest report id, so every node picks the same one and
    adding a report of equal formality never re-routes a case."""
    if not reports:
        raise ValueError("a case has at least one report")
    return min(reports, key=lambda r: (-KIND_FORMALITY.get(r.kind, 0), r.submitted_at, r.report_id))


def make_report_id(shard: str, origin_agency: str, request_id: str) -> str:
    """The same (origin, request id) always yields the same report id."""
    return f"R{shard}-{_digest(origin_agency, request_id)}"


def make_case_id(shard: str, opening_report_id: str, generation: int = 0) -> str:
    """`79-…`. `generation` > 0 for a case re-opened from an unmerged report."""
    suffix = _digest(opening_report_id, str(generation), length=14)
    return f"{shard}-{suffix}"


def shard_of_case(case_id: str) -> str:
    return case_id.split("-", 1)[0]


@dataclass(frozen=True, slots=True)
class Watcher:
    agency_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class KeyWrap:
    """A case key (report_id None) or one report's data key, wrapped under an agency's KEK.

    `key_id` names the master-secret epoch the agency KEK was derived from.
    """

    agency_id: str
    key_id: str
    wrapped_key: bytes
    report_id: str | None = None

    def __repr__(self) -> str:  # never print key material into a log
        return f"KeyWrap(agency_id={self.agency_id!r}, key_id={self.key_id!r}, report_id={self.report_id!r})"


@dataclass(frozen=True, slots=True)
class CaseReport:
    """A report as held inside a case: the citizen's `Report`, whether its reporter
    asked to stay anonymous, and the reporter's identity as opaque ciphertext.

    The report's own fields read through (`r.kind` is `r.report.kind`), so code that
    only needs the report takes `r.report` and code that reads a case reads it as one.
    """

    report: Report
    anonymous: bool = False
    reporter_sealed: Any = None
    # The duplicate index's folded fingerprint of the report (gbus.dedup.features), kept with
    # the case so that a processor taking the shard over rebuilds its index without analysing
    # every text again (CaseSnapshot v6). Derived from the report, so not part of its identity:
    # "" when unknown (a case rebuilt from events, a snapshot written before v6).
    fingerprint: str = field(default="", compare=False, repr=False)

    @property
    def report_id(self) -> str:
        return self.report.report_id

    @property
    def kind(self) -> str:
        return self.report.kind

    @property
    def category(self) -> str:
        return self.report.category

    @property
    def channel(self) -> str:
        return self.report.channel

    @property
    def origin_agency(self) -> str:
        return self.report.origin_agency

    @property
    def request_id(self) -> str:
        return self.report.request_id

    @property
    def submitted_at(self) -> datetime:
        return self.report.submitted_at

    @property
    def title(self) -> str:
        return self.report.title

    @property
    def description(self) -> str:
        return self.report.description

    @property
    def subject_agency(self) -> str | None:
        return self.report.subject_agency

    @property
    def attempt(self) -> int:
        return self.report.attempt

    @property
    def province_code(self) -> str | None:
        return self.report.province_code

    @property
    def ward_code(self) -> str | None:
        return self.report.ward_code

    @property
    def reporter_key(self) -> str | None:
        return self.report.reporter_key


@dataclass(frozen=True, slots=True)
class StageClock:
    """The legal clock of the stage a case is in (gbus.cases.legal_clock).

    `number` counts the stages the case has entered (a transfer, a reopen and a
    new acceptance each start one), so a breach escalates once per stage.
    """

    stage: str  # acceptance | resolution
    started_at: datetime
    number: int = 1
    complexity: str = "normal"  # normal | complex | especially_complex
    extensions: int = 0
    remote: bool = False


@dataclass(frozen=True, slots=True)
class ResolutionRating:
    """The citizen's verdict on a resolution, recorded by the report's origin agency."""

    report_id: str
    origin_agency: str
    rating: int  # 1..5
    comment: str
    rated_at: datetime
    handler: str  # whose resolution was rated


@dataclass(frozen=True, slots=True)
class CaseState:
    case_id: str
    shard: str
    version: int
    last_seq: int
    last_hash: str
    status: CaseStatus
    kind: str
    category: str
    province_code: str | None
    ward_code: str | None
    title: str
    handler: str
    watchers: tuple[Watcher, ...]
    route_rule: str
    reports: tuple[CaseReport, ...]
    opened_at: datetime
    updated_at: datetime
    merged_into: str | None = None
    merged_from: tuple[str, ...] = ()
    possible_duplicate_of: tuple[str, ...] = ()
    due_at: datetime | None = None
    closed_at: datetime | None = None
    escalations: tuple[str, ...] = ()
    # Command request ids already applied, newest last, so a retry is answered
    # from memory instead of being applied twice. Bounded by MAX_REMEMBERED.
    processed_requests: tuple[str, ...] = field(default=())
    # Who can open the reporters' identities: the case key wrapped for the
    # handler, each report's data key wrapped for its origin (docs/identity.md).
    key_wraps: tuple[KeyWrap, ...] = field(default=())
    # The legal clock of the current stage (of the last one once resolved or closed:
    # due_at is then None); None for a case that never entered a stage.
    clock: StageClock | None = None
    ratings: tuple[ResolutionRating, ...] = field(default=())
    # Similar cases the duplicate engine named when this case's reports arrived
    # (best first, at most MAX_SUGGESTIONS): what a clerk may merge (issue 11).
    duplicate_suggestions: tuple[DuplicateSuggestion, ...] = field(default=())

    MAX_REMEMBERED = 64
    MAX_SUGGESTIONS = 3

    @property
    def watcher_ids(self) -> tuple[str, ...]:
        return tuple(w.agency_id for w in self.watchers)

    @property
    def origin_agencies(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for r in self.reports:
            seen.setdefault(r.origin_agency, None)
        return tuple(seen)

    def involved_agencies(self) -> tuple[str, ...]:
        """Handler, watchers and origins: every agency that must see the case."""
        seen: dict[str, None] = {self.handler: None}
        for a in (*self.watcher_ids, *self.origin_agencies):
            seen.setdefault(a, None)
        return tuple(seen)

    def report(self, report_id: str) -> CaseReport | None:
        return next((r for r in self.reports if r.report_id == report_id), None)

    def deciding_report(self) -> CaseReport:
        """The most formal report decides routing (to_cao > khieu_nai > kien_nghi = phan_anh).

        Ties go to the earliest (then the smallest id, as the router does), so
        adding a report of equal formality never re-routes a case.
        """
        return deciding_report(self.reports)

    def with_suggestions(self, more: Iterable[DuplicateSuggestion], *, drop: Iterable[str] = ()) -> "CaseState":
        """This case with `more` suggestions kept beside its own: one per case (its best
        score), never itself or a case in `drop`, best first, at most MAX_SUGGESTIONS."""
        excluded = {self.case_id, *drop}
        best: dict[str, float] = {}
        for s in (*self.duplicate_suggestions, *more):
            if s.case_id not in excluded and s.score > best.get(s.case_id, -1.0):
                best[s.case_id] = s.score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[: self.MAX_SUGGESTIONS]
        kept = tuple(DuplicateSuggestion(c, p) for c, p in ranked)
        return self if kept == self.duplicate_suggestions else replace(self, duplicate_suggestions=kept)

    def remember_request(self, request_id: str | None) -> "CaseState":
        if not request_id:
            return self
        kept = tuple(r for r in self.processed_requests if r != request_id)[-(self.MAX_REMEMBERED - 1) :]
        return replace(self, processed_requests=(*kept, request_id))
