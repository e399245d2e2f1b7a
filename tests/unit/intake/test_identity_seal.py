"""Interim identity sealing: AES-GCM under a per-report key wrapped by the KEK."""

from __future__ import annotations

import pytest

from gbus.security.identity_seal import IdentitySealError, Kek, ReporterIdentity, open_identity, seal_identity

KEK = Kek.from_hex("kek-test-1", "11" * 32)
OTHER_KEK = Kek.from_hex("kek-test-1", "22" * 32)
PERSON = ReporterIdentity(name="Nguyễn Thị Lan", phone="0901234567", national_id="079123456789", address="12 Lê Lợi, Phường Thủ Dầu Một")


def test_a_sealed_identity_opens_to_the_same_person_with_the_same_key_and_report():
    sealed = seal_identity(PERSON, KEK, report_id="R79-abc")
    assert open_identity(sealed, KEK, report_id="R79-abc") == PERSON


def test_the_sealed_record_contains_no_identity_field_in_clear():
    sealed = seal_identity(PERSON, KEK, report_id="R79-abc")
    blob = b"".join(v if isinstance(v, bytes) else v.encode() for v in sealed.values())
    for secret in ("Nguyễn", "0901234567", "079123456789", "Lê Lợi"):
        assert secret.encode() not in blob


def test_every_seal_uses_a_fresh_data_key_and_nonce():
    a = seal_identity(PERSON, KEK, report_id="R79-abc")
    b = seal_identity(PERSON, KEK, report_id="R79-abc")
    assert a["wrapped_key"] != b["wrapped_key"] and a["nonce"] != b["nonce"] and a["ciphertext"] != b["ciphertext"]


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "wrapped_key"])
def test_a_flipped_bit_in_any_part_is_detected(part):
    sealed = seal_identity(PERSON, KEK, report_id="R79-abc")
    tampered = bytearray(sealed[part])
    tampered[len(tampered) // 2] ^= 0x01
    with pytest.raises(IdentitySealError):
        open_identity({**sealed, part: bytes(tampered)}, KEK, report_id="R79-abc")


def test_an_identity_moved_onto_another_report_does_not_open():
    sealed = seal_identity(PERSON, KEK, report_id="R79-abc")
    with pytest.raises(IdentitySealError):
        open_identity(sealed, KEK, report_id="R79-other")


def test_another_key_under_the_same_id_does_not_open_it():
    sealed = seal_identity(PERSON, KEK, report_id="R79-abc")
    with pytest.raises(IdentitySealError):
        open_identity(sealed, OTHER_KEK, report_id="R79-abc")


def test_a_seal_under_another_key_id_is_refused_by_name():
    sealed = seal_identity(PERSON, KEK, report_id="R79-abc")
    with pytest.raises(IdentitySealError, match="kek-test-1"):
        open_identity(sealed, Kek.from_hex("kek-test-2", "11" * 32), report_id="R79-abc")


def test_a_kek_of_the_wrong_length_is_refused_and_never_printed():
    with pytest.raises(ValueError, match="32 bytes"):
        Kek.from_hex("short", "11" * 16)
    assert "11" not in repr(KEK)
