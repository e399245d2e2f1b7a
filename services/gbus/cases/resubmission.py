"""A report id arrives again: is it the same submission (a retry) or new content under an old request id?

The processor is the authority on idempotency for the whole bus: a node only
knows what it accepted itself, while the case holds the content that was
placed first, whichever node took it. Pure.

The comparison is over what the case keeps of a report. The reporter's name
and address are sealed under a per-report key, so they cannot be compared
here; the phone and national id are, through `reporter_key` (a keyed hash),
and every node also compares the full content itself before it writes.
"""

from __future__ import annotations

from gbus.domain.case import CaseReport

# Every field a member system chose when it filed the report. Not compared: report_id and
# origin_agency/request_id (equal by construction), the sealed identity (see above).
_CONTENT_FIELDS = (
    "kind",
    "category",
    "channel",
    "province_code",
    "ward_code",
    "title",
    "description",
    "submitted_at",
    "subject_agency",
    "attempt",
    "anonymous",
    "reporter_key",
)


def content_differences(placed: CaseReport, incoming: CaseReport) -> tuple[str, ...]:
    """The fields in which `incoming` differs from the report already placed; empty for a retry."""
    return tuple(name for name in _CONTENT_FIELDS if getattr(placed, name) != getattr(incoming, name))
