"""ISO weeks in Vietnam time, and the topic terms of a report (gbus.situation)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from gbus.domain.events import ResolutionRated, TimeLimitExtended
from gbus.ops.trace import describe
from gbus.situation.figures import report_terms
from gbus.situation.weeks import Week
from support.factories import case_report


def test_a_week_runs_from_monday_midnight_in_vietnam():
    week = Week.parse("2026-W49")
    assert week.start == datetime(2026, 11, 29, 17, tzinfo=timezone.utc)  # Monday 30 Nov 00:00 UTC+7
    assert week.contains(datetime(2026, 12, 6, 16, 59, tzinfo=timezone.utc))
    assert not week.contains(datetime(2026, 12, 6, 17, tzinfo=timezone.utc))  # Monday 7 Dec in Vietnam
    assert (week.shifted(-1).label, week.shifted(-8).label, week.shifted(5).label) == (
        "2026-W48",
        "2026-W41",
        "2027-W01",
    )


@pytest.mark.parametrize("text", ["2026-49", "2026-W60", "W49", "2026-W5"])
def test_a_malformed_week_is_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match="2026-W49|no ISO week"):
        Week.parse(text)


def test_topic_terms_keep_the_citizens_diacritics_and_drop_stopwords():
    report = case_report(title="Đường ngập nước sau mưa", description="Nước ngập đến gối. Khơi thông cống")
    terms = report_terms(report)
    assert terms["duong ngap"] == "đường ngập" and terms["ngap nuoc"] == "ngập nước"
    assert "nuoc sau" not in terms  # "sau" is a stopword
    assert terms["khoi thong"] == "khơi thông" and "goi khoi" not in terms  # terms never cross a sentence


def test_the_trace_describes_the_new_events():
    extended = TimeLimitExtended(
        "resolution", "complex", 1, datetime(2027, 1, 4, 17, tzinfo=timezone.utc), "hai địa điểm"
    )
    rated = ResolutionRated("R79-x", 2, "", "gov.ubnd@79.26743", ("gov.ubnd@79",))
    assert describe(extended) == "resolution time limit extended (complex, extension 1) to 2027-01-04: hai địa điểm"
    assert (
        describe(rated)
        == "citizen rated the resolution of gov.ubnd@79.26743 2/5 (report R79-x); gov.ubnd@79 now watches"
    )
