"""TLS for `--secure` clusters: each broker's certificate from the bus CA, in Kafka's PEM stores.

    <ca-dir>/ca.pem, ca-key.pem             the bus CA (gbus pki; created here if absent)
    <ca-dir>/brokers/<cluster>-<id>.pem      each broker's certificate (SAN 127.0.0.1, localhost)
    <data-dir>/node-<id>/tls/keystore.pem    (0600) its key + certificate, as Kafka's PEM keystore

The clients verify the brokers against the same CA (KafkaSettings.ssl_cafile) and the name
they dialled (127.0.0.1 here), so a process that is not a broker of this bus cannot take a
broker's place and read the reports, and nobody on the wire reads them either. Clients still
authenticate with SCRAM inside the TLS session (security.py), so a node's Kafka identity stays
its SCRAM user and the ACLs stay as they are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gbus.kafka_harness.ports import HOST


@dataclass(frozen=True, slots=True)
class BrokerTls:
    keystore: Path  # PEM: private key (PKCS#8) then certificate
    truststore: Path  # PEM: the bus CA

    def broker_config(self) -> dict[str, str]:
        """server.properties lines of the TLS side of a SASL_SSL listener."""
        return {
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(self.keystore),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(self.truststore),
            # Clients prove who they are with SCRAM inside the session; a client certificate
            # would be a second identity to keep in step with the ACLs.
            "ssl.client.auth": "none",
            # Brokers check each other's names too (they connect to 127.0.0.1).
            "ssl.endpoint.identification.algorithm": "https",
            "ssl.enabled.protocols": "TLSv1.3,TLSv1.2",
        }


def ca_file(ca_dir: Path) -> Path:
    from gbus.security.pki import PkiLayout

    return PkiLayout(ca_dir).ca_cert


def ensure_ca(ca_dir: Path) -> Path:
    """The bus CA certificate in ca_dir; a new development CA if there is none yet."""
    from gbus.security.pki import PkiLayout, create_ca

    layout = PkiLayout(ca_dir)
    if not layout.ca_cert.exists():
        create_ca(ca_dir)
    return layout.ca_cert


def prepare_broker_tls(ca_dir: Path, cluster_id: str, node_id: int, node_root: Path) -> BrokerTls:
    """Issue the broker's certificate once (it survives restarts) and write its PEM keystore."""
    from gbus.security.pki import PkiLayout, issue_broker_certificate

    layout = PkiLayout(ca_dir)
    trust = ensure_ca(ca_dir)
    name = f"{cluster_id[:12].replace('_', '-').lstrip('-.') or 'kafka'}-{node_id}"
    cert, key = layout.broker_cert(name), layout.broker_key(name)
    if not (cert.exists() and key.exists()):
        issue_broker_certificate(ca_dir, name, dns_names=("localhost",), ip_addresses=(HOST,))
    keystore = write_keystore(cert, key, node_root / "tls" / "keystore.pem")
    return BrokerTls(keystore=keystore, truststore=trust)


def write_keystore(cert: Path, key: Path, keystore: Path) -> Path:
    """Kafka's PEM keystore: the unencrypted PKCS#8 key, then the certificate; 0600 from the start."""
    keystore.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(keystore, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.read_bytes() + cert.read_bytes())
    return keystore
