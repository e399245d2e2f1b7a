"""Identity keys for tests: what intake seals and what the processor's custodian wraps,
under the development master every test process shares (SecuritySettings defaults)."""

from __future__ import annotations

from typing import Any

from gbus.config import SecuritySettings
from gbus.domain.case import CaseState
from gbus.security.case_keys import KeyCustodian
from gbus.security.identity_seal import ReporterIdentity
from gbus.security.keys import NodeKeyring, issue_node_keyring, master_from_hex, seal_for_custodian
from gbus.security.provisioning import custodian_from_settings

SECURITY = SecuritySettings()
MASTER = master_from_hex(SECURITY.identity_master_hex)


def custodian() -> KeyCustodian:
    return custodian_from_settings(SECURITY)


def keyring_for(*agencies: str) -> NodeKeyring:
    return issue_node_keyring(MASTER, SECURITY.identity_key_epoch, agencies)


def sealed(identity: ReporterIdentity, report_id: str) -> dict[str, Any]:
    """The SealedIdentity record intake writes: opens for the custodian only."""
    return seal_for_custodian(identity, keyring_for(), report_id=report_id)


def keyed(state: CaseState, *others: CaseState) -> CaseState:
    """The state as the processor writes it: identity keys wrapped for handler and origins."""
    known = {s.case_id: s for s in others}
    return custodian().normalise(state, known.get)
