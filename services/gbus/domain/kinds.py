"""What each kind of report means, in one table: every part of the bus asks it here.

A kind is the citizen's (or the clerk's) choice of legal form, and the law attaches
different consequences to each: who must be named, whom the report accuses, whether
a statutory clock runs, which reports can be the same grievance. Routing, case work,
intake, duplicate detection, the legal clock and the situation report all read these
rows instead of keeping their own lists of kind names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KindPolicy:
    code: str  # the wire spelling, part of the contract (docs/api.md)
    label: str  # Vietnamese, for people
    # The most formal kind among a case's reports decides its routing
    # (to_cao > khieu_nai > kien_nghi = phan_anh; gop_y stands apart at 0).
    formality: int
    # The report accuses its subject_agency, which may then neither handle nor watch
    # the case (Law on Denunciations 2018).
    accuses_subject: bool = False
    # The reporter must be named: a complaint cannot be anonymous (Law on Complaints 2011, art. 8).
    named_reporter: bool = False
    # Opinions on a draft match only opinions on the same draft, never grievances
    # (duplicate detection).
    draft_opinion: bool = False
    # A statutory clock runs for it (cases/data/legal_time_limits.yaml holds the numbers).
    statutory_clock: bool = False


KIND_POLICIES: tuple[KindPolicy, ...] = (
    KindPolicy("phan_anh", "Phản ánh", formality=1),
    KindPolicy("kien_nghi", "Kiến nghị", formality=1),
    KindPolicy("khieu_nai", "Khiếu nại", formality=2, named_reporter=True, statutory_clock=True),
    KindPolicy("to_cao", "Tố cáo", formality=3, accuses_subject=True, statutory_clock=True),
    KindPolicy("gop_y", "Góp ý dự thảo", formality=0, draft_opinion=True),
)

POLICY: dict[str, KindPolicy] = {p.code: p for p in KIND_POLICIES}
# A kind this version does not know (a newer node's) gets the rules of plain feedback:
# it never accuses, never needs a name, never starts a clock.
_UNKNOWN = KindPolicy("?", "?", formality=1)


def policy(kind: str) -> KindPolicy:
    return POLICY.get(kind, _UNKNOWN)


def is_draft_opinion(kind: str) -> bool:
    return policy(kind).draft_opinion
