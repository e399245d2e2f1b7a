"""Where a report went: the case processor's verdicts and what a node answers from them. Pure.

The processor judges every submission it reads from `reports` and tells the
node that accepted it (topic report-results.<area>): placed into a new case, a
link, a possible duplicate, a replay of a placed report, or refused because
the same (origin, request_id) was placed before with other content.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

PLACING_VERDICTS = frozenset({"new", "link", "possible_duplicate", "replay"})
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Verdict:
    report_id: str
    origin_agency: str
    request_id: str
    submission_accepted_at: datetime
    verdict: str  # new | link | possible_duplicate | replay | refused
    case_id: str
    handler: str
    message: str
    at: datetime

    @property
    def refused(self) -> bool:
        return self.verdict == REFUSED

    @property
    def submission(self) -> tuple[str, int]:
        """Which submission this judges: a report id may be sent more than once by one node."""
        return self.report_id, millis(self.submission_accepted_at)

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "Verdict":
        return cls(
            report_id=rec["report_id"],
            origin_agency=rec["origin_agency"],
            request_id=rec["request_id"],
            submission_accepted_at=rec["submission_accepted_at"],
            verdict=rec["verdict"],
            case_id=rec["case_id"],
            handler=rec["handler"],
            message=rec.get("message", ""),
            at=rec["at"],
        )


@dataclass(frozen=True, slots=True)
class Placement:
    """What GetReport and the submit answers tell a caller about one report."""

    report_id: str
    origin_agency: str
    request_id: str
    placed: bool = False
    case_id: str = ""
    decision: str = ""  # new | link | possible_duplicate | replay
    handler: str = ""
    placed_at: datetime | None = None
    refusal: str = ""

    @classmethod
    def pending(cls, report_id: str, origin_agency: str, request_id: str) -> "Placement":
        return cls(report_id, origin_agency, request_id)

    def as_replay(self) -> "Placement":
        """The answer to a retry: the same case, decided as a replay."""
        return replace(self, decision="replay") if self.placed else self


def apply_verdict(current: Placement | None, verdict: Verdict) -> Placement:
    """The node's record of a report after one more verdict on it.

    The first placing verdict fixes where the report went (a later replay of it
    does not move it). A refusal keeps the placement and adds what was refused;
    a later placing verdict clears that refusal, since the node's latest
    submission was then the placed content again. A refusal of a report this
    node never saw placed stays `placed=False` and names the case the first
    content went to.
    """
    base = current or Placement.pending(verdict.report_id, verdict.origin_agency, verdict.request_id)
    if verdict.refused:
        if base.placed:
            return replace(base, refusal=verdict.message)
        # This node's submission was not placed; say where the first content went.
        return replace(base, case_id=verdict.case_id, handler=verdict.handler, refusal=verdict.message)
    if base.placed:
        return replace(base, refusal="")
    return replace(
        base,
        placed=True,
        case_id=verdict.case_id,
        decision=verdict.verdict,
        handler=verdict.handler,
        placed_at=verdict.at,
        refusal="",
    )


def millis(at: datetime) -> int:
    """Avro keeps milliseconds: submissions are told apart at that precision."""
    return int(at.timestamp() * 1000)
