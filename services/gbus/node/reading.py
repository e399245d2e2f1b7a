"""Reading cases at a node: GetCase, ListCases, WatchCases over the local store.

Who may see what is decided by `Authority` alone: an agency that may not read
a case is told it does not exist. The reporter's identity opens only where the
processor left a key wrap for the caller and this node holds the caller's KEK:
the case's handler, and the origin system of that very report; everybody else
sees the report without its reporter (docs/identity.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from gbus.cases.authority import Authority
from gbus.cases.holidays import MissingHolidayYearError
from gbus.cases.legal_clock import ClockStanding, LegalClock
from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent, DuplicateSuggestion
from gbus.domain.vocabulary import CATEGORIES, is_agency_id
from gbus.errors import NotFoundError, PermissionDeniedError, ValidationError, excerpt, quoted
from gbus.node.store import CaseFilter, Change, NodeStore, StoredCase
from gbus.node.tokens import decode_cursor, decode_page_token, encode_cursor, encode_page_token, query_digest
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics
from gbus.security.identity_access import open_reporters
from gbus.security.identity_seal import IdentitySealError, ReporterIdentity
from gbus.security.keys import NodeKeyring

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# A watcher's thread re-checks that its client is still there this often even
# when nothing changes; changes themselves wake it at once.
WATCH_WAKE_S = 1.0
_WATCH_BATCH = 200
# Merges chain rarely more than once; the bound stops a corrupt copy from looping.
_MAX_MERGE_HOPS = 8


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as one caller may see it. `state` is None when this node does not
    hold the case (a command's answer then carries only its id and version)."""

    case_id: str
    version: int
    state: CaseState | None = None
    integrity_alert: bool = False
    reporters: Mapping[str, ReporterIdentity] = field(default_factory=dict)
    clock: ClockStanding | None = None  # the legal clock as of the read
    # GetCase only: the case's duplicate suggestions this caller may read (see `get`).
    suggestions: tuple[DuplicateSuggestion, ...] = ()


@dataclass(frozen=True, slots=True)
class ListQuery:
    agency_id: str = ""
    role: str | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class WatchItem:
    view: CaseView
    events: list[CaseEvent]
    cursor: str


def _ms(dt: datetime | None) -> int | None:
    return None if dt is None else int(dt.timestamp() * 1000)


