"""Target expressions: how a rule names an agency relative to the report.

    gov.ttcp@VN                 a fixed agency
    gov.ubnd@{local}            the ward's People's Committee, the province's if no ward
    {ministry}@VN               a map lookup by the report's category (maps: in the rules file)
    superior({subject})         the directory superior of whatever the inner target names

A target is a list of such candidates; the first that names an agency present
in the directory wins. A candidate whose placeholder has no value for this
report (no ward, no subject, category not in the map) simply does not apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gbus.directory import Directory

# Placeholder -> the report field to name when a target cannot be placed.
PLACEHOLDER_FIELDS: Mapping[str, str] = {
    "province": "province_code",
    "ward": "ward_code",
    "local": "province_code",  # missing only when the province is
    "origin": "origin_agency",
    "subject": "subject_agency",
    "subject.area": "subject_agency",
    "subject.province": "subject_agency",
    "handler.area": "subject_agency",
    "handler.province": "subject_agency",
}
HANDLER_PLACEHOLDERS = frozenset({"handler.area", "handler.province"})
AGENCY_PLACEHOLDERS = frozenset({"origin", "subject"})  # these stand for a whole agency id
MAP_FIELD = "category"  # maps are keyed by the report's category

_PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")
_SUPERIOR = re.compile(r"^superior\((.*)\)$")


class TargetSyntaxError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    parts: tuple[tuple[bool, str], ...]  # (is_placeholder, literal text or placeholder name)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(name for is_var, name in self.parts if is_var)

    def fill(self, values: Mapping[str, str | None]) -> str | None:
        pieces = []
        for is_var, text in self.parts:
            if is_var:
                value = values.get(text)
                if value is None:
                    return None
                pieces.append(value)
            else:
                pieces.append(text)
        return "".join(pieces)


@dataclass(frozen=True, slots=True)
class Superior:
    inner: "Candidate"
    text: str

    @property
    def placeholders(self) -> tuple[str, ...]:
        return self.inner.placeholders


Candidate = Template | Superior


@dataclass(frozen=True, slots=True)
class Target:
    candidates: tuple[Candidate, ...]

    @property
    def text(self) -> str:
        return " | ".join(c.text for c in self.candidates)

    def placeholders(self) -> set[str]:
        return {name for c in self.candidates for name in c.placeholders}

    def blamed_field(self) -> str:
        """The report field a person should look at when no candidate applies."""
        for name in self.candidates[0].placeholders:
            return PLACEHOLDER_FIELDS.get(name, MAP_FIELD)
        return "category"


def parse_target(raw: object, *, known: frozenset[str]) -> Target:
    """A string or list of strings -> Target; `known` = placeholder names allowed here."""
    items = raw if isinstance(raw, list) else [raw]
    texts = [item.strip() for item in items if isinstance(item, str)]
    if not items or len(texts) != len(items) or not all(texts):
        raise TargetSyntaxError("a target is a non-empty string or a list of them")
    return Target(tuple(_parse_candidate(text, known) for text in texts))


def _parse_candidate(text: str, known: frozenset[str]) -> Candidate:
    match = _SUPERIOR.match(text)
    if match:
        return Superior(_parse_candidate(match[1].strip(), known), text)
    parts: list[tuple[bool, str]] = []
    position = 0
    for found in _PLACEHOLDER.finditer(text):
        if found.start() > position:
            parts.append((False, text[position : found.start()]))
        name = found[1]
        if name not in known:
            raise TargetSyntaxError(f"unknown placeholder {{{name}}} in {text!r} (known: {sorted(known)})")
        parts.append((True, name))
        position = found.end()
    if position < len(text):
        parts.append((False, text[position:]))
    literal = "".join(t for is_var, t in parts if not is_var)
    if "{" in literal or "}" in literal or "(" in literal:
        raise TargetSyntaxError(f"cannot read target {text!r}")
    whole_agency = len(parts) == 1 and parts[0][0] and parts[0][1] in AGENCY_PLACEHOLDERS
    if "@" not in text and not whole_agency:
        raise TargetSyntaxError(f"target {text!r} does not name an agency ('sector.role@area')")
    return Template(text, tuple(parts))


def resolve(target: Target, values: Mapping[str, str | None], directory: Directory) -> tuple[str | None, list[str]]:
    """(agency id, []) for the first candidate that names a known agency, else (None, why-not per candidate)."""
    misses: list[str] = []
    for candidate in target.candidates:
        agency_id, miss = _resolve_candidate(candidate, values, directory)
        if agency_id is not None:
            return agency_id, misses
        misses.append(miss)
    return None, misses


def _resolve_candidate(
    candidate: Candidate, values: Mapping[str, str | None], directory: Directory
) -> tuple[str | None, str]:
    if isinstance(candidate, Superior):
        inner, miss = _resolve_candidate(candidate.inner, values, directory)
        if inner is None:
            return None, miss
        superior = directory.superior_of(inner)
        if superior is None:
            return None, f"{candidate.text}: {inner} has no superior in the directory"
        return superior.id, ""
    agency_id = candidate.fill(values)
    if agency_id is None:
        missing = [name for name in candidate.placeholders if values.get(name) is None]
        return None, f"{candidate.text}: no {', '.join(missing)} for this report"
    found = directory.resolve_id(agency_id)  # an old id names the body that replaced it
    if found is None:
        return None, f"{candidate.text}: {agency_id} is not in the directory"
    return found, ""
