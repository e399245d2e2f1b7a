"""Revoking a certificate: an X.509 CRL signed by the bus CA, at <pki>/crl.pem.

    revoke(Path("var/pki"), "gov.ubnd@79")   # an agency's member-system certificate
    revoke(Path("var/pki"), "79")            # node 79's certificate (also "node:79")
    revoke(Path("var/pki"), "processor:p1")  # a processor's or operator's signing certificate

A standard CRL rather than a home-made list: any TLS stack or `openssl crl` can
read it, and it carries the CA's signature, so a copy handed to nodes cannot be
edited to un-revoke someone. Revocation is by serial: the certificate currently
at the identity's path is revoked; a certificate issued later for the same
identity (after the incident is dealt with) is valid again.

Readers (gbus.security.trust) reload the file periodically; nothing restarts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from gbus.domain.vocabulary import is_agency_id, is_area
from gbus.security.pki import PkiError, PkiLayout, load_authority, write_public

# Readers reload far more often; a CRL past its next update is still read (the
# CA may be offline), but `openssl crl` would warn, so keep it generous.
_NEXT_UPDATE = dt.timedelta(days=30)


def certificate_path(layout: PkiLayout, target: str) -> Path:
    """Which certificate file `target` (agency id, area, node:/processor:/operator: name) names."""
    kind, sep, name = target.partition(":")
    if sep and kind == "node":
        return layout.node_cert(name)
    if sep and kind in ("processor", "operator"):
        return layout.signer_cert(kind, name)
    if is_agency_id(target):
        return layout.agency_cert(target)
    if is_area(target):
        return layout.node_cert(target)
    raise PkiError(
        f"cannot revoke {target!r}: expected an agency id (gov.ubnd@79), a node area (79, VN, node:79), "
        "processor:NAME or operator:NAME"
    )


def revoked_serials(crl_pem: bytes, ca: x509.Certificate) -> frozenset[int]:
    """The serials of a CRL the CA signed; ValueError for any other file."""
    crl = x509.load_pem_x509_crl(crl_pem)
    if crl.issuer != ca.subject or not crl.is_signature_valid(ca.public_key()):  # type: ignore[arg-type]
        raise ValueError("the revocation list is not signed by the bus CA")
    return frozenset(entry.serial_number for entry in crl)


def revoke(directory: Path, target: str, *, now: dt.datetime | None = None) -> tuple[Path, int]:
    """Add the serial of `target`'s current certificate to the CRL; (its path, the serial)."""
    layout = PkiLayout(Path(directory))
    path = certificate_path(layout, target)
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PkiError(f"no certificate to revoke at {path}: {exc}") from exc
    ca_cert, ca_key = load_authority(layout.root)
    at = now or dt.datetime.now(dt.timezone.utc)
    entries: dict[int, x509.RevokedCertificate] = {}
    if layout.crl.exists():
        try:
            old = x509.load_pem_x509_crl(layout.crl.read_bytes())
        except ValueError as exc:
            raise PkiError(f"{layout.crl} is not a CRL: {exc}") from exc
        entries = {e.serial_number: e for e in old}
    if cert.serial_number not in entries:
        entries[cert.serial_number] = (
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(at).build()
        )
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(at)
        .next_update(at + _NEXT_UPDATE)
    )
    for entry in entries.values():
        builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(ca_key, hashes.SHA256())
    write_public(layout.crl, crl.public_bytes(serialization.Encoding.PEM))
    return path, cert.serial_number
