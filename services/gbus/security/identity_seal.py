"""Interim sealing of a reporter's identity (DESIGN.md §6).

The identity (name, phone, national id, address) is encrypted with AES-256-GCM
under a fresh data key per report; the data key is wrapped (RFC 3394 AES key
wrap) under one key-encryption key (KEK). The result is the `SealedIdentity`
Avro record, the only form in which an identity reaches Kafka.

The ciphertext is bound to its report id (GCM associated data), so a sealed
identity copied onto another report does not open. The security issue later
replaces the single KEK with per-agency wrapping; callers only see
`seal_identity` / `open_identity` and a `Kek`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from gbus.errors import BusError

_NONCE_BYTES = 12  # the GCM standard nonce; random is safe because every data key is used once
_FORMAT_VERSION = 1


class IdentitySealError(BusError):
    """A sealed identity does not open: wrong key, or altered (tampered) bytes."""


@dataclass(frozen=True, slots=True)
class ReporterIdentity:
    name: str | None = None
    phone: str | None = None
    national_id: str | None = None
    address: str | None = None

    def is_empty(self) -> bool:
        return not any((self.name, self.phone, self.national_id, self.address))


@dataclass(frozen=True, slots=True)
class Kek:
    """A key-encryption key and the id recorded next to everything it wraps."""

    key_id: str
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != 32:
            raise ValueError(f"KEK {self.key_id} must be 32 bytes (AES-256), got {len(self.key)}")

    @classmethod
    def from_hex(cls, key_id: str, key_hex: str) -> "Kek":
        try:
            key = bytes.fromhex(key_hex)
        except ValueError:
            raise ValueError(f"KEK {key_id} is not hex") from None
        return cls(key_id, key)

    def __repr__(self) -> str:  # never print key material into a log
        return f"Kek(key_id={self.key_id!r})"


def _aad(key_id: str, report_id: str) -> bytes:
    return f"gbus.identity.v{_FORMAT_VERSION}\x1f{key_id}\x1f{report_id}".encode()


def seal_identity(identity: ReporterIdentity, kek: Kek, *, report_id: str) -> dict[str, Any]:
    """Encrypt `identity` for the report `report_id`; returns a SealedIdentity record."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = json.dumps({"v": _FORMAT_VERSION, **asdict(identity)}, ensure_ascii=False).encode("utf-8")
    return {
        "key_id": kek.key_id,
        "wrapped_key": aes_key_wrap(kek.key, data_key),
        "nonce": nonce,
        "ciphertext": AESGCM(data_key).encrypt(nonce, plaintext, _aad(kek.key_id, report_id)),
    }


def open_identity(sealed: Mapping[str, Any], kek: Kek, *, report_id: str) -> ReporterIdentity:
    """Decrypt a SealedIdentity record, or raise IdentitySealError."""
    if sealed.get("key_id") != kek.key_id:
        raise IdentitySealError(f"identity of report {report_id} is sealed under key {sealed.get('key_id')!r}, not {kek.key_id!r}")
    try:
        data_key = aes_key_unwrap(kek.key, bytes(sealed["wrapped_key"]))
        plaintext = AESGCM(data_key).decrypt(
            bytes(sealed["nonce"]), bytes(sealed["ciphertext"]), _aad(kek.key_id, report_id)
        )
        fields = json.loads(plaintext.decode("utf-8"))
    except (InvalidUnwrap, InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise IdentitySealError(f"identity of report {report_id} does not open (altered or wrong key)") from exc
    return ReporterIdentity(
        name=fields.get("name"),
        phone=fields.get("phone"),
        national_id=fields.get("national_id"),
        address=fields.get("address"),
    )
