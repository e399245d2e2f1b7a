"""Settings -> identity keys: the custodian's for the processor, a keyring for a node."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gbus.config import SecuritySettings
from gbus.observability.logging import get_logger
from gbus.security.case_keys import KeyCustodian
from gbus.security.keys import NodeKeyring, issue_node_keyring, load_node_keyring, master_from_hex
from gbus.topics import area_of_agency

if TYPE_CHECKING:  # imported where used: cryptography loads only when signing is configured
    from gbus.security.record_signing import RecordSigner
    from gbus.security.trust import TrustStore

_log = get_logger("gbus.security")


def custodian_from_settings(security: SecuritySettings) -> KeyCustodian:
    masters = {}
    for entry in filter(None, (e.strip() for e in security.identity_previous_masters.split(","))):
        epoch, sep, key_hex = entry.partition(":")
        if not sep or not epoch:
            raise ValueError("security.identity_previous_masters: expected epoch:hex[,epoch:hex]")
        masters[epoch] = master_from_hex(key_hex)
    masters[security.identity_key_epoch] = master_from_hex(security.identity_master_hex)
    return KeyCustodian(masters, security.identity_key_epoch)


def area_agencies(directory: object, area: str) -> list[str]:
    return [a.id for a in directory.agencies() if area_of_agency(a.id) == area]  # type: ignore[attr-defined]


def node_keyring_from_settings(security: SecuritySettings, directory: object, area: str) -> NodeKeyring:
    if security.identity_keyring:
        return load_node_keyring(security.identity_keyring)
    # Development only: the node derives its own area's KEKs from the master, which
    # a production node never holds (it gets a keyring file from `gbus identity keyring`).
    _log.warning(
        "identity_keyring_derived_from_master", node=area, reason="development: no identity_keyring configured"
    )
    master = master_from_hex(security.identity_master_hex)
    return issue_node_keyring(master, security.identity_key_epoch, area_agencies(directory, area))


def record_signer_from_settings(
    security: SecuritySettings, *, fallback_cert: str = "", fallback_key: str = ""
) -> RecordSigner | None:
    """This process's RecordSigner, or None when it has no signing certificate (development).

    The signer identity is read from the certificate (urn:gbus:node:<area> ...), never
    from configuration, so a process cannot be configured to sign as someone else.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from gbus.config import ConfigError
    from gbus.security.certificates import load_certificate, signer_of_certificate
    from gbus.security.record_signing import RecordSigner

    cert_path = security.signing_cert or fallback_cert
    key_path = security.signing_key or (fallback_key if not security.signing_cert else "")
    if not cert_path:
        return None
    try:
        cert = load_certificate(Path(cert_path).read_bytes())
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"security.signing_cert/signing_key: cannot load {cert_path} / {key_path}: {exc}") from exc
    signer = signer_of_certificate(cert)
    if signer is None:
        raise ConfigError(f"security.signing_cert: {cert_path} names no node, processor or operator")
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise ConfigError(f"security.signing_key: {key_path} is not the EC key of {cert_path}")
    return RecordSigner(signer, key)


def trust_from_settings(security: SecuritySettings, *, role: str) -> TrustStore | None:
    """The TrustStore of security.trust_dir, or None — said loudly, since then no
    record's origin (processor) or copy's signature (node) is verified."""
    from gbus.security.trust import TrustStore

    if not security.trust_dir:
        _log.warning(
            "record_origin_unverified", role=role,
            reason="security.trust_dir is not set: record signatures are NOT verified (development only)",
        )  # fmt: skip
        return None
    return TrustStore(Path(security.trust_dir), reload_s=security.trust_reload_s)
