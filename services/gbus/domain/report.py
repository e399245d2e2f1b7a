"""A citizen's report as the pure logic sees it (the API's Report message, docs/api.md).

The reporter's identity is not here: it travels encrypted (docs/identity.md).
Pure logic only ever sees `reporter_key`, a keyed hash of the normalised
phone or national id, which is enough to recognise the same reporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Report:
    report_id: str
    kind: str
    category: str
    channel: str
    province_code: str | None  # "79"; None when the report names no province
    ward_code: str | None  # "26734" (5 digits, zero-padded); None when unknown
    title: str
    description: str
    submitted_at: datetime  # timezone-aware, UTC
    origin_agency: str
    request_id: str
    subject_agency: str | None = None
    attempt: int = 1
    reporter_key: str | None = None  # HMAC of normalised phone/national id, hex
