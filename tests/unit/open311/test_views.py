"""Cases as service requests and updates: status mapping, the handler's last word, merges (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from gbus.open311.views import Holding, open_or_closed, service_request, updates
from gbus.v1 import case_pb2
from gbus.wire.protobuf import timestamp

S = case_pb2
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def _event(case_id: str, seq: int, **detail) -> case_pb2.CaseEvent:
    return S.CaseEvent(case_id=case_id, seq=seq, at=timestamp(T0 + timedelta(minutes=seq)), **detail)


def _changed(case_id: str, seq: int, to: int, reason: str = "") -> case_pb2.CaseEvent:
    return _event(case_id, seq, status_changed=S.StatusChanged(to_status=to, reason=reason))


def _case(case_id: str, status: int, *report_ids: str, merged_into: str = "") -> case_pb2.Case:
    return S.Case(case_id=case_id, status=status, handler="gov.ubnd@79.26743", ward_code="26743", merged_into=merged_into,
                  reports=[S.CaseReport(report_id=r, category="dien_nuoc") for r in report_ids],
                  updated_at=timestamp(T0), due_at=timestamp(T0 + timedelta(days=10)))  # fmt: skip


def test_open_while_being_worked_closed_once_resolved_closed_or_rejected():
    assert {open_or_closed(s) for s in (S.CASE_STATUS_ASSIGNED, S.CASE_STATUS_ACCEPTED, S.CASE_STATUS_IN_PROGRESS,
                                        S.CASE_STATUS_REOPENED)} == {"open"}  # fmt: skip
    assert {open_or_closed(s) for s in (S.CASE_STATUS_RESOLVED, S.CASE_STATUS_CLOSED, S.CASE_STATUS_REJECTED)} == {
        "closed"
    }


def test_every_status_change_is_an_update_of_each_report_the_case_held_then():
    history = (
        _event("79-a", 1, opened=S.CaseOpened(report_id="R1")),
        _changed("79-a", 2, S.CASE_STATUS_ACCEPTED, "Đã tiếp nhận"),
        _event("79-a", 3, report_linked=S.ReportLinked(report_id="R2")),
        _changed("79-a", 4, S.CASE_STATUS_RESOLVED, "Đã sửa"),
    )
    got = [
        (u["service_request_id"], u["status"], u["description"])
        for u in updates(Holding(_case("79-a", 6, "R1", "R2"), history))
    ]
    assert got == [("R1", "open", "Đã tiếp nhận"), ("R1", "closed", "Đã sửa"), ("R2", "closed", "Đã sửa")]


def test_a_merged_case_hands_its_reports_to_the_target_and_follows_its_status():
    source_history = (
        _event("79-s", 1, opened=S.CaseOpened(report_id="R9")),
        _changed("79-s", 2, S.CASE_STATUS_MERGED, "cùng một vụ việc"),
    )
    target = _case("79-t", S.CASE_STATUS_RESOLVED, "R1", "R9")
    target_history = (
        _event("79-t", 1, opened=S.CaseOpened(report_id="R1")),
        _event("79-t", 2, merged=S.CaseMerged(source_case_id="79-s", target_case_id="79-t", report_ids=["R9"])),
        _changed("79-t", 3, S.CASE_STATUS_RESOLVED, "Đã sửa"),
    )
    source = Holding(
        _case("79-s", S.CASE_STATUS_MERGED, "R9", merged_into="79-t"), source_history, target, target_history
    )
    [merged] = updates(source)
    assert (merged["service_request_id"], merged["status"]) == ("R9", "closed") and "79-t" in merged["description"]
    assert {u["service_request_id"] for u in updates(Holding(target, target_history))} == {"R1", "R9"}

    view = service_request(
        source.case.reports[0], source, None, agency_name=lambda a: "UBND " + a, ward_name=lambda w: "Bến Thành"
    )
    assert (view["status"], view["status_notes"], view["expected_datetime"]) == ("closed", "Đã sửa", None)
    assert view["address"] == "Bến Thành" and view["service_name"] == "Điện, nước"


def test_an_open_request_expects_an_answer_by_its_cases_legal_time_limit_in_vietnam_time():
    case = _case("79-a", S.CASE_STATUS_ACCEPTED, "R1")
    view = service_request(case.reports[0], Holding(case, ()), None, agency_name=str, ward_name=str)
    assert (view["status"], view["expected_datetime"]) == ("open", "2026-11-12T08:00:00+07:00")
