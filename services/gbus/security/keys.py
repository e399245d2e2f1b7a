"""Who holds which identity keys (docs/identity.md).

- The key custodian (the case processor) holds the master secret of the
  current epoch. From it derive, with HKDF-SHA256:
  * one AES-256 key-encryption key (KEK) per agency, and
  * one X25519 key pair of the custodian itself.
- A node holds a `NodeKeyring`: the KEKs of the agencies of its own area and
  the custodian's *public* key only. It can seal for the custodian but cannot
  open what other nodes sealed, nor any wrap made for another area's agency.

Intake seals each report's data key to the custodian's public key (ephemeral
X25519 + HKDF + AES key wrap), so an intake node cannot open the reports
topic either. The epoch is part of every key id, so a new master can be
introduced while wraps of the old one are still being replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from gbus.security.identity_seal import IdentitySealError, ReporterIdentity, encrypt_identity

CUSTODIAN_KEY_PREFIX = "custodian:"
_RAW = serialization.Encoding.Raw


def _hkdf(secret: bytes, info: str, *, salt: bytes = b"gbus.identity") -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info.encode("utf-8")).derive(secret)


def agency_kek(master: bytes, agency_id: str) -> bytes:
    """The agency's key-encryption key: only the custodian can compute it for every agency."""
    return _hkdf(master, f"agency-kek\x1f{agency_id}")


def custodian_private_key(master: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_hkdf(master, "custodian-x25519"))


def public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(_RAW, serialization.PublicFormat.Raw)


def custodian_key_id(epoch: str) -> str:
    return f"{CUSTODIAN_KEY_PREFIX}{epoch}"


def wrap_for_custodian(public_key: bytes, data_key: bytes) -> bytes:
    """ephemeral public key (32 bytes) || AES-KW(HKDF(shared secret), data_key)."""
    ephemeral = X25519PrivateKey.generate()
    eph_public = public_bytes(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    return eph_public + aes_key_wrap(_hkdf(shared, "custodian-envelope", salt=eph_public + public_key), data_key)


def unwrap_as_custodian(private_key: X25519PrivateKey, blob: bytes) -> bytes:
    eph_public, wrapped = blob[:32], blob[32:]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(eph_public))
        own = public_bytes(private_key.public_key())
        return aes_key_unwrap(_hkdf(shared, "custodian-envelope", salt=eph_public + own), wrapped)
    except (InvalidUnwrap, ValueError) as exc:
        raise IdentitySealError("data key sealed for the custodian does not open (other master or altered)") from exc


def unwrap(kek: bytes, wrapped: bytes, what: str) -> bytes:
    try:
        return aes_key_unwrap(kek, wrapped)
    except (InvalidUnwrap, ValueError) as exc:
        raise IdentitySealError(f"{what} does not unwrap (wrong key or altered)") from exc


def wrap(kek: bytes, key: bytes) -> bytes:
    return aes_key_wrap(kek, key)


@dataclass(frozen=True)
class NodeKeyring:
    """What a node may hold: its area's agency KEKs and the custodian's public key."""

    epoch: str
    custodian_public: bytes
    agency_keks: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def custodian_key_id(self) -> str:
        return custodian_key_id(self.epoch)

    def kek_of(self, agency_id: str) -> bytes | None:
        return self.agency_keks.get(agency_id)

    def __repr__(self) -> str:  # never print key material into a log
        return f"NodeKeyring(epoch={self.epoch!r}, agencies={sorted(self.agency_keks)!r})"


def seal_for_custodian(identity: ReporterIdentity, keyring: NodeKeyring, *, report_id: str) -> dict[str, Any]:
    """Intake's seal: a SealedIdentity record only the key custodian can open."""
    payload = encrypt_identity(identity, report_id=report_id)
    return {
        "key_id": keyring.custodian_key_id,
        "wrapped_key": wrap_for_custodian(keyring.custodian_public, payload.data_key),
        "nonce": payload.nonce,
        "ciphertext": payload.ciphertext,
    }


def issue_node_keyring(master: bytes, epoch: str, agencies: Iterable[str]) -> NodeKeyring:
    """What the custodian's operator hands to one node: the KEKs of `agencies` only."""
    return NodeKeyring(
        epoch=epoch,
        custodian_public=public_bytes(custodian_private_key(master).public_key()),
        agency_keks={a: agency_kek(master, a) for a in agencies},
    )


def dump_node_keyring(keyring: NodeKeyring) -> str:
    return json.dumps(
        {
            "epoch": keyring.epoch,
            "custodian_public": keyring.custodian_public.hex(),
            "agencies": {a: k.hex() for a, k in sorted(keyring.agency_keks.items())},
        },
        indent=1,
    )


def load_node_keyring(path: str | Path) -> NodeKeyring:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return NodeKeyring(
            epoch=data["epoch"],
            custodian_public=bytes.fromhex(data["custodian_public"]),
            agency_keks={a: bytes.fromhex(k) for a, k in data["agencies"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"identity keyring {path} is unreadable: {exc}") from exc


def master_from_hex(text: str) -> bytes:
    try:
        master = bytes.fromhex(text)
    except ValueError:
        raise ValueError("identity master secret is not hex") from None
    if len(master) < 32:
        raise ValueError(f"identity master secret must be at least 32 bytes, got {len(master)}")
    return master
