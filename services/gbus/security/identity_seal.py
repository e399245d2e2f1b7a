"""Sealing a reporter's identity (docs/identity.md): the AEAD layer only.

The identity (name, phone, national id, address) is encrypted with AES-256-GCM
under a fresh data key per report. Who may unwrap that data key is decided one
layer up (`gbus.security.keys` for the intake envelope to the key custodian,
`gbus.security.case_keys` for the per-case key and its wraps); this module
never sees a key-encryption key.

The ciphertext is bound to its report id (GCM associated data), so a sealed
identity copied onto another report does not open. The key id is *not* bound:
the processor re-wraps the data key (case key, transfer, merge) without
re-encrypting the identity.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gbus.errors import BusError

_NONCE_BYTES = 12  # the GCM standard nonce; random is safe because every data key is used once
# v2: the associated data no longer names the wrapping key (it changes on re-wrap).
_FORMAT_VERSION = 2


class IdentitySealError(BusError):
    """A sealed identity does not open: wrong key, or altered (tampered) bytes."""


@dataclass(frozen=True, slots=True)
class ReporterIdentity:
    name: str | None = None
    phone: str | None = None
    national_id: str | None = None
    address: str | None = None
    email: str | None = None

    def is_empty(self) -> bool:
        return not any((self.name, self.phone, self.national_id, self.address, self.email))


@dataclass(frozen=True, slots=True)
class SealedPayload:
    """An encrypted identity and the data key that opens it (the key must be wrapped before it travels)."""

    data_key: bytes
    nonce: bytes
    ciphertext: bytes

    def __repr__(self) -> str:  # never print key material into a log
        return "SealedPayload(<redacted>)"


def _aad(report_id: str) -> bytes:
    return f"gbus.identity.v{_FORMAT_VERSION}\x1f{report_id}".encode()


def encrypt_identity(identity: ReporterIdentity, *, report_id: str) -> SealedPayload:
    """Encrypt `identity` for the report `report_id` under a fresh data key."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = json.dumps({"v": _FORMAT_VERSION, **asdict(identity)}, ensure_ascii=False).encode("utf-8")
    return SealedPayload(data_key, nonce, AESGCM(data_key).encrypt(nonce, plaintext, _aad(report_id)))


def decrypt_identity(sealed: Mapping[str, Any], data_key: bytes, *, report_id: str) -> ReporterIdentity:
    """Decrypt a SealedIdentity record's ciphertext with its (unwrapped) data key."""
    try:
        plaintext = AESGCM(data_key).decrypt(bytes(sealed["nonce"]), bytes(sealed["ciphertext"]), _aad(report_id))
        fields = json.loads(plaintext.decode("utf-8"))
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise IdentitySealError(f"identity of report {report_id} does not open (altered or wrong key)") from exc
    return ReporterIdentity(
        name=fields.get("name"),
        phone=fields.get("phone"),
        national_id=fields.get("national_id"),
        address=fields.get("address"),
        email=fields.get("email"),
    )
