"""Every figure of the weekly situation report, from case states and their histories. Pure.

Counts are of reports (one submission each, counted once even when its case
was merged into another), by the week they were submitted in, in Vietnam
time. Nothing here reads a reporter's identity: distinct reporters are counted
by the keyed hash the bus already keeps (`reporter_key`), and only the count
leaves this module.

The deadlines section reads the cases as they are now (the report is built
from current snapshots), counted at `as_of`: the end of the week, or now if
the week is still running.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gbus.cases.deadlines import distinct_reporters
from gbus.cases.legal_clock import LegalClock, stage_of
from gbus.dedup.lexicon import STOPWORDS
from gbus.dedup.normalise import fold
from gbus.domain import events as ev
from gbus.domain.case import CaseReport, CaseState
from gbus.domain.status import CaseStatus, is_open
from gbus.situation.labels import SECTOR_LABELS, category_label, channel_label, kind_label
from gbus.situation.weeks import Week

AVERAGE_WEEKS = 8  # "8-week average": the eight weeks before the report's week
TOPIC_BASELINE_WEEKS = 4  # rising topics: share this week against the previous four
MIN_TOPIC_REPORTS = 3  # a term must appear in this many reports this week to count as rising
NEARLY_DUE_WORKING_DAYS = 3
TOP = 10
POOR_RATING = 2
NO_PLACE = "(không rõ phường, xã)"
_SENTENCE_RE = re.compile(r"[.!?;:\n]+")
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class CaseHistory:
    state: CaseState
    events: tuple[ev.CaseEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Names:
    """How codes read in the report: places and agencies by their Vietnamese names."""

    place: Callable[[str], str | None] = lambda area: None
    agency: Callable[[str], str | None] = lambda agency_id: None


def in_area(province_code: str | None, area: str) -> bool:
    return area == "VN" or province_code == area


def build_report(
    cases: Iterable[CaseHistory], *, area: str, week: Week, now: datetime, clock: LegalClock | None = None,
    names: Names = Names(),
) -> dict[str, Any]:  # fmt: skip
    histories = [c for c in cases if in_area(c.state.province_code, area)]
    reports = _unique_reports(histories, area)
    as_of = min(now, week.end)
    place_of = _place_key(area)
    return {
        "area": area,
        "area_name": names.place(area) or ("Cả nước" if area == "VN" else area),
        "week": week.label,
        "period": {"from": week.start.isoformat(), "to": week.end.isoformat()},
        "as_of": as_of.isoformat(),
        "volumes": {
            "total": _volume_rows(reports, week, lambda r: "total", lambda k: "Tổng số")[0],
            "by_kind": _volume_rows(reports, week, lambda r: r.kind, kind_label),
            "by_category": _volume_rows(reports, week, lambda r: r.category, category_label),
            "by_channel": _volume_rows(reports, week, lambda r: r.channel, channel_label),
            "by_place": _volume_rows(reports, week, place_of, lambda k: _place_label(k, area, names)),
            "weekly_totals": [
                {"week": w.label, "reports": sum(1 for r in reports if w.contains(r.submitted_at))}
                for w in (week.shifted(-n) for n in range(AVERAGE_WEEKS, -1, -1))
            ],
        },
        "most_reporters": _most_reporters(histories, area, names),
        "new_hotspots": _new_hotspots(histories, week, area, names),
        "rising_topics": _rising_topics(reports, week),
        "deadlines": _deadlines(histories, as_of, clock, names),
        "timeliness": _timeliness(histories, week, names),
        "satisfaction": _satisfaction(histories, week, names),
    }


# -- volumes -------------------------------------------------------------------


def _unique_reports(histories: Sequence[CaseHistory], area: str) -> list[CaseReport]:
    seen: dict[str, CaseReport] = {}
    for h in histories:
        for r in h.state.reports:
            if in_area(r.province_code or h.state.province_code, area):
                seen.setdefault(r.report_id, r)
    return list(seen.values())


def _place_key(area: str) -> Callable[[CaseReport], str]:
    if area == "VN":
        return lambda r: r.province_code or "00"
    return lambda r: r.ward_code or ""


def _place_label(key: str, area: str, names: Names) -> str:
    if not key:
        return NO_PLACE
    code = key if area == "VN" else f"{area}.{key}"
    return names.place(code) or code


def _volume_rows(
    reports: Sequence[CaseReport], week: Week, key_of: Callable[[CaseReport], str], label_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    per_week: list[Counter[str]] = []
    for back in range(AVERAGE_WEEKS + 1):  # 0 = this week, 1 = the previous one, ... 8
        w = week.shifted(-back)
        per_week.append(Counter(key_of(r) for r in reports if w.contains(r.submitted_at)))
    keys = set().union(*per_week)
    rows: list[dict[str, Any]] = []
    for key in keys:
        this, previous = per_week[0][key], per_week[1][key]
        average = sum(per_week[n][key] for n in range(1, AVERAGE_WEEKS + 1)) / AVERAGE_WEEKS
        rows.append({
            "key": key, "label": label_of(key), "this_week": this, "previous_week": previous,
            "change": this - previous,
            "change_pct": round(100 * (this - previous) / previous, 1) if previous else None,
            "avg_8_weeks": round(average, 2),
        })  # fmt: skip
    rows.sort(key=lambda row: (-row["this_week"], -row["avg_8_weeks"], row["label"]))
    return rows or [{"key": "total", "label": label_of("total"), "this_week": 0, "previous_week": 0, "change": 0,
                     "change_pct": None, "avg_8_weeks": 0.0}]  # fmt: skip


# -- grievances that many raise -----------------------------------------------------


def _case_row(state: CaseState, area: str, names: Names) -> dict[str, Any]:
    place = (state.province_code or "00") if area == "VN" else (state.ward_code or "")
    return {
        "case_id": state.case_id,
        "title": state.title,
        "category": category_label(state.category),
        "place": _place_label(place, area, names),
        "reporters": distinct_reporters(state),
        "status": state.status.value,
        "handler": state.handler,
    }


def _most_reporters(histories: Sequence[CaseHistory], area: str, names: Names) -> list[dict[str, Any]]:
    open_cases = [h.state for h in histories if is_open(h.state.status) and h.state.status is not CaseStatus.MERGED]
    ranked = sorted(
        (s for s in open_cases if distinct_reporters(s) >= 2), key=lambda s: (-distinct_reporters(s), s.case_id)
    )
    return [_case_row(s, area, names) for s in ranked[:TOP]]


def _new_hotspots(histories: Sequence[CaseHistory], week: Week, area: str, names: Names) -> list[dict[str, Any]]:
    rows = []
    for h in histories:
        became = next(
            (e.at for e in h.events if isinstance(e.body, ev.CaseEscalated) and e.body.code == "hotspot"), None
        )
        if week.contains(became):
            rows.append({**_case_row(h.state, area, names), "since": became.isoformat()})  # type: ignore[union-attr]
    return sorted(rows, key=lambda row: (-row["reporters"], row["case_id"]))


# -- rising topics ---------------------------------------------------------------


def report_terms(report: CaseReport) -> dict[str, str]:
    """The report's topic terms: adjacent content words within a sentence, folded as the
    dedup folds them (no tone marks, `đ` -> `d`, stopwords out), each with the spelling
    the citizen typed so the reader sees "ngập nước", not "ngap nuoc"."""
    terms: dict[str, str] = {}
    for sentence in _SENTENCE_RE.split(f"{report.title}\n{report.description}"):
        words = [(fold(w), w.lower()) for w in _WORD_RE.findall(sentence)]
        words = [(f, w) for f, w in words if f not in STOPWORDS and len(f) > 1]
        for (fa, wa), (fb, wb) in zip(words, words[1:]):
            terms.setdefault(f"{fa} {fb}", f"{wa} {wb}")
    return terms


def _rising_topics(reports: Sequence[CaseReport], week: Week) -> list[dict[str, Any]]:
    now_reports = [r for r in reports if week.contains(r.submitted_at)]
    before = [
        r for r in reports if any(week.shifted(-n).contains(r.submitted_at) for n in range(1, TOPIC_BASELINE_WEEKS + 1))
    ]
    if not now_reports:
        return []
    spelling: dict[str, str] = {}
    now_counts: Counter[str] = Counter()
    for r in now_reports:
        terms = report_terms(r)
        spelling.update(terms)
        now_counts.update(terms.keys())
    before_counts: Counter[str] = Counter()
    for r in before:
        before_counts.update(report_terms(r).keys())
    rows: list[dict[str, Any]] = []
    for term, count in now_counts.items():
        if count < MIN_TOPIC_REPORTS:
            continue
        share = count / len(now_reports)
        base = before_counts[term] / len(before) if before else 0.0
        if share > base:
            rows.append({"term": spelling[term], "reports": count, "share_pct": round(100 * share, 1),
                         "previous_share_pct": round(100 * base, 1), "growth_pts": round(100 * (share - base), 1)})  # fmt: skip
    rows.sort(key=lambda row: (-row["growth_pts"], -row["reports"], row["term"]))
    return rows[:TOP]


# -- deadlines, timeliness, satisfaction ------------------------------------------


def _agency_label(agency_id: str, names: Names) -> str:
    return names.agency(agency_id) or agency_id


def _deadlines(
    histories: Sequence[CaseHistory], as_of: datetime, clock: LegalClock | None, names: Names
) -> list[dict[str, Any]]:
    overdue: Counter[str] = Counter()
    nearly: Counter[str] = Counter()
    for h in histories:
        s = h.state
        if stage_of(s) is None or s.due_at is None:
            continue
        if as_of > s.due_at:
            overdue[s.handler] += 1
        elif clock is not None:
            last_day = clock.local_date(s.due_at - timedelta(microseconds=1))
            if clock.calendar.working_days_between(clock.local_date(as_of), last_day) <= NEARLY_DUE_WORKING_DAYS:
                nearly[s.handler] += 1
    agencies = sorted(set(overdue) | set(nearly), key=lambda a: (-overdue[a], -nearly[a], a))
    return [
        {"agency": a, "name": _agency_label(a, names), "overdue": overdue[a], "nearly_due": nearly[a]} for a in agencies
    ]


def first_status_at(events: Sequence[ev.CaseEvent], status: str) -> datetime | None:
    return next((e.at for e in events if isinstance(e.body, ev.StatusChanged) and e.body.to_status == status), None)


def received_by_handler_at(state: CaseState, events: Sequence[ev.CaseEvent]) -> datetime:
    """When the handler that accepted got the case: the last transfer before acceptance, else the opening."""
    accepted = first_status_at(events, CaseStatus.ACCEPTED.value)
    transfers = [
        e.at for e in events if isinstance(e.body, ev.CaseTransferred) and (accepted is None or e.at <= accepted)
    ]
    return max(transfers, default=state.opened_at)


def nearest_rank(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _durations(histories: Sequence[CaseHistory], week: Week) -> list[tuple[str, str, float | None, float | None]]:
    """(handler, sector, hours to accept if accepted this week, days to resolve if resolved this week)."""
    out = []
    for h in histories:
        accepted = first_status_at(h.events, CaseStatus.ACCEPTED.value)
        resolved = first_status_at(h.events, CaseStatus.RESOLVED.value)
        to_accept = (
            (accepted - received_by_handler_at(h.state, h.events)).total_seconds() / 3600
            if accepted is not None and week.contains(accepted)
            else None
        )
        to_resolve = (
            (resolved - accepted).total_seconds() / 86400
            if accepted is not None and resolved is not None and week.contains(resolved)
            else None
        )
        if to_accept is not None or to_resolve is not None:
            out.append((h.state.handler, h.state.handler.split(".", 1)[0], to_accept, to_resolve))
    return out


def _timeliness(histories: Sequence[CaseHistory], week: Week, names: Names) -> dict[str, list[dict[str, Any]]]:
    rows = _durations(histories, week)

    def table(
        group_of: Callable[[tuple[str, str, float | None, float | None]], str], label_of: Callable[[str], str]
    ) -> list[dict[str, Any]]:
        groups: dict[str, tuple[list[float], list[float]]] = {}
        for row in rows:
            accept, resolve = groups.setdefault(group_of(row), ([], []))
            if row[2] is not None:
                accept.append(row[2])
            if row[3] is not None:
                resolve.append(row[3])
        out = []
        for key, (accept, resolve) in sorted(groups.items()):
            out.append({
                "key": key, "label": label_of(key), "accepted": len(accept), "resolved": len(resolve),
                "accept_median_h": round(statistics.median(accept), 1) if accept else None,
                "accept_p90_h": round(nearest_rank(accept, 90), 1) if accept else None,
                "resolve_median_d": round(statistics.median(resolve), 1) if resolve else None,
                "resolve_p90_d": round(nearest_rank(resolve, 90), 1) if resolve else None,
            })  # fmt: skip
        return out

    return {
        "by_agency": table(lambda row: row[0], lambda a: _agency_label(a, names)),
        "by_sector": table(lambda row: row[1], lambda s: SECTOR_LABELS.get(s, s)),
    }


def _satisfaction(histories: Sequence[CaseHistory], week: Week, names: Names) -> list[dict[str, Any]]:
    by_agency: dict[str, list[int]] = {}
    for h in histories:
        for rating in h.state.ratings:
            if week.contains(rating.rated_at):
                by_agency.setdefault(rating.handler, []).append(rating.rating)
    rows = [
        {
            "agency": a,
            "name": _agency_label(a, names),
            "ratings": len(v),
            "average": round(sum(v) / len(v), 2),
            "poor": sum(1 for x in v if x <= POOR_RATING),
        }  # fmt: skip
        for a, v in by_agency.items()
    ]
    return sorted(rows, key=lambda row: (row["average"], row["agency"]))


def headline(report: Mapping[str, Any]) -> dict[str, Any]:
    """The few numbers a leader reads first."""
    total = report["volumes"]["total"]
    return {
        "reports": total["this_week"],
        "change": total["change"],
        "avg_8_weeks": total["avg_8_weeks"],
        "overdue": sum(row["overdue"] for row in report["deadlines"]),
        "new_hotspots": len(report["new_hotspots"]),
        "ratings": sum(row["ratings"] for row in report["satisfaction"]),
    }
