"""Record-signing identities for tests: a CA with node, processor and operator certificates
(gbus.security.pki), and producers that sign as one of them."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization

from gbus.config import SecuritySettings
from gbus.security.pki import PkiLayout, create_ca, issue_node_certificate, issue_signer_certificate
from gbus.security.record_signing import RecordSigner

OPERATOR = "ops"
PROCESSOR = "p1"


def make_signing_pki(root: Path, areas: tuple[str, ...] = ("79", "01", "VN")) -> PkiLayout:
    create_ca(root)
    for area in areas:
        issue_node_certificate(root, area)
    issue_signer_certificate(root, "operator", OPERATOR)
    issue_signer_certificate(root, "processor", PROCESSOR)
    return PkiLayout(root)


def signer(key_path: Path, identity: str) -> RecordSigner:
    """Signs as `identity` with the key at `key_path` — a forger may pair any key with any claim."""
    return RecordSigner(identity, serialization.load_pem_private_key(key_path.read_bytes(), password=None))  # type: ignore[arg-type]


def node_signer(pki: PkiLayout, area: str) -> RecordSigner:
    return signer(pki.node_key(area), f"node:{area}")


def operator_signer(pki: PkiLayout) -> RecordSigner:
    return signer(pki.signer_key("operator", OPERATOR), f"operator:{OPERATOR}")


def processor_security(pki: PkiLayout, reload_s: float = 1.0) -> SecuritySettings:
    """A processor that verifies origins against `pki` and signs with its own certificate."""
    return SecuritySettings(
        signing_cert=str(pki.signer_cert("processor", PROCESSOR)),
        signing_key=str(pki.signer_key("processor", PROCESSOR)),
        trust_dir=str(pki.root),
        trust_reload_s=reload_s,
    )
