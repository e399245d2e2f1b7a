"""Sealing a reporter: AES-GCM under a per-report data key, the data key sealed for the custodian."""

from __future__ import annotations

import pytest

from gbus.security import keys
from gbus.security.identity_seal import IdentitySealError, ReporterIdentity, decrypt_identity, encrypt_identity
from support.identity import MASTER, keyring_for

PERSON = ReporterIdentity(
    name="Nguyễn Thị Lan", phone="0901234567", national_id="079123456789", address="12 Lê Lợi, Phường Thủ Dầu Một"
)


def _custodian_opens(sealed: dict, report_id: str, master: bytes = MASTER) -> ReporterIdentity:
    data_key = keys.unwrap_as_custodian(keys.custodian_private_key(master), bytes(sealed["wrapped_key"]))
    return decrypt_identity(sealed, data_key, report_id=report_id)


def test_an_identity_sealed_at_intake_opens_for_the_custodian_only():
    sealed = keys.seal_for_custodian(PERSON, keyring_for(), report_id="R79-abc")
    assert sealed["key_id"] == "custodian:dev-1"
    assert _custodian_opens(sealed, "R79-abc") == PERSON
    with pytest.raises(IdentitySealError):
        _custodian_opens(sealed, "R79-abc", master=b"\x07" * 32)


def test_the_sealed_record_contains_no_identity_field_in_clear():
    sealed = keys.seal_for_custodian(PERSON, keyring_for(), report_id="R79-abc")
    blob = b"".join(v if isinstance(v, bytes) else v.encode() for v in sealed.values())
    for secret in (PERSON.name, PERSON.phone, PERSON.national_id, "Lê Lợi"):
        assert secret.encode() not in blob


def test_two_seals_of_the_same_identity_differ_in_every_byte_string():
    a = encrypt_identity(PERSON, report_id="R79-abc")
    b = encrypt_identity(PERSON, report_id="R79-abc")
    assert a.data_key != b.data_key and a.nonce != b.nonce and a.ciphertext != b.ciphertext


@pytest.mark.parametrize("part", ["nonce", "ciphertext"])
def test_a_tampered_sealed_identity_does_not_open(part):
    payload = encrypt_identity(PERSON, report_id="R79-abc")
    sealed = {"nonce": payload.nonce, "ciphertext": payload.ciphertext}
    tampered = bytearray(sealed[part])
    tampered[-1] ^= 0x01
    with pytest.raises(IdentitySealError):
        decrypt_identity({**sealed, part: bytes(tampered)}, payload.data_key, report_id="R79-abc")


def test_a_sealed_identity_moved_to_another_report_does_not_open():
    payload = encrypt_identity(PERSON, report_id="R79-abc")
    with pytest.raises(IdentitySealError):
        decrypt_identity(
            {"nonce": payload.nonce, "ciphertext": payload.ciphertext}, payload.data_key, report_id="R79-other"
        )


def test_a_keyring_round_trips_through_its_file_and_holds_only_the_agencies_issued(tmp_path):
    ring = keyring_for("gov.ubnd@79", "front.mttq@79")
    path = tmp_path / "keyring.json"
    path.write_text(keys.dump_node_keyring(ring))
    loaded = keys.load_node_keyring(path)
    assert loaded == ring and loaded.kek_of("gov.ubnd@01") is None
    assert "gov.ubnd@79" in repr(loaded) and ring.agency_keks["gov.ubnd@79"].hex() not in repr(loaded)


def test_a_master_secret_shorter_than_32_bytes_is_refused():
    with pytest.raises(ValueError):
        keys.master_from_hex("11" * 16)
