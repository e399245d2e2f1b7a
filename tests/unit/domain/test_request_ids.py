"""One request_id format (gbus.domain.request_ids) for a submitted report and for a case command:
both paths refuse the same ids with the same words, and take the same good ones."""

from __future__ import annotations

import pytest

from gbus.domain.report_fields import report_from_mapping
from gbus.errors import FieldViolation, ValidationError
from gbus.node.acting import CaseActions
from gbus.topics import Topics

BAD = {
    "a space": "a b",
    "a letter with a diacritic": "phản-ánh-1",
    "a semicolon": "a;b",
    "a newline": "a\nb",
    "a percent sign": "50%",
    "129 characters": "x" * 129,
}
GOOD = ("r-1", "2026/11/02:front.mttq_79.a-1", "x" * 128)
REPORT = {
    "kind": "phan_anh", "category": "dat_dai", "channel": "mttq", "province_code": "79", "ward_code": "25747",
    "title": "Lấn chiếm đất công", "description": "Một hộ dân xây tường rào lấn ra đường đi chung.",
    "submitted_at": "2026-11-02T08:30:00+07:00", "origin_agency": "front.mttq@79.25747",
}  # fmt: skip


class _Sent(Exception):
    pass


class _Gateway:
    """Stands in for Kafka: a command that reaches it passed validation."""

    def execute(self, command, *, shard, timeout_s):  # noqa: ANN001 - the CommandGateway.execute signature
        raise _Sent


def _report_violation(request_id: str) -> FieldViolation | None:
    try:
        report_from_mapping({**REPORT, "request_id": request_id})
    except ValidationError as exc:
        [violation] = exc.violations
        return violation
    return None


def _command_violation(request_id: str) -> FieldViolation | None:
    actions = CaseActions(gateway=_Gateway(), store=None, reader=None, topics=Topics("t.", 4), timeout_s=1)  # type: ignore[arg-type]
    try:
        actions.add_note("gov.ubnd@79.25747", "79-abc", "a note", request_id)
    except ValidationError as exc:
        [violation] = exc.violations
        return violation
    except _Sent:
        return None
    raise AssertionError("the command neither failed validation nor reached the gateway")


@pytest.mark.parametrize("request_id", BAD.values(), ids=BAD.keys())
def test_a_report_and_a_command_refuse_the_same_bad_request_id_naming_the_field(request_id):
    by_report, by_command = _report_violation(request_id), _command_violation(request_id)
    assert by_report is not None and by_report.field == "request_id"
    assert by_command == by_report


@pytest.mark.parametrize("request_id", GOOD)
def test_a_report_and_a_command_take_the_same_good_request_id(request_id):
    assert _report_violation(request_id) is None
    assert _command_violation(request_id) is None
