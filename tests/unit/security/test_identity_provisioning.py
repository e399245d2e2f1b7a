"""Which identity keys a node and the processor get from their settings."""

from __future__ import annotations

from support.factories import directory

from gbus.config import SecuritySettings
from gbus.security.keys import dump_node_keyring
from gbus.security.provisioning import custodian_from_settings, node_keyring_from_settings


def test_a_development_node_derives_the_keks_of_its_own_area_s_agencies_only():
    ring = node_keyring_from_settings(SecuritySettings(), directory(), "79")
    assert ring.kek_of("gov.ubnd@79") is not None and ring.kek_of("party.ubkt@79") is not None
    assert ring.kek_of("gov.ubnd@01") is None and ring.kek_of("union.tld@VN") is None


def test_a_node_with_a_keyring_file_uses_that_file(tmp_path):
    issued = node_keyring_from_settings(SecuritySettings(identity_master_hex="42" * 32), directory(), "01")
    path = tmp_path / "node-01.json"
    path.write_text(dump_node_keyring(issued))
    assert node_keyring_from_settings(SecuritySettings(identity_keyring=str(path)), directory(), "01") == issued


def test_the_custodian_and_a_node_agree_on_an_agency_s_kek():
    security = SecuritySettings(identity_master_hex="42" * 32, identity_key_epoch="2026-11")
    custodian = custodian_from_settings(security)
    ring = node_keyring_from_settings(security, directory(), "79")
    assert custodian._kek("gov.ubnd@79") == ring.kek_of("gov.ubnd@79") and ring.epoch == "2026-11"
