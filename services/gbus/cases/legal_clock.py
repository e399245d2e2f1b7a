"""The statutory clock of a case: which stage it is in, when that stage is due,
how many working days are left, and what an extension does. Pure.

The numbers, their units and the article behind each are data
(data/legal_time_limits.yaml); working days come from the holiday calendar
(gbus.cases.holidays) and remote communes from the operator's file
(gbus.cases.remote_areas). Counting follows the Civil Code 2015: the day of the
event is not counted, a limit ends at 24:00 Vietnam time of its last day, and a
calendar-day limit whose last day is a day off runs to the next working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from gbus import errors
from gbus.cases.holidays import WorkingCalendar
from gbus.cases.remote_areas import RemoteAreas
from gbus.directory.yaml_io import DataFileError, load_yaml
from gbus.domain.case import CaseState, StageClock
from gbus.domain.status import CaseStatus
from gbus.resources import packaged_path

DEFAULT_LIMITS_PATH = packaged_path("gbus.cases", "data", "legal_time_limits.yaml")
UNITS = ("calendar", "working")
VARIANTS = ("normal", "complex", "remote", "remote_complex")
COMPLEXITIES = ("normal", "complex", "especially_complex")

# Which stage each status is in. TRANSFERRED never rests (the same command
# assigns the new handler), REOPENED waits for a new acceptance.
_STAGE_OF_STATUS = {
    CaseStatus.ASSIGNED: "acceptance",
    CaseStatus.REOPENED: "acceptance",
    CaseStatus.ACCEPTED: "resolution",
    CaseStatus.IN_PROGRESS: "resolution",
}


@dataclass(frozen=True, slots=True)
class StageLimit:
    days: int
    unit: str  # calendar | working
    article: str
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Extension:
    days: int
    unit: str
    max_times: Mapping[str, int]  # complexity -> how many extensions
    article: str


@dataclass(frozen=True, slots=True)
class KindLimits:
    law: str
    acceptance: StageLimit | None
    resolution: Mapping[int, Mapping[str, StageLimit]]  # attempt -> variant -> limit
    extension: Extension | None
    complexities: tuple[str, ...]

    def resolution_limit(self, attempt: int, *, complexity: str, remote: bool) -> StageLimit | None:
        if not self.resolution:
            return None
        table = self.resolution[min(max(attempt, 1), max(self.resolution))]
        variant = ("remote_" if remote else "") + ("normal" if complexity == "normal" else "complex")
        return table["remote" if variant == "remote_normal" else variant]


@dataclass(frozen=True, slots=True)
class LegalTimeLimits:
    kinds: Mapping[str, KindLimits]
    utc_offset: timedelta
    superior_watches_on_breach: bool = True

    def of(self, kind: str) -> KindLimits | None:
        return self.kinds.get(kind)


@dataclass(frozen=True, slots=True)
class ClockStanding:
    """What a case shows about its clock at a moment."""

    stage: str | None
    due_at: datetime | None
    working_days_left: int | None  # negative: working days overdue
    overdue: bool
    article: str | None = None


BREACH = "sla_breach"


def breach_code_of(stage: str, number: int) -> str:
    """The escalation code of one stage's breach: kept in case.escalations, so it happens once."""
    return f"{BREACH}:{stage}#{number}"


def stage_of(case: CaseState) -> str | None:
    return _STAGE_OF_STATUS.get(case.status)


def deciding_attempt(case: CaseState) -> int:
    """1 for a first complaint, 2 for a second-time one (the case's formal kind decides)."""
    return max((r.attempt for r in case.reports if r.kind == case.kind), default=1)


