"""The role template: which bodies each level has, their names and superiors (data/roles.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gbus.directory.normalise import clean_name
from gbus.directory.yaml_io import DataFileError, load_yaml
from gbus.domain.vocabulary import LEVELS, SECTORS, is_agency_id

DEFAULT_ROLES_PATH = Path(__file__).parent / "data" / "roles.yaml"

# Values used only to check that templates format; any real area works.
_NAME_SAMPLE = {"name": "Tỉnh Mẫu", "short": "Mẫu", "committee": "Tỉnh ủy"}
_SUPERIOR_SAMPLE = {"province": "79", "area": "79.26734"}


@dataclass(frozen=True, slots=True)
class RoleSpec:
    sector: str
    role: str
    name_template: str
    superior_template: str | None

    @property
    def unit(self) -> str:
        return f"{self.sector}.{self.role}"


@dataclass(frozen=True, slots=True)
class RoleTemplate:
    levels: Mapping[str, tuple[RoleSpec, ...]]  # level -> roles in file order
    default_superior: Mapping[str, Mapping[str, str | None]]  # level -> sector -> template
    short_names: Mapping[str, str]  # province code -> {short} override

    def spec(self, level: str, unit: str) -> RoleSpec | None:
        for spec in self.levels.get(level, ()):
            if spec.unit == unit:
                return spec
        return None


def load_role_template(path: str | Path | None = None) -> RoleTemplate:
    source = Path(path) if path else DEFAULT_ROLES_PATH
    return role_template_from_data(load_yaml(source), source=str(source))


def role_template_from_data(data: Any, *, source: str = "<roles>") -> RoleTemplate:
    if not isinstance(data, Mapping):
        raise DataFileError(f"{source}: expected a mapping with keys {', '.join(LEVELS)}")
    unknown = set(data) - set(LEVELS) - {"default_superior", "short_names"}
    if unknown:
        raise DataFileError(f"{source}: unknown keys {sorted(unknown)}")
    levels = {level: _level(data.get(level) or {}, f"{source}: {level}") for level in LEVELS}
    defaults: dict[str, dict[str, str | None]] = {}
    raw_defaults = data.get("default_superior") or {}
    for level in LEVELS:
        entry = raw_defaults.get(level) or {}
        defaults[level] = {}
        for sector in SECTORS:
            template = entry.get(sector)
            where = f"{source}: default_superior.{level}.{sector}"
            defaults[level][sector] = _superior(template, where) if template else None
    short_names = data.get("short_names") or {}
    if not isinstance(short_names, Mapping) or not all(isinstance(v, str) for v in short_names.values()):
        raise DataFileError(f"{source}: short_names must map province codes to names")
    return RoleTemplate(
        levels=levels,
        default_superior=defaults,
        short_names={str(code).zfill(2): clean_name(name) for code, name in short_names.items()},
    )


def _level(entries: Any, where: str) -> tuple[RoleSpec, ...]:
    if not isinstance(entries, Mapping):
        raise DataFileError(f"{where}: expected a mapping of '{{sector}}.{{role}}' to name/superior")
    specs = []
    for unit, body in entries.items():
        sector, dot, role = str(unit).partition(".")
        if not dot or sector not in SECTORS or not is_agency_id(f"{unit}@VN"):
            raise DataFileError(f"{where}: {unit!r} is not '{{sector}}.{{role}}' with a sector of {SECTORS}")
        if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
            raise DataFileError(f"{where}.{unit}: needs a 'name' string")
        name = body["name"]
        try:
            name.format_map(_NAME_SAMPLE)
        except (KeyError, ValueError, IndexError) as exc:
            raise DataFileError(f"{where}.{unit}: bad placeholder in name {name!r}: {exc}") from exc
        superior = body.get("superior")
        specs.append(RoleSpec(sector, role, name, _superior(superior, f"{where}.{unit}") if superior else None))
    return tuple(specs)


def _superior(template: Any, where: str) -> str:
    if not isinstance(template, str):
        raise DataFileError(f"{where}: superior must be an agency id or null")
    try:
        sample = template.format_map(_SUPERIOR_SAMPLE)
    except (KeyError, ValueError, IndexError) as exc:
        raise DataFileError(f"{where}: bad placeholder in superior {template!r}: {exc}") from exc
    if not is_agency_id(sample):
        raise DataFileError(f"{where}: superior {template!r} is not an agency id template")
    return template
