"""Normalisation of real-world data quirks, so they are fixed once, not copied through.

The upstream division data has names with doubled spaces ("Xã  Xuân Giang")
and integer codes that lost their leading zeros (ward 70 is "00070"); member
systems and operators type agency ids the same loose way. Everything that
enters the directory passes through here.
"""

from __future__ import annotations

import re
import unicodedata

from gbus.domain.vocabulary import CENTRAL_AREA, SECTORS

_SPACES = re.compile(r"\s+")
_LOOSE_AGENCY = re.compile(
    r"^\s*(?P<sector>[A-Za-z]+)\.(?P<role>[A-Za-z0-9][A-Za-z0-9-]*)\s*@\s*(?P<area>[A-Za-z0-9.]+)\s*$"
)


def clean_name(value: str) -> str:
    """NFC, single spaces, no edge spaces: "Xã  Xuân Giang " -> "Xã Xuân Giang".

    NFC matters because Vietnamese text arrives both precomposed and with
    combining marks; two spellings of one name must compare equal.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def province_code(value: int | str) -> str:
    """1, "1", "01" -> "01". Raises ValueError for anything else."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 2:
        raise ValueError(f"not a province code: {value!r}")
    return text.zfill(2)


def ward_code(value: int | str) -> str:
    """70, "70", "00070" -> "00070". Raises ValueError for anything else."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 5:
        raise ValueError(f"not a ward code: {value!r}")
    return text.zfill(5)


def area(value: str) -> str:
    """ "vn" -> "VN", "1" -> "01", "79.2673" -> "79.02673". Raises ValueError."""
    text = value.strip()
    if text.upper() == CENTRAL_AREA:
        return CENTRAL_AREA
    province, dot, ward = text.partition(".")
    if dot:
        return f"{province_code(province)}.{ward_code(ward)}"
    return province_code(province)


def agency_id(value: str) -> str:
    """Canonical agency id from a loosely typed one: " GOV.UBND@79.2673" -> "gov.ubnd@79.02673".

    Raises ValueError naming what is wrong, so a caller can show it to a person.
    """
    match = _LOOSE_AGENCY.match(value)
    if not match:
        raise ValueError(f"not an agency id like 'gov.ubnd@79.26734': {value!r}")
    sector = match["sector"].lower()
    if sector not in SECTORS:
        raise ValueError(f"unknown sector {sector!r} in {value!r} (one of {', '.join(SECTORS)})")
    return f"{sector}.{match['role'].lower()}@{area(match['area'])}"
