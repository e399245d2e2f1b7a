"""caller_agency: the caller's agency from its certificate, the header only in dev mode.

The fake context carries what grpcio 1.85's auth_context() really holds for an
mTLS peer (checked in tests/integration/security/test_mutual_tls.py).
"""

from __future__ import annotations

import pytest

from gbus.api.identity import caller_agency
from gbus.errors import PermissionDeniedError, ValidationError
from gbus.security.pki import PkiLayout


class _Context:
    def __init__(self, auth: dict[str, list[bytes]] | None = None, metadata: tuple = ()) -> None:
        self._auth = auth or {"transport_security_type": [b"insecure"], "security_level": [b"TSI_SECURITY_NONE"]}
        self._metadata = metadata

    def auth_context(self) -> dict[str, list[bytes]]:
        return self._auth

    def invocation_metadata(self) -> tuple:
        return self._metadata


def _mtls(pem: bytes | None, sans: list[bytes]) -> dict[str, list[bytes]]:
    auth = {"transport_security_type": [b"ssl"], "x509_subject_alternative_name": sans}
    if pem is not None:
        auth["x509_pem_cert"] = [pem]
    return auth


def _agency_context(pki: PkiLayout, agency: str, metadata: tuple = ()) -> _Context:
    pem = pki.agency_cert(agency).read_bytes()
    return _Context(_mtls(pem, [f"urn:gbus:agency:{agency}".encode()]), metadata)


def test_the_agency_comes_from_the_client_certificate(pki: PkiLayout):
    assert caller_agency(_agency_context(pki, "gov.ubnd@79"), insecure_dev_mode=False) == "gov.ubnd@79"


def test_the_san_list_is_used_when_grpc_exposes_no_pem():
    context = _Context(_mtls(None, [b"localhost", b"urn:gbus:agency:front.mttq@VN"]))
    assert caller_agency(context, insecure_dev_mode=False) == "front.mttq@VN"


def test_the_header_cannot_impersonate_another_agency_in_secure_mode(pki: PkiLayout):
    context = _agency_context(pki, "gov.ubnd@79", metadata=(("x-agency-id", "party.tu@79"),))
    assert caller_agency(context, insecure_dev_mode=False) == "gov.ubnd@79"


def test_the_header_cannot_override_a_certificate_even_in_dev_mode(pki: PkiLayout):
    context = _agency_context(pki, "gov.ubnd@79", metadata=(("x-agency-id", "party.tu@79"),))
    assert caller_agency(context, insecure_dev_mode=True) == "gov.ubnd@79"


def test_without_a_certificate_secure_mode_refuses_even_with_the_header():
    context = _Context(metadata=(("x-agency-id", "gov.ubnd@79"),))
    with pytest.raises(PermissionDeniedError, match="no client certificate"):
        caller_agency(context, insecure_dev_mode=False)


def test_a_node_certificate_is_authenticated_but_speaks_for_no_agency(pki: PkiLayout):
    context = _Context(_mtls(pki.node_cert("79").read_bytes(), [b"urn:gbus:node:79", b"localhost", b"127.0.0.1"]))
    with pytest.raises(PermissionDeniedError, match="names no agency"):
        caller_agency(context, insecure_dev_mode=False)


def test_in_dev_mode_the_header_names_the_caller():
    context = _Context(metadata=(("x-agency-id", "front.mttq@79"),))
    assert caller_agency(context, insecure_dev_mode=True) == "front.mttq@79"


def test_in_dev_mode_a_missing_header_is_a_field_error_naming_the_header():
    with pytest.raises(ValidationError) as info:
        caller_agency(_Context(), insecure_dev_mode=True)
    assert [v.field for v in info.value.violations] == ["x-agency-id"]


def test_in_dev_mode_a_malformed_header_is_a_field_error():
    with pytest.raises(ValidationError, match="not an agency id"):
        caller_agency(_Context(metadata=(("x-agency-id", "admin"),)), insecure_dev_mode=True)
