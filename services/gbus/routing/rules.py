"""Routing rules as data: parsing and validating the rules file (data/default_rules.yaml).

A rule file has `rules` (ordered, first match wins, each naming a handler and
its own watchers, or rejecting the report), `always` (watchers added to every
decision whose condition holds: the origin system, the Front and union
channels) and `maps` (category -> body, for targets like `{ministry}@VN`).
Mistakes are reported all at once with the rule id, at load time, never at
routing time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gbus.directory.yaml_io import DataFileError, load_yaml
from gbus.domain.vocabulary import CATEGORIES, CHANNELS, KINDS, LEVELS, SECTORS, is_agency_id
from gbus.resources import packaged_path
from gbus.routing.targets import (
    HANDLER_PLACEHOLDERS,
    PLACEHOLDER_FIELDS,
    Target,
    TargetSyntaxError,
    parse_target,
)

DEFAULT_RULES_PATH = packaged_path("gbus.routing", "data", "default_rules.yaml")

REPORT_FIELDS = (
    "kind", "category", "channel", "province_code", "ward_code", "origin_agency",
    "subject_agency", "attempt",
)  # fmt: skip
_RULE_KEYS = {"id", "when", "handler", "explanation", "watchers", "exclude", "reject"}
_ALWAYS_KEYS = {"id", "when", "target", "reason"}
_WHEN_KEYS = {
    "kind", "category", "channel", "attempt", "min_attempt", "area_level",
    "subject", "subject_sector", "subject_unit", "subject_level",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Condition:
    """All given constraints must hold; None = any. `area_level` is the report's own
    level: commune (has a ward), province (province only), central (no province)."""

    kinds: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    attempts: frozenset[int] | None = None
    min_attempt: int | None = None
    area_levels: frozenset[str] | None = None
    subject_present: bool | None = None
    subject_sectors: frozenset[str] | None = None
    subject_units: frozenset[str] | None = None  # "gov.ubnd"
    subject_levels: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class WatcherSpec:
    target: Target
    reason: str


@dataclass(frozen=True, slots=True)
class Reject:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    when: Condition
    handler: Target | None  # None when the rule rejects
    explanation: str
    watchers: tuple[WatcherSpec, ...] = ()
    reject: Reject | None = None
    exclude: tuple[WatcherSpec, ...] = ()  # agencies that must never watch this decision


@dataclass(frozen=True, slots=True)
class AlwaysWatcher:
    id: str
    when: Condition
    target: Target
    reason: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    always: tuple[AlwaysWatcher, ...]
    maps: Mapping[str, Mapping[str, str]]  # map name -> category -> "sector.role"
    source: str


def load_rules(path: str | Path | None = None) -> RuleSet:
    source = Path(path) if path else DEFAULT_RULES_PATH
    return rules_from_data(load_yaml(source), source=str(source))


def rules_from_data(data: Any, *, source: str = "<rules>") -> RuleSet:
    problems: list[str] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise DataFileError(f"{source}: expected a mapping with a list under 'rules'")
    unknown = set(data) - {"version", "maps", "rules", "always"}
    if unknown:
        problems.append(f"unknown top-level keys {sorted(unknown)}")
    maps = _maps(data.get("maps") or {}, problems)
    base = frozenset(p for p in PLACEHOLDER_FIELDS if p not in HANDLER_PLACEHOLDERS) | frozenset(maps)
    seen: set[str] = set()
    rules = []
    for index, raw in enumerate(data["rules"], start=1):
        rule = _guarded(problems, f"rules[{index}]", _rule, raw, base, seen)
        if rule is not None:
            rules.append(rule)
    always = []
    for index, raw in enumerate(data.get("always") or [], start=1):
        entry = _guarded(problems, f"always[{index}]", _always, raw, base, seen)
        if entry is not None:
            always.append(entry)
    if problems:
        raise DataFileError("\n".join(f"{source}: {p}" for p in problems))
    return RuleSet(tuple(rules), tuple(always), maps, source)


def _guarded(problems: list[str], where: str, parse: Any, raw: Any, base: frozenset[str], seen: set[str]) -> Any:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a mapping")
        return None
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        problems.append(f"{where}: needs an 'id'")
        return None
    if rule_id in seen:
        problems.append(f"{where}: id {rule_id!r} is used twice")
    seen.add(rule_id)
    try:
        return parse(raw, base)
    except (TargetSyntaxError, ValueError, TypeError) as exc:
        problems.append(f"{where} ({rule_id}): {exc}")
        return None


def _rule(raw: Mapping[str, Any], base: frozenset[str]) -> Rule:
    _no_unknown(raw, _RULE_KEYS)
    when = _condition(raw.get("when") or {})
    if "reject" in raw:
        if "handler" in raw or "watchers" in raw or "exclude" in raw:
            raise ValueError("a rule either rejects or names a handler, not both")
        reject = raw["reject"]
        if not isinstance(reject, Mapping) or reject.get("field") not in REPORT_FIELDS or not reject.get("message"):
            raise ValueError(f"reject needs 'field' (one of {REPORT_FIELDS}) and 'message'")
        return Rule(raw["id"], when, None, str(reject["message"]), reject=Reject(reject["field"], reject["message"]))
    if "handler" not in raw:
        raise ValueError("needs a 'handler' or a 'reject'")
    handler = parse_target(raw["handler"], known=base)
    watchers = _specs(raw.get("watchers"), "watcher", base | HANDLER_PLACEHOLDERS)
    exclude = _specs(raw.get("exclude"), "exclusion", base)
    return Rule(raw["id"], when, handler, str(raw.get("explanation") or ""), watchers, exclude=exclude)


def _specs(items: Any, what: str, known: frozenset[str]) -> tuple[WatcherSpec, ...]:
    specs = []
    for item in items or []:
        if not isinstance(item, Mapping) or set(item) - {"target", "reason"} or not item.get("reason"):
            raise ValueError(f"each {what} needs 'target' and 'reason'")
        specs.append(WatcherSpec(parse_target(item.get("target"), known=known), item["reason"]))
    return tuple(specs)


def _always(raw: Mapping[str, Any], base: frozenset[str]) -> AlwaysWatcher:
    _no_unknown(raw, _ALWAYS_KEYS)
    if not raw.get("reason"):
        raise ValueError("needs a 'reason'")
    target = parse_target(raw.get("target"), known=base)
    return AlwaysWatcher(raw["id"], _condition(raw.get("when") or {}), target, raw["reason"])


def _condition(raw: Any) -> Condition:
    if not isinstance(raw, Mapping):
        raise ValueError("'when' must be a mapping")
    _no_unknown(raw, _WHEN_KEYS, what="condition")
    subject = raw.get("subject")
    if subject not in (None, "present", "absent"):
        raise ValueError("subject must be 'present' or 'absent'")
    min_attempt = raw.get("min_attempt")
    if min_attempt is not None and (not isinstance(min_attempt, int) or min_attempt < 1):
        raise ValueError("min_attempt must be a positive integer")
    attempts = _set(raw, "attempt", None)
    if attempts and not all(isinstance(a, int) and a >= 1 for a in attempts):
        raise ValueError("attempt must be positive integers")
    units = _set(raw, "subject_unit", None)
    if units and not all(isinstance(u, str) and is_agency_id(f"{u}@VN") for u in units):
        raise ValueError("subject_unit must be 'sector.role' such as 'gov.ubnd'")
    return Condition(
        kinds=_set(raw, "kind", KINDS),
        categories=_set(raw, "category", CATEGORIES),
        channels=_set(raw, "channel", CHANNELS),
        attempts=attempts,
        min_attempt=min_attempt,
        area_levels=_set(raw, "area_level", LEVELS),
        subject_present=None if subject is None else subject == "present",
        subject_sectors=_set(raw, "subject_sector", SECTORS),
        subject_units=units,
        subject_levels=_set(raw, "subject_level", LEVELS),
    )


def _set(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...] | None) -> frozenset[Any] | None:
    if key not in raw:
        return None
    value = raw[key]
    values = frozenset(value if isinstance(value, list) else [value])
    if allowed is not None:
        bad = sorted(str(v) for v in values if v not in allowed)
        if bad:
            raise ValueError(f"{key}: unknown {bad} (one of {', '.join(allowed)})")
    return values


def _maps(raw: Any, problems: list[str]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        problems.append("maps must be a mapping of name -> {category: 'sector.role'}")
        return {}
    maps: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        if name in PLACEHOLDER_FIELDS or not isinstance(table, Mapping):
            problems.append(f"maps.{name}: must be a category mapping and not reuse a placeholder name")
            continue
        for category, unit in table.items():
            if category not in CATEGORIES:
                problems.append(f"maps.{name}: unknown category {category!r}")
            if not isinstance(unit, str) or not is_agency_id(f"{unit}@VN"):
                problems.append(f"maps.{name}.{category}: {unit!r} is not 'sector.role'")
        maps[str(name)] = {str(k): str(v) for k, v in table.items()}
    return maps


def _no_unknown(raw: Mapping[str, Any], allowed: set[str], what: str = "rule") -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"unknown {what} keys {sorted(unknown)} (allowed: {sorted(allowed)})")
