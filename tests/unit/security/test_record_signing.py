"""Record signatures in Kafka headers, checked against the bus CA, its signer certificates and its CRL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from gbus.security.pki import PkiLayout, create_ca, issue_node_certificate, issue_signer_certificate
from gbus.security.record_signing import SIG_HEADER, SIGNER_HEADER, RecordSigner
from gbus.security.revocation import revoke
from gbus.security.trust import RecordRefused, TrustStore, load_trust, verify_with

TOPIC = "gbus.commands"
# Signing and verifying both use this time, taken when each test starts: certificates are
# issued (back-dated 5 minutes) inside the test's fixture, and a suite runs for twenty minutes,
# so neither a time taken at collection nor the clock at verification would do.
NOW = datetime.now(timezone.utc)


@pytest.fixture(autouse=True)
def _now_is_this_tests_start() -> None:
    global NOW
    NOW = datetime.now(timezone.utc)


def signer_from(key: Path, identity: str) -> RecordSigner:
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    return RecordSigner(identity, private)  # type: ignore[arg-type]


@pytest.fixture
def signing_pki(tmp_path: Path) -> PkiLayout:
    """Nodes 79 and 01 and operator ops; each test may revoke in its own copy."""
    create_ca(tmp_path)
    for area in ("79", "01"):
        issue_node_certificate(tmp_path, area)
    issue_signer_certificate(tmp_path, "operator", "ops")
    return PkiLayout(tmp_path)


def node_signer(pki: PkiLayout, area: str, *, claim: str | None = None) -> RecordSigner:
    return signer_from(pki.node_key(area), claim or f"node:{area}")


def test_a_record_signed_by_a_node_verifies_as_that_node(signing_pki):
    headers = node_signer(signing_pki, "79").headers(TOPIC, b"79", b"value", now=NOW)
    origin = verify_with(load_trust(signing_pki.root), TOPIC, b"79", b"value", headers, NOW)
    assert (origin.kind, origin.name) == ("node", "79")


@pytest.mark.parametrize(
    "topic, key, value",
    [("gbus.reports", b"79", b"value"), (TOPIC, b"01", b"value"), (TOPIC, b"79", b"valuE"), (TOPIC, None, b"value")],
)
def test_a_signature_does_not_cover_another_topic_key_or_value(signing_pki, topic, key, value):
    headers = node_signer(signing_pki, "79").headers(TOPIC, b"79", b"value", now=NOW)
    with pytest.raises(RecordRefused, match="does not match"):
        verify_with(load_trust(signing_pki.root), topic, key, value, headers, NOW)


def test_a_node_key_claiming_another_node_is_refused(signing_pki):
    headers = node_signer(signing_pki, "01", claim="node:79").headers(TOPIC, b"79", b"v", now=NOW)
    with pytest.raises(RecordRefused, match="belongs to node:01, not node:79"):
        verify_with(load_trust(signing_pki.root), TOPIC, b"79", b"v", headers, NOW)


def test_an_unsigned_record_is_refused(signing_pki):
    with pytest.raises(RecordRefused, match="not signed"):
        verify_with(load_trust(signing_pki.root), TOPIC, b"79", b"v", [("other", b"x")], NOW)


def test_a_signature_with_a_key_of_another_ca_is_refused(signing_pki, tmp_path_factory):
    other = tmp_path_factory.mktemp("other-ca")
    create_ca(other)
    issue_node_certificate(other, "79")
    headers = node_signer(PkiLayout(other), "79").headers(TOPIC, b"79", b"v", now=NOW)
    with pytest.raises(RecordRefused, match="not a signing key the bus CA issued"):
        verify_with(load_trust(signing_pki.root), TOPIC, b"79", b"v", headers, NOW)


def test_a_signature_dated_in_the_future_is_refused(signing_pki):
    headers = node_signer(signing_pki, "79").headers(TOPIC, b"79", b"v", now=NOW + timedelta(hours=1))
    with pytest.raises(RecordRefused, match="in the future"):
        verify_with(load_trust(signing_pki.root), TOPIC, b"79", b"v", headers, NOW)


def test_a_tampered_signature_header_is_refused(signing_pki):
    headers = [
        (n, v if n != SIG_HEADER else v[:-2] + b"\x00\x00")
        for n, v in node_signer(signing_pki, "79").headers(TOPIC, b"k", b"v", now=NOW)
    ]
    with pytest.raises(RecordRefused):
        verify_with(load_trust(signing_pki.root), TOPIC, b"k", b"v", headers, NOW)
    assert dict(headers)[SIGNER_HEADER] == b"node:79"


def test_a_revoked_node_is_refused_once_the_store_reloads(signing_pki):
    ticks = [0.0]
    trust = TrustStore(signing_pki.root, reload_s=5.0, monotonic=lambda: ticks[0])
    headers = node_signer(signing_pki, "79").headers(TOPIC, b"79", b"v", now=NOW)
    trust.verify_record(TOPIC, b"79", b"v", headers)
    revoke(signing_pki.root, "node:79")
    ticks[0] = 4.9
    trust.verify_record(TOPIC, b"79", b"v", headers)  # not reloaded yet: the interval is the promise
    ticks[0] = 5.0
    with pytest.raises(RecordRefused, match="node:79 is revoked"):
        trust.verify_record(TOPIC, b"79", b"v", headers)
    other = node_signer(signing_pki, "01").headers(TOPIC, b"01", b"v", now=NOW)
    assert trust.verify_record(TOPIC, b"01", b"v", other).signer == "node:01"


def test_a_crl_not_signed_by_the_ca_is_not_loaded_and_the_old_state_is_kept(signing_pki, tmp_path_factory):
    ticks = [0.0]
    trust = TrustStore(signing_pki.root, reload_s=1.0, monotonic=lambda: ticks[0])
    revoke(signing_pki.root, "01")
    other = tmp_path_factory.mktemp("rogue")
    create_ca(other)
    issue_node_certificate(other, "79")
    revoke(other, "79")
    ticks[0] = 1.0
    assert trust.current().revoked  # the genuine CRL
    signing_pki.crl.write_bytes(PkiLayout(other).crl.read_bytes())
    ticks[0] = 2.0
    revoked_before = trust.current().revoked
    assert revoked_before and len(revoked_before) == 1
    with pytest.raises(ValueError, match="not signed by the bus CA"):
        load_trust(signing_pki.root)


def test_an_operator_certificate_signs_as_operator(signing_pki):
    signer = signer_from(signing_pki.signer_key("operator", "ops"), "operator:ops")
    origin = verify_with(
        load_trust(signing_pki.root), TOPIC, b"00", b"tick", signer.headers(TOPIC, b"00", b"tick", now=NOW), NOW
    )
    assert (origin.kind, origin.name) == ("operator", "ops")


def test_after_a_processor_key_rotation_history_signed_by_the_old_key_still_verifies(signing_pki):
    issue_signer_certificate(signing_pki.root, "processor", "p1")
    p1 = signer_from(signing_pki.signer_key("processor", "p1"), "processor:p1")
    signed = p1.headers("gbus.case-events", b"79-x", b"event", now=NOW)
    issue_signer_certificate(signing_pki.root, "processor", "p2")  # the announcement: p2 joins the trust directory
    years_later = NOW + timedelta(days=3 * 365)  # p1's certificate (1 year) has long expired
    trust = load_trust(signing_pki.root)
    assert (
        verify_with(trust, "gbus.case-events", b"79-x", b"event", signed, years_later, historical=True).signer
        == "processor:p1"
    )
    with pytest.raises(RecordRefused, match="not valid at"):
        verify_with(
            trust, "gbus.case-events", b"79-x", b"event", signed, years_later
        )  # but no new copy is accepted with it
