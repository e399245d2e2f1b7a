"""The legal time limits as policy data (data/time_limits.yaml), for the case pipeline.

Only the numbers and a pure reader live here; timers and escalation belong to
the pipeline. Kinds without a statutory limit (phan_anh, kien_nghi, gop_y)
return None rather than an invented number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gbus.directory.yaml_io import DataFileError, load_yaml

DEFAULT_TIME_LIMITS_PATH = Path(__file__).parent / "data" / "time_limits.yaml"


@dataclass(frozen=True, slots=True)
class Limit:
    days: int
    working_days: bool = False  # False: calendar days


@dataclass(frozen=True, slots=True)
class TimeLimits:
    complaint_acceptance: Limit
    complaint_resolution: Mapping[int, Mapping[str, int]]  # attempt -> variant -> days
    denunciation_acceptance_notice: Limit
    denunciation_resolution: Limit
    denunciation_extension_days: int
    denunciation_max_extensions: Mapping[str, int]  # complexity -> times
    superior_watches_on_breach: bool
    alert_on_breach: bool

    def acceptance(self, kind: str) -> Limit | None:
        """Time to accept (khieu_nai) or to tell the denouncer of acceptance (to_cao)."""
        if kind == "khieu_nai":
            return self.complaint_acceptance
        if kind == "to_cao":
            return self.denunciation_acceptance_notice
        return None

    def resolution(self, kind: str, attempt: int = 1, *, complex: bool = False, remote: bool = False) -> Limit | None:
        """Days from acceptance to resolution, before any extension."""
        if kind == "khieu_nai":
            table = self.complaint_resolution[min(max(attempt, 1), max(self.complaint_resolution))]
            variant = ("remote_" if remote else "") + ("complex" if complex else "normal")
            return Limit(table["remote" if variant == "remote_normal" else variant])
        if kind == "to_cao":
            return self.denunciation_resolution
        return None

    def max_extensions(self, kind: str, complexity: str = "normal") -> int:
        """How many times a resolution limit may be extended (to_cao only)."""
        if kind != "to_cao":
            return 0
        return self.denunciation_max_extensions.get(complexity, 0)


def load_time_limits(path: str | Path | None = None) -> TimeLimits:
    source = Path(path) if path else DEFAULT_TIME_LIMITS_PATH
    return time_limits_from_data(load_yaml(source), source=str(source))


def time_limits_from_data(data: Any, *, source: str = "<time limits>") -> TimeLimits:
    try:
        complaint = data["khieu_nai"]
        denunciation = data["to_cao"]
        breach = data.get("on_breach") or {}
        resolution = {
            int(str(key).removeprefix("attempt_")): {variant: _days(days) for variant, days in table.items()}
            for key, table in complaint["resolution"].items()
        }
        for attempt, table in resolution.items():
            missing = {"normal", "complex", "remote", "remote_complex"} - set(table)
            if missing:
                raise ValueError(f"khieu_nai.resolution.attempt_{attempt} lacks {sorted(missing)}")
        return TimeLimits(
            complaint_acceptance=_limit(complaint["acceptance"]),
            complaint_resolution=resolution,
            denunciation_acceptance_notice=_limit(denunciation["acceptance_notice"]),
            denunciation_resolution=_limit(denunciation["resolution"]),
            denunciation_extension_days=_days(denunciation["extension"]["days"]),
            denunciation_max_extensions={k: int(v) for k, v in denunciation["extension"]["max_times"].items()},
            superior_watches_on_breach=bool(breach.get("superior_watches", True)),
            alert_on_breach=bool(breach.get("alert", True)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(f"{source}: {exc.__class__.__name__}: {exc}") from exc


def _limit(raw: Mapping[str, Any]) -> Limit:
    unit = raw.get("unit", "days")
    if unit not in ("days", "working_days"):
        raise ValueError(f"unit must be 'days' or 'working_days', not {unit!r}")
    return Limit(_days(raw["days"]), working_days=unit == "working_days")


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"a number of days must be a positive integer, not {value!r}")
    return value
