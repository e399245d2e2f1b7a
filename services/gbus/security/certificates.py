"""Reading certificates: which agency or node a certificate speaks for.

The identity is a URI in the subject alternative name — `urn:gbus:agency:<agency_id>`
or `urn:gbus:node:<area>` — and nothing else: the common name is for humans, and a
DNS name cannot hold an agency id's `@`. A certificate naming two agencies is
refused rather than guessed at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from gbus.domain.vocabulary import is_agency_id, is_area

AGENCY_URI_PREFIX = "urn:gbus:agency:"
NODE_URI_PREFIX = "urn:gbus:node:"
# Record signers besides nodes (gbus.security.record_signing): the case processor,
# which signs the history it writes, and the bus operator, who alone may send Ticks.
PROCESSOR_URI_PREFIX = "urn:gbus:processor:"
OPERATOR_URI_PREFIX = "urn:gbus:operator:"
_SIGNER_PREFIXES = {NODE_URI_PREFIX: "node", PROCESSOR_URI_PREFIX: "processor", OPERATOR_URI_PREFIX: "operator"}


class CertificateError(ValueError):
    """A certificate is unreadable or does not name exactly one valid identity."""


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial_hex: str
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool
    uris: tuple[str, ...]
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    agency: str | None
    node_area: str | None


def load_certificate(pem: bytes | str | x509.Certificate) -> x509.Certificate:
    if isinstance(pem, x509.Certificate):
        return pem
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateError(f"not a PEM certificate: {exc}") from exc


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def _uris(cert: x509.Certificate) -> list[str]:
    san = _san(cert)
    return list(san.get_values_for_type(x509.UniformResourceIdentifier)) if san else []


def agency_uris(uris: list[str] | tuple[str, ...]) -> str:
    """The one agency id among SAN URIs; CertificateError if none, several or malformed."""
    found = [u[len(AGENCY_URI_PREFIX) :] for u in uris if u.startswith(AGENCY_URI_PREFIX)]
    if not found:
        raise CertificateError(f"the certificate names no agency (expected a SAN URI {AGENCY_URI_PREFIX}<agency_id>)")
    if len(set(found)) > 1:
        raise CertificateError(f"the certificate names several agencies: {', '.join(sorted(set(found)))}")
    if not is_agency_id(found[0]):
        raise CertificateError(f"the certificate's agency is not an agency id: {found[0]!r}")
    return found[0]


def agency_of_certificate(pem: bytes | str | x509.Certificate) -> str:
    """The agency id a certificate speaks for, e.g. "gov.ubnd@79"."""
    return agency_uris(_uris(load_certificate(pem)))


def node_area_of_certificate(pem: bytes | str | x509.Certificate) -> str | None:
    """The area of a node certificate (`urn:gbus:node:<area>`), None for other certificates."""
    areas = [u[len(NODE_URI_PREFIX) :] for u in _uris(load_certificate(pem)) if u.startswith(NODE_URI_PREFIX)]
    return areas[0] if len(areas) == 1 and is_area(areas[0]) else None


def signer_of_certificate(pem: bytes | str | x509.Certificate) -> str | None:
    """The record-signer identity of a certificate ("node:79", "processor:p1",
    "operator:ops"); None for an agency certificate or one naming several signers."""
    found = {
        f"{kind}:{uri[len(prefix) :]}"
        for uri in _uris(load_certificate(pem))
        for prefix, kind in _SIGNER_PREFIXES.items()
        if uri.startswith(prefix) and uri[len(prefix) :]
    }
    if len(found) != 1:
        return None
    (signer,) = found
    if signer.startswith("node:") and not is_area(signer[5:]):
        return None
    return signer


def describe_certificate(pem: bytes | str | x509.Certificate) -> CertificateInfo:
    cert = load_certificate(pem)
    san = _san(cert)
    uris = tuple(san.get_values_for_type(x509.UniformResourceIdentifier)) if san else ()
    try:
        agency: str | None = agency_uris(uris)
    except CertificateError:
        agency = None
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial_hex=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=is_ca,
        uris=uris,
        dns_names=tuple(san.get_values_for_type(x509.DNSName)) if san else (),
        ip_addresses=tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress)) if san else (),
        agency=agency,
        node_area=node_area_of_certificate(cert),
    )


def issued_by(pem: bytes | str | x509.Certificate, ca_pem: bytes | str | x509.Certificate) -> bool:
    """True if the CA's key signed this certificate (signature and issuer name only:
    validity dates and usages are the TLS stack's job at handshake time)."""
    cert, ca = load_certificate(pem), load_certificate(ca_pem)
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
