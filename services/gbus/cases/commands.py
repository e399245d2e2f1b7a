"""Commands on cases: check who may, the expected version and the status machine.

Each handler returns an Outcome (the changed cases with their events) or
raises a domain error that the processor turns into the caller's answer:
NOT_FOUND (may not see it), PERMISSION_DENIED (may see, may not do),
ABORTED (stale expected_version), FAILED_PRECONDITION (status machine),
INVALID_ARGUMENT (bad input).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from gbus import errors
from gbus.cases import citizen_verdict
from gbus.cases.authority import Authority
from gbus.cases.history import ChangeBuilder
from gbus.cases.intake_decisions import open_case, reroute_if_needed
from gbus.cases.legal_clock import LegalClock
from gbus.cases.ports import DirectoryPort, RouterPort
from gbus.domain import events as ev
from gbus.domain.case import CaseState, ResolutionRating, Watcher, accused_agencies, shard_of_case
from gbus.domain.status import CaseStatus, can_transition, is_open, parse_status

MAX_NOTE_CHARS = 10_000
# The reason of the watcher a merge adds (the source case's handler); nodes accept that watcher
# in a snapshot only with this reason naming a case the history merged in (gbus.node.history_check).
MERGE_WATCHER_REASON = "merge: handled merged case "


@dataclass(frozen=True)
class CaseCommand:
    """A command as the processor decoded it; `body` is one of the dataclasses below."""

    command_id: str
    request_id: str
    case_id: str
    actor: str
    issued_at: datetime
    expected_version: int
    body: object


@dataclass(frozen=True)
class UpdateStatus:
    status: str
    reason: str = ""


@dataclass(frozen=True)
class TransferCase:
    to_agency: str
    reason: str = ""


@dataclass(frozen=True)
class AddNote:
    text: str


@dataclass(frozen=True)
class ReopenCase:
    reason: str = ""


@dataclass(frozen=True)
class MergeCases:
    source_case_id: str
    target_case_id: str
    reason: str = ""


@dataclass(frozen=True)
class UnmergeReport:
    report_id: str
    reason: str = ""


@dataclass(frozen=True)
class EraseIdentity:
    """Crypto-shredding: drop every sealed identity and key wrap of the case."""

    reason: str = ""


@dataclass(frozen=True)
class ExtendTimeLimit:
    """The handler declares the case complex (or especially complex) and extends its limit."""

    complexity: str
    reason: str = ""


@dataclass(frozen=True)
class RateResolution:
    """The origin agency records the citizen's verdict on a resolved case."""

    report_id: str
    rating: int
    comment: str = ""


@dataclass(frozen=True)
class Change:
    before: CaseState | None
    after: CaseState
    events: tuple[ev.CaseEvent, ...]


@dataclass(frozen=True)
class Outcome:
    changes: tuple[Change, ...] = field(default=())
    # The case the caller acted on, as it is now (answers retries too).
    case: CaseState | None = None
    new_case_id: str | None = None
    replayed: bool = False


CaseLookup = Callable[[str], CaseState | None]


