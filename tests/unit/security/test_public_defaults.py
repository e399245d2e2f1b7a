"""Secure mode refuses the published development secrets; each installation gets its own."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from gbus.cli.main import main
from gbus.config import (
    ConfigError,
    GrpcSettings,
    KafkaSettings,
    SecuritySettings,
    Settings,
)
from gbus.security.installation_secrets import (
    HMAC_SECRET_FILE,
    MASTER_FILE,
    ensure_installation_secrets,
    load_installation_secrets,
)
from gbus.security.public_defaults import refuse_public_defaults

OWN = SecuritySettings(identity_master_hex="5a" * 32, reporter_hmac_secret="this-installation-only")
MTLS = GrpcSettings(insecure_dev_mode=False)
SCRAM = KafkaSettings(security_protocol="SASL_SSL")


@pytest.mark.parametrize("role", ["node", "processor"])
@pytest.mark.parametrize("secure", [Settings(grpc=MTLS), Settings(kafka=SCRAM)], ids=["mtls", "kafka-login"])
def test_secure_mode_with_the_development_secrets_refuses_to_start_naming_both(role, secure):
    with pytest.raises(ConfigError) as info:
        refuse_public_defaults(secure, role=role)
    message = str(info.value)
    assert f"{role} refuses to start in secure mode" in message
    assert "security.reporter_hmac_secret" in message and "security.identity_master_hex" in message
    assert "gbus pki init" in message


def test_an_all_zero_master_is_refused_however_it_is_spelled():
    security = replace(OWN, identity_master_hex="00" * 48)
    with pytest.raises(ConfigError, match="all-zero"):
        refuse_public_defaults(Settings(grpc=MTLS, security=security), role="processor")


def test_the_default_hmac_secret_alone_is_refused():
    security = replace(OWN, reporter_hmac_secret=SecuritySettings().reporter_hmac_secret)
    with pytest.raises(ConfigError, match="reporter_hmac_secret") as info:
        refuse_public_defaults(Settings(kafka=SCRAM, security=security), role="node")
    assert "identity_master_hex" not in str(info.value)


def test_a_node_with_a_keyring_file_does_not_need_the_master():
    security = replace(
        OWN,
        identity_master_hex=SecuritySettings().identity_master_hex,
        identity_keyring="ring.json",
    )
    refuse_public_defaults(Settings(grpc=MTLS, security=security), role="node")


def test_secure_mode_with_this_installations_own_secrets_starts():
    refuse_public_defaults(Settings(grpc=MTLS, kafka=SCRAM, security=OWN), role="processor")


def test_development_mode_keeps_the_development_secrets():
    refuse_public_defaults(Settings(), role="node")


def test_installation_secrets_are_random_private_and_never_replaced(tmp_path):
    first = ensure_installation_secrets(tmp_path / "pki")
    other = ensure_installation_secrets(tmp_path / "other")
    assert first != other
    assert len(bytes.fromhex(first.identity_master_hex)) == 32 and any(bytes.fromhex(first.identity_master_hex))
    for name in (MASTER_FILE, HMAC_SECRET_FILE):
        assert os.stat(tmp_path / "pki" / name).st_mode & 0o777 == 0o600
    assert ensure_installation_secrets(tmp_path / "pki") == first == load_installation_secrets(tmp_path / "pki")
    assert first.identity_master_hex not in repr(first)


def test_installation_secrets_pass_the_secure_mode_check(tmp_path):
    own = ensure_installation_secrets(tmp_path)
    security = SecuritySettings(
        identity_master_hex=own.identity_master_hex,
        reporter_hmac_secret=own.reporter_hmac_secret,
    )
    refuse_public_defaults(Settings(grpc=MTLS, security=security), role="processor")


def test_pki_init_creates_the_secrets_beside_the_ca_and_prints_no_secret(tmp_path, capsys):
    assert main(["pki", "init", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    own = load_installation_secrets(tmp_path)
    assert own.identity_master_hex not in out and own.reporter_hmac_secret not in out
    assert str(tmp_path / MASTER_FILE) in out
    assert main(["pki", "init", "--dir", str(tmp_path), "--keep-existing"]) == 0
    assert load_installation_secrets(tmp_path) == own