class LegalClock:
    def __init__(self, limits: LegalTimeLimits, calendar: WorkingCalendar, remote: RemoteAreas) -> None:
        self.limits = limits
        self.calendar = calendar
        self.remote = remote

    # -- which limit applies --------------------------------------------------

    def limit_of(self, case: CaseState) -> StageLimit | None:
        clock, rules = case.clock, self.limits.of(case.kind)
        if clock is None or rules is None:
            return None
        if clock.stage == "acceptance":
            return rules.acceptance
        return rules.resolution_limit(deciding_attempt(case), complexity=clock.complexity, remote=clock.remote)

    # -- when it is due -------------------------------------------------------

    def local_date(self, at: datetime) -> date:
        return (at.astimezone(timezone.utc) + self.limits.utc_offset).date()

    def end_of(self, day: date) -> datetime:
        """24:00 Vietnam time of `day`, as an aware UTC datetime."""
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc)
        return midnight - self.limits.utc_offset

    def last_day(self, start: date, days: int, unit: str) -> date:
        if unit == "working":
            return self.calendar.add_working_days(start, days)
        return self.calendar.next_working_day_from(start + timedelta(days=days))

    def due_at(self, case: CaseState) -> datetime | None:
        limit = self.limit_of(case)
        if limit is None or case.clock is None:
            return None
        day = self.last_day(self.local_date(case.clock.started_at), limit.days, limit.unit)
        rules = self.limits.of(case.kind)
        if case.clock.stage == "resolution" and case.clock.extensions and rules and rules.extension:
            ext = rules.extension
            for _ in range(case.clock.extensions):
                day = self.last_day(day, ext.days, ext.unit)
        return self.end_of(day)

    def standing(self, case: CaseState, now: datetime) -> ClockStanding:
        stage = stage_of(case)
        due = case.due_at if stage else None
        if due is None:
            return ClockStanding(stage, None, None, False)
        # `due` is 24:00 of the last day, i.e. the first instant of the next one.
        last_day = self.local_date(due - timedelta(microseconds=1))
        left = self.calendar.working_days_between(self.local_date(now), last_day)
        limit = self.limit_of(case)
        return ClockStanding(stage, due, left, now > due, limit.article if limit else None)

    # -- stages -----------------------------------------------------------------

    def on_change(self, before: CaseState | None, after: CaseState, at: datetime) -> CaseState:
        """Start a new stage's clock when the case entered one, and (re)compute due_at.

        A new stage starts when the case opens, changes stage (accepted, reopened),
        changes handler in the acceptance stage (a transfer: the new handler's
        receipt starts acceptance again) or changes kind (a complaint joined
        feedback: the complaint's own limits start at its receipt).
        """
        stage = stage_of(after)
        if stage is None:
            # The last stage's clock stays (its number keeps counting stages); nothing is due.
            return replace(after, due_at=None)
        previous = before.clock if before is not None else None
        if before is not None and previous is None and stage_of(before) == stage and before.handler == after.handler:
            return self._adopt(before, after, stage)
        restarts = (
            before is None
            or previous is None
            or stage_of(before) != stage
            or before.handler != after.handler
            or before.kind != after.kind
        )
        if restarts:
            number = (previous.number if previous else _stages_before(after)) + 1
            keep = previous.complexity if previous else "normal"
            clock = StageClock(stage, at, number, keep, 0, self.remote.is_remote(after.province_code, after.ward_code))
            after = replace(after, clock=clock)
        return replace(after, due_at=self.due_at(after))

    def _adopt(self, before: CaseState, after: CaseState, stage: str) -> CaseState:
        """A case written before the clock existed, still in the same stage: keep the due date it
        was given, and date the stage from what the snapshot knows (opening, or its last change
        for the resolution stage), so that later extensions have a start to count from."""
        started = before.opened_at if stage == "acceptance" else before.updated_at
        number = _stages_before(after) + 1
        clock = StageClock(
            stage, started, number, "normal", 0, self.remote.is_remote(after.province_code, after.ward_code)
        )
        escalations = after.escalations
        if f"{BREACH}:{stage}" in escalations:  # escalated under the old, unnumbered code: this very stage
            escalations = (*escalations, breach_code_of(stage, number))
        return replace(after, clock=clock, due_at=before.due_at, escalations=escalations)

    def extended(self, case: CaseState, complexity: str) -> CaseState:
        """The case after the handler declared it `complexity` or extended its limit.

        Law on Complaints: declaring a case complex moves it to the complex
        variant (no extensions). Law on Denunciations: each call extends the
        resolution once more, up to the number the complexity allows.
        """
        rules = self.limits.of(case.kind)
        if rules is None:
            raise errors.IllegalTransitionError(f"a {case.kind} has no statutory time limit to extend")
        if complexity not in rules.complexities:
            allowed = ", ".join(rules.complexities)
            raise errors.ValidationError.single(
                "complexity", f"a {case.kind} may be declared {allowed}, not {complexity!r}"
            )
        clock = case.clock
        if clock is None or stage_of(case) is None:
            raise errors.IllegalTransitionError(f"case {case.case_id} is {case.status.value}; no time limit runs")
        if rules.extension is None:
            if clock.complexity == complexity:
                raise errors.IllegalTransitionError(f"case {case.case_id} is already {complexity}")
            new_clock = replace(clock, complexity=complexity)
        else:
            if clock.stage != "resolution":
                raise errors.IllegalTransitionError(
                    "a denunciation's time limit is extended after acceptance, not before"
                )
            allowed_times = max(
                rules.extension.max_times.get(complexity, 0), rules.extension.max_times.get(clock.complexity, 0)
            )
            if clock.extensions >= allowed_times:
                raise errors.IllegalTransitionError(
                    f"case {case.case_id} was extended {clock.extensions} time(s); a {complexity} "
                    f"{case.kind} may be extended {allowed_times} time(s) ({rules.extension.article})"
                )
            stronger = (
                complexity
                if COMPLEXITIES.index(complexity) > COMPLEXITIES.index(clock.complexity)
                else clock.complexity
            )
            new_clock = replace(clock, complexity=stronger, extensions=clock.extensions + 1)
        after = replace(case, clock=new_clock)
        return replace(after, due_at=self.due_at(after))


