"""The statutory clock against the articles it cites (gbus.cases.legal_clock).

Dates are Vietnam dates; a limit ends at 24:00 Vietnam time (17:00 UTC) of its
last day. Each row names the article its number comes from
(cases/data/legal_time_limits.yaml).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from gbus import errors
from gbus.cases.holidays import MissingHolidayYearError, load_calendar
from gbus.cases.intake_decisions import open_case
from gbus.cases.legal_clock import LegalClock, load_legal_time_limits
from gbus.cases.remote_areas import RemoteAreas
from gbus.domain.status import CaseStatus
from support.factories import case_report, router

LIMITS = load_legal_time_limits()
CALENDAR = load_calendar()
BEN_THANH = ("79", "26743")


def clock(*, remote: bool = False) -> LegalClock:
    return LegalClock(LIMITS, CALENDAR, RemoteAreas(frozenset({BEN_THANH}) if remote else frozenset()))


def at(day: str, hour_utc: int = 3) -> datetime:
    """A moment during the Vietnam working day `day` (03:00 UTC = 10:00 in Vietnam)."""
    return datetime.fromisoformat(day).replace(hour=hour_utc, tzinfo=timezone.utc)


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=17, tzinfo=timezone.utc)


def received(kind: str, day: str, *, attempt: int = 1, c: LegalClock | None = None):
    subject = "gov.ubnd@79.26743"
    report = case_report(kind=kind, category="dat_dai", channel="tiep_cong_dan", origin_agency="front.mttq@79",
                         subject_agency=subject, attempt=attempt, submitted_at=at(day))  # fmt: skip
    case, _ = open_case(router(), report, now=at(day))
    return (c or clock()).on_change(None, case, at(day))


def accepted(case, day: str, c: LegalClock | None = None):
    return (c or clock()).on_change(case, replace(case, status=CaseStatus.ACCEPTED), at(day))


@pytest.mark.parametrize(
    ("kind", "received_on", "due_on", "why"),
    [
        ("khieu_nai", "2026-11-02", "2026-11-12", "Complaints Art. 27: 10 days, last day a Thursday"),
        (
            "khieu_nai",
            "2026-02-06",
            "2026-02-23",
            "10 days end on Mon 16 Feb, a Tết day off: runs to the next working day",
        ),
        ("to_cao", "2026-11-02", "2026-11-11", "Denunciations Art. 24(1): 7 working days, one weekend skipped"),
        ("to_cao", "2026-02-11", "2026-02-27", "7 working days across Tết Bính Ngọ (16–20 Feb) and two weekends"),
        ("to_cao", "2025-04-25", "2025-05-08", "Saturday 26 Apr 2025 is a make-up working day; 30 Apr–2 May off"),
    ],
)
def test_acceptance_must_happen_by_the_last_day_of_its_article(kind, received_on, due_on, why):
    case = received(kind, received_on)
    assert (case.clock.stage, case.due_at) == ("acceptance", end_of(due_on)), why


@pytest.mark.parametrize(
    ("attempt", "complexity", "remote", "due_on", "why"),
    [
        (1, "normal", False, "2026-12-02", "Complaints Art. 28: 30 days from acceptance"),
        (1, "complex", False, "2026-12-17", "Art. 28: 45 days for a complex case"),
        (1, "normal", True, "2026-12-17", "Art. 28: 45 days in a remote area"),
        (1, "complex", True, "2027-01-04", "Art. 28: 60 days remote and complex; 1 Jan 2027 is a holiday"),
        (2, "normal", False, "2026-12-17", "Art. 37: a second-time complaint, 45 days"),
        (2, "complex", False, "2027-01-04", "Art. 37: 60 days if complex, rolled past New Year"),
        (2, "normal", True, "2027-01-04", "Art. 37: 60 days remote"),
        (2, "complex", True, "2027-01-11", "Art. 37: 70 days remote and complex"),
    ],
)
def test_complaint_resolution_limits_follow_attempt_complexity_and_remoteness(attempt, complexity, remote, due_on, why):
    c = clock(remote=remote)
    case = accepted(received("khieu_nai", "2026-10-26", attempt=attempt, c=c), "2026-11-02", c)
    if complexity != "normal":
        case = c.extended(case, complexity)
    assert (case.clock.stage, case.due_at) == ("resolution", end_of(due_on)), why


def test_a_denunciation_is_resolved_within_thirty_days_and_a_complex_one_extends_once():
    c = clock()
    case = accepted(received("to_cao", "2026-10-26"), "2026-11-02")
    assert case.due_at == end_of("2026-12-02")  # Denunciations Art. 30(1)
    once = c.extended(case, "complex")
    assert (once.clock.extensions, once.due_at) == (1, end_of("2027-01-04"))  # +30 days ends 1 Jan, a holiday
    with pytest.raises(errors.IllegalTransitionError, match="extended 1 time"):
        c.extended(once, "complex")


def test_an_especially_complex_denunciation_extends_twice_and_no_more():
    c = clock()
    case = accepted(received("to_cao", "2026-10-26"), "2026-11-02")
    twice = c.extended(c.extended(case, "especially_complex"), "especially_complex")
    assert (twice.clock.extensions, twice.clock.complexity, twice.due_at) == (
        2,
        "especially_complex",
        end_of("2027-02-03"),
    )
    with pytest.raises(errors.IllegalTransitionError):
        c.extended(twice, "especially_complex")


def test_a_denunciation_cannot_be_extended_before_it_is_accepted():
    with pytest.raises(errors.IllegalTransitionError, match="after acceptance"):
        clock().extended(received("to_cao", "2026-11-02"), "complex")


def test_a_complaint_cannot_be_declared_especially_complex_and_the_error_names_the_field():
    case = accepted(received("khieu_nai", "2026-10-26"), "2026-11-02")
    with pytest.raises(errors.ValidationError) as caught:
        clock().extended(case, "especially_complex")
    assert [v.field for v in caught.value.violations] == ["complexity"]


def test_feedback_has_no_statutory_limit_and_nothing_to_extend():
    case = received("phan_anh", "2026-11-02")
    assert (case.clock.stage, case.due_at) == ("acceptance", None)
    with pytest.raises(errors.IllegalTransitionError):
        clock().extended(case, "complex")


def test_a_transfer_restarts_acceptance_at_the_new_handlers_receipt():
    case = received("khieu_nai", "2026-11-02")
    moved = clock().on_change(case, replace(case, handler="gov.ubnd@79"), at("2026-11-09"))
    assert moved.clock.started_at == at("2026-11-09") and moved.clock.number == case.clock.number + 1
    assert moved.due_at == end_of("2026-11-19")


def test_a_status_change_within_a_stage_keeps_its_clock():
    case = accepted(received("khieu_nai", "2026-10-26"), "2026-11-02")
    working = clock().on_change(case, replace(case, status=CaseStatus.IN_PROGRESS), at("2026-11-20"))
    assert (working.clock, working.due_at) == (case.clock, case.due_at)


def test_a_reopened_case_starts_a_new_acceptance_stage():
    case = accepted(received("khieu_nai", "2026-10-26"), "2026-11-02")
    resolved = clock().on_change(case, replace(case, status=CaseStatus.RESOLVED), at("2026-11-20"))
    assert (resolved.due_at, clock().standing(resolved, at("2026-11-21")).stage) == (None, None)
    reopened = clock().on_change(resolved, replace(resolved, status=CaseStatus.REOPENED), at("2026-11-23"))
    assert (reopened.clock.stage, reopened.due_at) == ("acceptance", end_of("2026-12-03"))
    assert reopened.clock.number > case.clock.number


def test_the_case_shows_working_days_left_and_overdue():
    case = received("khieu_nai", "2026-11-02")  # due end of Thu 12 Nov
    before = clock().standing(case, at("2026-11-10"))
    assert (before.stage, before.working_days_left, before.overdue, before.article) == (
        "acceptance",
        2,
        False,
        "Art. 27",
    )
    late = clock().standing(case, at("2026-11-16"))
    assert (late.working_days_left, late.overdue) == (-2, True)


def test_a_year_without_holiday_data_is_an_error_not_a_guess():
    with pytest.raises(MissingHolidayYearError, match="2028"):
        received("khieu_nai", "2027-12-28")


def test_working_days_skip_weekends_and_the_listed_days_off():
    assert CALENDAR.add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert not CALENDAR.is_working_day(date(2026, 9, 2)) and CALENDAR.is_working_day(date(2025, 4, 26))
    assert CALENDAR.next_working_day_from(date(2027, 1, 1)) == date(2027, 1, 4)
    assert timedelta(0) < end_of("2026-01-02") - at("2026-01-02")


def test_the_clock_survives_a_snapshot_round_trip_so_a_restore_does_not_restart_it():
    from gbus.codec.single_object import AvroCodec
    from gbus.wire.avro_records import snapshot_record, state_from_snapshot

    c = clock(remote=True)
    case = c.extended(accepted(received("khieu_nai", "2026-10-26", c=c), "2026-11-02", c), "complex")
    codec = AvroCodec()
    restored = state_from_snapshot(codec.decode(codec.encode("gbus.avro.CaseSnapshot", snapshot_record(case))))
    assert restored.clock == case.clock and restored.due_at == case.due_at
    assert c.on_change(restored, restored, at("2026-11-20")).due_at == case.due_at


def test_the_packaged_remote_communes_file_marks_none(tmp_path):
    from gbus.cases.remote_areas import load_remote_areas

    assert len(load_remote_areas()) == 0


def test_an_operator_file_marks_communes_remote_even_with_unquoted_codes(tmp_path):
    from gbus.cases.legal_clock import legal_clock_from_settings
    from gbus.config import LegalClockSettings

    path = tmp_path / "remote.yaml"
    path.write_text("communes:\n  79:\n    - 26743\n  8: ['02158']\n", encoding="utf-8")
    c = legal_clock_from_settings(LegalClockSettings(remote_communes=str(path)))
    assert c.remote.is_remote("79", "26743") and c.remote.is_remote("08", "02158")
    assert not c.remote.is_remote("79", "26734")
    case = accepted(received("khieu_nai", "2026-10-26", c=c), "2026-11-02", c)
    assert (case.clock.remote, case.due_at) == (True, end_of("2026-12-17"))  # Art. 28: 45 days remote


def test_a_holidays_file_with_a_misplaced_date_is_refused_naming_the_year():
    from gbus.cases.holidays import calendar_from_data
    from gbus.directory.yaml_io import DataFileError

    with pytest.raises(DataFileError, match="2027"):
        calendar_from_data({"years": {2027: {"status": "announced", "days_off": ["2028-01-01"]}}})


def test_a_case_from_before_the_clock_keeps_its_due_date_when_it_next_changes():
    case = received("khieu_nai", "2026-11-02")
    old = replace(case, clock=None, due_at=at("2026-11-12"), escalations=("sla_breach:acceptance",))
    after = clock().on_change(old, replace(old, version=old.version + 1), at("2026-11-20"))
    assert after.due_at == at("2026-11-12") and after.clock.stage == "acceptance"
    assert after.clock.number == 2 and "sla_breach:acceptance#2" in after.escalations  # already escalated: not again
    accepted = clock().on_change(after, replace(after, status=CaseStatus.ACCEPTED), at("2026-11-23"))
    assert accepted.due_at == end_of("2026-12-23")  # a new stage counts normally
