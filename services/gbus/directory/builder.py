"""Builds the agency list: role template x divisions, then the operator's extra agencies.

Pure given its inputs. The whole default directory (~27,000 agencies) is
built eagerly in well under the 1 s budget, so there is no lazy layer to get
wrong: every lookup afterwards is a dict access.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from gbus.directory.aliases import Alias, resolve_aliases
from gbus.directory.divisions import Divisions
from gbus.directory.extra import ExtraAgency
from gbus.directory.model import Agency
from gbus.directory.roles import RoleTemplate
from gbus.directory.yaml_io import DataFileError
from gbus.domain.vocabulary import CENTRAL_AREA, area_level, split_agency_id

_COMMITTEE = {"thành phố trung ương": "Thành ủy"}  # every other province: "Tỉnh ủy"
_WARD_TYPE_PREFIX = ("Phường ", "Xã ", "Đặc khu ")
_Role = tuple[str, str, str, "str | None"]  # sector, role, name template, superior template


def build_agencies(
    divisions: Divisions, template: RoleTemplate, extras: Iterable[ExtraAgency] = ()
) -> dict[str, Agency]:
    """Every agency by id, superiors checked to exist and to end at a top."""
    agencies: dict[str, Agency] = {}

    @functools.cache
    def roles_here(level: str, province: str | None, division_type: str | None) -> tuple[_Role, ...]:
        # The same for all 3,321 communes but a few dozen (province, type) pairs: worked
        # out once per pair, not once per agency (the build budget is < 1 s).
        return _roles_here(template, level, province, division_type)

    _add_level(agencies, roles_here("central", None, None), "central", CENTRAL_AREA,
               {"name": "Việt Nam", "short": "Việt Nam"}, None)  # fmt: skip
    for province in divisions.provinces.values():
        names = {
            "name": province.name,
            "short": template.short_names.get(province.code, province.short_name),
            "committee": _COMMITTEE.get(province.division_type, "Tỉnh ủy"),
        }
        _add_level(
            agencies, roles_here("province", province.code, None), "province", province.code, names, province.code
        )
    for province_code, wards in divisions.wards_by_province.items():
        for ward in wards:
            names = {"name": ward.name, "short": _short_ward_name(ward.name), "committee": "Đảng ủy"}
            roles = roles_here("commune", province_code, ward.division_type)
            _add_level(agencies, roles, "commune", ward.area, names, province_code)
    _apply_extras(agencies, divisions, template, extras)
    _check_superiors(agencies)
    return agencies


def _add_level(
    agencies: dict[str, Agency],
    roles: tuple[_Role, ...],
    level: str,
    area: str,
    names: dict[str, str],
    province: str | None,
) -> None:
    placeholders = {"province": province or CENTRAL_AREA, "area": area}
    for sector, role, name_template, superior_template in roles:
        agency_id = f"{sector}.{role}@{area}"
        superior = superior_template.format_map(placeholders) if superior_template else None
        agencies[agency_id] = Agency(agency_id, name_template.format_map(names), sector, role, level, area, superior)


def _roles_here(
    template: RoleTemplate, level: str, province: str | None, division_type: str | None
) -> tuple[_Role, ...]:
    """The roles an area of this province and type has, each with the name for the type."""
    return tuple(
        (spec.sector, spec.role, spec.name_for(division_type), spec.superior_template)
        for spec in template.levels[level]
        if spec.exists_in(province)
    )


def build_aliases(
    divisions: Divisions, template: RoleTemplate, agencies: dict[str, Agency], extra: Iterable[Alias] = ()
) -> dict[str, Alias]:
    """old id -> Alias: the template's renames at every area of their levels, then the
    operator's own (effective-dated changes use the same table)."""
    areas = {
        "central": (CENTRAL_AREA,),
        "province": tuple(divisions.provinces),
        "commune": tuple(w.area for wards in divisions.wards_by_province.values() for w in wards),
    }
    expanded = [spec.at(area) for spec in template.aliases for level in spec.levels for area in areas[level]]
    # A template rename of a body some province never had (only_in) is simply not there.
    renamed_again = {a.old_id for a in expanded}
    present = [a for a in expanded if a.new_id in agencies or a.new_id in renamed_again]
    return resolve_aliases([*present, *extra], agencies)


def _short_ward_name(name: str) -> str:
    for prefix in _WARD_TYPE_PREFIX:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _area_exists(divisions: Divisions, area: str) -> bool:
    if area == CENTRAL_AREA:
        return True
    province, _, ward = area.partition(".")
    if not ward:
        return province in divisions.provinces
    found = divisions.wards.get(ward)
    return found is not None and found.province_code == province


def _apply_extras(
    agencies: dict[str, Agency], divisions: Divisions, template: RoleTemplate, extras: Iterable[ExtraAgency]
) -> None:
    problems = []
    for extra in extras:
        sector, role, area = split_agency_id(extra.id)
        if not _area_exists(divisions, area):
            problems.append(f"{extra.id}: area {area} is not in the division data")
            continue
        existing = agencies.get(extra.id)
        if existing is None and extra.name is None:
            problems.append(f"{extra.id}: a new agency needs a name")
            continue
        level = area_level(area)
        superior = existing.superior_id if existing else _default_superior(template, level, f"{sector}.{role}", area)
        if extra.superior_given:
            superior = extra.superior_id  # type: ignore[assignment]
        # A new agency without a name was refused above, so one of the two names is there.
        name = extra.name or (existing.name if existing is not None else "")
        agencies[extra.id] = Agency(extra.id, name, sector, role, level, area, superior)
    if problems:
        raise DataFileError("extra agencies:\n" + "\n".join(problems))


def _default_superior(template: RoleTemplate, level: str, unit: str, area: str) -> str | None:
    """A known role keeps its template superior; a new role gets its sector's default."""
    spec = template.spec(level, unit)
    default = spec.superior_template if spec else template.default_superior[level].get(unit.split(".", 1)[0])
    if default is None:
        return None
    return default.format_map({"province": area.split(".", 1)[0], "area": area})


def _check_superiors(agencies: dict[str, Agency]) -> None:
    """Every superior exists and every chain ends: a cycle would loop escalation forever."""
    problems = []
    for agency in agencies.values():
        if agency.superior_id is not None and agency.superior_id not in agencies:
            problems.append(f"{agency.id}: superior {agency.superior_id} is not in the directory")
    if problems:
        raise DataFileError("directory:\n" + "\n".join(sorted(problems)))
    settled: set[str] = set()
    for start in agencies:
        path: list[str] = []
        current: str | None = start
        while current is not None and current not in settled:
            if current in path:
                cycle = " -> ".join(path[path.index(current) :] + [current])
                raise DataFileError(f"directory: superiors form a cycle: {cycle}")
            path.append(current)
            current = agencies[current].superior_id
        settled.update(path)
