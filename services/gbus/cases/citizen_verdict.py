"""The citizen's verdict on a resolution. Pure.

After a case is RESOLVED, the origin agency of a report records the citizen's
rating (1–5) and comment, once per report; nobody else may (the origin is the
one that heard the citizen). A poor rating (≤ 2) makes the handler's superior a
watcher and lets that origin reopen the case once, the rating being its reason.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gbus import errors
from gbus.cases.authority import agency_id_of
from gbus.cases.deadlines import ESCALATION_PREFIX
from gbus.cases.history import ChangeBuilder
from gbus.cases.ports import DirectoryPort
from gbus.domain import events as ev
from gbus.domain.case import CaseState, ResolutionRating, Watcher
from gbus.domain.status import CaseStatus

MIN_RATING, MAX_RATING = 1, 5
POOR_RATING = 2  # at or below: the citizen is dissatisfied
MAX_COMMENT_CHARS = 2_000
RATEABLE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
_REOPENED_CODE = "verdict_reopen:"  # in case.escalations: a poor rating was used to reopen


def rate(
    case: CaseState, builder: ChangeBuilder, *, actor: str, report_id: str, rating: int, comment: str,
    directory: DirectoryPort, now: datetime,
) -> CaseState:  # fmt: skip
    """The case with the rating recorded (events on `builder`), or a domain error."""
    mine = [r for r in case.reports if r.origin_agency == actor]
    if not mine:
        raise errors.PermissionDeniedError(f"only the origin agency of a report may rate case {case.case_id}")
    if not report_id:
        if len(mine) > 1:
            raise errors.ValidationError.single("report_id", f"{actor} has {len(mine)} reports in this case; name one")
        report_id = mine[0].report_id
    report = case.report(report_id)
    if report is None:
        raise errors.ValidationError.single("report_id", f"report {report_id} is not in case {case.case_id}")
    if report.origin_agency != actor:
        raise errors.PermissionDeniedError(f"report {report_id} came from {report.origin_agency}; only it may rate it")
    if isinstance(rating, bool) or not MIN_RATING <= rating <= MAX_RATING:
        raise errors.ValidationError.single("rating", f"must be {MIN_RATING}..{MAX_RATING}, not {rating}")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise errors.ValidationError.single("comment", f"is longer than {MAX_COMMENT_CHARS} characters")
    if case.status not in RATEABLE:
        raise errors.IllegalTransitionError(
            f"case {case.case_id} is {case.status.value}; a resolution is rated after RESOLVED"
        )
    if any(r.report_id == report_id for r in case.ratings):
        raise errors.IllegalTransitionError(f"report {report_id} was already rated; a rating is recorded once")
    added: tuple[str, ...] = ()
    watchers = case.watchers
    if rating <= POOR_RATING:
        superior = agency_id_of(directory.superior_of(case.handler))
        if superior and superior != case.handler and superior not in case.watcher_ids:
            added = (superior,)
            reason = (
                f"{ESCALATION_PREFIX} superior of a handler whose resolution the citizen rated {rating}/{MAX_RATING}"
            )
            watchers = (*watchers, Watcher(superior, reason))
    builder.emit(ev.ResolutionRated(report_id, rating, comment, case.handler, added))
    verdict = ResolutionRating(report_id, actor, rating, comment, now, case.handler)
    return replace(case, ratings=(*case.ratings, verdict), watchers=watchers)


def poor_rating_to_reopen(case: CaseState, actor: str) -> ResolutionRating | None:
    """The actor's unused poor rating of this resolution, which lets it reopen the case."""
    if case.status is not CaseStatus.RESOLVED:
        return None
    return next(
        (
            r for r in case.ratings
            if r.origin_agency == actor and r.rating <= POOR_RATING and f"{_REOPENED_CODE}{r.report_id}" not in case.escalations
        ),
        None,
    )  # fmt: skip


def reopen_reason(verdict: ResolutionRating, given: str) -> str:
    said = f": {verdict.comment}" if verdict.comment else ""
    return given.strip() or f"the citizen rated the resolution {verdict.rating}/{MAX_RATING}{said}"


def mark_used(case: CaseState, verdict: ResolutionRating) -> CaseState:
    return replace(case, escalations=(*case.escalations, f"{_REOPENED_CODE}{verdict.report_id}"))
