"""A generated stretch of grievance traffic for the situation report's tests.

Cases are built with the domain functions the processor uses (open, link,
commands, the legal clock), and every fact the generator decides is also
written to a plain ground-truth log, so a test can count each figure of the
report on its own, without the report's code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from gbus.cases import commands as c
from gbus.cases.deadlines import hotspot_escalation
from gbus.cases.intake_decisions import link_report, open_case
from gbus.cases.legal_clock import load_legal_clock
from gbus.domain.case import CaseState
from gbus.situation.figures import CaseHistory
from gbus.situation.weeks import Week
from support.factories import case_report, directory, router

WARDS = ("26743", "26740", "26737")  # Bến Thành, Sài Gòn, Tân Định (TP Hồ Chí Minh)
CHANNELS = ("cong_dvc", "hotline_1022", "zalo", "mttq")
KINDS = ("phan_anh", "kien_nghi", "khieu_nai")
# (category, title): the last one grows in the report's week (a rising topic).
TOPICS = (
    ("moi_truong", "Rác thải tập kết trái phép"),
    ("trat_tu_do_thi", "Lấn chiếm vỉa hè buôn bán"),
    ("dien_nuoc", "Mất nước sinh hoạt kéo dài"),
    ("ha_tang_giao_thong", "Đường ngập nước sau mưa"),
)
HOTSPOT_TITLE = "Ô nhiễm tiếng ồn công trình ban đêm"
CLOCK = load_legal_clock()


@dataclass
class Truth:
    """What the generator did, in plain records."""

    reports: list[dict] = field(default_factory=list)  # report_id, kind, category, channel, ward, at, title
    accepted: list[dict] = field(default_factory=list)  # case_id, handler, received, at
    resolved: list[dict] = field(default_factory=list)  # case_id, handler, accepted, at
    ratings: list[dict] = field(default_factory=list)  # case_id, handler, rating, at
    hotspot: dict = field(default_factory=dict)  # case_id, reporters, at


class Traffic:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.router = router()
        self.commands = c.CommandHandler(self.router, directory(), clock=CLOCK)
        self.cases: dict[str, CaseState] = {}
        self.events: dict[str, list] = {}
        self.truth = Truth()
        self._n = 0

    def _keep(self, before: CaseState | None, after: CaseState, events, at: datetime) -> CaseState:
        after = CLOCK.on_change(before, after, at)  # as the processor does for every change
        self.cases[after.case_id] = after
        self.events.setdefault(after.case_id, []).extend(events)
        return after

    def report(self, at: datetime, *, kind: str, category: str, title: str, ward: str, channel: str, reporter: str):
        self._n += 1
        report = case_report(kind=kind, category=category, channel=channel, title=title,
                             description=f"{title}. Đề nghị cơ quan chức năng xử lý.", place=("79", ward),
                             submitted_at=at.isoformat(), request_id=f"gen-{self._n}", reporter_key=reporter,
                             subject_agency=f"gov.ubnd@79.{ward}" if kind == "khieu_nai" else None)  # fmt: skip
        self.truth.reports.append({"report_id": report.report_id, "kind": kind, "category": category,
                                   "channel": channel, "ward": ward, "at": at, "title": title})  # fmt: skip
        return report

    def command(self, case: CaseState, body, at: datetime, actor: str | None = None) -> CaseState:
        self._n += 1
        cmd = c.CaseCommand(f"cmd-{self._n}", f"r-{self._n}", case.case_id, actor or case.handler, at, 0, body)
        outcome = self.commands.handle(cmd, self.cases.get, at)
        for change in outcome.changes:
            self._keep(change.before, change.after, change.events, at)
        return self.cases[case.case_id]

    def week_of_traffic(self, week: Week, per_day: int, rising_extra: int = 0) -> None:
        for day in range(7):
            for i in range(per_day + (rising_extra if day < 5 else 0)):
                at = week.start + timedelta(days=day, hours=8 + i % 9, minutes=7 * i)
                rising = i >= per_day
                category, title = TOPICS[-1] if rising else self.rng.choice(TOPICS)
                report = self.report(at, kind=self.rng.choice(KINDS), category=category, title=title,
                                     ward=self.rng.choice(WARDS), channel=self.rng.choice(CHANNELS),
                                     reporter=f"k{self._n}")  # fmt: skip
                case, events = open_case(self.router, report, now=at)
                case = self._keep(None, case, events, at)
                self._work(case, at)

    def _work(self, case: CaseState, at: datetime) -> None:
        """Most cases are accepted within hours and many resolved within days; some are rated."""
        if self.rng.random() < 0.2:
            return  # left waiting: some of these run past their acceptance limit
        received = at
        accepted_at = at + timedelta(hours=self.rng.randint(2, 60))
        case = self.command(case, c.UpdateStatus("ACCEPTED"), accepted_at)
        self.truth.accepted.append(
            {"case_id": case.case_id, "handler": case.handler, "received": received, "at": accepted_at}
        )
        if self.rng.random() < 0.4:
            return
        resolved_at = accepted_at + timedelta(days=self.rng.randint(1, 12), hours=self.rng.randint(0, 20))
        case = self.command(case, c.UpdateStatus("RESOLVED"), resolved_at)
        self.truth.resolved.append(
            {"case_id": case.case_id, "handler": case.handler, "accepted": accepted_at, "at": resolved_at}
        )
        if self.rng.random() < 0.5:
            rated_at = resolved_at + timedelta(hours=self.rng.randint(1, 48))
            rating = self.rng.randint(1, 5)
            origin = case.reports[0].origin_agency
            self.command(case, c.RateResolution("", rating, "Ý kiến của công dân"), rated_at, actor=origin)
            self.truth.ratings.append(
                {"case_id": case.case_id, "handler": case.handler, "rating": rating, "at": rated_at}
            )

    def hotspot(self, at: datetime, reporters: int = 6) -> None:
        """One grievance raised by many people during the week."""
        first = self.report(at, kind="phan_anh", category="moi_truong", title=HOTSPOT_TITLE, ward=WARDS[0],
                            channel="hotline_1022", reporter="hot-0")  # fmt: skip
        case, events = open_case(self.router, first, now=at)
        case = self._keep(None, case, events, at)
        for n in range(1, reporters):
            t = at + timedelta(hours=3 * n)
            report = self.report(t, kind="phan_anh", category="moi_truong", title=HOTSPOT_TITLE, ward=WARDS[0],
                                 channel=CHANNELS[n % len(CHANNELS)], reporter=f"hot-{n}")  # fmt: skip
            before = case
            case, linked = link_report(self.router, case, report, now=t, score=0.9, matched_report_id=first.report_id)
            case, hot = hotspot_escalation(case, directory(), t)
            case = self._keep(before, case, (*linked, *hot), t)
            if hot:
                self.truth.hotspot = {"case_id": case.case_id, "reporters": n + 1, "at": t}

    def histories(self) -> list[CaseHistory]:
        return [CaseHistory(s, tuple(self.events[s.case_id])) for s in self.cases.values()]


def generated(week: Week, *, weeks_before: int = 8, per_day: int = 3, seed: int = 7) -> Traffic:
    """`weeks_before` weeks of ordinary traffic, then the report's week with a rising topic and a hotspot."""
    traffic = Traffic(seed)
    for back in range(weeks_before, 0, -1):
        traffic.week_of_traffic(week.shifted(-back), per_day)
    traffic.week_of_traffic(week, per_day, rising_extra=2)
    traffic.hotspot(week.start + timedelta(days=1, hours=9))
    return traffic


def without(case: CaseState, **changes) -> CaseState:
    return replace(case, **changes)
