"""IndexEntry: what the dedup index keeps of one report, in storable form.

The case processor rebuilds these from the reports its cases hold, after a
restart or a rebalance, and feeds them back through `DedupEngine.add_reports`;
each report's fingerprint is kept with its case (CaseSnapshot v6), so the text
is not analysed again. They hold no personal data: the reporter appears only as the
keyed hash, and the text only as a folded fingerprint (content words, place
names and numbers, without the reporter's name or contact details).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from gbus.dedup.features import FINGERPRINT_VERSION, analyse, to_fingerprint
from gbus.domain.report import Report
from gbus.domain.report_fields import parse_timestamp


def fingerprint_of(report: Report) -> str:
    """The folded fingerprint of a report's text (features.to_fingerprint)."""
    return to_fingerprint(analyse(report.title, report.description, report.province_code, report.ward_code))


def fingerprint_version(fingerprint: str) -> int:
    """The version a stored fingerprint was made with; 0 for one that is not a fingerprint."""
    head = fingerprint.split("|", 1)[0]
    return int(head) if head.isdigit() else 0


@dataclass(frozen=True, slots=True)
class IndexEntry:
    report_id: str
    case_id: str
    origin_agency: str
    request_id: str
    province: str | None
    ward: str | None
    kind: str
    category: str
    subject_agency: str | None
    reporter_key: str | None
    submitted_at: datetime
    # "1|topic words|kind:name;...|class=value;..." (see features.to_fingerprint).
    # If FINGERPRINT_VERSION changes, rebuild entries from the stored reports.
    fingerprint: str

    @classmethod
    def from_report(cls, report: Report, case_id: str, fingerprint: str = "") -> "IndexEntry":
        """The report's entry; `fingerprint`, when stored with the case and of the current
        version, saves analysing the text again (most of an index rebuild's cost)."""
        if not fingerprint or fingerprint_version(fingerprint) != FINGERPRINT_VERSION:
            fingerprint = fingerprint_of(report)
        return cls(
            report_id=report.report_id,
            case_id=case_id,
            origin_agency=report.origin_agency,
            request_id=report.request_id,
            province=report.province_code,
            ward=report.ward_code,
            kind=report.kind,
            category=report.category,
            subject_agency=report.subject_agency,
            reporter_key=report.reporter_key,
            submitted_at=report.submitted_at,
            fingerprint=fingerprint,
        )

    def with_case(self, case_id: str) -> "IndexEntry":
        return IndexEntry(**{**asdict(self), "case_id": case_id})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["submitted_at"] = self.submitted_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "IndexEntry":
        values = dict(data)
        values["submitted_at"] = parse_timestamp(values["submitted_at"])
        return cls(**values)

    @property
    def fingerprint_version(self) -> int:
        return fingerprint_version(self.fingerprint)

    @property
    def is_current(self) -> bool:
        return self.fingerprint_version == FINGERPRINT_VERSION
