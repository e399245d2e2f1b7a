"""Extra agencies from an operator's file: new bodies and renamed ones, without code changes.

    agencies:
      - id: gov.so-ct@79                     # a new department
        name: Sở Công Thương Thành phố Hồ Chí Minh
        superior: gov.ubnd@79                # optional, see default_superior in roles.yaml
      - id: gov.ubnd@79.26734                # an existing body: rename it
        name: Ủy ban nhân dân Phường Bến Thành (mới)
    aliases:                                 # a body whose id changed: the old id keeps working
      - {old: gov.bql-kcn@79, new: gov.so-ct@79, effective: 2026-01-01}

Ids are normalised ("GOV.SO-CT@79", "gov.ubnd@79.2673" are accepted) and the
file is checked as a whole, so an operator sees every mistake in one run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gbus.directory import normalise
from gbus.directory.aliases import Alias
from gbus.directory.sources import parse_effective_date
from gbus.directory.yaml_io import DataFileError, load_yaml

_KEYS = {"id", "name", "superior"}
_ALIAS_KEYS = {"old", "new", "effective"}
_UNSET = object()


@dataclass(frozen=True, slots=True)
class ExtraAgency:
    id: str
    name: str | None  # None: keep the template's name (only valid for an existing id)
    superior_id: str | None | object  # _UNSET when the entry does not say; None = top

    @property
    def superior_given(self) -> bool:
        return self.superior_id is not _UNSET


def load_extra_agencies(path: str | Path) -> tuple[ExtraAgency, ...]:
    return extra_agencies_from_data(load_yaml(path), source=str(path))


def extra_agencies_from_data(data: Any, *, source: str = "<extra agencies>") -> tuple[ExtraAgency, ...]:
    if data is None:
        return ()
    if not isinstance(data, Mapping) or not isinstance(data.get("agencies", []), list):
        raise DataFileError(f"{source}: expected a mapping with a list under 'agencies'")
    problems: list[str] = []
    entries: list[ExtraAgency] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("agencies") or [], start=1):
        where = f"{source}: agencies[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(f"{where}: expected a mapping with id, name, superior")
            continue
        unknown = set(raw) - _KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(_KEYS)})")
        try:
            agency_id = normalise.agency_id(str(raw.get("id", "")))
        except ValueError as exc:
            problems.append(f"{where}: id: {exc}")
            continue
        if agency_id in seen:
            problems.append(f"{where}: {agency_id} is listed twice")
        seen.add(agency_id)
        name = raw.get("name")
        if name is not None and (not isinstance(name, str) or not normalise.clean_name(name)):
            problems.append(f"{where}: name must be non-empty text")
            name = None
        superior: Any = _UNSET
        if "superior" in raw:
            superior = raw["superior"]
            if superior is not None:
                try:
                    superior = normalise.agency_id(str(superior))
                except ValueError as exc:
                    problems.append(f"{where}: superior: {exc}")
                    superior = _UNSET
        entries.append(ExtraAgency(agency_id, normalise.clean_name(name) if name else None, superior))
    if problems:
        raise DataFileError("\n".join(problems))
    return tuple(entries)


def load_extra_aliases(path: str | Path) -> tuple[Alias, ...]:
    return extra_aliases_from_data(load_yaml(path), source=str(path))


def extra_aliases_from_data(data: Any, *, source: str = "<extra agencies>") -> tuple[Alias, ...]:
    """The file's `aliases`: an operator's effective-dated id changes, checked with the
    template's own renames (gbus.directory.aliases) when the directory is built."""
    if not isinstance(data, Mapping) or not data.get("aliases"):
        return ()
    if not isinstance(data["aliases"], list):
        raise DataFileError(f"{source}: 'aliases' must be a list of {{old, new, effective}}")
    problems: list[str] = []
    aliases: list[Alias] = []
    for index, raw in enumerate(data["aliases"], start=1):
        where = f"{source}: aliases[{index}]"
        if not isinstance(raw, Mapping) or set(raw) != _ALIAS_KEYS:
            problems.append(f"{where}: expected exactly the keys {sorted(_ALIAS_KEYS)}")
            continue
        try:
            old, new = normalise.agency_id(str(raw["old"])), normalise.agency_id(str(raw["new"]))
            aliases.append(Alias(old, new, parse_effective_date(raw["effective"], where), None))
        except (ValueError, DataFileError) as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise DataFileError("\n".join(problems))
    return tuple(aliases)
