"""ISO weeks in Vietnam time. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        """`2026-W49` -> Week(2026, 49); ValueError naming the expected form otherwise."""
        match = _WEEK_RE.match(text.strip())
        if not match:
            raise ValueError(f"week must look like 2026-W49, not {text!r}")
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{year} has no ISO week {number}") from None
        return cls(year, number)

    @classmethod
    def containing(cls, moment: datetime) -> "Week":
        iso = moment.astimezone(VIETNAM).isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def start(self) -> datetime:
        """Monday 00:00 Vietnam time."""
        return datetime.combine(self.monday, time(0), tzinfo=VIETNAM)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 Vietnam time (exclusive)."""
        return self.start + timedelta(days=7)

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def shifted(self, weeks: int) -> "Week":
        return Week.containing(self.start + timedelta(weeks=weeks, hours=12))