class CaseReader:
    def __init__(
        self, store: NodeStore, authority: Authority, keyring: NodeKeyring, *, area: str, metrics: Metrics,
        clock: LegalClock | None = None, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:  # fmt: skip
        self._store = store
        self._clock = clock
        self._now = now
        self._authority = authority
        self._keyring = keyring
        self._metrics = metrics
        self._log = get_logger("gbus.node.cases", node=area)
        self._shutting_down = False

    # -- views ----------------------------------------------------------------------

    def view(self, state: CaseState, caller: str, integrity_alert: bool = False) -> CaseView:
        reporters: dict[str, ReporterIdentity] = {}
        for report_id, opened in open_reporters(state, caller, self._keyring):
            if isinstance(opened, IdentitySealError):
                self._log.error(
                    "reporter_identity_unreadable", case_id=state.case_id, report_id=report_id, error=opened.message
                )
            else:
                reporters[report_id] = opened
        return CaseView(state.case_id, state.version, state, integrity_alert, reporters, self._standing(state))

    def _standing(self, state: CaseState) -> ClockStanding | None:
        """Working days left are counted at read time: today's date decides them."""
        if self._clock is None:
            return None
        try:
            return self._clock.standing(state, self._now())
        except MissingHolidayYearError as exc:
            # The case is still shown (due_at comes from the processor); the count is
            # left out rather than guessed, and the operator is told which year is missing.
            self._log.error("holiday_year_missing", case_id=state.case_id, error=str(exc))
            return None

    def readable(self, stored: StoredCase | None, caller: str) -> CaseView | None:
        if stored is None or not self._authority.can_read(stored.state, caller):
            return None
        return self.view(stored.state, caller, stored.integrity_alert)

    # -- GetCase ----------------------------------------------------------------------

    def get(self, caller: str, case_id: str, include_history: bool = False) -> tuple[CaseView, list[CaseEvent]]:
        if not case_id:
            raise ValidationError.single("case_id", "is required")
        view = self.readable(self._store.case(case_id), caller)
        if view is None:
            raise NotFoundError(f"case {excerpt(case_id)} not found")
        assert view.state is not None  # readable() views always hold the case
        view = replace(view, suggestions=self._visible_suggestions(view.state, caller))
        return view, (self._store.history(case_id) if include_history else [])

    def _visible_suggestions(self, state: CaseState, caller: str) -> tuple[DuplicateSuggestion, ...]:
        """The suggested cases `caller` may read, by the same rule as GetCase itself: a
        case it may not read (or this node does not hold) is left out, so a suggestion
        never tells an agency that some other case exists. Only GetCase pays these
        look-ups (at most three), not every case of a ListCases page. A suggested case
        merged since is shown as the case it was merged into (never as this case itself)."""
        shown: dict[str, DuplicateSuggestion] = {}
        for suggestion in state.duplicate_suggestions:
            stored = self._store.case(suggestion.case_id)
            hops = 0
            while stored is not None and stored.state.merged_into and hops < _MAX_MERGE_HOPS:
                stored, hops = self._store.case(stored.state.merged_into), hops + 1
            if stored is None or stored.state.case_id == state.case_id or stored.state.case_id in shown:
                continue
            if self.readable(stored, caller) is not None:
                shown[stored.state.case_id] = replace(suggestion, case_id=stored.state.case_id)
        return tuple(shown.values())

    # -- ListCases --------------------------------------------------------------------

    def list(self, caller: str, query: ListQuery) -> tuple[list[CaseView], str]:
        agency = self._agency_for(caller, query.agency_id, "ListCases")
        if query.category and query.category not in CATEGORIES:
            raise ValidationError.single("category", f"unknown category {quoted(query.category)}")
        if query.page_size < 0:
            raise ValidationError.single("page_size", "must not be negative")
        size = min(query.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        case_filter = CaseFilter(
            agency_id=agency,
            role=query.role,
            statuses=tuple(sorted(query.statuses)),
            category=query.category or None,
            updated_after_ms=_ms(query.updated_after),
            updated_before_ms=_ms(query.updated_before),
        )
        digest = query_digest({k: getattr(case_filter, k) for k in case_filter.__dataclass_fields__})
        after = decode_page_token(query.page_token, self._store.epoch, digest)
        rows = self._store.list_cases(case_filter, after=after, limit=size + 1)
        page, more = rows[:size], len(rows) > size
        views = [self.view(stored.state, caller, stored.integrity_alert) for stored, _ in page]
        token = encode_page_token(self._store.epoch, digest, page[-1][1]) if more else ""
        return views, token

    # -- WatchCases -------------------------------------------------------------------

    def watch(self, caller: str, *, cursor: str, agency_id: str, is_active: Callable[[], bool]) -> Iterator[WatchItem]:
        """Changes after `cursor` the agency may read, then new ones as they are applied.

        Ends when `is_active()` turns false (the client went away) or the store closes.
        """
        agency = self._agency_for(caller, agency_id, "WatchCases")
        position = decode_cursor(cursor, self._store.epoch)
        while True:
            woken = self._store.wakeups  # before the checks: a wake() after them still ends the wait
            if not is_active() or self._shutting_down or self._store.closed:
                return
            batch = self._store.changes_after(position, _WATCH_BATCH)
            for change in batch:
                position = change.position
                if not self._could_read(change, agency):
                    continue
                events = self._store.history(change.state.case_id, change.first_seq, change.last_seq)
                view = self.view(change.state, caller, change.integrity_alert)
                yield WatchItem(view, events, encode_cursor(self._store.epoch, position))
            if not batch:
                self._store.wait_for_change(position, WATCH_WAKE_S, woken)

    def wake(self) -> None:
        """Let every waiting watcher re-check whether its client is still there."""
        self._store.wake()

    def shutdown(self) -> None:
        """End every watch stream (the server is stopping)."""
        self._shutting_down = True
        self._store.wake()

    # -- helpers ----------------------------------------------------------------------

    def _could_read(self, change: Change, agency: str) -> bool:
        """Readable after the change, or before it: an agency the case was just
        transferred away from hears where it went, then no more."""
        if self._authority.can_read(change.state, agency):
            return True
        return any(agency == a or self._authority.is_superior(agency, a) for a in change.involved_before)

    def _agency_for(self, caller: str, agency_id: str, method: str) -> str:
        """The agency whose cases are asked for: the caller, or one it is a superior of."""
        if not agency_id or agency_id == caller:
            return caller
        if not is_agency_id(agency_id):
            raise ValidationError.single("agency_id", f"not an agency id: {quoted(agency_id)}")
        # A renamed body lists the cases filed under its old id by asking for that id.
        if not (self._authority.same_body(caller, agency_id) or self._authority.is_superior(caller, agency_id)):
            self._metrics.authz_denials.labels(method).inc()
            raise PermissionDeniedError(
                f"{caller} may list only its own cases or those of agencies below it, not {excerpt(agency_id)}"
            )
        return agency_id
