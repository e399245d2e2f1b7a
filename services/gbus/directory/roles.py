"""The role template: which bodies each level has, their names, superiors, lines, legal
sources and 2025 renames (data/roles.yaml; docs/directory.md explains each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gbus.directory.aliases import Alias
from gbus.directory.normalise import clean_name
from gbus.directory.sources import (
    LegalDocument,
    LegalSource,
    documents_from_data,
    parse_effective_date,
    source_from_data,
)
from gbus.directory.yaml_io import DataFileError, load_yaml
from gbus.domain.vocabulary import LEVELS, SECTORS, is_agency_id
from gbus.resources import packaged_path

DEFAULT_ROLES_PATH = packaged_path("gbus.directory", "data", "roles.yaml")

# Values used only to check that templates format; any real area works.
_NAME_SAMPLE = {"name": "Tỉnh Mẫu", "short": "Mẫu", "committee": "Tỉnh ủy"}
_SUPERIOR_SAMPLE = {"province": "79", "area": "79.26734"}
_ROLE_KEYS = {"name", "name_by_type", "superior", "line", "source", "only_in", "except_in"}
_TOP_KEYS = {"documents", "lines", "aliases", "default_superior", "short_names"}
_ALIAS_KEYS = {"old", "new", "levels", "effective", "source"}


@dataclass(frozen=True, slots=True)
class RoleSpec:
    sector: str
    role: str
    name_template: str
    superior_template: str | None
    line: str | None = None  # a key of the template's `lines`
    source: LegalSource | None = None  # None: `gbus route check` reports the role
    only_in: frozenset[str] | None = None  # province codes; None = every province
    except_in: frozenset[str] = frozenset()
    name_by_type: Mapping[str, str] = field(default_factory=dict)  # commune type -> name template

    @property
    def unit(self) -> str:
        return f"{self.sector}.{self.role}"

    def exists_in(self, province: str | None) -> bool:
        """Whether an area of this province has the body (always, at the central level)."""
        if province is None:
            return True
        return province not in self.except_in and (self.only_in is None or province in self.only_in)

    def name_for(self, division_type: str | None) -> str:
        return self.name_by_type.get(division_type or "", self.name_template)


@dataclass(frozen=True, slots=True)
class AliasSpec:
    """A rename in the template, for every area of `levels`: `party.bdv` -> `party.btgdv`."""

    old_unit: str
    new_unit: str
    levels: tuple[str, ...]
    effective: dt.date
    source: LegalSource | None

    def at(self, area: str) -> Alias:
        return Alias(f"{self.old_unit}@{area}", f"{self.new_unit}@{area}", self.effective, self.source)


@dataclass(frozen=True, slots=True)
class RoleTemplate:
    levels: Mapping[str, tuple[RoleSpec, ...]]  # level -> roles in file order
    default_superior: Mapping[str, Mapping[str, str | None]]  # level -> sector -> template
    short_names: Mapping[str, str]  # province code -> {short} override
    documents: Mapping[str, LegalDocument] = field(default_factory=dict)
    lines: Mapping[str, str] = field(default_factory=dict)  # line -> how its superiors run
    aliases: tuple[AliasSpec, ...] = ()

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
    unknown = set(data) - set(LEVELS) - _TOP_KEYS
    if unknown:
        raise DataFileError(f"{source}: unknown keys {sorted(unknown)}")
    documents = documents_from_data(data.get("documents"), f"{source}: documents")
    lines = data.get("lines") or {}
    if not isinstance(lines, Mapping) or not all(isinstance(v, str) for v in lines.values()):
        raise DataFileError(f"{source}: lines must map a line name to how its superiors run")
    levels = {level: _level(data.get(level) or {}, f"{source}: {level}", documents, lines) for level in LEVELS}
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
        documents=documents,
        lines=dict(lines),
        aliases=_aliases(data.get("aliases") or [], f"{source}: aliases", documents),
    )


def _aliases(raw: Any, where: str, documents: Mapping[str, LegalDocument]) -> tuple[AliasSpec, ...]:
    if not isinstance(raw, list):
        raise DataFileError(f"{where}: expected a list of {{old, new, levels, effective, source}}")
    specs = []
    for index, entry in enumerate(raw, start=1):
        at = f"{where}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) - _ALIAS_KEYS:
            raise DataFileError(f"{at}: expected keys {sorted(_ALIAS_KEYS)}")
        old, new = str(entry.get("old", "")), str(entry.get("new", ""))
        if not is_agency_id(f"{old}@VN") or not is_agency_id(f"{new}@VN"):
            raise DataFileError(f"{at}: old and new must be 'sector.role'")
        levels = entry.get("levels") or []
        if not levels or any(level not in LEVELS for level in levels):
            raise DataFileError(f"{at}: levels must be a list of {LEVELS}")
        specs.append(AliasSpec(
            old, new, tuple(levels), parse_effective_date(entry.get("effective"), at),
            source_from_data(entry.get("source"), documents, at),
        ))  # fmt: skip
    return tuple(specs)


def _provinces(raw: Any, where: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(c, (str, int)) for c in raw):
        raise DataFileError(f"{where}: expected a list of province codes")
    return frozenset(str(c).zfill(2) for c in raw)


def _level(
    entries: Any, where: str, documents: Mapping[str, LegalDocument], lines: Mapping[str, str]
) -> tuple[RoleSpec, ...]:
    if not isinstance(entries, Mapping):
        raise DataFileError(f"{where}: expected a mapping of '{{sector}}.{{role}}' to name/superior")
    specs = []
    for unit, body in entries.items():
        sector, dot, role = str(unit).partition(".")
        if not dot or sector not in SECTORS or not is_agency_id(f"{unit}@VN"):
            raise DataFileError(f"{where}: {unit!r} is not '{{sector}}.{{role}}' with a sector of {SECTORS}")
        at = f"{where}.{unit}"
        if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
            raise DataFileError(f"{at}: needs a 'name' string")
        if set(body) - _ROLE_KEYS:
            raise DataFileError(f"{at}: unknown keys {sorted(set(body) - _ROLE_KEYS)}")
        by_type = body.get("name_by_type") or {}
        if not isinstance(by_type, Mapping):
            raise DataFileError(f"{at}: name_by_type must map a commune type to a name")
        for name in (body["name"], *by_type.values()):
            _check_name(name, at)
        line = body.get("line")
        if line is not None and line not in lines:
            raise DataFileError(f"{at}: line {line!r} is not under 'lines'")
        superior = body.get("superior")
        specs.append(RoleSpec(
            sector, role, body["name"], _superior(superior, at) if superior else None,
            line=line,
            source=source_from_data(body.get("source"), documents, at),
            only_in=_provinces(body["only_in"], f"{at}.only_in") if "only_in" in body else None,
            except_in=_provinces(body["except_in"], f"{at}.except_in") if "except_in" in body else frozenset(),
            name_by_type={str(k): str(v) for k, v in by_type.items()},
        ))  # fmt: skip
    return tuple(specs)


def _check_name(name: Any, where: str) -> None:
    if not isinstance(name, str):
        raise DataFileError(f"{where}: a name must be text")
    try:
        name.format_map(_NAME_SAMPLE)
    except (KeyError, ValueError, IndexError) as exc:
        raise DataFileError(f"{where}: bad placeholder in name {name!r}: {exc}") from exc


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
