"""The reporter of a report: what intake accepts, and the keyed hash for dedup.

Pure. The identity itself never leaves intake in plaintext: it is sealed
(gbus.security.identity_seal), and only `reporter_key`, a keyed HMAC of the
normalised phone / national id computed by the dedup package, travels in clear
so that the processor can recognise the same reporter across channels.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gbus.domain.kinds import policy
from gbus.errors import FieldViolation
from gbus.security.identity_seal import ReporterIdentity

MAX_NAME_CHARS = 200
MAX_ADDRESS_CHARS = 500
MAX_EMAIL_CHARS = 254  # RFC 5321's path limit

# Separators people type inside phone numbers: "+84 (90) 123-4567", "090.123.4567".
_PHONE_SEPARATORS = re.compile(r"[\s.()\-]")
_PHONE_RE = re.compile(r"^\+?\d{8,15}$")
# Citizen identity cards have 12 digits, the older ID cards 9; passports are alphanumeric.
_NATIONAL_ID_RE = re.compile(r"^[A-Za-z0-9]{6,20}$")
# Deliberately loose: one @, a dot in the domain, no spaces. Delivery is the app's business.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


ReporterKeyFn = Callable[..., "str | None"]


def reporter_violations(identity: ReporterIdentity | None, anonymous: bool, kind: str | None) -> list[FieldViolation]:
    """Every problem with the reporter part of a report (empty when acceptable)."""
    if anonymous:
        if identity is not None:
            return [
                FieldViolation("reporter", "an anonymous report carries no name, phone, national id, address or email")
            ]
        if kind is not None and policy(kind).named_reporter:  # Law on Complaints 2011, art. 8
            return [
                FieldViolation(
                    "reporter.anonymous", f"a {kind} report cannot be anonymous (Law on Complaints 2011, art. 8)"
                )
            ]
        return []
    if identity is None or not (identity.name or identity.phone or identity.national_id or identity.email):
        return [FieldViolation("reporter", "needs a name, phone, national_id or email, or set reporter.anonymous")]
    found: list[FieldViolation] = []
    if identity.name and len(identity.name) > MAX_NAME_CHARS:
        found.append(FieldViolation("reporter.name", f"is longer than {MAX_NAME_CHARS} characters"))
    if identity.address and len(identity.address) > MAX_ADDRESS_CHARS:
        found.append(FieldViolation("reporter.address", f"is longer than {MAX_ADDRESS_CHARS} characters"))
    if identity.phone and not _PHONE_RE.match(_PHONE_SEPARATORS.sub("", identity.phone)):
        found.append(
            FieldViolation("reporter.phone", "must be a phone number such as '0901234567' or '+84 90 123 4567'")
        )
    if identity.email and (len(identity.email) > MAX_EMAIL_CHARS or not _EMAIL_RE.match(identity.email.strip())):
        found.append(
            FieldViolation("reporter.email", f"must be an e-mail address of at most {MAX_EMAIL_CHARS} characters")
        )
    if identity.national_id and not _NATIONAL_ID_RE.match(identity.national_id.strip()):
        found.append(FieldViolation("reporter.national_id", "must be 6 to 20 letters or digits (12-digit citizen id)"))
    return found


def default_reporter_key_fn() -> ReporterKeyFn:
    """`reporter_key(secret: bytes, phone=, national_id=)` of the dedup package: it owns
    phone/id normalisation, so every intake node and the matcher agree on "same reporter"."""
    from gbus.dedup import reporter_key

    return reporter_key


def key_of(identity: ReporterIdentity | None, secret: str, key_fn: ReporterKeyFn) -> str | None:
    """The keyed hash of the reporter, None when anonymous or when there is nothing to key on."""
    if identity is None or not (identity.phone or identity.national_id):
        return None
    return key_fn(secret.encode("utf-8"), phone=identity.phone, national_id=identity.national_id) or None
