"""The agency directory: lookups, superiors, areas and stable listings. Pure, read-only.

Listings are ordered by `listing_key` — (province, ward, agency id), with the
central level first — so every area (and a province with its communes) is one
contiguous slice, and a page token only needs the last agency id returned:
its key is computable from the id alone, even if that agency has since gone.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

from gbus.directory.aliases import Alias
from gbus.directory.builder import build_agencies, build_aliases
from gbus.directory.divisions import Divisions, load_divisions
from gbus.directory.extra import ExtraAgency, load_extra_agencies, load_extra_aliases
from gbus.directory.model import Agency, Province, Ward
from gbus.directory.roles import RoleTemplate, load_role_template
from gbus.domain.vocabulary import CENTRAL_AREA


def listing_key(agency_id: str) -> tuple[str, str, str]:
    """Sort key of an agency id: central first, then by province, ward, id."""
    area = agency_id.rpartition("@")[2]
    if area == CENTRAL_AREA:
        return ("", "", agency_id)
    province, _, ward = area.partition(".")
    return (province, ward, agency_id)


class Directory:
    def __init__(
        self,
        agencies: Mapping[str, Agency],
        divisions: Divisions,
        aliases: Mapping[str, Alias] | None = None,
        template: RoleTemplate | None = None,
    ) -> None:
        self._by_id = dict(agencies)
        self._divisions = divisions
        self._aliases = dict(aliases or {})  # old id -> rename, checked by build_aliases
        # An old id answers every lookup as the body that replaced it: one dict, so a
        # lookup costs the same whichever id a stored case or member system holds.
        self._lookup = {**self._by_id, **{old: self._by_id[a.new_id] for old, a in self._aliases.items()}}
        self._canonical = {**{i: i for i in self._by_id}, **{old: a.new_id for old, a in self._aliases.items()}}
        self.template = template  # the role template it was built from, for sources
        # Keys are unique (they end with the id), so sorting pairs never compares agencies.
        pairs = sorted((listing_key(a.id), a) for a in self._by_id.values())
        self._keys = [key for key, _ in pairs]
        self._ordered = [agency for _, agency in pairs]
        # area -> (lo, hi) slice of _ordered, exact area and area with sub-areas.
        self._exact: dict[str, tuple[int, int]] = {}
        self._with_subareas: dict[str, tuple[int, int]] = {CENTRAL_AREA: (0, len(self._ordered))}
        for index, agency in enumerate(self._ordered):
            lo, _ = self._exact.get(agency.area, (index, index))
            self._exact[agency.area] = (lo, index + 1)
            if agency.area != CENTRAL_AREA:
                province = agency.area[:2]
                lo, _ = self._with_subareas.get(province, (index, index))
                self._with_subareas[province] = (lo, index + 1)

    # -- construction ---------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        divisions: Divisions | None = None,
        template: RoleTemplate | None = None,
        extras: Iterable[ExtraAgency] = (),
        aliases: Iterable[Alias] = (),
    ) -> "Directory":
        divisions = divisions or load_divisions()
        template = template or load_role_template()
        agencies = build_agencies(divisions, template, extras)
        return cls(agencies, divisions, build_aliases(divisions, template, agencies, aliases), template)

    @classmethod
    def from_files(cls, *, roles: str | Path | None = None, extra_agencies: str | Path | None = None) -> "Directory":
        """The directory an operator configured: package data, optionally another
        role template and an extra-agencies file. Raises DataFileError."""
        if roles is None and extra_agencies is None:
            return cls.default()
        extras = load_extra_agencies(extra_agencies) if extra_agencies else ()
        aliases = load_extra_aliases(extra_agencies) if extra_agencies else ()
        return cls.build(template=load_role_template(roles), extras=extras, aliases=aliases)

    @classmethod
    def default(cls) -> "Directory":
        """The directory from package data only, built once per process."""
        return _default_directory()

    # -- agencies --------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, agency_id: object) -> bool:
        """True for a live agency and for an old id that an alias maps to one."""
        return agency_id in self._lookup

    def get(self, agency_id: str) -> Agency | None:
        """The agency, also by an old id (the record then carries the new id)."""
        return self._lookup.get(agency_id)

    def canonical_id(self, agency_id: str) -> str:
        """The id of the body that answers to `agency_id` today (itself if not renamed)."""
        alias = self._aliases.get(agency_id)
        return alias.new_id if alias else agency_id

    def resolve_id(self, agency_id: str) -> str | None:
        """The id of the body that answers to `agency_id` today; None if nobody does.
        One lookup for routing's hot path, which needs both answers for every target."""
        return self._canonical.get(agency_id)

    def alias(self, old_id: str) -> Alias | None:
        return self._aliases.get(old_id)

    def aliases(self) -> tuple[Alias, ...]:
        return tuple(sorted(self._aliases.values(), key=lambda a: listing_key(a.old_id)))

    def former_ids(self, agency_id: str) -> tuple[str, ...]:
        """Old ids that resolve to this agency, so a search can find cases filed under them."""
        return tuple(sorted(old for old, a in self._aliases.items() if a.new_id == agency_id))

    def superior_of(self, agency_id: str) -> Agency | None:
        agency = self._lookup.get(agency_id)
        if agency is None or agency.superior_id is None:
            return None
        return self._by_id[agency.superior_id]

    def chain_of(self, agency_id: str) -> tuple[Agency, ...]:
        """The agency's superiors, nearest first (the builder guarantees no cycles)."""
        chain = []
        current = self.superior_of(agency_id)
        while current is not None:
            chain.append(current)
            current = self.superior_of(current.id)
        return tuple(chain)

    def agencies(
        self,
        *,
        area: str | None = None,
        include_subareas: bool = False,
        sector: str | None = None,
        level: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Agency]:
        """Agencies in listing order, filtered; `after` is the last id of the previous page.

        `area=None` means the whole country. `include_subareas` widens a
        province to its communes (and "VN" to everything).
        """
        if area is None:
            lo, hi = 0, len(self._ordered)
        else:
            table = self._with_subareas if include_subareas else self._exact
            lo, hi = table.get(area, (0, 0))
        if after is not None:
            lo = max(lo, bisect.bisect_right(self._keys, listing_key(after), lo, hi))
        found: list[Agency] = []
        for index in range(lo, hi):
            agency = self._ordered[index]
            if (sector is None or agency.sector == sector) and (level is None or agency.level == level):
                found.append(agency)
                if limit is not None and len(found) >= limit:
                    break
        return found

    # -- areas -----------------------------------------------------------------

    def has_area(self, area: str) -> bool:
        if area == CENTRAL_AREA:
            return True
        province, _, ward = area.partition(".")
        return self.ward_belongs_to(province, ward) if ward else province in self._divisions.provinces

    def ward_belongs_to(self, province_code: str, ward_code: str) -> bool:
        ward = self._divisions.wards.get(ward_code)
        return ward is not None and ward.province_code == province_code

    def province(self, code: str) -> Province | None:
        return self._divisions.provinces.get(code)

    def ward(self, code: str) -> Ward | None:
        """A ward by its 5-digit code (unique nationwide), whatever its province."""
        return self._divisions.wards.get(code)

    def provinces(self) -> tuple[Province, ...]:
        return tuple(self._divisions.provinces.values())

    def wards_of(self, province_code: str) -> tuple[Ward, ...]:
        return self._divisions.wards_by_province.get(province_code, ())

    def area_name(self, area: str) -> str | None:
        """ "Việt Nam", "Thành phố Hồ Chí Minh", "Phường Bến Thành"; None if unknown."""
        if area == CENTRAL_AREA:
            return "Việt Nam"
        province, _, ward = area.partition(".")
        if ward:
            found = self._divisions.wards.get(ward)
            return found.name if found and found.province_code == province else None
        found_province = self._divisions.provinces.get(province)
        return found_province.name if found_province else None


@functools.cache
def _default_directory() -> Directory:
    return Directory.build()
