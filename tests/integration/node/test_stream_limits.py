"""Open WatchCases streams cannot starve a node: unary calls and health keep answering,
and streams beyond the per-agency and total limits are refused at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gbus.v1 import case_pb2, case_pb2_grpc
from support.cases import HANDLER, copy_bytes, opened
from support.node_harness import CODEC, as_agency, wait_until

pytestmark = pytest.mark.integration

# Watchers from many agencies: per-agency limits must not be what keeps this test small.
WATCHING_AGENCIES = [f"gov.ubnd@79.{ward}" for ward in ("25747", "26734", "26737", "26740", "26743")] + [
    f"{sector}@79" for sector in ("gov.so-xd", "gov.so-yt", "gov.so-gddt", "gov.so-nv", "gov.ca",
                                  "party.tu", "party.bdv", "party.ubkt", "front.mttq", "union.ldld",
                                  "union.hnd", "union.hlhpn", "union.doantn", "union.hccb", "gov.thanhtra")
]  # fmt: skip


def open_streams(node, count_per_agency: int, agencies: list[str]) -> list[grpc.Future]:
    """Idle WatchCases streams (nothing to deliver), each agency on a channel of its own."""
    calls = []
    for agency in agencies:
        channel = grpc.insecure_channel(node.app.grpc_address)
        stub = case_pb2_grpc.CaseServiceStub(channel)
        calls += [
            stub.WatchCases(case_pb2.WatchCasesRequest(), metadata=as_agency(agency)) for _ in range(count_per_agency)
        ]
    return calls


def open_stream_count(node) -> float:
    return node.app.metrics.registry.get_sample_value("gbus_grpc_open_streams") or 0.0


@contextmanager
def streams(node, count_per_agency: int, agencies: list[str]) -> Iterator[list[grpc.Future]]:
    calls = open_streams(node, count_per_agency, agencies)
    try:
        yield calls
    finally:
        for call in calls:
            call.cancel()


def first_error(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        next(call)
    return info.value


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def test_with_200_idle_streams_open_health_and_another_agencys_unary_calls_answer_within_a_second(
    bus, start_node, router
):
    node = start_node("79")
    state, history = opened(router, "held")
    bus.produce(
        bus.topics.node("79"),
        copy_bytes(CODEC, state, history, area="79"),
        key=state.case_id.encode(),
    )
    get = case_pb2.GetCaseRequest(case_id=state.case_id)

    def held() -> bool:
        try:
            return node.cases.GetCase(get, metadata=as_agency(HANDLER), timeout=5).case.version > 0
        except grpc.RpcError:
            return False

    wait_until(held, what="the case at the node")
    health = health_pb2_grpc.HealthStub(node.channel)
    listing = case_pb2.ListCasesRequest()

    with streams(node, 10, WATCHING_AGENCIES):
        wait_until(lambda: open_stream_count(node) >= 200, what="200 streams open at the node")
        for _ in range(5):
            assert timed(lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=1)) < 1.0
            assert timed(lambda: node.cases.GetCase(get, metadata=as_agency(HANDLER), timeout=1)) < 1.0
            assert timed(lambda: node.cases.ListCases(listing, metadata=as_agency(HANDLER), timeout=1)) < 1.0


def test_an_agency_past_its_stream_limit_is_refused_at_once_and_others_still_get_theirs(
    start_node,
):
    node = start_node("79", max_streams_per_agency=3)
    with streams(node, 3, ["gov.so-xd@79"]):
        wait_until(lambda: open_stream_count(node) >= 3, what="3 streams open")
        with streams(node, 1, ["gov.so-xd@79"]) as [fourth]:
            error = first_error(fourth)
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "gov.so-xd@79" in error.details() and "max_streams_per_agency" in error.details()
        with streams(node, 1, ["gov.so-yt@79"]):
            wait_until(
                lambda: open_stream_count(node) >= 4,
                what="another agency's stream open",
            )
    refused = node.app.metrics.registry.get_sample_value("gbus_grpc_streams_refused_total", {"limit": "agency"})
    assert refused == 1


def test_the_node_refuses_streams_past_its_total_and_takes_new_ones_once_some_close(
    start_node,
):
    node = start_node("79", max_streams=4)
    with streams(node, 2, ["gov.so-xd@79", "gov.so-yt@79"]):
        wait_until(lambda: open_stream_count(node) >= 4, what="4 streams open")
        with streams(node, 1, ["gov.ca@79"]) as [fifth]:
            error = first_error(fifth)
        assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "max_streams" in error.details()
    wait_until(lambda: open_stream_count(node) == 0, what="the cancelled streams closed")
    with streams(node, 1, ["gov.ca@79"]):
        wait_until(
            lambda: open_stream_count(node) == 1,
            what="a new stream admitted after others closed",
        )
