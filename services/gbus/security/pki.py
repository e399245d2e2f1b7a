"""A development certificate authority for mutual TLS between agencies and nodes.

    ca = create_ca(Path("var/pki"))
    issue_agency_certificate(Path("var/pki"), "gov.ubnd@79")   # a member system's client cert
    issue_node_certificate(Path("var/pki"), "79")              # a node's server cert

Layout under the PKI directory (keys 0600, files written atomically):

    ca.pem  ca-key.pem
    agencies/<agency_id>.pem  agencies/<agency_id>-key.pem
    nodes/<area>.pem          nodes/<area>-key.pem

Identity lives in the subject alternative name, never the common name: an agency
certificate carries the URI `urn:gbus:agency:<agency_id>`, a node certificate
`urn:gbus:node:<area>` plus the DNS/IP names clients dial. A node certificate
names no agency, so a node's key can never speak for an agency.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gbus.domain.vocabulary import is_agency_id, is_area
from gbus.security.certificates import (
    AGENCY_URI_PREFIX,
    NODE_URI_PREFIX,
    OPERATOR_URI_PREFIX,
    PROCESSOR_URI_PREFIX,
    CertificateError,
    agency_of_certificate,
    describe_certificate,
)

CA_VALIDITY = dt.timedelta(days=5 * 365)
LEAF_VALIDITY = dt.timedelta(days=365)
# Certificates start a little in the past so a peer whose clock lags does not
# reject a certificate issued seconds ago.
BACKDATE = dt.timedelta(minutes=5)
DEFAULT_NODE_DNS = ("localhost",)
DEFAULT_NODE_IPS = ("127.0.0.1",)
_ORGANISATION = "grievance-bus"


class PkiError(Exception):
    """A PKI operation cannot be done; the message names the file or argument."""


@dataclass(frozen=True)
class PkiLayout:
    """Where the files of one PKI directory live."""

    root: Path

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.root / "ca-key.pem"

    def agency_cert(self, agency_id: str) -> Path:
        return self.root / "agencies" / f"{_checked_agency(agency_id)}.pem"

    def agency_key(self, agency_id: str) -> Path:
        return self.root / "agencies" / f"{_checked_agency(agency_id)}-key.pem"

    def node_cert(self, area: str) -> Path:
        return self.root / "nodes" / f"{_checked_area(area)}.pem"

    def node_key(self, area: str) -> Path:
        return self.root / "nodes" / f"{_checked_area(area)}-key.pem"

    def signer_cert(self, kind: str, name: str) -> Path:
        """processors/<name>.pem or operators/<name>.pem: record-signing identities."""
        return self.root / f"{kind}s" / f"{_checked_name(name)}.pem"

    def signer_key(self, kind: str, name: str) -> Path:
        return self.root / f"{kind}s" / f"{_checked_name(name)}-key.pem"

    def broker_cert(self, name: str) -> Path:
        """brokers/<name>.pem: a Kafka broker's TLS certificate (gbus.kafka_harness.tls)."""
        return self.root / "brokers" / f"{_checked_name(name)}.pem"

    def broker_key(self, name: str) -> Path:
        return self.root / "brokers" / f"{_checked_name(name)}-key.pem"

    @property
    def crl(self) -> Path:
        """The revocation list (gbus.security.revocation), signed by the CA."""
        return self.root / "crl.pem"


@dataclass(frozen=True)
class Issued:
    """A certificate written to disk, with the paths a TLS config needs."""

    cert_path: Path
    key_path: Path
    certificate: x509.Certificate


@dataclass(frozen=True)
class _Authority:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _checked_agency(agency_id: str) -> str:
    # Also guards the file name: an agency id cannot contain "/" or "..".
    if not is_agency_id(agency_id):
        raise PkiError(
            f"not an agency id: {agency_id!r} (expected sector.role@area, e.g. gov.ubnd@79 or front.mttq@VN)"
        )
    return agency_id


def _checked_name(name: str) -> str:
    # A processor instance or operator name; also guards the file name.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", name or ""):
        raise PkiError(f"not a name: {name!r} (letters, digits, '.', '_', '-'; at most 63)")
    return name


def _checked_area(area: str) -> str:
    if not is_area(area):
        raise PkiError(f"not an area: {area!r} (expected VN, a province code like 79, or 79.26734)")
    return area


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _new_key() -> ec.EllipticCurvePrivateKey:
    # P-256: small keys, fast handshakes, supported by every gRPC/BoringSSL/Java TLS stack.
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, unit: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANISATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def create_ca(
    directory: Path,
    *,
    common_name: str = "grievance-bus development CA",
    overwrite: bool = False,
    now: dt.datetime | None = None,
) -> Issued:
    """Create the CA key and self-signed certificate (5 years) in `directory`.

    Refuses to replace an existing CA unless `overwrite`: a new CA silently
    invalidates every certificate issued so far.
    """
    layout = PkiLayout(Path(directory))
    if layout.ca_cert.exists() and not overwrite:
        raise PkiError(f"a CA already exists at {layout.ca_cert}; replacing it invalidates every issued certificate")
    start = (now or _now()) - BACKDATE
    key = _new_key()
    subject = _name(common_name, "certificate authority")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        # path_length=0: this CA signs leaf certificates only, never another CA.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(layout.ca_key, _key_pem(key), private=True)
    _write(layout.ca_cert, cert.public_bytes(serialization.Encoding.PEM))
    return Issued(layout.ca_cert, layout.ca_key, cert)


