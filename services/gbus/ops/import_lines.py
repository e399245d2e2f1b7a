"""`gbus import`: JSONL lines -> Report messages, grouped into streams; outcomes -> a summary. Pure.

Only what cannot travel as a Report message is checked here (a field of the
wrong JSON type, a timestamp that does not parse); every rule about what a
valid report is stays with the node's intake, the one authority, and its
per-field errors come back in the stream's outcomes.

One SubmitReports stream carries one metadata set, so in development mode
(`x-agency-id` names the caller) lines are grouped by their origin agency and
each group goes in its own streams; with --agency-header one agency (a
superior allowed to submit for the others) sends everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from gbus.domain.report_fields import parse_timestamp
from gbus.v1 import report_pb2

_TEXT_FIELDS = ("kind", "category", "channel", "province_code", "ward_code", "title", "description",
                "origin_agency", "request_id", "subject_agency")  # fmt: skip
_REPORTER_FIELDS = ("name", "phone", "national_id", "address")
# Keys a line may carry that are not part of the report: `node` (which node the sample goes to).
_IGNORED = {"node"}


class LineError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def report_of_line(value: dict[str, Any]) -> report_pb2.Report:
    """The Report message for one JSON object, or LineError naming each field that cannot be sent."""
    errors: list[str] = []
    kwargs: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        v = value.get(name)
        if v is None:
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool) and name in ("province_code", "ward_code"):
            errors.append(f'{name}: must be a string (codes keep their leading zeros, e.g. "01")')
        elif not isinstance(v, str):
            errors.append(f"{name}: must be a string, got {type(v).__name__}")
        else:
            kwargs[name] = v
    attempt = value.get("attempt")
    if attempt is not None:
        if isinstance(attempt, bool) or not isinstance(attempt, int) or not 0 <= attempt < 2**31:
            errors.append(f"attempt: must be a whole number, got {attempt!r}")
        else:
            kwargs["attempt"] = attempt
    submitted = value.get("submitted_at")
    if submitted is not None:
        try:
            ts = Timestamp()
            ts.FromDatetime(parse_timestamp(submitted))
            kwargs["submitted_at"] = ts
        except (ValueError, TypeError, OverflowError, OSError):
            errors.append(f"submitted_at: not an ISO 8601 date-time: {submitted!r}")
    reporter = value.get("reporter")
    if reporter is not None:
        if not isinstance(reporter, dict):
            errors.append("reporter: must be an object")
        else:
            rk: dict[str, Any] = {}
            for name in _REPORTER_FIELDS:
                v = reporter.get(name)
                if v is not None and not isinstance(v, str):
                    errors.append(f"reporter.{name}: must be a string, got {type(v).__name__}")
                elif v is not None:
                    rk[name] = v
            anonymous = reporter.get("anonymous", False)
            if not isinstance(anonymous, bool):
                errors.append("reporter.anonymous: must be true or false")
            else:
                rk["anonymous"] = anonymous
            kwargs["reporter"] = report_pb2.Reporter(**rk)
    unknown = sorted(set(value) - set(_TEXT_FIELDS) - {"attempt", "submitted_at", "reporter"} - _IGNORED)
    if unknown:
        errors.append(f"unknown field(s): {', '.join(unknown)}")
    if errors:
        raise LineError(errors)
    return report_pb2.Report(**kwargs)


@dataclass(frozen=True, slots=True)
class Item:
    line_no: int
    request_id: str
    report: report_pb2.Report


@dataclass(frozen=True, slots=True)
class Batch:
    """One SubmitReports stream: the caller's agency and its reports in file order."""

    agency: str
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class LineProblem:
    line_no: int
    request_id: str
    errors: tuple[str, ...]


@dataclass
class ImportPlan:
    batches: list[Batch] = field(default_factory=list)
    local_rejects: list[LineProblem] = field(default_factory=list)
    lines: int = 0

    @property
    def to_send(self) -> int:
        return sum(len(b.items) for b in self.batches)


