"""Effective-dated administrative changes: a ward merged into another, a new agency, a
renamed or dissolved one, each from a day. Pure, apart from reading the file.

    changes:
      - id: hcm-2026-merge-ben-thanh          # unique; named by every Rerouted event it causes
        effective: 2026-07-01                 # Vietnam time: from 00:00 +07:00 that day
        type: ward_merged
        from: 79.26743                        # its agencies stop existing ...
        into: 79.26734                        # ... and answer as the same body here
        source: "Nghị quyết 1234/NQ-UBTVQH15" # optional, free text
      - {id: bql-kcn, effective: 2026-09-01, type: agency_added,
         agency: {id: gov.bql-kcn@79, name: "Ban Quản lý ...", superior: gov.ubnd@79}}
      - {id: so-x-renamed, effective: 2026-09-01, type: agency_renamed,
         old: gov.bqlkcn@79, new: gov.bql-kcn2@79, name: "Ban ... (mới)"}   # name: optional
      - {id: so-y-gone, effective: 2026-10-01, type: agency_dissolved,
         agency: gov.so-y@79, successor: gov.so-x@79}

A change is built on the directory's own mechanisms rather than a parallel one: an
added or renamed body is an extra agency (gbus.directory.extra), and every id that
stops existing becomes an alias to the body that answers for it from then on
(gbus.directory.aliases), so stored cases, watchers and member systems holding the
old id keep working. `directory_with` builds the directory as it stands once a set
of changes is in force; `gbus.cases.rerouting` decides which open cases move.

The file is checked as a whole and every mistake names the file and the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gbus.directory import normalise
from gbus.directory.aliases import Alias
from gbus.directory.builder import build_agencies, build_aliases
from gbus.directory.directory import Directory
from gbus.directory.divisions import Divisions, load_divisions
from gbus.directory.extra import ExtraAgency, extra_agencies_from_data, load_extra_agencies, load_extra_aliases
from gbus.directory.model import Agency
from gbus.directory.roles import RoleTemplate, load_role_template
from gbus.directory.yaml_io import DataFileError
from gbus.domain.vocabulary import area_level, split_agency_id

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving time

WARD_MERGED = "ward_merged"
AGENCY_ADDED = "agency_added"
AGENCY_RENAMED = "agency_renamed"
AGENCY_DISSOLVED = "agency_dissolved"
_TYPE_KEYS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    # type -> (required keys, optional keys) besides id, effective, type, source
    WARD_MERGED: (frozenset({"from", "into"}), frozenset()),
    AGENCY_ADDED: (frozenset({"agency"}), frozenset()),
    AGENCY_RENAMED: (frozenset({"old", "new"}), frozenset({"name"})),
    AGENCY_DISSOLVED: (frozenset({"agency", "successor"}), frozenset()),
}
_COMMON_KEYS = frozenset({"id", "effective", "type", "source"})


@dataclass(frozen=True, slots=True)
class Change:
    """One administrative change. Which fields are set depends on `type`:

    ward_merged: from_area, into_area ("79.26743"); agency_added: agency (id, name,
    superior); agency_renamed: old_id, new_id, name; agency_dissolved: old_id, new_id
    (the successor)."""

    id: str
    type: str
    effective: dt.date
    line: int  # where it is written, for messages
    source: str = ""
    from_area: str | None = None
    into_area: str | None = None
    old_id: str | None = None
    new_id: str | None = None
    name: str | None = None
    agency: ExtraAgency | None = None

    @property
    def effective_at(self) -> dt.datetime:
        """The first instant the change is in force: 00:00 Vietnam time of its day."""
        return dt.datetime.combine(self.effective, dt.time(0), tzinfo=VIETNAM)

    def in_force(self, at: dt.datetime) -> bool:
        return at >= self.effective_at

    def describe(self) -> str:
        """One line for an operator and for the Rerouted event's reason."""
        if self.type == WARD_MERGED:
            what = f"ward {self.from_area} merged into {self.into_area}"
        elif self.type == AGENCY_ADDED:
            assert self.agency is not None
            what = f"agency {self.agency.id} added"
        elif self.type == AGENCY_RENAMED:
            what = f"agency {self.old_id} renamed {self.new_id}"
        else:
            what = f"agency {self.old_id} dissolved, successor {self.new_id}"
        return f"{what} from {self.effective.isoformat()}" + (f" ({self.source})" if self.source else "")


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The changes of one file, in effective-date order (then file order)."""

    changes: tuple[Change, ...]
    source: str = "<changes>"

    def in_force(self, at: dt.datetime) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.in_force(at))

    def by_id(self, change_id: str) -> Change | None:
        return next((c for c in self.changes if c.id == change_id), None)

    def __len__(self) -> int:
        return len(self.changes)


# -- reading ---------------------------------------------------------------------


def load_changes(path: str | Path) -> ChangeSet:
    """Read and check a changes file. Raises DataFileError naming the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from exc
    return changes_from_text(text, source=str(path))


