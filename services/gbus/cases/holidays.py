"""Vietnam's working-day calendar, from data (data/public_holidays.yaml). Pure.

A working day is Monday..Friday that is not a listed day off, or a Saturday the
government made a working day to swap for a weekday off. Years are data: asking
about a year the file does not list raises MissingHolidayYearError, because a
silently wrong deadline is worse than a loud start-up failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from gbus.directory.yaml_io import DataFileError, load_yaml
from gbus.resources import packaged_path

DEFAULT_HOLIDAYS_PATH = packaged_path("gbus.cases", "data", "public_holidays.yaml")
YEAR_STATUSES = ("announced", "provisional")


class MissingHolidayYearError(LookupError):
    """The calendar has no data for a year a time limit needs."""

    def __init__(self, year: int, known: Iterable[int]) -> None:
        listed = ", ".join(str(y) for y in sorted(known)) or "none"
        super().__init__(
            f"no public-holiday data for {year} (the calendar lists {listed}); "
            "add the year to the holidays file (docs/legal-clock.md)"
        )
        self.year = year


@dataclass(frozen=True, slots=True)
class HolidayYear:
    year: int
    status: str  # announced | provisional
    days_off: frozenset[date]
    make_up_working_days: frozenset[date]


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    years: Mapping[int, HolidayYear]

    def _year(self, year: int) -> HolidayYear:
        found = self.years.get(year)
        if found is None:
            raise MissingHolidayYearError(year, self.years)
        return found

    def is_working_day(self, day: date) -> bool:
        year = self._year(day.year)
        if day in year.make_up_working_days:
            return True
        return day.weekday() < 5 and day not in year.days_off

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def next_working_day_from(self, day: date) -> date:
        """`day` if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (counting (end, start]) when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    def require_years(self, *years: int) -> None:
        """Start-up check: fail now, not on the first case that needs the year."""
        for year in years:
            self._year(year)


def load_calendar(path: str | Path | None = None) -> WorkingCalendar:
    source = Path(path) if path else DEFAULT_HOLIDAYS_PATH
    return calendar_from_data(load_yaml(source), source=str(source))


def calendar_from_data(data: Any, *, source: str = "<holidays>") -> WorkingCalendar:
    try:
        years: dict[int, HolidayYear] = {}
        for raw_year, entry in (data["years"] or {}).items():
            year = int(raw_year)
            status = entry.get("status")
            if status not in YEAR_STATUSES:
                raise ValueError(f"year {year}: status must be one of {YEAR_STATUSES}, not {status!r}")
            days_off = _dates(entry.get("days_off") or (), year, "days_off")
            make_up = _dates(entry.get("make_up_working_days") or (), year, "make_up_working_days")
            if days_off & make_up:
                raise ValueError(f"year {year}: {sorted(days_off & make_up)[0]} is both a day off and a working day")
            years[year] = HolidayYear(year, status, frozenset(days_off), frozenset(make_up))
        return WorkingCalendar(years)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(f"{source}: {exc.__class__.__name__}: {exc}") from exc


def _dates(entries: Iterable[Any], year: int, what: str) -> set[date]:
    found: set[date] = set()
    for entry in entries:
        value = entry["date"] if isinstance(entry, Mapping) else entry
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        if day.year != year:
            raise ValueError(f"year {year}: {what} lists {day}, which belongs to {day.year}")
        found.add(day)
    return found
