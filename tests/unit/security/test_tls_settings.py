"""Server credentials from settings: which files are missing or wrong is said by key name."""

from __future__ import annotations

import io
import json
from pathlib import Path

import grpc
import pytest

from gbus.api.tls import log_security_mode, read_pem, server_credentials, server_credentials_for
from gbus.config import ConfigError, GrpcSettings
from gbus.observability.logging import configure_logging
from gbus.security.pki import PkiLayout


def _secure(pki: PkiLayout, **overrides: str) -> GrpcSettings:
    files = {
        "tls_cert": str(pki.node_cert("79")),
        "tls_key": str(pki.node_key("79")),
        "tls_ca": str(pki.ca_cert),
    }
    return GrpcSettings(insecure_dev_mode=False, **{**files, **overrides})


def test_complete_settings_give_server_credentials(pki: PkiLayout):
    assert isinstance(server_credentials(_secure(pki)), grpc.ServerCredentials)


def test_missing_tls_files_are_named_by_their_setting(pki: PkiLayout):
    with pytest.raises(ConfigError, match=r"grpc\.tls_key, grpc\.tls_ca"):
        server_credentials(_secure(pki, tls_key="", tls_ca=""))


def test_an_unreadable_file_is_named_with_its_setting_and_path(pki: PkiLayout, tmp_path: Path):
    missing = tmp_path / "nope.pem"
    with pytest.raises(ConfigError, match=rf"grpc\.tls_ca: cannot read {missing}"):
        server_credentials(_secure(pki, tls_ca=str(missing)))


def test_a_key_of_another_certificate_is_refused_before_grpc_sees_it(pki: PkiLayout):
    with pytest.raises(ConfigError, match="grpc.tls_key is not the private key of grpc.tls_cert"):
        server_credentials(_secure(pki, tls_key=str(pki.agency_key("gov.ubnd@79"))))


def test_a_file_that_is_not_pem_is_refused(tmp_path: Path):
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    with pytest.raises(ConfigError, match="ca: .* is not a PEM file"):
        read_pem(junk, "ca")


def test_dev_mode_without_tls_files_serves_plaintext():
    assert server_credentials_for(GrpcSettings(insecure_dev_mode=True)) is None


def test_dev_mode_with_tls_files_still_serves_mutual_tls(pki: PkiLayout):
    settings = GrpcSettings(
        insecure_dev_mode=True,
        tls_cert=str(pki.node_cert("79")),
        tls_key=str(pki.node_key("79")),
        tls_ca=str(pki.ca_cert),
    )
    assert server_credentials_for(settings) is not None


def test_secure_mode_without_tls_files_is_a_configuration_error():
    with pytest.raises(ConfigError, match="insecure_dev_mode is false but grpc.tls_cert"):
        server_credentials_for(GrpcSettings(insecure_dev_mode=False))


def _logged(settings: GrpcSettings, *, tls: bool) -> list[tuple[str, str, str]]:
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)  # INFO: another test may have left WARNING configured
    log_security_mode(settings, tls=tls, address="127.0.0.1:1")
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return [(e["event"], e["level"], e["mode"]) for e in events]


def test_dev_mode_without_tls_is_announced_as_a_warning():
    assert _logged(GrpcSettings(insecure_dev_mode=True), tls=False) == [
        ("grpc_security_mode", "warning", "insecure_dev")
    ]


def test_secure_mode_without_tls_warns_that_nobody_can_be_identified():
    assert _logged(GrpcSettings(insecure_dev_mode=False), tls=False) == [("grpc_security_mode", "warning", "plaintext")]


def test_mutual_tls_is_announced_as_information():
    assert _logged(GrpcSettings(insecure_dev_mode=False), tls=True) == [("grpc_security_mode", "info", "mtls")]
