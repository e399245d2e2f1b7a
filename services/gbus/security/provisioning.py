"""Settings -> identity keys: the custodian's for the processor, a keyring for a node."""

from __future__ import annotations

from gbus.config import SecuritySettings
from gbus.observability.logging import get_logger
from gbus.security.case_keys import KeyCustodian
from gbus.security.keys import NodeKeyring, issue_node_keyring, load_node_keyring, master_from_hex
from gbus.topics import area_of_agency

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
    _log.warning("identity_keyring_derived_from_master", node=area, reason="development: no identity_keyring configured")
    master = master_from_hex(security.identity_master_hex)
    return issue_node_keyring(master, security.identity_key_epoch, area_agencies(directory, area))
