"""A Kafka broker's certificate names the hosts it is dialled by and nothing else; its keystore is private."""

from __future__ import annotations

import ipaddress
import stat

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from gbus.kafka_harness.tls import write_keystore
from gbus.security.certificates import issued_by
from gbus.security.pki import create_ca, issue_broker_certificate


def test_a_broker_certificate_names_only_its_hosts_and_serves_and_dials_tls(tmp_path):
    create_ca(tmp_path)
    issued = issue_broker_certificate(
        tmp_path, "kafka-1", dns_names=("kafka-1.bus.internal",), ip_addresses=("10.0.0.11",)
    )
    san = issued.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["kafka-1.bus.internal"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.0.0.11")]
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == []  # no agency, no node identity
    usages = issued.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert issued_by(issued.cert_path.read_bytes(), (tmp_path / "ca.pem").read_bytes())


def test_the_keystore_holds_the_key_then_the_certificate_readable_by_the_owner_only(tmp_path):
    create_ca(tmp_path)
    issued = issue_broker_certificate(tmp_path, "kafka-1", dns_names=("kafka-1.bus.internal",), ip_addresses=())
    keystore = write_keystore(issued.cert_path, issued.key_path, tmp_path / "tls" / "keystore.pem")
    text = keystore.read_text()
    assert text.index("BEGIN PRIVATE KEY") < text.index("BEGIN CERTIFICATE")
    assert stat.S_IMODE(keystore.stat().st_mode) == 0o600
