"""The case status machine (docs/architecture.md, Case status). Pure.

    ASSIGNED    -> ACCEPTED | REJECTED | TRANSFERRED
    TRANSFERRED -> ASSIGNED            (to the new handler, in the same command)
    ACCEPTED    -> IN_PROGRESS | RESOLVED
    IN_PROGRESS -> RESOLVED
    RESOLVED    -> CLOSED | REOPENED
    REJECTED    -> REOPENED | CLOSED
    REOPENED    -> ACCEPTED
    any open state -> MERGED           (into another case)

The shared set is kept small on purpose: a duplicate link is data on the case,
not a status, so every member system can map these nine onto its own.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    ASSIGNED = "ASSIGNED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    TRANSFERRED = "TRANSFERRED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REOPENED = "REOPENED"
    MERGED = "MERGED"


S = CaseStatus

# States in which the case is still being worked on; only these may be merged.
OPEN_STATES: frozenset[CaseStatus] = frozenset({S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED, S.TRANSFERRED})

_NEXT: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.ASSIGNED: frozenset({S.ACCEPTED, S.REJECTED, S.TRANSFERRED}),
    S.TRANSFERRED: frozenset({S.ASSIGNED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REJECTED: frozenset({S.REOPENED, S.CLOSED}),
    S.REOPENED: frozenset({S.ACCEPTED}),
    S.CLOSED: frozenset(),
    S.MERGED: frozenset(),
}


def allowed_next(current: CaseStatus) -> frozenset[CaseStatus]:
    """Every status reachable in one step, MERGED included for open states."""
    nxt = _NEXT[current]
    return nxt | {S.MERGED} if current in OPEN_STATES else nxt


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    return target in allowed_next(current)


def is_open(status: CaseStatus) -> bool:
    return status in OPEN_STATES


def parse_status(value: str) -> CaseStatus:
    """`"accepted"`, `"ACCEPTED"`, `"CASE_STATUS_ACCEPTED"` -> CaseStatus.ACCEPTED."""
    text = value.strip().upper()
    if text.startswith("CASE_STATUS_"):
        text = text[len("CASE_STATUS_") :]
    return CaseStatus(text)
