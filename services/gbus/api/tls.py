"""Mutual TLS for the gRPC edge: server credentials from settings, client channels.

    creds = server_credentials_for(settings.grpc)       # None only in insecure dev mode
    running = start_grpc_server(bindings, settings.grpc, metrics, credentials=creds)

    channel = secure_channel("127.0.0.1:7443", ca="var/pki/ca.pem",
                             cert="var/pki/agencies/gov.ubnd@79.pem",
                             key="var/pki/agencies/gov.ubnd@79-key.pem")

PEM sources are `bytes` (the PEM itself) or a path (`str` / `Path`). `tls_ca` may hold
several CA certificates one after another: that trust bundle is how a CA is rotated
without downtime (docs/security.md).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from gbus.config import ConfigError, GrpcSettings
from gbus.observability.logging import get_logger
from gbus.security.pki import PkiLayout

PemSource = bytes | str | os.PathLike[str]

_log = get_logger("gbus.grpc")


def read_pem(source: PemSource, what: str) -> bytes:
    """The PEM bytes of `source`; `what` names the setting or argument in errors."""
    if isinstance(source, bytes):
        return source
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc.strerror}") from exc
    if b"-----BEGIN" not in data:
        raise ConfigError(f"{what}: {path} is not a PEM file")
    return data


def server_credentials(settings: GrpcSettings) -> grpc.ServerCredentials:
    """TLS server credentials that require a client certificate signed by `tls_ca`."""
    missing = [f"grpc.{name}" for name in ("tls_cert", "tls_key", "tls_ca") if not getattr(settings, name)]
    if missing:
        raise ConfigError(
            f"mutual TLS needs {', '.join(missing)} (files made by `gbus pki init` and `gbus pki issue-node`)"
        )
    cert = read_pem(settings.tls_cert, "grpc.tls_cert")
    key = read_pem(settings.tls_key, "grpc.tls_key")
    ca = read_pem(settings.tls_ca, "grpc.tls_ca")
    _check_key_matches(cert, key)
    return grpc.ssl_server_credentials([(key, cert)], root_certificates=ca, require_client_auth=True)


def server_credentials_for(settings: GrpcSettings) -> grpc.ServerCredentials | None:
    """What a node passes to start_grpc_server: mTLS, or None (plaintext) only in
    insecure development mode with no TLS files configured."""
    configured = settings.tls_cert or settings.tls_key or settings.tls_ca
    if settings.insecure_dev_mode and not configured:
        return None
    if not settings.insecure_dev_mode and not configured:
        raise ConfigError(
            "grpc.insecure_dev_mode is false but grpc.tls_cert, grpc.tls_key and grpc.tls_ca are not set; "
            "configure mutual TLS or, on a development machine only, set grpc.insecure_dev_mode = true"
        )
    return server_credentials(settings)


def _check_key_matches(cert_pem: bytes, key_pem: bytes) -> None:
    # grpc reports a mismatched pair only as a failed bind or handshake; say which files are wrong.
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise ConfigError(f"grpc.tls_cert: not a certificate: {exc}") from exc
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"grpc.tls_key: not an unencrypted private key: {exc}") from exc
    if key.public_key() != cert.public_key():
        raise ConfigError("grpc.tls_key is not the private key of grpc.tls_cert")


def client_credentials(ca: PemSource, cert: PemSource, key: PemSource) -> grpc.ChannelCredentials:
    """Channel credentials of a member system: its agency certificate and key, and
    the CA bundle that the node's server certificate must chain to."""
    return grpc.ssl_channel_credentials(
        root_certificates=read_pem(ca, "ca"),
        private_key=read_pem(key, "key"),
        certificate_chain=read_pem(cert, "cert"),
    )


def secure_channel(
    address: str,
    ca: PemSource,
    cert: PemSource,
    key: PemSource,
    *,
    server_name_override: str | None = None,
    options: Sequence[tuple[str, Any]] = (),
) -> grpc.Channel:
    """A mutually authenticated channel to a node.

    `server_name_override` checks the server certificate against that name instead
    of the host in `address` — for a node reached by an IP or name its
    certificate does not carry (tests, port forwards). Never use it to silence a
    real mismatch in production.
    """
    opts = list(options)
    if server_name_override:
        opts.append(("grpc.ssl_target_name_override", server_name_override))
    return grpc.secure_channel(address, client_credentials(ca, cert, key), options=opts)


def agency_channel(address: str, pki_dir: str | Path, agency_id: str, **kwargs: Any) -> grpc.Channel:
    """secure_channel with an agency's files from a `gbus pki` directory."""
    layout = PkiLayout(Path(pki_dir))
    return secure_channel(
        address, layout.ca_cert, layout.agency_cert(agency_id), layout.agency_key(agency_id), **kwargs
    )


def log_security_mode(settings: GrpcSettings, *, tls: bool, address: str) -> None:
    """One line at server start saying how callers are identified; a warning
    when they are not identified by certificates."""
    if tls:
        _log.info("grpc_security_mode", mode="mtls", address=address)
    elif settings.insecure_dev_mode:
        _log.warning(
            "grpc_security_mode",
            mode="insecure_dev",
            address=address,
            warning="no TLS; callers name their agency in the x-agency-id header, which anyone can forge. "
            "Development only.",
        )
    else:
        _log.warning(
            "grpc_security_mode",
            mode="plaintext",
            address=address,
            warning="no TLS and insecure_dev_mode is off: no caller can be identified, agency calls are refused",
        )
