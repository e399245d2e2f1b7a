"""Renames and mergers as data: an old agency id that keeps resolving to the body that
replaced it, from a date.

Cases, watchers and member systems hold agency ids for years; when a body is
renamed or merged (party.bdv became party.btgdv in 2025) the old id must keep
routing and finding those cases. One alias table serves the role template's
2025 renames and any later effective-dated change an operator adds, so there is
one mechanism, checked once: every alias ends at an agency, none loops, and an
old id is never also a live agency (which would make it ambiguous).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gbus.directory.sources import LegalSource
from gbus.directory.yaml_io import DataFileError


@dataclass(frozen=True, slots=True)
class Alias:
    old_id: str  # "party.bdv@79"
    new_id: str  # "party.btgdv@79" (after following every later rename)
    effective: dt.date  # the day the old body stopped existing under its old id
    source: LegalSource | None


def resolve_aliases(aliases: Iterable[Alias], agencies: Mapping[str, object]) -> dict[str, Alias]:
    """old id -> Alias whose new_id is a live agency (chains of renames followed).

    Raises DataFileError listing every alias that shadows an agency, loops or
    ends nowhere; a half-checked table would route some old ids and not others.
    """
    direct: dict[str, Alias] = {}
    problems: list[str] = []
    for alias in aliases:
        if alias.old_id in agencies:
            problems.append(f"alias {alias.old_id}: is also an agency; an id cannot be both")
        elif alias.old_id in direct and direct[alias.old_id].new_id != alias.new_id:
            problems.append(f"alias {alias.old_id}: renamed twice ({direct[alias.old_id].new_id}, {alias.new_id})")
        else:
            direct[alias.old_id] = alias
    resolved: dict[str, Alias] = {}
    for old_id, alias in direct.items():
        seen = [old_id]
        target = alias.new_id
        while target in direct and target not in seen:
            seen.append(target)
            target = direct[target].new_id
        if target in seen:
            problems.append(f"alias {old_id}: renames form a cycle: {' -> '.join([*seen, target])}")
        elif target not in agencies:
            problems.append(f"alias {old_id}: {target} is not in the directory")
        else:
            resolved[old_id] = Alias(old_id, target, alias.effective, alias.source)
    if problems:
        raise DataFileError("aliases:\n" + "\n".join(sorted(problems)))
    return resolved