def plan_import(lines: list[Any], *, agency_header: str | None, batch_size: int) -> ImportPlan:
    """`lines` are gbus.cli.common.JsonLine; each becomes an Item in a Batch or a local reject."""
    plan = ImportPlan(lines=len(lines))
    groups: dict[str, list[Item]] = {}
    for line in lines:
        if line.error is not None:
            plan.local_rejects.append(LineProblem(line.line_no, "", (line.error,)))
            continue
        request_id = str(line.value.get("request_id") or "")
        try:
            report = report_of_line(line.value)
        except LineError as exc:
            plan.local_rejects.append(LineProblem(line.line_no, request_id, tuple(exc.errors)))
            continue
        agency = agency_header or report.origin_agency
        if not agency:
            plan.local_rejects.append(LineProblem(line.line_no, request_id, (
                "origin_agency: required to choose the caller (x-agency-id), or pass --agency-header",)))  # fmt: skip
            continue
        groups.setdefault(agency, []).append(Item(line.line_no, request_id, report))
    for agency, items in groups.items():
        for start in range(0, len(items), batch_size):
            plan.batches.append(Batch(agency, tuple(items[start : start + batch_size])))
    return plan


@dataclass
class ImportSummary:
    lines: int = 0
    accepted: int = 0
    replayed: int = 0
    rejected: list[LineProblem] = field(default_factory=list)
    failed: list[LineProblem] = field(default_factory=list)  # streams that did not complete
    seconds: float = 0.0

    def add_outcomes(self, batch: Batch, outcomes: list[tuple[int, str, list[str]]]) -> None:
        """`outcomes`: (index in the stream, status accepted|replayed|rejected, errors)."""
        for index, status, errors in outcomes:
            item = batch.items[index]
            if status == "accepted":
                self.accepted += 1
            elif status == "replayed":
                self.replayed += 1
            else:
                self.rejected.append(LineProblem(item.line_no, item.request_id, tuple(errors) or ("rejected",)))
        answered = {i for i, _, _ in outcomes}
        for index, item in enumerate(batch.items):
            if index not in answered:  # the node answered for fewer reports than we sent
                self.failed.append(LineProblem(item.line_no, item.request_id, ("no outcome in the node's answer",)))

    def add_failure(self, batch: Batch, error: str) -> None:
        self.failed.extend(LineProblem(i.line_no, i.request_id, (error,)) for i in batch.items)

    def as_dict(self) -> dict[str, Any]:
        def problems(ps: list[LineProblem]) -> list[dict[str, Any]]:
            return [
                {"line": p.line_no, "request_id": p.request_id, "errors": list(p.errors)}
                for p in sorted(ps, key=lambda p: p.line_no)
            ]

        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "replayed": self.replayed,
            "rejected": len(self.rejected),
            "failed": len(self.failed),
            "seconds": round(self.seconds, 3),
            "rejected_lines": problems(self.rejected),
            "failed_lines": problems(self.failed),
        }


def render_summary(summary: ImportSummary, *, source: str = "-", max_listed: int = 200) -> list[str]:
    rate = summary.lines / summary.seconds if summary.seconds > 0 else 0.0
    lines = [
        f"{summary.lines:,} lines in {summary.seconds:.1f} s ({rate:,.0f} lines/s): "
        f"{summary.accepted:,} accepted, {summary.replayed:,} duplicate (accepted before), "
        f"{len(summary.rejected):,} rejected, {len(summary.failed):,} not submitted"
    ]
    for title, problems in (
        ("rejected", summary.rejected),
        ("not submitted (rerun the import; it is safe)", summary.failed),
    ):
        if not problems:
            continue
        lines.append(f"{title}:")
        ordered = sorted(problems, key=lambda p: p.line_no)
        for p in ordered[:max_listed]:
            rid = f" ({p.request_id})" if p.request_id else ""
            # FILE:LINE: reason, as every command reports a bad input line.
            name = "<stdin>" if source == "-" else source
            lines.append(f"  {name}:{p.line_no}:{rid} {'; '.join(p.errors)}")
        if len(ordered) > max_listed:
            lines.append(f"  … and {len(ordered) - max_listed} more (--json lists all)")
    return lines
