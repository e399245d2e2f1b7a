"""Whom a process believes: the bus CA, the signing certificates it issued, its CRL.

    trust = TrustStore(Path("var/pki"), reload_s=5.0)
    origin = trust.verify_record(topic, key, value, headers)   # -> VerifiedOrigin, or RecordRefused
    trust.verify_processor_record("a case copy", topic, key, value, headers)  # ... and a processor signed it
    trust.is_revoked(serial)                                  # gRPC authorisation of agency certs

The trust directory is the public half of a PKI directory (gbus.security.pki):
`ca.pem`, the signing certificates under `nodes/`, `processors/`, `operators/`,
and `crl.pem`. Private keys found beside them are never read. It is re-read every
`reload_s` seconds (at the next use after that), so a new processor key, a new
node or a revocation takes effect without a restart; a directory that fails to
load keeps the previous state and is logged, so a half-copied CRL never opens
the door wider.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from gbus.observability.logging import get_logger
from gbus.security.certificates import issued_by, signer_of_certificate
from gbus.security.record_signing import (
    BadSignatureError,
    RecordClaim,
    UnsignedRecordError,
    check_signature,
    key_id_of,
    read_claim,
)
from gbus.security.revocation import revoked_serials

_log = get_logger("gbus.security.trust")
_SIGNER_DIRS = ("nodes", "processors", "operators")
# A signer's clock may run a little ahead; more than this is a made-up time.
MAX_CLOCK_SKEW_S = 300.0


class RecordRefused(ValueError):
    """A record whose origin cannot be proven; `signer` is who it claimed to be."""

    def __init__(self, reason: str, signer: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.signer = signer


@dataclass(frozen=True)
class VerifiedOrigin:
    signer: str  # "node:79", "processor:p1", "operator:ops"
    key_id: str
    signed_at: str
    serial: int

    @property
    def kind(self) -> str:
        return self.signer.partition(":")[0]

    @property
    def name(self) -> str:
        """The node's area, the processor's or operator's name."""
        return self.signer.partition(":")[2]


@dataclass(frozen=True)
class _Signing:
    signer: str
    key: ec.EllipticCurvePublicKey
    cert: x509.Certificate


@dataclass(frozen=True)
class TrustSnapshot:
    """One consistent load of the trust directory."""

    ca: x509.Certificate
    by_key_id: dict[str, _Signing] = field(default_factory=dict)
    revoked: frozenset[int] = frozenset()


def load_trust(root: Path) -> TrustSnapshot:
    """Read the directory; ValueError/OSError if the CA or the CRL is unusable."""
    ca = x509.load_pem_x509_certificate((root / "ca.pem").read_bytes())
    crl = root / "crl.pem"
    revoked = revoked_serials(crl.read_bytes(), ca) if crl.exists() else frozenset()
    by_key_id: dict[str, _Signing] = {}
    for path in _certificate_files(root):
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError:
            _log.warning("trust_certificate_unreadable", path=str(path))
            continue
        signer = signer_of_certificate(cert)
        public = cert.public_key()
        if signer is None or not isinstance(public, ec.EllipticCurvePublicKey) or not issued_by(cert, ca):
            _log.warning("trust_certificate_ignored", path=str(path), reason="not a signer certificate of this CA")
            continue
        by_key_id[key_id_of(public)] = _Signing(signer, public, cert)
    return TrustSnapshot(ca, by_key_id, revoked)


def _certificate_files(root: Path) -> Iterable[Path]:
    for sub in _SIGNER_DIRS:
        folder = root / sub
        if folder.is_dir():
            yield from sorted(p for p in folder.glob("*.pem") if not p.name.endswith("-key.pem"))


