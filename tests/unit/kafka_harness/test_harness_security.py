"""Secure cluster config: SCRAM users at format time, SASL listeners, credentials file 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gbus.config import ConfigError, KafkaSettings, load_settings
from gbus.kafka_harness.config import NodeSpec
from gbus.kafka_harness.errors import DataDirError
from gbus.kafka_harness.security import (
    Credentials,
    broker_overrides,
    client_config,
    credentials_path,
    load_credentials,
    save_credentials,
    scram_format_args,
)
from gbus.kafka_harness.state import is_harness_dir
from gbus.kafka_harness.tls import BrokerTls

CREDS = Credentials(users={"admin": "a-pw", "processor": "p-pw", "node-79": "n-pw"}, controller_password="c-pw")


def test_generated_credentials_have_a_user_per_area_and_distinct_passwords() -> None:
    creds = Credentials.generate(["79", "01", "VN"])
    assert set(creds.users) == {"admin", "processor", "node-79", "node-01", "node-VN"}
    assert len(set(creds.users.values()) | {creds.controller_password}) == 6


def test_every_user_is_added_at_format_time() -> None:
    args = scram_format_args(CREDS)
    assert args.count("--add-scram") == 3
    assert "SCRAM-SHA-512=[name=node-79,password=n-pw]" in args


TLS = BrokerTls(keystore=Path("/d/node-1/tls/keystore.pem"), truststore=Path("/pki/ca.pem"))


def test_a_secure_broker_authenticates_every_client_and_enforces_acls() -> None:
    conf = broker_overrides(NodeSpec(1, 19092, 19093), CREDS, TLS)
    assert conf["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert conf["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert conf["allow.everyone.if.no.acl.found"] == "false"
    assert "User:ANONYMOUS" not in conf["super.users"]
    assert 'password="a-pw"' in conf["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]


def test_a_secure_broker_speaks_tls_to_clients_and_brokers_and_plaintext_only_to_its_loopback_controller() -> None:
    conf = broker_overrides(NodeSpec(1, 19092, 19093), CREDS, TLS)
    assert conf["listeners"] == "SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert conf["listener.security.protocol.map"] == "CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"
    assert conf["inter.broker.listener.name"] == "SASL_SSL"
    assert (conf["ssl.keystore.type"], conf["ssl.keystore.location"]) == ("PEM", "/d/node-1/tls/keystore.pem")
    assert (conf["ssl.truststore.type"], conf["ssl.truststore.location"]) == ("PEM", "/pki/ca.pem")
    assert conf["ssl.endpoint.identification.algorithm"] == "https"


def test_clients_of_a_secure_cluster_verify_the_broker_against_the_bus_ca() -> None:
    config = client_config(CREDS, Path("/pki/ca.pem"), "node-79")
    assert config["security_protocol"] == "SASL_SSL"
    assert config["ssl_cafile"] == "/pki/ca.pem" and config["ssl_check_hostname"] is True
    assert config["sasl_plain_username"] == "node-79" and config["sasl_plain_password"] == "n-pw"


def test_sasl_ssl_without_the_bus_ca_is_a_config_error() -> None:
    # Falling back to the system's CAs would let any publicly certified host pose as a broker.
    with pytest.raises(ConfigError, match="ssl_cafile"):
        KafkaSettings(security_protocol="SASL_SSL", sasl_username="node-79", sasl_password="pw").client_security()


def test_credentials_are_saved_readable_by_the_owner_only(tmp_path: Path) -> None:
    save_credentials(tmp_path, CREDS)
    mode = stat.S_IMODE(credentials_path(tmp_path).stat().st_mode)
    assert mode == 0o600
    assert load_credentials(tmp_path) == CREDS
    assert is_harness_dir(tmp_path)  # --fresh may still wipe it


def test_missing_credentials_are_a_data_dir_error(tmp_path: Path) -> None:
    with pytest.raises(DataDirError, match="credentials.json"):
        load_credentials(tmp_path)


def test_an_unknown_user_is_named_in_the_error() -> None:
    with pytest.raises(DataDirError, match="node-01"):
        client_config(CREDS, Path("/pki/ca.pem"), "node-01")


def test_kafka_settings_default_to_plaintext_without_sasl_arguments() -> None:
    assert KafkaSettings().client_security() == {}


def test_kafka_settings_from_the_environment_give_sasl_client_arguments() -> None:
    settings = load_settings(
        env={
            "GBUS__KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "GBUS__KAFKA__SASL_USERNAME": "node-79",
            "GBUS__KAFKA__SASL_PASSWORD": "secret-pw",
        }
    )
    assert settings.kafka.client_security() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "node-79",
        "sasl_plain_password": "secret-pw",
    }
    assert "secret-pw" not in repr(settings)


def test_sasl_without_a_password_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="sasl_password"):
        KafkaSettings(security_protocol="SASL_PLAINTEXT", sasl_username="node-79").client_security()


def test_an_unknown_security_protocol_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="security_protocol"):
        load_settings(env={"GBUS__KAFKA__SECURITY_PROTOCOL": "SSL"})


def test_secure_is_refused_on_a_data_dir_formatted_without_it(tmp_path: Path) -> None:
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_harness.state import ClusterState, save_state

    save_state(tmp_path, ClusterState("cid", "4.3.1", [NodeSpec(1, 19092, 19093)]))
    with pytest.raises(DataDirError, match="without --secure"):
        KafkaCluster(tmp_path, secure=True)
    assert not KafkaCluster(tmp_path).secure


def test_a_secure_data_dir_stays_secure_and_needs_its_credentials(tmp_path: Path) -> None:
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_harness.state import ClusterState, save_state

    save_state(tmp_path, ClusterState("cid", "4.3.1", [NodeSpec(1, 19092, 19093)], secure=True))
    with pytest.raises(DataDirError, match="credentials.json"):
        KafkaCluster(tmp_path)
    save_credentials(tmp_path, CREDS)
    cluster = KafkaCluster(tmp_path)
    assert cluster.secure
    assert cluster.client_config("node-79")["sasl_plain_username"] == "node-79"
