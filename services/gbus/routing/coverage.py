"""What `gbus route check` proves about a directory and its rules beyond loading them.

Loading already refuses a superior that does not exist, superiors that form a cycle,
and a rule naming an unknown agency. This module adds the checks that need the two
together: every role cites its legal source, and every category has a competent body
at every level — the field's ministry at the centre, and a handler the rules reach
for a report in each province and each commune. Pure: it routes synthetic reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from gbus.directory import Directory
from gbus.directory.roles import RoleTemplate
from gbus.domain.report import Report
from gbus.domain.vocabulary import CATEGORIES, CENTRAL_AREA, LEVELS
from gbus.errors import UnroutableError
from gbus.routing.engine import Router

CENTRAL_MAP = "ministry"  # the rules map naming each category's central body
_PROBE_ORIGIN = "gov.vpcp@VN"  # the national portal; any agency in the directory would do
_PROBE_TIME = datetime(2025, 7, 1, tzinfo=timezone.utc)
_EXAMPLES = 3  # areas named per uncovered category and level; the rest are counted


def roles_without_source(template: RoleTemplate) -> list[str]:
    return [f"{level}: {spec.unit} has no legal source" for level in LEVELS for spec in template.levels[level]
            if spec.source is None]  # fmt: skip


def uncovered_categories(router: Router) -> list[str]:
    """One line per (category, level) with no competent body, naming a few areas."""
    problems = []
    directory = router.directory
    ministries = router.rules.maps.get(CENTRAL_MAP, {})
    for category in CATEGORIES:
        unit = ministries.get(category)
        if unit is None:
            problems.append(f"{category} at central level: no entry in the rules' '{CENTRAL_MAP}' map")
        elif f"{unit}@{CENTRAL_AREA}" not in directory:
            problems.append(f"{category} at central level: {unit}@{CENTRAL_AREA} is not in the directory")
        for level in ("province", "commune"):
            failures = list(_unroutable(router, category, level))
            if failures:
                shown = "; ".join(f"{area}: {why}" for area, why in failures[:_EXAMPLES])
                more = f" (and {len(failures) - _EXAMPLES} more areas)" if len(failures) > _EXAMPLES else ""
                problems.append(f"{category} at {level} level: no handler in {shown}{more}")
    return problems


def _unroutable(router: Router, category: str, level: str) -> Iterator[tuple[str, str]]:
    for province, ward in _areas(router.directory, level):
        probe = Report(
            report_id="coverage-probe", kind="phan_anh", category=category, channel="cong_dvc",
            province_code=province, ward_code=ward, title="probe", description="probe",
            submitted_at=_PROBE_TIME, origin_agency=_PROBE_ORIGIN, request_id="coverage-probe",
        )  # fmt: skip
        try:
            router.route(probe)
        except UnroutableError as exc:
            yield (f"{province}.{ward}" if ward else province), exc.violations[0].description


def _areas(directory: Directory, level: str) -> Iterator[tuple[str, str | None]]:
    for province in directory.provinces():
        if level == "province":
            yield province.code, None
        else:
            for ward in directory.wards_of(province.code):
                yield province.code, ward.code
