"""Which node areas get a copy of a changed case, and what each copy says. Pure.

Every area with an involved agency (handler, watcher, origin) before or after
the change gets a copy: an area that just stopped being involved (the case was
transferred away, a report was unmerged) must hear it too, with an empty
`involved` list, or its members would keep a stale case forever.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from gbus.domain.case import CaseState
from gbus.topics import area_of_agency


def involved_by_area(state: CaseState | None) -> dict[str, list[str]]:
    """area -> the case's involved agencies of that area, in involvement order."""
    out: dict[str, list[str]] = {}
    if state is None:
        return out
    for agency_id in state.involved_agencies():
        out.setdefault(area_of_agency(agency_id), []).append(agency_id)
    return out


def copy_targets(
    before: CaseState | None, after: CaseState, known_areas: Collection[str] | None = None
) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """([(area, involved agencies of that area now)], [areas with no node topic]).

    Areas involved now come first, then those involved only before. An area
    outside `known_areas` (e.g. from a hand-edited extra-agencies file) has no
    topic to write to; it is returned separately so the caller can say so.
    """
    now = involved_by_area(after)
    targets = list(now.items())
    targets.extend((area, []) for area in involved_by_area(before) if area not in now)
    if known_areas is None:
        return targets, []
    return [t for t in targets if t[0] in known_areas], [a for a, _ in targets if a not in known_areas]


def first_submitted_at(state: CaseState) -> datetime:
    return min(r.submitted_at for r in state.reports)


def case_copy_record(
    state: CaseState,
    *,
    area: str,
    involved: list[str],
    snapshot: bytes,
    history: list[bytes],
    new_events: int,
    emitted_at: datetime,
) -> dict[str, Any]:
    """A gbus.avro.CaseCopy: self-contained, so compaction of node.<area> never loses history."""
    return {
        "case_id": state.case_id,
        "area": area,
        "version": state.version,
        "snapshot": snapshot,
        "events": history,
        "new_events": new_events,
        "involved": involved,
        "emitted_at": emitted_at,
        "first_submitted_at": first_submitted_at(state),
    }
