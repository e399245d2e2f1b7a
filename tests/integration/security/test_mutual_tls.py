"""Mutual TLS with real certificates on a real gRPC server (port 0, no Kafka needed).

A test DirectoryService.GetAgency answers with the caller's agency as the
server saw it (`caller_agency`), so each test reads who the server thinks it is
talking to.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from gbus.api.identity import caller_agency
from gbus.api.server import RunningServer, ServiceBinding, start_grpc_server
from gbus.api.tls import agency_channel, secure_channel, server_credentials_for
from gbus.config import GrpcSettings
from gbus.observability.logging import configure_logging
from gbus.observability.metrics import Metrics
from gbus.security.pki import PkiLayout, create_ca, issue_agency_certificate, issue_node_certificate
from gbus.v1 import directory_pb2, directory_pb2_grpc
from support.pki import make_pki

TIMEOUT = 5


class _WhoAmI(directory_pb2_grpc.DirectoryServiceServicer):
    def __init__(self, insecure_dev_mode: bool) -> None:
        self._insecure = insecure_dev_mode

    def GetAgency(self, request, context):
        caller = caller_agency(context, self._insecure)
        return directory_pb2.GetAgencyResponse(agency=directory_pb2.Agency(agency_id=caller, name=f"caller {caller}"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def foreign_pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return make_pki(tmp_path_factory.mktemp("foreign-pki"))


@pytest.fixture
def serve() -> Iterator[Callable[[GrpcSettings], RunningServer]]:
    started: list[RunningServer] = []

    def start(settings: GrpcSettings) -> RunningServer:
        binding = ServiceBinding(
            "gbus.v1.DirectoryService",
            directory_pb2_grpc.add_DirectoryServiceServicer_to_server,
            _WhoAmI(settings.insecure_dev_mode),
        )
        running = start_grpc_server([binding], settings, Metrics(), credentials=server_credentials_for(settings))
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop(0)


def _secure_settings(pki: PkiLayout, ca: Path | None = None) -> GrpcSettings:
    return GrpcSettings(
        listen="127.0.0.1:0",
        insecure_dev_mode=False,
        tls_cert=str(pki.node_cert("79")),
        tls_key=str(pki.node_key("79")),
        tls_ca=str(ca or pki.ca_cert),
    )


def _who(channel: grpc.Channel, metadata: tuple = ()) -> str:
    with channel:
        reply = directory_pb2_grpc.DirectoryServiceStub(channel).GetAgency(
            directory_pb2.GetAgencyRequest(agency_id="x"), metadata=metadata, timeout=TIMEOUT
        )
    return reply.agency.agency_id


def _code(call: Callable[[], object]) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value.code()


def test_a_member_system_with_its_agency_certificate_is_identified_as_that_agency(pki, serve):
    running = serve(_secure_settings(pki))
    assert _who(agency_channel(running.address, pki.root, "gov.ubnd@79")) == "gov.ubnd@79"
    assert _who(agency_channel(running.address, pki.root, "front.mttq@79")) == "front.mttq@79"


def test_the_server_is_reached_by_the_name_localhost_too(pki, serve):
    running = serve(_secure_settings(pki))
    assert _who(agency_channel(f"localhost:{running.port}", pki.root, "gov.ubnd@79")) == "gov.ubnd@79"


def test_a_client_without_a_certificate_cannot_even_connect(pki, serve):
    running = serve(_secure_settings(pki))
    # Trusts the server, presents nothing: the server ends the handshake.
    channel = grpc.secure_channel(running.address, grpc.ssl_channel_credentials(pki.ca_cert.read_bytes()))
    assert _code(lambda: _who(channel)) is grpc.StatusCode.UNAVAILABLE


def test_a_plaintext_client_cannot_talk_to_a_tls_server(pki, serve):
    running = serve(_secure_settings(pki))
    channel = grpc.insecure_channel(running.address)
    assert _code(lambda: _who(channel, (("x-agency-id", "gov.ubnd@79"),))) is grpc.StatusCode.UNAVAILABLE


def test_a_certificate_from_another_ca_is_refused_even_for_a_real_agency_name(pki, foreign_pki, serve):
    running = serve(_secure_settings(pki))
    # The attacker trusts our server but signs their own gov.ubnd@79 certificate.
    channel = secure_channel(
        running.address, pki.ca_cert, foreign_pki.agency_cert("gov.ubnd@79"), foreign_pki.agency_key("gov.ubnd@79")
    )
    assert _code(lambda: _who(channel)) is grpc.StatusCode.UNAVAILABLE


def test_a_client_refuses_a_server_whose_certificate_another_ca_signed(pki, foreign_pki, serve):
    running = serve(_secure_settings(foreign_pki, ca=pki.ca_cert))  # a rogue node, foreign server cert
    channel = agency_channel(running.address, pki.root, "gov.ubnd@79")
    assert _code(lambda: _who(channel)) is grpc.StatusCode.UNAVAILABLE


def test_the_agency_header_cannot_impersonate_another_agency_in_secure_mode(pki, serve):
    running = serve(_secure_settings(pki))
    channel = agency_channel(running.address, pki.root, "gov.ubnd@79")
    assert _who(channel, (("x-agency-id", "party.tu@79"),)) == "gov.ubnd@79"


def test_a_node_certificate_connects_but_is_refused_as_an_agency(pki, serve):
    running = serve(_secure_settings(pki))
    channel = secure_channel(running.address, pki.ca_cert, pki.node_cert("79"), pki.node_key("79"))
    assert _code(lambda: _who(channel)) is grpc.StatusCode.PERMISSION_DENIED


def test_in_insecure_dev_mode_the_header_names_the_caller(serve):
    running = serve(GrpcSettings(listen="127.0.0.1:0", insecure_dev_mode=True))
    assert _who(grpc.insecure_channel(running.address), (("x-agency-id", "front.mttq@79"),)) == "front.mttq@79"


def test_a_plaintext_server_outside_dev_mode_identifies_nobody():
    # server_credentials_for refuses this configuration, so start the server by hand.
    binding = ServiceBinding(
        "gbus.v1.DirectoryService", directory_pb2_grpc.add_DirectoryServiceServicer_to_server, _WhoAmI(False)
    )
    running = start_grpc_server([binding], GrpcSettings(listen="127.0.0.1:0", insecure_dev_mode=False), Metrics())
    try:
        channel = grpc.insecure_channel(running.address)
        assert _code(lambda: _who(channel, (("x-agency-id", "gov.ubnd@79"),))) is grpc.StatusCode.PERMISSION_DENIED
    finally:
        running.stop(0)


def test_starting_in_insecure_dev_mode_logs_a_warning_once(serve):
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    serve(GrpcSettings(listen="127.0.0.1:0", insecure_dev_mode=True))
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    modes = [(e["level"], e["mode"]) for e in events if e["event"] == "grpc_security_mode"]
    assert modes == [("warning", "insecure_dev")]


def test_during_ca_rotation_a_bundle_of_old_and_new_ca_accepts_agencies_of_both(pki, serve, tmp_path: Path):
    new = tmp_path / "new"
    create_ca(new)
    issue_agency_certificate(new, "party.tu@79")
    bundle = tmp_path / "trust-bundle.pem"
    bundle.write_bytes(pki.ca_cert.read_bytes() + PkiLayout(new).ca_cert.read_bytes())

    running = serve(_secure_settings(pki, ca=bundle))
    old_client = secure_channel(running.address, bundle, pki.agency_cert("gov.ubnd@79"), pki.agency_key("gov.ubnd@79"))
    new_layout = PkiLayout(new)
    new_client = secure_channel(
        running.address, bundle, new_layout.agency_cert("party.tu@79"), new_layout.agency_key("party.tu@79")
    )
    assert _who(old_client) == "gov.ubnd@79"
    assert _who(new_client) == "party.tu@79"


def test_after_rotation_the_old_ca_is_no_longer_trusted(pki, serve, tmp_path: Path):
    create_ca(tmp_path)
    running = serve(_secure_settings(pki, ca=tmp_path / "ca.pem"))  # the old CA removed from the bundle
    channel = secure_channel(
        running.address, pki.ca_cert, pki.agency_cert("gov.ubnd@79"), pki.agency_key("gov.ubnd@79")
    )
    assert _code(lambda: _who(channel)) is grpc.StatusCode.UNAVAILABLE


def test_a_node_reached_by_a_name_its_certificate_lacks_needs_a_server_name_override(pki, serve, tmp_path: Path):
    # A production node certificate names only its DNS name; here it is dialled by IP.
    shutil.copytree(pki.root, tmp_path / "pki")
    layout = PkiLayout(tmp_path / "pki")
    issue_node_certificate(layout.root, "79", dns_names=("node79.gbus.example",), ip_addresses=())
    running = serve(_secure_settings(layout))
    files = (layout.ca_cert, layout.agency_cert("gov.ubnd@79"), layout.agency_key("gov.ubnd@79"))
    assert _code(lambda: _who(secure_channel(running.address, *files))) is grpc.StatusCode.UNAVAILABLE
    overridden = secure_channel(running.address, *files, server_name_override="node79.gbus.example")
    assert _who(overridden) == "gov.ubnd@79"
