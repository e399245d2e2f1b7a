"""Which identity keys a node and the processor get from their settings."""

from __future__ import annotations

from gbus.config import SecuritySettings
from gbus.security.keys import dump_node_keyring
from gbus.security.provisioning import custodian_from_settings, node_keyring_from_settings
from support.factories import directory


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


def test_during_a_rotation_wraps_of_the_retired_master_open_and_are_rewrapped_under_the_new_one():
    from gbus.domain.case import make_report_id
    from gbus.security.identity_access import open_reporters
    from gbus.security.identity_seal import IdentitySealError, ReporterIdentity
    from gbus.security.keys import seal_for_custodian
    from support.cases import HANDLER, ORIGIN, opened
    from support.factories import router

    old = SecuritySettings(identity_master_hex="11" * 32, identity_key_epoch="2026-01")
    new = SecuritySettings(
        identity_master_hex="22" * 32, identity_key_epoch="2026-07", identity_previous_masters="2026-01:" + "11" * 32
    )
    person = ReporterIdentity(name="Đỗ Thị Mai")
    old_ring = node_keyring_from_settings(old, directory(), "79")
    state, _ = opened(
        router(), sealed=seal_for_custodian(person, old_ring, report_id=make_report_id("79", ORIGIN, "r-1"))
    )
    under_old = custodian_from_settings(old).normalise(state, lambda _: None)
    rotated = custodian_from_settings(new).normalise(under_old, lambda _: None)
    assert {w.key_id for w in rotated.key_wraps} == {"2026-07"}
    new_ring = node_keyring_from_settings(new, directory(), "79")
    assert [who for _, who in open_reporters(rotated, HANDLER, new_ring)] == [person]
    # A node still on the retired keyring no longer opens it (its KEK is not the one wrapped for).
    assert [type(who) for _, who in open_reporters(rotated, HANDLER, old_ring)] == [IdentitySealError]