def changes_from_text(text: str, *, source: str = "<changes>") -> ChangeSet:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise DataFileError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    if root is None:
        return ChangeSet((), source)
    items = _changes_node(root, source)
    problems: list[str] = []
    changes: list[Change] = []
    seen: dict[str, int] = {}
    for node in items:
        line = node.start_mark.line + 1
        try:
            change = _change(node, line)
        except _Problem as exc:
            problems.append(f"{source}:{exc.line or line}: {exc}")
            continue
        if change.id in seen:
            problems.append(f"{source}:{line}: change id {change.id!r} is used twice (first at line {seen[change.id]})")
            continue
        seen[change.id] = line
        changes.append(change)
    if problems:
        raise DataFileError("\n".join(problems))
    ordered = sorted(enumerate(changes), key=lambda pair: (pair[1].effective, pair[0]))
    return ChangeSet(tuple(c for _, c in ordered), source)


class _Problem(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _changes_node(root: yaml.Node, source: str) -> list[yaml.Node]:
    where = f"{source}:{root.start_mark.line + 1}"
    if not isinstance(root, yaml.MappingNode):
        raise DataFileError(f"{where}: expected a mapping with a list under 'changes'")
    for key, value in root.value:
        if key.value != "changes":
            raise DataFileError(f"{source}:{key.start_mark.line + 1}: unknown key {key.value!r} (only 'changes')")
    for key, value in root.value:
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
            return []
        if not isinstance(value, yaml.SequenceNode):
            raise DataFileError(f"{source}:{value.start_mark.line + 1}: 'changes' must be a list")
        return list(value.value)
    return []


def _plain(node: yaml.Node) -> Any:
    """The Python value of a node, as the safe loader would give it."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise _Problem(f"cannot read value: {exc}", node.start_mark.line + 1) from exc
    finally:
        loader.dispose()


def _change(node: yaml.Node, line: int) -> Change:
    if not isinstance(node, yaml.MappingNode):
        raise _Problem("a change must be a mapping with id, effective, type and the type's keys")
    lines = {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    raw = _plain(node)
    if not isinstance(raw, Mapping):
        raise _Problem("a change must be a mapping")
    change_id = raw.get("id")
    if not isinstance(change_id, str) or not change_id.strip():
        raise _Problem("a change needs an id (text), named by every case it re-routes")
    label = f"change {change_id}"
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in _TYPE_KEYS:
        raise _Problem(f"{label}: type must be one of {', '.join(_TYPE_KEYS)}, not {kind!r}", lines.get("type"))
    required, optional = _TYPE_KEYS[kind]
    missing = sorted((required | {"effective"}) - set(raw))
    if missing:
        raise _Problem(f"{label}: {kind} needs {', '.join(missing)}")
    unknown = sorted(set(raw) - required - optional - _COMMON_KEYS)
    if unknown:
        raise _Problem(f"{label}: unknown keys {unknown} for {kind}", lines.get(unknown[0]))
    effective = raw["effective"]
    if isinstance(effective, dt.datetime) or not isinstance(effective, dt.date):
        raise _Problem(f"{label}: effective must be a date like 2026-07-01, not {effective!r}", lines.get("effective"))
    source = raw.get("source") or ""
    if not isinstance(source, str):
        raise _Problem(f"{label}: source must be text", lines.get("source"))
    common: dict[str, Any] = {"id": change_id.strip(), "type": kind, "effective": effective, "line": line,
                              "source": source}  # fmt: skip

    def agency_id(key: str) -> str:
        try:
            return normalise.agency_id(str(raw[key]))
        except ValueError as exc:
            raise _Problem(f"{label}: {key}: {exc}", lines.get(key)) from None

    if kind == WARD_MERGED:
        areas = {}
        for key in ("from", "into"):
            try:
                areas[key] = normalise.area(str(raw[key]))
            except ValueError as exc:
                raise _Problem(f"{label}: {key}: {exc}", lines.get(key)) from None
            if "." not in areas[key]:
                raise _Problem(f"{label}: {key}: a ward is 'province.ward' like 79.26743, not {raw[key]!r}",
                               lines.get(key))  # fmt: skip
        if areas["from"] == areas["into"]:
            raise _Problem(f"{label}: a ward cannot merge into itself", lines.get("into"))
        if areas["from"][:2] != areas["into"][:2]:
            raise _Problem(f"{label}: ward {areas['from']} and ward {areas['into']} are in different provinces "
                           "(a case keeps its shard; merge within a province)", lines.get("into"))  # fmt: skip
        return Change(**common, from_area=areas["from"], into_area=areas["into"])
    if kind == AGENCY_ADDED:
        body = raw["agency"]
        # The extra-agencies file's own reader: one format and one set of checks for a new body.
        try:
            (extra,) = extra_agencies_from_data({"agencies": [body]}, source=label)
        except (DataFileError, ValueError) as exc:
            raise _Problem(str(exc).replace(f"{label}: agencies[1]", f"{label}: agency"), lines.get("agency")) from None
        if extra.name is None:
            raise _Problem(f"{label}: a new agency needs a name", lines.get("agency"))
        new_id = extra.id
        return Change(**common, new_id=new_id, name=extra.name, agency=extra)
    if kind == AGENCY_RENAMED:
        old, new = agency_id("old"), agency_id("new")
        if old == new:
            raise _Problem(f"{label}: old and new are the same id", lines.get("new"))
        name = raw.get("name")
        if name is not None and (not isinstance(name, str) or not normalise.clean_name(name)):
            raise _Problem(f"{label}: name must be non-empty text", lines.get("name"))
        return Change(**common, old_id=old, new_id=new, name=normalise.clean_name(name) if name else None)
    old, successor = agency_id("agency"), agency_id("successor")
    if old == successor:
        raise _Problem(f"{label}: an agency cannot succeed itself", lines.get("successor"))
    return Change(**common, old_id=old, new_id=successor)


# -- the directory with changes in force ------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectoryInputs:
    """What the base directory is built from (an operator's roles and extra-agencies files)."""

    roles: str | None = None
    extra_agencies: str | None = None

    def load(self) -> tuple[RoleTemplate, tuple[ExtraAgency, ...], tuple[Alias, ...]]:
        template = load_role_template(self.roles)
        extras = load_extra_agencies(self.extra_agencies) if self.extra_agencies else ()
        aliases = load_extra_aliases(self.extra_agencies) if self.extra_agencies else ()
        return template, extras, aliases


def directory_with(
    changes: Sequence[Change],
    *,
    inputs: DirectoryInputs = DirectoryInputs(),
    divisions: Divisions | None = None,
    source: str = "<changes>",
) -> Directory:
    """The directory once `changes` are in force. Raises DataFileError naming the change
    (and its line in `source`) that cannot apply: an unknown ward or agency, a successor
    that does not exist, a new id that already does."""
    divisions = divisions or load_divisions()
    template, extras, aliases = inputs.load()
    added = [c.agency for c in changes if c.type == AGENCY_ADDED and c.agency is not None]
    agencies = build_agencies(divisions, template, [*extras, *added])
    removed = _apply(changes, agencies, divisions, template, source)
    _resuperior(agencies, removed)
    renames = [Alias(old, new, effective, None) for old, (new, effective) in removed.items()]
    return Directory(agencies, divisions, build_aliases(divisions, template, agencies, [*aliases, *renames]), template)


def removed_ids(change: Change, directory: Directory) -> frozenset[str]:
    """The agency ids that stop existing when `change` takes effect, as `directory`
    (the one before the change) knows them."""
    if change.type == WARD_MERGED:
        assert change.from_area is not None
        return frozenset(a.id for a in directory.agencies(area=change.from_area))
    if change.type in (AGENCY_RENAMED, AGENCY_DISSOLVED):
        assert change.old_id is not None
        return frozenset({change.old_id})
    return frozenset()


def _apply(
    changes: Iterable[Change], agencies: dict[str, Agency], divisions: Divisions, template: RoleTemplate, source: str
) -> dict[str, tuple[str, dt.date]]:
    """Apply renames, dissolutions and ward merges to `agencies` in place; old id -> (new id, date)."""
    removed: dict[str, tuple[str, dt.date]] = {}
    problems: list[str] = []
    for change in changes:
        where = f"{source}:{change.line}: change {change.id}"
        if change.type == WARD_MERGED:
            assert change.from_area is not None and change.into_area is not None
            unknown = [a for a in (change.from_area, change.into_area) if not _ward_exists(divisions, a)]
            if unknown:
                problems.append(f"{where}: ward {unknown[0]} is not in the division data")
                continue
            for agency_id in [a for a, agency in agencies.items() if agency.area == change.from_area]:
                agency = agencies.pop(agency_id)
                target = _counterpart(agency, change.into_area, agencies, removed, template)
                removed[agency_id] = (target, change.effective)
        elif change.type in (AGENCY_RENAMED, AGENCY_DISSOLVED):
            assert change.old_id is not None and change.new_id is not None
            old = agencies.get(change.old_id)
            if old is None:
                problems.append(f"{where}: {change.old_id} is not an agency (already renamed or never there?)")
                continue
            if change.type == AGENCY_RENAMED and change.new_id not in agencies:
                sector, role, area = split_agency_id(change.new_id)
                if area != old.area:
                    problems.append(f"{where}: a rename keeps the area ({old.area}); "
                                    f"for a new body elsewhere use agency_added and agency_dissolved")  # fmt: skip
                    continue
                agencies[change.new_id] = Agency(change.new_id, change.name or old.name, sector, role,
                                                 area_level(area), area, old.superior_id)  # fmt: skip
            elif change.new_id not in agencies:
                problems.append(f"{where}: successor {change.new_id} is not an agency")
                continue
            del agencies[change.old_id]
            removed[change.old_id] = (change.new_id, change.effective)
    if problems:
        raise DataFileError("\n".join(problems))
    return removed


def _counterpart(
    agency: Agency,
    into: str,
    agencies: Mapping[str, Agency],
    removed: Mapping[str, tuple[str, dt.date]],
    template: RoleTemplate,
) -> str:
    """The body at the ward merged into that answers for `agency`: the same role (or whoever
    answers for it, if an earlier change removed it), else the sector's head there
    (`default_superior` of the commune level in roles.yaml)."""
    same = f"{agency.unit}@{into}"
    if same in agencies or same in removed:
        return same  # aliases chain: an earlier change's successor answers
    default = template.default_superior["commune"].get(agency.sector) or "gov.ubnd@{area}"
    return default.format_map({"area": into, "province": into[:2]})


def _resuperior(agencies: dict[str, Agency], removed: Mapping[str, tuple[str, dt.date]]) -> None:
    """A body whose superior stopped existing now answers to whoever answers for it."""

    def current(agency_id: str) -> str:
        seen = set()
        while agency_id in removed and agency_id not in seen:
            seen.add(agency_id)
            agency_id = removed[agency_id][0]
        return agency_id

    for agency_id, agency in list(agencies.items()):
        if agency.superior_id is not None and agency.superior_id in removed:
            superior = current(agency.superior_id)
            agencies[agency_id] = Agency(agency.id, agency.name, agency.sector, agency.role, agency.level,
                                         agency.area, None if superior == agency.id else superior)  # fmt: skip


def _ward_exists(divisions: Divisions, area: str) -> bool:
    province, _, ward = area.partition(".")
    found = divisions.wards.get(ward)
    return found is not None and found.province_code == province