class CommandHandler:
    def __init__(
        self, router: RouterPort, directory: DirectoryPort, authority: Authority | None = None,
        clock: LegalClock | None = None,
    ) -> None:  # fmt: skip
        self._router = router
        self._directory = directory
        self._authority = authority or Authority(directory)
        self._clock = clock  # the statutory clock, for ExtendTimeLimit

    def handle(self, command: CaseCommand, lookup: CaseLookup, now: datetime) -> Outcome:
        case = lookup(command.case_id)
        if case is None or not self._authority.can_read(case, command.actor):
            raise errors.NotFoundError(f"case {errors.excerpt(command.case_id)} not found")
        if command.request_id and command.request_id in case.processed_requests:
            return Outcome(case=case, replayed=True)
        body = command.body
        if isinstance(body, AddNote):
            return self._add_note(case, command, body, now)
        if isinstance(body, RateResolution):  # the origin's right, not the handler's
            return self._rate(case, command, body, now)
        verdict = citizen_verdict.poor_rating_to_reopen(case, command.actor) if isinstance(body, ReopenCase) else None
        if verdict is None and not self._authority.can_manage(case, command.actor):
            role = self._authority.role_of(case, command.actor)
            raise errors.PermissionDeniedError(
                f"{command.actor} is a {role} of case {case.case_id}; only the handler "
                f"{case.handler} or its superior may do this"
            )
        if command.expected_version and command.expected_version != case.version:
            raise errors.VersionConflictError(
                f"case {case.case_id} is at version {case.version}, not {command.expected_version}; reload it and retry"
            )
        if isinstance(body, UpdateStatus):
            return self._update_status(case, command, body, now)
        if isinstance(body, ReopenCase) and verdict is not None:
            return self._reopen_after_poor_rating(case, command, body, verdict, now)
        if isinstance(body, ReopenCase):
            return self._update_status(case, command, UpdateStatus(CaseStatus.REOPENED.value, body.reason), now)
        if isinstance(body, ExtendTimeLimit):
            return self._extend_time_limit(case, command, body, now)
        if isinstance(body, TransferCase):
            return self._transfer(case, command, body, now)
        if isinstance(body, MergeCases):
            return self._merge(case, command, body, lookup, now)
        if isinstance(body, UnmergeReport):
            return self._unmerge(case, command, body, now)
        if isinstance(body, EraseIdentity):
            return self._erase_identity(case, command, body, now)
        raise errors.ValidationError.single("body", f"unsupported command {type(body).__name__}")

    # -- individual commands ------------------------------------------------

    def _builder(self, case: CaseState, command: CaseCommand, now: datetime) -> ChangeBuilder:
        return ChangeBuilder(case, actor=command.actor, at=now, request_id=command.request_id or None)

    def _add_note(self, case: CaseState, command: CaseCommand, body: AddNote, now: datetime) -> Outcome:
        text = body.text.strip()
        if not text:
            raise errors.ValidationError.single("text", "is required")
        if len(text) > MAX_NOTE_CHARS:
            raise errors.ValidationError.single("text", f"is longer than {MAX_NOTE_CHARS} characters")
        b = self._builder(case, command, now)
        b.emit(ev.NoteAdded(text))
        after, events = b.finish(case)
        return Outcome((Change(case, after, events),), case=after)

    def _update_status(self, case: CaseState, command: CaseCommand, body: UpdateStatus, now: datetime) -> Outcome:
        try:
            target = parse_status(body.status)
        except ValueError:
            raise errors.ValidationError.single("status", f"unknown status {errors.quoted(body.status)}") from None
        if target is CaseStatus.TRANSFERRED:
            raise errors.IllegalTransitionError("use TransferCase to transfer a case to another agency")
        if target is CaseStatus.MERGED:
            raise errors.IllegalTransitionError("use MergeCases to merge a case into another")
        if not can_transition(case.status, target):
            raise errors.IllegalTransitionError(
                f"case {case.case_id} is {case.status.value}; cannot become {target.value}"
            )
        b = self._builder(case, command, now)
        b.emit(ev.StatusChanged(case.status.value, target.value, body.reason))
        after = replace(
            case,
            status=target,
            closed_at=now
            if target is CaseStatus.CLOSED
            else (None if target is CaseStatus.REOPENED else case.closed_at),
        )
        after, events = b.finish(after)
        return Outcome((Change(case, after, events),), case=after)

    def _transfer(self, case: CaseState, command: CaseCommand, body: TransferCase, now: datetime) -> Outcome:
        to = body.to_agency.strip()
        if not to or self._directory.get(to) is None:
            raise errors.ValidationError.single("to_agency", f"unknown agency {errors.quoted(to)}")
        if to == case.handler:
            raise errors.ValidationError.single("to_agency", f"{to} already handles case {case.case_id}")
        if self._directory.canonical_id(to) in accused_agencies(case.reports, self._directory.canonical_id):
            raise errors.IllegalTransitionError(f"{to} is accused in a denunciation of this case; it cannot handle it")
        if not can_transition(case.status, CaseStatus.TRANSFERRED):
            raise errors.IllegalTransitionError(
                f"case {case.case_id} is {case.status.value}; only an ASSIGNED case can be transferred"
            )
        b = self._builder(case, command, now)
        b.emit(ev.StatusChanged(case.status.value, CaseStatus.TRANSFERRED.value, body.reason))
        b.emit(ev.CaseTransferred(case.handler, to, body.reason))
        watchers = tuple(w for w in case.watchers if w.agency_id != to)
        after = replace(case, handler=to, watchers=watchers, status=CaseStatus.ASSIGNED)
        b.emit(ev.StatusChanged(CaseStatus.TRANSFERRED.value, CaseStatus.ASSIGNED.value, f"transferred to {to}"))
        after, events = b.finish(after)
        return Outcome((Change(case, after, events),), case=after)

    def _merge(
        self, case: CaseState, command: CaseCommand, body: MergeCases, lookup: CaseLookup, now: datetime
    ) -> Outcome:
        if body.source_case_id != case.case_id:
            raise errors.ValidationError.single("source_case_id", "must be the case the command is addressed to")
        if body.target_case_id == case.case_id:
            raise errors.ValidationError.single("target_case_id", "a case cannot be merged into itself")
        if shard_of_case(body.target_case_id) != case.shard:
            raise errors.IllegalTransitionError("cases of different provinces (shards) cannot be merged")
        target = lookup(body.target_case_id)
        if target is None:
            raise errors.NotFoundError(f"case {errors.excerpt(body.target_case_id)} not found")
        if not is_open(case.status):
            raise errors.IllegalTransitionError(f"case {case.case_id} is {case.status.value}; only open cases merge")
        if not is_open(target.status):
            raise errors.IllegalTransitionError(
                f"target case {target.case_id} is {target.status.value}; merge only into an open case"
            )
        moved = tuple(r.report_id for r in case.reports)
        merged_event = ev.CaseMerged(case.case_id, target.case_id, moved, body.reason)
        sb = self._builder(case, command, now)
        sb.emit(merged_event)
        sb.emit(ev.StatusChanged(case.status.value, CaseStatus.MERGED.value, body.reason))
        source_after, source_events = sb.finish(replace(case, status=CaseStatus.MERGED, merged_into=target.case_id))

        tb = self._builder(target, command, now)
        tb.emit(merged_event)
        # The source's handler keeps sight of the grievance it gave up.
        extra = (Watcher(case.handler, f"{MERGE_WATCHER_REASON}{case.case_id}"),)
        target_state = replace(
            target,
            reports=(*target.reports, *case.reports),
            merged_from=(*target.merged_from, case.case_id),
            watchers=tuple(
                {w.agency_id: w for w in (*target.watchers, *extra) if w.agency_id != target.handler}.values()
            ),
            possible_duplicate_of=tuple(c for c in target.possible_duplicate_of if c != case.case_id),
        ).with_suggestions(case.duplicate_suggestions, drop=(case.case_id,))  # the merged-in case is no suggestion
        target_state = reroute_if_needed(self._router, tb, target_state, reason=f"re-routed: {case.case_id} merged in")
        target_after, target_events = tb.finish(target_state)
        return Outcome(
            (Change(case, source_after, source_events), Change(target, target_after, target_events)),
            case=target_after,
        )

    def _extend_time_limit(
        self, case: CaseState, command: CaseCommand, body: ExtendTimeLimit, now: datetime
    ) -> Outcome:
        if self._clock is None:
            raise errors.IllegalTransitionError("this processor runs without a statutory clock")
        reason = body.reason.strip()
        if not reason:
            # An extension is a decision in writing (Law on Denunciations 2018 Art. 30): it needs its grounds.
            raise errors.ValidationError.single("reason", "is required: say why the case is complex")
        if len(reason) > MAX_NOTE_CHARS:
            raise errors.ValidationError.single("reason", f"is longer than {MAX_NOTE_CHARS} characters")
        extended = self._clock.extended(case, body.complexity.strip().lower())
        clock = extended.clock
        assert clock is not None  # extended() refuses a case without a running stage
        b = self._builder(case, command, now)
        b.emit(ev.TimeLimitExtended(clock.stage, clock.complexity, clock.extensions, extended.due_at, reason))
        after, events = b.finish(extended)
        return Outcome((Change(case, after, events),), case=after)

    def _rate(self, case: CaseState, command: CaseCommand, body: RateResolution, now: datetime) -> Outcome:
        b = self._builder(case, command, now)
        rated = citizen_verdict.rate(
            case, b, actor=command.actor, report_id=body.report_id.strip(), rating=body.rating,
            comment=body.comment, directory=self._directory, now=now,
        )  # fmt: skip
        after, events = b.finish(rated)
        return Outcome((Change(case, after, events),), case=after)

    def _reopen_after_poor_rating(
        self, case: CaseState, command: CaseCommand, body: ReopenCase, verdict: ResolutionRating, now: datetime
    ) -> Outcome:
        reason = citizen_verdict.reopen_reason(verdict, body.reason)
        b = self._builder(case, command, now)
        b.emit(ev.StatusChanged(case.status.value, CaseStatus.REOPENED.value, reason))
        reopened = citizen_verdict.mark_used(replace(case, status=CaseStatus.REOPENED, closed_at=None), verdict)
        after, events = b.finish(reopened)
        return Outcome((Change(case, after, events),), case=after)

    def _erase_identity(self, case: CaseState, command: CaseCommand, body: EraseIdentity, now: datetime) -> Outcome:
        """Without its wraps and ciphertexts nobody, the custodian included, can
        rebuild the case key from this snapshot (docs/identity.md: erasure = crypto-shredding)."""
        erased = tuple(r.report_id for r in case.reports if r.reporter_sealed is not None)
        if not erased and not case.key_wraps:
            return Outcome(case=case)  # nothing left to erase: answered OK, no event
        b = self._builder(case, command, now)
        b.emit(ev.IdentityErased(erased, body.reason))
        reports = tuple(replace(r, reporter_sealed=None) for r in case.reports)
        after, events = b.finish(replace(case, reports=reports, key_wraps=()))
        return Outcome((Change(case, after, events),), case=after)

    def _unmerge(self, case: CaseState, command: CaseCommand, body: UnmergeReport, now: datetime) -> Outcome:
        report = case.report(body.report_id)
        if report is None:
            raise errors.ValidationError.single("report_id", f"report {body.report_id} is not in case {case.case_id}")
        if len(case.reports) < 2:
            raise errors.IllegalTransitionError(f"case {case.case_id} holds only this report; nothing to unmerge")
        new_case, new_events = open_case(
            self._router,
            report,
            now=now,
            generation=case.version,
            unmerged_from=case.case_id,
            actor=command.actor,
            request_id=command.request_id or None,
        )
        b = self._builder(case, command, now)
        b.emit(ev.ReportUnmerged(report.report_id, case.case_id, new_case.case_id, body.reason))
        remaining = tuple(r for r in case.reports if r.report_id != report.report_id)
        state = replace(case, reports=remaining)
        state = reroute_if_needed(self._router, b, state, reason=f"re-routed: report {report.report_id} unmerged")
        after, events = b.finish(state)
        return Outcome(
            (Change(case, after, events), Change(None, new_case, new_events)),
            case=after,
            new_case_id=new_case.case_id,
        )