def _stages_before(case: CaseState) -> int:
    # A case restored from a snapshot written before the clock existed: count
    # its past escalations so the next stage's number is still new.
    return sum(1 for code in case.escalations if code.startswith(BREACH))


# --- loading -------------------------------------------------------------------


def load_legal_time_limits(path: str | Path | None = None) -> LegalTimeLimits:
    source = Path(path) if path else DEFAULT_LIMITS_PATH
    return legal_time_limits_from_data(load_yaml(source), source=str(source))


def legal_time_limits_from_data(data: Any, *, source: str = "<legal time limits>") -> LegalTimeLimits:
    try:
        kinds = {kind: _kind(data[kind], kind) for kind in ("khieu_nai", "to_cao") if data.get(kind)}
        breach = data.get("on_breach") or {}
        return LegalTimeLimits(
            kinds=kinds,
            utc_offset=timedelta(hours=int(data.get("time_zone_offset_hours", 7))),
            superior_watches_on_breach=bool(breach.get("superior_watches", True)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(f"{source}: {exc.__class__.__name__}: {exc}") from exc


def _kind(raw: Mapping[str, Any], kind: str) -> KindLimits:
    resolution: dict[int, dict[str, StageLimit]] = {}
    for key, table in (raw.get("resolution") or {}).items():
        attempt = int(str(key).removeprefix("attempt_"))
        days = table["days"]
        missing = set(VARIANTS) - set(days)
        if missing:
            raise ValueError(f"{kind}.resolution.{key} lacks {sorted(missing)}")
        resolution[attempt] = {
            v: StageLimit(
                _positive(days[v], f"{kind}.resolution.{key}.{v}"),
                _unit(table),
                _article(table, kind),
                bool(table.get("verified", False)),
            )
            for v in VARIANTS
        }
    acc = raw.get("acceptance")
    acceptance = (
        StageLimit(
            _positive(acc["days"], f"{kind}.acceptance"),
            _unit(acc),
            _article(acc, kind),
            bool(acc.get("verified", False)),
        )
        if acc
        else None
    )
    ext = raw.get("extension")
    extension = (
        Extension(
            _positive(ext["days"], f"{kind}.extension"),
            _unit(ext),
            {k: int(v) for k, v in ext["max_times"].items()},
            _article(ext, kind),
        )
        if ext
        else None
    )
    complexities = tuple(raw.get("complexities") or ())
    unknown = set(complexities) - set(COMPLEXITIES)
    if unknown:
        raise ValueError(f"{kind}.complexities: unknown {sorted(unknown)}")
    return KindLimits(str(raw.get("law", kind)), acceptance, resolution, extension, complexities)


def _unit(raw: Mapping[str, Any]) -> str:
    unit = raw.get("unit", "calendar")
    if not isinstance(unit, str) or unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    return unit


def _article(raw: Mapping[str, Any], kind: str) -> str:
    article = str(raw.get("article") or "").strip()
    if not article:
        raise ValueError(f"{kind}: every limit must cite its article")
    return article


def _positive(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: a number of days must be a positive integer, not {value!r}")
    return value


def load_legal_clock(
    limits: str | Path | None = None, holidays: str | Path | None = None, remote_communes: str | Path | None = None
) -> LegalClock:
    """The clock from its three data files (each defaults to the packaged one)."""
    from gbus.cases.holidays import load_calendar
    from gbus.cases.remote_areas import load_remote_areas

    return LegalClock(load_legal_time_limits(limits), load_calendar(holidays), load_remote_areas(remote_communes))


def legal_clock_from_settings(conf: Any) -> LegalClock:
    """The clock from the `[legal_clock]` settings (gbus.config.LegalClockSettings)."""
    return load_legal_clock(conf.time_limits or None, conf.holidays or None, conf.remote_communes or None)
