"""Field-level validation of a report given as a mapping (JSONL line, gRPC message).

Pure. Checks what a report must satisfy on its own; whether the rules can
route it (ward inside province, subject agency known) is the router's call.
All violations are collected, not just the first, so a member system can fix
a bad record in one round trip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from gbus.domain.report import Report
from gbus.domain.request_ids import request_id_problem
from gbus.domain.vocabulary import CATEGORIES, CHANNELS, KINDS, is_agency_id
from gbus.errors import FieldViolation, ValidationError, quoted

MAX_TITLE_CHARS = 500
MAX_DESCRIPTION_CHARS = 20_000
MAX_ATTEMPT = 9

_PROVINCE_RE = re.compile(r"^\d{1,2}$")
_WARD_RE = re.compile(r"^\d{1,5}$")


def normalise_province_code(value: Any) -> str | None:
    """`"1"`, `1`, `"01"` -> `"01"`; blank -> None. Raises ValueError when not a code."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not _PROVINCE_RE.match(text):
        raise ValueError(text)
    return text.zfill(2)


def normalise_ward_code(value: Any) -> str | None:
    """Ward codes are 5 digits; member systems often drop the leading zeros."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if "." in text:  # accept "79.26734" area notation too
        text = text.split(".", 1)[1]
    if not _WARD_RE.match(text):
        raise ValueError(text)
    return text.zfill(5)


def parse_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(float(value), tz=timezone.utc)
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        # Member systems in Vietnam send local time without an offset.
        dt = dt.replace(tzinfo=timezone(timedelta(hours=7)))
    return dt.astimezone(timezone.utc)


def report_from_mapping(data: Mapping[str, Any], *, report_id: str | None = None) -> Report:
    """Build a Report from untrusted input, or raise ValidationError naming every bad field."""
    violations: list[FieldViolation] = []

    def text(field: str, *, required: bool, max_chars: int | None) -> str:
        value = data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                violations.append(FieldViolation(field, "is required"))
            return ""
        if not isinstance(value, str):
            violations.append(FieldViolation(field, "must be a string"))
            return ""
        if max_chars is not None and len(value) > max_chars:
            violations.append(FieldViolation(field, f"is longer than {max_chars} characters"))
        return value.strip()

    def enum(field: str, allowed: tuple[str, ...]) -> str:
        value = data.get(field)
        if not value:
            violations.append(FieldViolation(field, f"is required (one of {', '.join(allowed)})"))
            return ""
        if value not in allowed:
            violations.append(FieldViolation(field, f"unknown value {quoted(value)} (one of {', '.join(allowed)})"))
        return str(value)

    rid = report_id if report_id is not None else data.get("report_id")
    if rid is not None and not isinstance(rid, str):
        violations.append(FieldViolation("report_id", "must be a string"))
        rid = None

    kind = enum("kind", KINDS)
    category = enum("category", CATEGORIES)
    channel = enum("channel", CHANNELS)
    title = text("title", required=True, max_chars=MAX_TITLE_CHARS)
    description = text("description", required=True, max_chars=MAX_DESCRIPTION_CHARS)

    province_code = ward_code = None
    try:
        province_code = normalise_province_code(data.get("province_code"))
    except ValueError:
        violations.append(FieldViolation("province_code", "must be a 2-digit province code such as '79'"))
    try:
        ward_code = normalise_ward_code(data.get("ward_code"))
    except ValueError:
        violations.append(FieldViolation("ward_code", "must be a ward code of up to 5 digits such as '26734'"))
    if ward_code and not province_code and "province_code" not in {v.field for v in violations}:
        violations.append(FieldViolation("ward_code", "given without province_code"))

    submitted_at = datetime.now(timezone.utc)
    raw_ts = data.get("submitted_at")
    if raw_ts in (None, ""):
        violations.append(FieldViolation("submitted_at", "is required (ISO 8601 timestamp)"))
    else:
        try:
            submitted_at = parse_timestamp(raw_ts)
        except (ValueError, TypeError, OverflowError, OSError):
            violations.append(FieldViolation("submitted_at", f"not an ISO 8601 timestamp: {quoted(raw_ts)}"))

    origin_agency = text("origin_agency", required=True, max_chars=128)
    if origin_agency and not is_agency_id(origin_agency):
        violations.append(FieldViolation("origin_agency", "must be an agency id like 'gov.ubnd@79.26734'"))

    request_id = text("request_id", required=True, max_chars=None)  # length and alphabet: one rule
    if request_id and (problem := request_id_problem(request_id)):
        violations.append(FieldViolation("request_id", problem))

    subject_agency = text("subject_agency", required=False, max_chars=128) or None
    if subject_agency and not is_agency_id(subject_agency):
        violations.append(FieldViolation("subject_agency", "must be an agency id like 'gov.ubnd@79'"))

    attempt = 1
    raw_attempt = data.get("attempt", 1)
    if raw_attempt in (None, "", 0):
        raw_attempt = 1
    try:
        attempt = int(raw_attempt)
        if isinstance(raw_attempt, bool) or not 1 <= attempt <= MAX_ATTEMPT:
            raise ValueError
    except (ValueError, TypeError):
        violations.append(FieldViolation("attempt", f"must be an integer from 1 to {MAX_ATTEMPT}"))
        attempt = 1

    reporter_key = data.get("reporter_key") or None
    if reporter_key is not None and not isinstance(reporter_key, str):
        violations.append(FieldViolation("reporter_key", "must be a string"))
        reporter_key = None

    if violations:
        raise ValidationError(violations)
    return Report(
        report_id=str(rid or f"{origin_agency}/{request_id}"),
        kind=kind,
        category=category,
        channel=channel,
        province_code=province_code,
        ward_code=ward_code,
        title=title,
        description=description,
        submitted_at=submitted_at,
        origin_agency=origin_agency,
        request_id=request_id,
        subject_agency=subject_agency,
        attempt=attempt,
        reporter_key=reporter_key,
    )
