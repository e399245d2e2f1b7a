"""The keyed hash that recognises a reporter without revealing them (docs/identity.md).

The same citizen calls the hotline from "+84 90 311 2233", texts Zalo from
"0903112233" and writes on a form "84903112233". The phone is normalised to
the national 10-digit form first, so all three give one key; the key is an
HMAC with a per-deployment secret, so it cannot be reversed by hashing every
phone number (the space is small enough to enumerate without a secret).
"""

from __future__ import annotations

import hashlib
import hmac
import re

_NON_DIGITS = re.compile(r"\D")

# The 2018 renumbering of 11-digit mobile numbers to 10 digits; old numbers
# still appear on paper forms and in member systems' old records.
_OLD_MOBILE_PREFIXES: dict[str, str] = {
    "0162": "032",
    "0163": "033",
    "0164": "034",
    "0165": "035",
    "0166": "036",
    "0167": "037",
    "0168": "038",
    "0169": "039",
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",
    "0188": "058",
    "0199": "059",
}


def normalise_phone(phone: str) -> str | None:
    """`+84 90 123 4567`, `84901234567`, `(090) 123-4567` -> `0901234567`.

    Returns None when what is left is not a plausible Vietnamese number, so a
    placeholder such as "0" or "không có" never makes strangers "the same".
    """
    digits = _NON_DIGITS.sub("", phone)
    if digits.startswith("0084"):
        digits = digits[4:]
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = digits[2:]
    if not digits.startswith("0"):
        digits = "0" + digits
    if len(digits) == 11 and digits[:4] in _OLD_MOBILE_PREFIXES:
        digits = _OLD_MOBILE_PREFIXES[digits[:4]] + digits[4:]
    if len(digits) not in (10, 11) or len(set(digits[1:])) == 1:
        return None
    return digits


def normalise_national_id(national_id: str) -> str | None:
    """12-digit citizen id (CCCD) or legacy 9-digit id (CMND), digits only."""
    digits = _NON_DIGITS.sub("", national_id)
    return digits if len(digits) in (9, 12) else None


def reporter_key(secret: bytes, phone: str | None = None, national_id: str | None = None) -> str | None:
    """HMAC-SHA256 (hex) of the normalised phone, else of the national id.

    The phone comes first because every channel asks for it (a hotline call,
    a Zalo message) while the id is given mostly in person; one person thus
    gets one key across channels. None when neither is usable.
    """
    if not secret:
        raise ValueError("reporter_key needs a non-empty secret")
    value = None
    if phone:
        normalised = normalise_phone(phone)
        value = f"phone:{normalised}" if normalised else None
    if value is None and national_id:
        normalised = normalise_national_id(national_id)
        value = f"id:{normalised}" if normalised else None
    if value is None:
        return None
    return hmac.new(secret, value.encode("ascii"), hashlib.sha256).hexdigest()
