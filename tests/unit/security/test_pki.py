"""The development CA and the certificates it issues (gbus.security.pki)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from gbus.security.certificates import agency_of_certificate, issued_by, node_area_of_certificate
from gbus.security.pki import (
    CA_VALIDITY,
    LEAF_VALIDITY,
    PkiError,
    PkiLayout,
    create_ca,
    issue_agency_certificate,
    issue_node_certificate,
)


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _ext(cert: x509.Certificate, cls: type) -> object:
    return cert.extensions.get_extension_for_class(cls)


def test_the_ca_may_sign_leaf_certificates_only_and_lasts_five_years(pki: PkiLayout):
    ca = _load(pki.ca_cert)
    constraints = _ext(ca, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = _ext(ca, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert ca.not_valid_after_utc - ca.not_valid_before_utc == CA_VALIDITY


def test_an_agency_certificate_names_its_agency_in_a_san_uri_and_verifies_against_the_ca(pki: PkiLayout):
    cert = _load(pki.agency_cert("gov.ubnd@79"))
    sans = _ext(cert, x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.UniformResourceIdentifier) == ["urn:gbus:agency:gov.ubnd@79"]
    assert agency_of_certificate(pki.agency_cert("gov.ubnd@79").read_bytes()) == "gov.ubnd@79"
    assert issued_by(cert, _load(pki.ca_cert))


def test_an_agency_certificate_is_a_one_year_client_certificate_that_is_no_ca(pki: PkiLayout):
    cert = _load(pki.agency_cert("gov.ubnd@79"))
    assert _ext(cert, x509.BasicConstraints).value.ca is False
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == LEAF_VALIDITY


def test_a_node_certificate_serves_localhost_and_names_its_area_but_no_agency(pki: PkiLayout):
    cert = _load(pki.node_cert("79"))
    sans = _ext(cert, x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert node_area_of_certificate(cert) == "79"
    assert ExtendedKeyUsageOID.SERVER_AUTH in _ext(cert, x509.ExtendedKeyUsage).value
    with pytest.raises(ValueError, match="names no agency"):
        agency_of_certificate(cert)


def test_a_node_certificate_carries_extra_names_clients_dial(tmp_path: Path):
    create_ca(tmp_path)
    issued = issue_node_certificate(tmp_path, "VN", dns_names=("localhost", "node-vn.gbus"), ip_addresses=("10.0.0.5",))
    sans = _ext(issued.certificate, x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost", "node-vn.gbus"]
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["10.0.0.5"]


def test_files_are_laid_out_by_agency_and_by_area(pki: PkiLayout):
    names = sorted(str(p.relative_to(pki.root)) for p in pki.root.rglob("*.pem"))
    assert names == [
        "agencies/front.mttq@79-key.pem",
        "agencies/front.mttq@79.pem",
        "agencies/gov.ubnd@79-key.pem",
        "agencies/gov.ubnd@79.pem",
        "ca-key.pem",
        "ca.pem",
        "nodes/79-key.pem",
        "nodes/79.pem",
    ]


def test_private_keys_are_readable_by_their_owner_only(pki: PkiLayout):
    for key in (pki.ca_key, pki.agency_key("gov.ubnd@79"), pki.node_key("79")):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    assert stat.S_IMODE(pki.ca_cert.stat().st_mode) == 0o644


def test_serial_numbers_are_random_and_a_reissue_gets_a_new_key(tmp_path: Path):
    create_ca(tmp_path)
    first = issue_agency_certificate(tmp_path, "gov.ubnd@79").certificate
    second = issue_agency_certificate(tmp_path, "gov.ubnd@79").certificate
    assert first.serial_number != second.serial_number
    assert first.serial_number.bit_length() > 64  # random, not a counter
    assert first.public_key() != second.public_key()


@pytest.mark.parametrize("bad", ["", "ubnd@79", "gov.ubnd", "gov.ubnd@7", "gov/../ubnd@79", "gov.ubnd@79/../../x"])
def test_a_malformed_agency_id_is_refused_and_named(tmp_path: Path, bad: str):
    create_ca(tmp_path)
    with pytest.raises(PkiError, match="not an agency id") as info:
        issue_agency_certificate(tmp_path, bad)
    assert repr(bad) in str(info.value)
    assert not (tmp_path / "agencies").exists()


def test_a_malformed_area_is_refused_and_named(tmp_path: Path):
    create_ca(tmp_path)
    with pytest.raises(PkiError, match="not an area: '7'"):
        issue_node_certificate(tmp_path, "7")


def test_an_existing_ca_is_replaced_only_when_asked(tmp_path: Path):
    first = create_ca(tmp_path).certificate
    with pytest.raises(PkiError, match="already exists"):
        create_ca(tmp_path)
    assert _load(tmp_path / "ca.pem") == first
    assert create_ca(tmp_path, overwrite=True).certificate != first


def test_issuing_without_a_ca_says_how_to_create_one(tmp_path: Path):
    with pytest.raises(PkiError, match="gbus pki init"):
        issue_agency_certificate(tmp_path, "gov.ubnd@79")


def test_a_certificate_never_outlives_its_ca(tmp_path: Path):
    ca = create_ca(tmp_path).certificate
    late = ca.not_valid_after_utc - dt.timedelta(days=30)
    cert = issue_agency_certificate(tmp_path, "gov.ubnd@79", now=late).certificate
    assert cert.not_valid_after_utc == ca.not_valid_after_utc


def test_an_expired_ca_issues_nothing(tmp_path: Path):
    ca = create_ca(tmp_path).certificate
    with pytest.raises(PkiError, match="expired"):
        issue_agency_certificate(tmp_path, "gov.ubnd@79", now=ca.not_valid_after_utc + dt.timedelta(days=1))


def test_a_ca_key_that_does_not_match_the_ca_certificate_is_detected(tmp_path: Path):
    create_ca(tmp_path / "a")
    create_ca(tmp_path / "b")
    (tmp_path / "a" / "ca-key.pem").write_bytes((tmp_path / "b" / "ca-key.pem").read_bytes())
    with pytest.raises(PkiError, match="not the private key"):
        issue_agency_certificate(tmp_path / "a", "gov.ubnd@79")
