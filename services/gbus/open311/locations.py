"""Where a GeoReport request is: jurisdiction, ward code or a ward named in the address. Pure.

GeoReport locates by lat/long, address_string or address_id. The bus routes by
province and ward code, and has no geocoder: `address_id` is a ward code,
`address_string` is matched against the directory's ward names (with or
without diacritics, with or without "Phường"/"Xã"), and lat/long are kept
beside one of those for the app to show, never used to route.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from gbus.domain.vocabulary import CENTRAL_AREA
from gbus.open311.errors import Open311Error, bad_request, not_found


class WardLike(Protocol):
    # Read-only, so the directory's frozen Ward qualifies.
    @property
    def code(self) -> str: ...
    @property
    def province_code(self) -> str: ...
    @property
    def name(self) -> str: ...


class DivisionsPort(Protocol):
    def province(self, code: str) -> object | None: ...

    def ward(self, code: str) -> WardLike | None: ...

    def wards_of(self, province_code: str) -> tuple[WardLike, ...]: ...

    def provinces(self) -> tuple[object, ...]: ...


@dataclass(frozen=True, slots=True)
class Location:
    province_code: str
    ward_code: str  # empty: the province as a whole
    address_string: str = ""
    lat: float | None = None
    long: float | None = None


_TYPE_PREFIXES = ("phuong ", "xa ", "thi tran ", "dac khu ")
_SPACES = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d, punctuation as single spaces: how people type names."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    return " " + _SPACES.sub(" ", plain).strip() + " "


class Gazetteer:
    """The directory's provinces and wards, with ward names folded once for matching addresses."""

    def __init__(self, divisions: DivisionsPort) -> None:
        self._divisions = divisions
        self._names: list[tuple[str, tuple[str, ...], WardLike]] = []
        for province in divisions.provinces():
            code = province.code  # type: ignore[attr-defined]
            for ward in divisions.wards_of(code):
                full = fold(ward.name)
                short = next((" " + full[len(p) + 1 :] for p in _TYPE_PREFIXES if full.startswith(" " + p)), full)
                # A bare number ("Phường 1" -> " 1 ") is not a name on its own.
                self._names.append((code, (full,) if short.strip().isdigit() else (full, short), ward))

    def jurisdiction(self, value: str) -> str | None:
        """The province code a request is restricted to; None for the whole country (VN or not given)."""
        if not value or value == CENTRAL_AREA:
            return None
        code = value.zfill(2) if value.isdigit() else value
        if self._divisions.province(code) is None:
            raise not_found(f"jurisdiction_id {value!r} not found: a 2-digit province code such as 79, or VN")
        return code

    def locate(self, form: dict[str, str], province: str | None) -> Location:
        lat, long = _coordinates(form)
        address_id = form.get("address_id", "").strip()
        address_string = form.get("address_string", "").strip()
        if address_id:
            ward = self._divisions.ward(address_id.zfill(5)) if address_id.isdigit() else None
            if ward is None:
                raise bad_request(f"address_id {address_id[:20]!r} is not a ward code (5 digits, e.g. 26743)")
            if province is not None and ward.province_code != province:
                raise bad_request(f"address_id {address_id} is not a ward of jurisdiction_id {province}")
            return Location(ward.province_code, ward.code, address_string, lat, long)
        if address_string:
            ward = self._ward_named_in(address_string, province)
            if ward is not None:
                return Location(ward.province_code, ward.code, address_string, lat, long)
            if province is not None:
                return Location(province, "", address_string, lat, long)  # the province as a whole
            raise bad_request(
                f"address_string {address_string[:80]!r} names no ward the directory knows: give address_id "
                "(the ward code) or jurisdiction_id (the province)"
            )
        if lat is not None:
            raise bad_request("address_id or address_string is required: lat/long are kept beside them, never geocoded")
        raise bad_request("a location is required: address_id (ward code) or address_string")

    def _ward_named_in(self, address: str, province: str | None) -> WardLike | None:
        """The ward whose name the address contains; the longest name wins ("Phường 1" inside "Phường 12")."""
        text = fold(address)
        found: list[tuple[int, WardLike]] = []
        for code, names, ward in self._names:
            if province is not None and code != province:
                continue
            best = max((len(n) for n in names if n in text), default=0)
            if best:
                found.append((best, ward))
        if not found:
            return None
        longest = max(length for length, _ in found)
        winners = {w.code: w for length, w in found if length == longest}
        if len(winners) > 1:
            named = ", ".join(sorted(f"{w.name} ({w.code})" for w in winners.values())[:5])
            raise Open311Error(
                400, f"address_string names more than one ward: {named}; give address_id or jurisdiction_id"
            )
        return next(iter(winners.values()))


def _coordinates(form: dict[str, str]) -> tuple[float | None, float | None]:
    raw_lat, raw_long = form.get("lat", "").strip(), form.get("long", "").strip()
    if not raw_lat and not raw_long:
        return None, None
    try:
        lat, long = float(raw_lat), float(raw_long)
    except ValueError:
        raise bad_request("lat and long must both be decimal degrees") from None
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise bad_request("lat must be within -90..90 and long within -180..180")
    return lat, long