def issue_agency_certificate(directory: Path, agency_id: str, *, now: dt.datetime | None = None) -> Issued:
    """A client certificate for one member system: SAN URI urn:gbus:agency:<agency_id>."""
    layout = PkiLayout(Path(directory))
    sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(AGENCY_URI_PREFIX + _checked_agency(agency_id))]
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    cert_path, key_path = layout.agency_cert(agency_id), layout.agency_key(agency_id)
    return _issue(layout, cert_path, key_path, agency_id, "agency", sans, usages, now)


def issue_node_certificate(
    directory: Path,
    area: str,
    *,
    dns_names: tuple[str, ...] = DEFAULT_NODE_DNS,
    ip_addresses: tuple[str, ...] = DEFAULT_NODE_IPS,
    now: dt.datetime | None = None,
) -> Issued:
    """A node's certificate: serves gRPC (server auth for the names clients dial)
    and lets the node authenticate as a client of other nodes or brokers."""
    layout = PkiLayout(Path(directory))
    sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(NODE_URI_PREFIX + _checked_area(area))]
    sans += _host_sans(dns_names, ip_addresses)
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    return _issue(layout, layout.node_cert(area), layout.node_key(area), f"node {area}", "node", sans, usages, now)


def issue_broker_certificate(
    directory: Path,
    name: str,
    *,
    dns_names: tuple[str, ...] = DEFAULT_NODE_DNS,
    ip_addresses: tuple[str, ...] = DEFAULT_NODE_IPS,
    now: dt.datetime | None = None,
) -> Issued:
    """A Kafka broker's certificate: server auth for the names clients dial, client auth for
    the connections brokers open to each other. It names no agency or node: a broker's key
    can prove it is a broker of this bus, nothing more."""
    layout = PkiLayout(Path(directory))
    sans = _host_sans(dns_names, ip_addresses)
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    return _issue(
        layout, layout.broker_cert(name), layout.broker_key(name), f"kafka {name}", "broker", sans, usages, now
    )


def _host_sans(dns_names: tuple[str, ...], ip_addresses: tuple[str, ...]) -> list[x509.GeneralName]:
    """The names a TLS client checks the server against (the host it dialled)."""
    sans: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    for raw in ip_addresses:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(raw)))
        except ValueError:
            raise PkiError(f"not an IP address: {raw!r}") from None
    return sans


def issue_signer_certificate(directory: Path, kind: str, name: str, *, now: dt.datetime | None = None) -> Issued:
    """A record-signing certificate for the case processor (kind "processor": it signs
    the history it writes) or an operator (kind "operator": only it may send Ticks).
    No TLS usage: it authenticates records, not connections."""
    prefixes = {"processor": PROCESSOR_URI_PREFIX, "operator": OPERATOR_URI_PREFIX}
    if kind not in prefixes:
        raise PkiError(f"not a signer kind: {kind!r} (processor or operator)")
    layout = PkiLayout(Path(directory))
    sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(prefixes[kind] + _checked_name(name))]
    cert_path, key_path = layout.signer_cert(kind, name), layout.signer_key(kind, name)
    return _issue(layout, cert_path, key_path, f"{kind} {name}", kind, sans, [], now)


def load_authority(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The CA certificate and key (for signing a revocation list)."""
    ca = _load_authority(PkiLayout(Path(directory)))
    return ca.certificate, ca.key


def write_public(path: Path, data: bytes) -> None:
    """Atomically write a public file of the PKI directory (mode 0644)."""
    _write(path, data)


def _issue(
    layout: PkiLayout,
    cert_path: Path,
    key_path: Path,
    common_name: str,
    unit: str,
    sans: list[x509.GeneralName],
    usages: list[x509.ObjectIdentifier],
    now: dt.datetime | None,
) -> Issued:
    ca = _load_authority(layout)
    start = (now or _now()) - BACKDATE
    # A leaf must not outlive its CA: verifiers would reject it after the CA expires anyway.
    end = min(start + LEAF_VALIDITY, ca.certificate.not_valid_after_utc)
    if end <= start:
        raise PkiError(f"the CA at {layout.ca_cert} has expired; create a new one (see docs/security.md, rotation)")
    key = _new_key()
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, unit))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
    )
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    cert = (
        builder
        # Non-critical: the subject DN is not empty (RFC 5280 §4.2.1.6 demands
        # critical only then), and old verifiers must not reject the certificate.
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return Issued(cert_path, key_path, cert)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _load_authority(layout: PkiLayout) -> _Authority:
    if not layout.ca_cert.exists() or not layout.ca_key.exists():
        raise PkiError(
            f"no CA in {layout.root} (expected ca.pem and ca-key.pem); run `gbus pki init --dir {layout.root}`"
        )
    try:
        cert = x509.load_pem_x509_certificate(layout.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(layout.ca_key.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise PkiError(f"cannot load the CA from {layout.root}: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise PkiError(f"{layout.ca_key} is not the private key of {layout.ca_cert}")
    return _Authority(cert, key)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    # Unencrypted PKCS#8: gRPC and Kafka read it without a passphrase; the file mode protects it.
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a key,
    and create key files 0600 from the start rather than chmod-ing them later."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if not private:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = [
    "CertificateError",
    "Issued",
    "PkiError",
    "PkiLayout",
    "agency_of_certificate",
    "create_ca",
    "describe_certificate",
    "issue_agency_certificate",
    "issue_node_certificate",
]
