"""Who wrote a Kafka record: signatures in record headers. Pure (no Kafka, no files).

A signed record keeps its Avro value byte for byte; the proof travels beside it in
headers, so every reader of the old format still decodes it:

    gbus-signer     "node:79", "processor:p1", "operator:ops": the identity in the
                    signing certificate's SAN (gbus.security.certificates)
    gbus-key-id     fingerprint of the signing public key (hex, 32 chars)
    gbus-signed-at  when it was signed, ISO 8601 UTC
    gbus-sig        ECDSA-P256/SHA-256 (the bus CA issues P-256 keys) over
                    signed_payload(topic, key, value, signer, key_id, signed_at)

The topic is inside the signature, so a record signed for `commands` cannot be
replayed onto `reports`, nor a node copy for node.79 onto node.01. Verification
(which certificate holds the key id, is it revoked) is gbus.security.trust's job;
this module only builds and checks the bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNER_HEADER = "gbus-signer"
KEY_ID_HEADER = "gbus-key-id"
SIGNED_AT_HEADER = "gbus-signed-at"
SIG_HEADER = "gbus-sig"
SIGNATURE_HEADERS = (SIGNER_HEADER, KEY_ID_HEADER, SIGNED_AT_HEADER, SIG_HEADER)
# Versioned domain separation: a signature over a record can never be read as one
# over anything else the same key signs (TLS handshakes included).
_DOMAIN = b"gbus-record-signature-v1\x00"

Headers = Sequence[tuple[str, bytes]]


class UnsignedRecordError(ValueError):
    """The record carries no (or incomplete) signature headers."""


class BadSignatureError(ValueError):
    """The signature headers are present but do not prove the record."""


def key_id_of(public_key: ec.EllipticCurvePublicKey) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo, 128 bits in hex: names a key, not a certificate,
    so a certificate renewed with the same key keeps its key id."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:32]


def signed_payload(
    topic: str, key: bytes | None, value: bytes | None, signer: str, key_id: str, signed_at: str
) -> bytes:
    """Every part length-prefixed, so no two different records share a payload."""
    parts = [
        topic.encode("utf-8"),
        key,
        value,
        signer.encode("utf-8"),
        key_id.encode("ascii"),
        signed_at.encode("ascii"),
    ]
    out = bytearray(_DOMAIN)
    for part in parts:
        if part is None:  # a null key differs from an empty one
            out += b"\xff\xff\xff\xff"
        else:
            out += len(part).to_bytes(4, "big") + part
    return bytes(out)


@dataclass(frozen=True)
class RecordSigner:
    """Signs the records of one process with its certificate's private key."""

    signer: str
    key: ec.EllipticCurvePrivateKey

    @property
    def key_id(self) -> str:
        return key_id_of(self.key.public_key())

    def headers(
        self, topic: str, key: bytes | None, value: bytes | None, now: datetime | None = None
    ) -> list[tuple[str, bytes]]:
        at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="milliseconds")
        key_id = self.key_id
        sig = self.key.sign(signed_payload(topic, key, value, self.signer, key_id, at), ec.ECDSA(hashes.SHA256()))
        return [
            (SIGNER_HEADER, self.signer.encode("utf-8")),
            (KEY_ID_HEADER, key_id.encode("ascii")),
            (SIGNED_AT_HEADER, at.encode("ascii")),
            (SIG_HEADER, sig),
        ]


@dataclass(frozen=True)
class RecordClaim:
    """What the headers claim, before anyone checked it."""

    signer: str
    key_id: str
    signed_at: str
    signature: bytes


def read_claim(headers: Iterable[tuple[str, bytes]] | None) -> RecordClaim:
    found: dict[str, bytes] = {}
    for name, raw in headers or ():
        if name in SIGNATURE_HEADERS:
            if name in found:
                raise BadSignatureError(f"header {name} appears twice")
            found[name] = bytes(raw) if raw is not None else b""
    missing = [h for h in SIGNATURE_HEADERS if not found.get(h)]
    if len(missing) == len(SIGNATURE_HEADERS):
        raise UnsignedRecordError("the record is not signed (no gbus-signer/gbus-sig headers)")
    if missing:
        raise UnsignedRecordError(f"incomplete signature: missing header(s) {', '.join(missing)}")
    try:
        signer = found[SIGNER_HEADER].decode("utf-8")
        key_id = found[KEY_ID_HEADER].decode("ascii")
        signed_at = found[SIGNED_AT_HEADER].decode("ascii")
    except UnicodeDecodeError:
        raise BadSignatureError("signature headers are not text") from None
    return RecordClaim(signer, key_id, signed_at, found[SIG_HEADER])


def check_signature(
    claim: RecordClaim, public_key: ec.EllipticCurvePublicKey, topic: str, key: bytes | None, value: bytes | None
) -> None:
    """BadSignatureError unless `public_key` signed exactly this record as claimed."""
    if key_id_of(public_key) != claim.key_id:
        raise BadSignatureError(f"key id {claim.key_id} is not the key of the certificate found for it")
    payload = signed_payload(topic, key, value, claim.signer, claim.key_id, claim.signed_at)
    try:
        public_key.verify(claim.signature, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadSignatureError(f"signature of {claim.signer} does not match the record (altered or forged)") from None


def without_signature(headers: Iterable[tuple[str, bytes]] | None) -> list[tuple[str, bytes]]:
    """Other headers of a record, for a re-signing writer."""
    return [(n, v) for n, v in headers or () if n not in SIGNATURE_HEADERS]
