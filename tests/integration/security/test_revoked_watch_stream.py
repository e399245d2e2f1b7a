"""Issue 10.7: revoking an agency's certificate also ends the WatchCases stream it already has
open, with UNAUTHENTICATED, within the node's reload interval and one watch wake-up — on real
mutual TLS (port 0), no restart; another agency's open stream on the same node goes on."""

from __future__ import annotations

import time

import grpc
import pytest

from gbus.api.caller_guard import CallerGuard
from gbus.api.server import ServiceBinding, start_grpc_server
from gbus.api.tls import agency_channel, server_credentials_for
from gbus.cases.authority import Authority
from gbus.codec import AvroCodec
from gbus.config import GrpcSettings
from gbus.domain.status import CaseStatus
from gbus.node.copies import decode_copy
from gbus.node.reading import WATCH_WAKE_S, CaseReader
from gbus.node.servicer import CaseServicer
from gbus.node.store import NodeStore
from gbus.observability.metrics import Metrics
from gbus.security.revocation import revoke
from gbus.security.trust import TrustStore
from gbus.v1 import case_pb2, case_pb2_grpc
from support.cases import HANDLER, ORIGIN, copy_bytes, opened, with_status
from support.identity import keyring_for
from support.pki import make_pki

RELOAD_S = 0.5
# The loaded machine's scheduling, on top of the reload interval and one wake-up.
SLACK_S = 2.0
CODEC = AvroCodec()


@pytest.fixture
def watched_node(tmp_path, router):
    """A node's CaseService over its own store (no Kafka: the cases are applied by the test)."""
    pki = make_pki(tmp_path / "pki", agencies=(HANDLER, ORIGIN))
    settings = GrpcSettings(listen="127.0.0.1:0", insecure_dev_mode=False, tls_cert=str(pki.node_cert("79")),
                            tls_key=str(pki.node_key("79")), tls_ca=str(pki.ca_cert))  # fmt: skip
    store = NodeStore(tmp_path / "node.sqlite", CODEC)
    reader = CaseReader(store, Authority(router.directory), keyring_for(HANDLER, ORIGIN), area="79", metrics=Metrics())
    binding = ServiceBinding("gbus.v1.CaseService", case_pb2_grpc.add_CaseServiceServicer_to_server,
                             CaseServicer(reader, actions=None, insecure_dev_mode=False))  # fmt: skip
    running = start_grpc_server([binding], settings, Metrics(), credentials=server_credentials_for(settings),
                                interceptors=[CallerGuard(TrustStore(pki.root, reload_s=RELOAD_S), "79")])  # fmt: skip
    offsets = iter(range(1_000))

    def apply(state, history):
        store.apply(decode_copy(CODEC, copy_bytes(CODEC, state, history)), topic="t", partition=0, offset=next(offsets))

    yield pki, running, apply
    reader.shutdown()
    running.stop(0)
    store.close()


@pytest.fixture(scope="module")
def router():
    from gbus.routing import Router

    return Router.default()


def test_an_open_watch_stream_of_a_revoked_agency_ends_unauthenticated_and_another_agency_s_goes_on(
    watched_node, router
):
    pki, running, apply = watched_node
    v1 = opened(router, "watch-1")
    apply(*v1)
    with agency_channel(running.address, pki.root, HANDLER) as revoked_channel, \
         agency_channel(running.address, pki.root, ORIGIN) as kept_channel:  # fmt: skip
        revoked_stream = case_pb2_grpc.CaseServiceStub(revoked_channel).WatchCases(
            case_pb2.WatchCasesRequest(), timeout=30
        )
        kept_stream = case_pb2_grpc.CaseServiceStub(kept_channel).WatchCases(case_pb2.WatchCasesRequest(), timeout=30)
        assert next(revoked_stream).case.case_id == v1[0].case_id  # both streams are open and served
        assert next(kept_stream).case.case_id == v1[0].case_id

        revoke(pki.root, HANDLER)
        revoked_at = time.monotonic()
        with pytest.raises(grpc.RpcError) as cut:
            next(revoked_stream)  # idle: nothing changed since, so only the revocation can end it
        assert cut.value.code() is grpc.StatusCode.UNAUTHENTICATED
        assert "revoked" in cut.value.details()
        assert time.monotonic() - revoked_at < RELOAD_S + WATCH_WAKE_S + SLACK_S

        # The other agency's stream was not cut: it hears the next change of the case.
        apply(*with_status(*v1, CaseStatus.ACCEPTED))
        assert next(kept_stream).case.version == 2
