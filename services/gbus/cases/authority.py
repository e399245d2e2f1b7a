"""Who may see and change a case: the one policy used by processor and nodes.

- read: the handler, a watcher, an origin system, or a superior of one of them;
- change status, transfer, reopen, merge, unmerge: the handler or a superior
  of the handler;
- add a note: anyone who may read.
An agency that may not read a case is told it does not exist (NOT_FOUND),
so nothing about a case leaks to an agency that has no business with it.
"""

from __future__ import annotations

from functools import lru_cache

from gbus.cases.ports import DirectoryPort
from gbus.domain.case import CaseState

# Central bodies sit at most three levels above a commune; the bound stops a
# cycle in a hand-edited extra-agencies file from looping forever.
_MAX_CHAIN = 8


def agency_id_of(agency: object | None) -> str | None:
    """The directory may answer with an Agency object or a bare id."""
    if agency is None:
        return None
    if isinstance(agency, str):
        return agency
    return getattr(agency, "agency_id", None) or getattr(agency, "id", None)


class Authority:
    def __init__(self, directory: DirectoryPort) -> None:
        self._directory = directory
        self._superiors = lru_cache(maxsize=65536)(self._superiors_uncached)
        self._current = lru_cache(maxsize=65536)(self._current_uncached)

    def _current_uncached(self, agency_id: str) -> str:
        # A body renamed since the case was opened (a directory alias: party.bdv@79 is
        # now party.btgdv@79) keeps its cases: the directory answers for the old id
        # with the new body, and both ids are compared as the new one.
        return agency_id_of(self._directory.get(agency_id)) or agency_id

    def _superiors_uncached(self, agency_id: str) -> tuple[str, ...]:
        chain: list[str] = []
        current = agency_id_of(self._directory.superior_of(agency_id))
        while current and current not in chain and len(chain) < _MAX_CHAIN:
            chain.append(current)
            current = agency_id_of(self._directory.superior_of(current))
        return tuple(chain)

    def superiors(self, agency_id: str) -> tuple[str, ...]:
        return self._superiors(agency_id)

    def is_superior(self, agency_id: str, of: str) -> bool:
        chain = self._superiors(of)
        return agency_id in chain or self._current(agency_id) in chain

    def can_read(self, case: CaseState, agency_id: str) -> bool:
        involved = case.involved_agencies()
        if agency_id in involved or self._current(agency_id) in {self._current(a) for a in involved}:
            return True
        return any(self.is_superior(agency_id, a) for a in involved)

    def can_manage(self, case: CaseState, agency_id: str) -> bool:
        return self.same_body(agency_id, case.handler) or self.is_superior(agency_id, case.handler)

    def same_body(self, agency_id: str, other: str) -> bool:
        """The same agency, or one id is a former id of the other (a directory alias)."""
        return agency_id == other or self._current(agency_id) == self._current(other)

    def role_of(self, case: CaseState, agency_id: str) -> str:
        """handler | superior | watcher | origin | none — for messages and metrics."""
        if self.same_body(agency_id, case.handler):
            return "handler"
        if self.is_superior(agency_id, case.handler):
            return "superior"
        if agency_id in case.watcher_ids:
            return "watcher"
        if agency_id in case.origin_agencies:
            return "origin"
        return "none"
