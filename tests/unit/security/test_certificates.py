"""Reading which agency a certificate speaks for (gbus.security.certificates)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gbus.security.certificates import (
    CertificateError,
    agency_of_certificate,
    describe_certificate,
    issued_by,
)
from gbus.security.pki import PkiLayout


def _self_signed(*sans: x509.GeneralName, common_name: str = "gov.ubnd@79") -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return builder.sign(key, hashes.SHA256())


def test_the_agency_is_read_from_pem_bytes_or_text(pki: PkiLayout):
    pem = pki.agency_cert("front.mttq@79").read_bytes()
    assert agency_of_certificate(pem) == "front.mttq@79"
    assert agency_of_certificate(pem.decode()) == "front.mttq@79"


def test_a_common_name_alone_does_not_make_an_agency():
    with pytest.raises(CertificateError, match="names no agency"):
        agency_of_certificate(_self_signed(common_name="gov.ubnd@79"))


def test_a_dns_name_that_looks_like_the_uri_does_not_make_an_agency():
    with pytest.raises(CertificateError, match="names no agency"):
        agency_of_certificate(_self_signed(x509.DNSName("urn:gbus:agency:gov.ubnd@79")))


def test_a_certificate_naming_two_agencies_is_refused_rather_than_guessed():
    cert = _self_signed(
        x509.UniformResourceIdentifier("urn:gbus:agency:gov.ubnd@79"),
        x509.UniformResourceIdentifier("urn:gbus:agency:party.tu@79"),
    )
    with pytest.raises(CertificateError, match="several agencies"):
        agency_of_certificate(cert)


def test_a_malformed_agency_in_the_uri_is_refused():
    with pytest.raises(CertificateError, match="not an agency id"):
        agency_of_certificate(_self_signed(x509.UniformResourceIdentifier("urn:gbus:agency:root")))


def test_something_that_is_not_a_certificate_is_a_clear_error(pki: PkiLayout):
    with pytest.raises(CertificateError, match="not a PEM certificate"):
        agency_of_certificate(pki.agency_key("gov.ubnd@79").read_bytes())


def test_a_description_shows_subject_sans_agency_and_validity(pki: PkiLayout):
    info = describe_certificate(pki.agency_cert("gov.ubnd@79").read_bytes())
    assert "CN=gov.ubnd@79" in info.subject and "development CA" in info.issuer
    assert info.uris == ("urn:gbus:agency:gov.ubnd@79",)
    assert info.agency == "gov.ubnd@79" and info.node_area is None and not info.is_ca
    assert info.not_before < dt.datetime.now(dt.timezone.utc) < info.not_after


def test_a_certificate_of_another_ca_is_not_issued_by_ours(pki: PkiLayout, foreign_pki: PkiLayout):
    ours = pki.ca_cert.read_bytes()
    assert issued_by(pki.agency_cert("gov.ubnd@79").read_bytes(), ours)
    assert not issued_by(foreign_pki.agency_cert("gov.ubnd@79").read_bytes(), ours)