def verify_with(
    snapshot: TrustSnapshot,
    topic: str,
    key: bytes | None,
    value: bytes | None,
    headers: object,
    now: datetime,
    *,
    historical: bool = False,
) -> VerifiedOrigin:
    """Pure check of one record against one trust snapshot.

    The certificate must be valid now — or, for `historical` reads of the log (gbus
    trace), when the record was signed: a rotated-out or expired processor key still
    proves the history it signed, as long as its certificate stays in the directory
    and is not revoked.
    """
    try:
        claim: RecordClaim = read_claim(headers)  # type: ignore[arg-type]
    except (UnsignedRecordError, BadSignatureError) as exc:
        raise RecordRefused(str(exc)) from None
    signing = snapshot.by_key_id.get(claim.key_id)
    if signing is None:
        raise RecordRefused(f"key id {claim.key_id} is not a signing key the bus CA issued", claim.signer)
    if signing.signer != claim.signer:
        raise RecordRefused(f"key {claim.key_id} belongs to {signing.signer}, not {claim.signer}", claim.signer)
    if signing.cert.serial_number in snapshot.revoked:
        raise RecordRefused(f"the certificate of {signing.signer} is revoked", claim.signer)
    try:
        signed_at = datetime.fromisoformat(claim.signed_at)
    except ValueError:
        raise RecordRefused(f"gbus-signed-at is not a time: {claim.signed_at[:40]!r}", claim.signer) from None
    if signed_at.tzinfo is None or (signed_at - now).total_seconds() > MAX_CLOCK_SKEW_S:
        raise RecordRefused(f"signed at {claim.signed_at}, in the future", claim.signer)
    valid_at = signed_at if historical else now
    if not signing.cert.not_valid_before_utc <= valid_at <= signing.cert.not_valid_after_utc:
        raise RecordRefused(f"the certificate of {signing.signer} is not valid at {valid_at.isoformat()}", claim.signer)
    try:
        check_signature(claim, signing.key, topic, key, value)
    except BadSignatureError as exc:
        raise RecordRefused(str(exc), claim.signer) from None
    return VerifiedOrigin(claim.signer, claim.key_id, claim.signed_at, signing.cert.serial_number)


class TrustStore:
    """The current TrustSnapshot of a directory, reloaded every `reload_s` seconds."""

    def __init__(
        self,
        root: Path,
        *,
        reload_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.root = Path(root)
        self.reload_s = reload_s
        self._monotonic = monotonic
        self._clock = clock
        self._snapshot = load_trust(self.root)  # at start a bad directory is fatal, not ignored
        self._next_load = monotonic() + reload_s
        _log.info("trust_loaded", root=str(self.root), signers=len(self._snapshot.by_key_id),
                  revoked=len(self._snapshot.revoked))  # fmt: skip

    def current(self) -> TrustSnapshot:
        if self._monotonic() >= self._next_load:
            self._next_load = self._monotonic() + self.reload_s
            try:
                fresh = load_trust(self.root)
            except (OSError, ValueError) as exc:
                _log.error("trust_reload_failed", root=str(self.root), error=str(exc))
            else:
                if fresh.revoked != self._snapshot.revoked or fresh.by_key_id.keys() != self._snapshot.by_key_id.keys():
                    _log.info("trust_reloaded", signers=len(fresh.by_key_id), revoked=len(fresh.revoked))
                self._snapshot = fresh
        return self._snapshot

    def verify_record(
        self, topic: str, key: bytes | None, value: bytes | None, headers: object, *, historical: bool = False
    ) -> VerifiedOrigin:
        return verify_with(self.current(), topic, key, value, headers, self._clock(), historical=historical)

    def verify_processor_record(
        self, what: str, topic: str, key: bytes | None, value: bytes | None, headers: object
    ) -> VerifiedOrigin:
        """verify_record for what only a processor writes (case copies, command answers, placement
        verdicts): a node's or operator's valid signature proves the record forged, not genuine."""
        origin = self.verify_record(topic, key, value, headers)
        if origin.kind != "processor":
            raise RecordRefused(f"{what} must be signed by a processor, not {origin.signer}", origin.signer)
        return origin

    def is_revoked(self, serial: int) -> bool:
        return serial in self.current().revoked
