"""Folded names of Vietnam's provinces and wards (post-July-2025), for
recognising an administrative address inside a report's text.

"phường Bến Thành", "P. Ben Thanh", "xã Diễn Châu", "TP. HCM" name the area
the report is already filed under (ward_code), so the matcher drops them:
otherwise two unrelated reports from one ward share a "name". Read lazily on
first use from the `vietnam-provinces` package, never at import time.
"""

from __future__ import annotations

import re
from functools import cache

from gbus.dedup.normalise import fold

_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ")
_PARTS_RE = re.compile(r"\s+[-–]\s+")
# Names citizens still use for their city; not in the post-2025 data.
_EXTRA_NAMES = ("ho chi minh", "sai gon", "hcm")


def _variants(name: str) -> set[str]:
    folded = " ".join(fold(name).split())
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
            break
    names = {folded.replace("-", " ").replace("–", " ")}
    names.update(part.strip() for part in _PARTS_RE.split(folded))
    return {" ".join(n.split()) for n in names if n.strip()}


@cache
def admin_names() -> frozenset[tuple[str, ...]]:
    """Every province and ward name, folded and split into tokens."""
    from vietnam_provinces import Province, Ward  # data package: no I/O until asked

    names: set[str] = set(_EXTRA_NAMES)
    for province in Province.iter_all():
        names |= _variants(province.name)
    for ward in Ward.iter_all():
        names |= _variants(ward.name)
    return frozenset(tuple(n.split()) for n in names)


@cache
def _names_by_code() -> tuple[dict[int, frozenset[str]], dict[int, frozenset[str]]]:
    from vietnam_provinces import Province, Ward

    provinces = {int(p.code): frozenset(_variants(p.name)) for p in Province.iter_all()}
    provinces[79] = provinces[79] | frozenset(_EXTRA_NAMES)
    wards = {int(w.code): frozenset(_variants(w.name)) for w in Ward.iter_all()}
    return provinces, wards


@cache
def area_names(province_code: str | None, ward_code: str | None) -> frozenset[tuple[str, ...]]:
    """Folded names of one report's own province and ward ("ben thanh",
    "ho chi minh"): a bare mention of them is the report's address."""
    provinces, wards = _names_by_code()
    names: set[str] = set()
    if province_code and province_code.isdigit():
        names |= provinces.get(int(province_code), frozenset())
    if ward_code and ward_code.isdigit():
        names |= wards.get(int(ward_code), frozenset())
    return frozenset(tuple(n.split()) for n in names)


@cache
def longest_admin_name() -> int:
    return max(len(n) for n in admin_names())


@cache
def name_syllables() -> frozenset[str]:
    """Syllables that occur in place names: a lower-case word outside this set
    (ngap, nat, tac...) cannot continue a street name typed without capitals."""
    return frozenset(tok for name in admin_names() for tok in name)


@cache
def ward_names(ward_code: str | None) -> frozenset[str]:
    """Folded names of one ward ("ben thanh"), empty when unknown."""
    if not ward_code or not ward_code.isdigit():
        return frozenset()
    return _names_by_code()[1].get(int(ward_code), frozenset())


@cache
def _wards_by_name(province_code: str) -> dict[str, tuple[int, ...]]:
    from vietnam_provinces import Ward

    out: dict[str, list[int]] = {}
    for ward in Ward.iter_all():
        if f"{int(ward.province_code):02d}" == province_code:
            for name in _variants(ward.name):
                out.setdefault(name, []).append(int(ward.code))
    return {name: tuple(codes) for name, codes in out.items()}


def wards_named(province_code: str | None, name: str) -> tuple[int, ...]:
    """Codes of the province's wards called `name` (folded), for looking up
    the cases of a ward a report mentions."""
    if not province_code:
        return ()
    return _wards_by_name(province_code).get(name, ())
