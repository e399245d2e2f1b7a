"""Issue 10.7: a revoked agency certificate is refused by a running node within its reload
interval, on real mutual TLS (port 0), with no restart; an agency of another area is refused at once."""

from __future__ import annotations

import time

import grpc
import pytest

from gbus.api.caller_guard import CallerGuard
from gbus.api.identity import caller_agency
from gbus.api.server import ServiceBinding, start_grpc_server
from gbus.api.tls import agency_channel, server_credentials_for
from gbus.config import GrpcSettings
from gbus.observability.metrics import Metrics
from gbus.security.revocation import revoke
from gbus.security.trust import TrustStore
from gbus.v1 import directory_pb2, directory_pb2_grpc
from support.pki import make_pki

RELOAD_S = 0.5
REVOKED, KEPT, FOREIGN = "gov.ubnd@79", "front.mttq@79", "gov.ubnd@01"


class _WhoAmI(directory_pb2_grpc.DirectoryServiceServicer):
    def GetAgency(self, request, context):
        caller = caller_agency(context, False)
        return directory_pb2.GetAgencyResponse(agency=directory_pb2.Agency(agency_id=caller, name=caller))


@pytest.fixture
def guarded_node(tmp_path):
    pki = make_pki(tmp_path / "pki", agencies=(REVOKED, KEPT, FOREIGN))
    settings = GrpcSettings(listen="127.0.0.1:0", insecure_dev_mode=False, tls_cert=str(pki.node_cert("79")),
                            tls_key=str(pki.node_key("79")), tls_ca=str(pki.ca_cert))  # fmt: skip
    binding = ServiceBinding(
        "gbus.v1.DirectoryService", directory_pb2_grpc.add_DirectoryServiceServicer_to_server, _WhoAmI()
    )
    running = start_grpc_server([binding], settings, Metrics(), credentials=server_credentials_for(settings),
                                interceptors=[CallerGuard(TrustStore(pki.root, reload_s=RELOAD_S), "79")])  # fmt: skip
    yield pki, running
    running.stop(0)


def who(pki, running, agency):
    with agency_channel(running.address, pki.root, agency) as channel:
        stub = directory_pb2_grpc.DirectoryServiceStub(channel)
        return stub.GetAgency(directory_pb2.GetAgencyRequest(agency_id="x"), timeout=5).agency.agency_id


def test_a_revoked_agency_is_refused_within_the_reload_interval_and_others_still_served(guarded_node):
    pki, running = guarded_node
    assert who(pki, running, REVOKED) == REVOKED
    revoke(pki.root, REVOKED)
    time.sleep(RELOAD_S)
    with pytest.raises(grpc.RpcError) as refused:
        who(pki, running, REVOKED)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "revoked" in refused.value.details()
    assert who(pki, running, KEPT) == KEPT


def test_an_agency_of_another_area_is_refused_before_its_node_would_sign_for_it(guarded_node):
    pki, running = guarded_node
    with pytest.raises(grpc.RpcError) as refused:
        who(pki, running, FOREIGN)
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "gov.ubnd@01 must call the node of area 01" in refused.value.details()
