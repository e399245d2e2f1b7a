"""Every figure of the situation report against a count made here from the generator's own log."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from gbus.situation.figures import AVERAGE_WEEKS, build_report, headline
from gbus.situation.weeks import Week
from support.situation_traffic import CLOCK, HOTSPOT_TITLE, generated

WEEK = Week.parse("2026-W49")
NOW = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def traffic():
    return generated(WEEK)


@pytest.fixture(scope="module")
def report(traffic):
    return build_report(traffic.histories(), area="79", week=WEEK, now=NOW, clock=CLOCK)


def _in(week: Week, at: datetime) -> bool:
    return week.start <= at < week.end


def _count(traffic, week: Week, field: str) -> Counter:
    return Counter(r[field] for r in traffic.truth.reports if _in(week, r["at"]))


@pytest.mark.parametrize(("section", "field"), [("by_kind", "kind"), ("by_category", "category"),
                                                 ("by_channel", "channel"), ("by_place", "ward")])  # fmt: skip
def test_volumes_this_week_last_week_and_the_eight_week_average(traffic, report, section, field):
    this, previous = _count(traffic, WEEK, field), _count(traffic, WEEK.shifted(-1), field)
    history = [_count(traffic, WEEK.shifted(-n), field) for n in range(1, AVERAGE_WEEKS + 1)]
    rows = {row["key"]: row for row in report["volumes"][section]}
    assert set(rows) == set(this) | set().union(*history)
    for key, row in rows.items():
        assert (row["this_week"], row["previous_week"], row["change"]) == (
            this[key],
            previous[key],
            this[key] - previous[key],
        )
        assert row["avg_8_weeks"] == pytest.approx(sum(h[key] for h in history) / 8, abs=0.005)


def test_the_total_counts_every_report_of_the_week_once(traffic, report):
    expected = sum(1 for r in traffic.truth.reports if _in(WEEK, r["at"]))
    assert report["volumes"]["total"]["this_week"] == expected
    assert report["volumes"]["weekly_totals"][-1] == {"week": "2026-W49", "reports": expected}
    assert headline(report)["reports"] == expected


def test_the_grievance_with_the_most_reporters_and_the_new_hotspot(traffic, report):
    hot = traffic.truth.hotspot
    top = report["most_reporters"][0]
    reporters = sum(1 for r in traffic.truth.reports if r["title"] == HOTSPOT_TITLE)
    assert (top["case_id"], top["reporters"], top["title"]) == (hot["case_id"], reporters, HOTSPOT_TITLE)
    assert [h["case_id"] for h in report["new_hotspots"]] == [hot["case_id"]]
    last_week = build_report(traffic.histories(), area="79", week=WEEK.shifted(-1), now=NOW, clock=CLOCK)
    assert last_week["new_hotspots"] == []


def test_the_topic_that_grew_this_week_leads_the_rising_topics(traffic, report):
    flooding = [r for r in traffic.truth.reports if "ngập nước" in r["title"]]
    this = sum(1 for r in flooding if _in(WEEK, r["at"]))
    total = sum(1 for r in traffic.truth.reports if _in(WEEK, r["at"]))
    earlier = [r for r in traffic.truth.reports if any(_in(WEEK.shifted(-n), r["at"]) for n in range(1, 5))]
    before = sum(1 for r in earlier if "ngập nước" in r["title"])
    row = next(t for t in report["rising_topics"] if t["term"] == "ngập nước")
    assert row["reports"] == this
    assert row["share_pct"] == pytest.approx(100 * this / total, abs=0.05)
    assert row["previous_share_pct"] == pytest.approx(100 * before / len(earlier), abs=0.05)
    assert report["rising_topics"][0]["growth_pts"] == row["growth_pts"]


def _nearest_rank(values, pct):
    ordered = sorted(values)
    return ordered[math.ceil(pct / 100 * len(ordered)) - 1]


def test_median_and_p90_time_to_accept_and_to_resolve_per_agency(traffic, report):
    rows = {row["key"]: row for row in report["timeliness"]["by_agency"]}
    handlers = {a["handler"] for a in traffic.truth.accepted} | {r["handler"] for r in traffic.truth.resolved}
    for handler in handlers:
        hours = [(a["at"] - a["received"]).total_seconds() / 3600 for a in traffic.truth.accepted
                 if a["handler"] == handler and _in(WEEK, a["at"])]  # fmt: skip
        days = [(r["at"] - r["accepted"]).total_seconds() / 86400 for r in traffic.truth.resolved
                if r["handler"] == handler and _in(WEEK, r["at"])]  # fmt: skip
        if not hours and not days:
            assert handler not in rows
            continue
        row = rows[handler]
        assert (row["accepted"], row["resolved"]) == (len(hours), len(days))
        if hours:
            assert row["accept_median_h"] == round(statistics.median(hours), 1)
            assert row["accept_p90_h"] == round(_nearest_rank(hours, 90), 1)
        if days:
            assert row["resolve_median_d"] == round(statistics.median(days), 1)
            assert row["resolve_p90_d"] == round(_nearest_rank(days, 90), 1)


def test_satisfaction_per_agency_counts_the_ratings_of_the_week(traffic, report):
    expected: dict[str, list[int]] = {}
    for r in traffic.truth.ratings:
        if _in(WEEK, r["at"]):
            expected.setdefault(r["handler"], []).append(r["rating"])
    rows = {row["agency"]: row for row in report["satisfaction"]}
    assert set(rows) == set(expected)
    for agency, ratings in expected.items():
        assert rows[agency]["ratings"] == len(ratings)
        assert rows[agency]["average"] == round(sum(ratings) / len(ratings), 2)
        assert rows[agency]["poor"] == sum(1 for x in ratings if x <= 2)


def test_overdue_cases_by_agency_at_the_end_of_the_week(traffic, report):
    end = WEEK.end
    overdue = Counter(
        s.handler for s in traffic.cases.values()
        if s.status.value in ("ASSIGNED", "REOPENED", "ACCEPTED", "IN_PROGRESS") and s.due_at and s.due_at < end
    )  # fmt: skip
    assert {row["agency"]: row["overdue"] for row in report["deadlines"] if row["overdue"]} == dict(overdue)
    assert headline(report)["overdue"] == sum(overdue.values())


def test_a_case_nearly_due_is_within_three_working_days(traffic):
    case = next(s for s in traffic.cases.values() if s.status.value == "ASSIGNED" and s.due_at)
    due = case.due_at
    just_before = build_report(traffic.histories(), area="79", week=Week.containing(due - timedelta(hours=1)),
                               now=due - timedelta(hours=1), clock=CLOCK)  # fmt: skip
    row = next(r for r in just_before["deadlines"] if r["agency"] == case.handler)
    assert row["nearly_due"] >= 1


def test_no_reporter_identity_or_hash_reaches_the_report(traffic, report):
    import json

    text = json.dumps(report, ensure_ascii=False)
    keys = {r.reporter_key for s in traffic.cases.values() for r in s.reports if r.reporter_key}
    origins = {r.origin_agency for s in traffic.cases.values() for r in s.reports}
    assert keys and not any(k in text for k in keys)
    assert "reporter" not in text.replace("reporters", "")
    assert not any(f'"{o}"' in text for o in origins if o not in {row["agency"] for row in report["deadlines"]})


def test_another_province_sees_none_of_these_reports(traffic):
    other = build_report(traffic.histories(), area="01", week=WEEK, now=NOW, clock=CLOCK)
    assert other["volumes"]["total"]["this_week"] == 0 and other["most_reporters"] == []
    country = build_report(traffic.histories(), area="VN", week=WEEK, now=NOW, clock=CLOCK)
    assert country["volumes"]["total"]["this_week"] == sum(1 for r in traffic.truth.reports if _in(WEEK, r["at"]))
    assert [row["key"] for row in country["volumes"]["by_place"]] == ["79"]
