"""Every bad input to a node is the caller's fault, said so: never INTERNAL or UNKNOWN.

Requests go over real gRPC to a node on port 0 (real broker, no processor: commands
answer DEADLINE_EXCEEDED after a short timeout). Every method of every service the
node serves is covered, health and reflection included; a service added to the node
without being listed here fails `test_every_service_the_node_serves_is_covered`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2  # noqa: F401 - registers grpc.health.v1 in the pool
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gbus.api.error_mapping import field_violations
from gbus.node.app import NodeApp
from gbus.v1 import case_pb2, directory_pb2, intake_pb2, report_pb2  # noqa: F401 - register gbus.v1
from support.node_harness import Bus, Running, sample_report
from support.proto_strategies import encoded_with_bytes_at, messages, string_field_paths

pytestmark = pytest.mark.integration

# Served name -> the service whose descriptor describes it: reflection v1 is v1alpha's
# messages under another package name (gbus.api.reflection_v1), registered only once served.
SERVICES = {
    "gbus.v1.IntakeService": "gbus.v1.IntakeService",
    "gbus.v1.CaseService": "gbus.v1.CaseService",
    "gbus.v1.DirectoryService": "gbus.v1.DirectoryService",
    "grpc.health.v1.Health": "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection": "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection": "grpc.reflection.v1alpha.ServerReflection",
}


@dataclass(frozen=True)
class Method:
    path: str
    input_type: Any
    client_streaming: bool
    server_streaming: bool


METHODS = [
    Method(f"/{served}/{m.name}", m.input_type, m.client_streaming, m.server_streaming)
    for served, described in SERVICES.items()
    for m in descriptor_pool.Default().FindServiceByName(described).methods
]
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
CALLERS = [
    "gov.ubnd@79",
    "front.mttq@79.25747",
    "party.bdv@VN",
    "gov.ubnd@01",
    "not-an-agency",
    "",
]
# A valid watch stays open; this ends it (DEADLINE_EXCEEDED is an acceptable answer).
STREAM_TIMEOUT_S = 0.5
UNARY_TIMEOUT_S = 5.0


@pytest.fixture(scope="module")
def node(kafka_bootstrap: str, router: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One node for the whole module: what is fuzzed is its answers, not its start."""
    bus = Bus(kafka_bootstrap, all_areas=False)
    # Commands find no processor here: answer DEADLINE_EXCEEDED quickly instead of after 10 s.
    settings = bus.settings("79", str(tmp_path_factory.mktemp("nodes")), command_timeout_s=0.2)
    running = Running(NodeApp(settings, router=router).start())
    yield running
    running.stop()
    bus.close()


def call(channel: grpc.Channel, method: Any, payload: bytes, caller: str = "gov.ubnd@79") -> grpc.RpcError | None:
    """Send raw request bytes; the RpcError it ended with, None for OK."""
    kind = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }[(method.client_streaming, method.server_streaming)]
    stub = kind(method.path, request_serializer=None, response_deserializer=None)  # bytes as they are
    request: Any = iter([payload]) if method.client_streaming else payload
    metadata = (("x-agency-id", caller),) if caller else ()
    timeout = STREAM_TIMEOUT_S if method.server_streaming else UNARY_TIMEOUT_S
    try:
        answer = stub(request, timeout=timeout, metadata=metadata)
        if method.server_streaming:
            for _ in answer:
                pass
    except grpc.RpcError as exc:
        return exc
    return None


def assert_callers_fault_at_worst(error: grpc.RpcError | None, what: str) -> None:
    if error is not None:
        assert error.code() not in NEVER, f"{what}: {error.code().name} {error.details()!r}"


def test_every_service_the_node_serves_is_covered(node: Running) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(node.channel)
    answers = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    served = {s.name for s in next(iter(answers)).list_services_response.service}
    assert served == set(SERVICES)


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.path)
# The node's Kafka client threads use the random module while hypothesis draws; that is not
# the strategy using it, which is what this warning is about.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_request_message_yields_internal_or_unknown(node: Running, method: Any, data: st.DataObject) -> None:
    request = data.draw(messages(method.input_type), label="request")
    caller = data.draw(st.sampled_from(CALLERS), label="caller")
    assert_callers_fault_at_worst(
        call(node.channel, method, request.SerializeToString(), caller),
        str(request)[:500],
    )


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.path)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(payload=st.binary(max_size=300))
def test_no_request_bytes_yield_internal_or_unknown(node: Running, method: Any, payload: bytes) -> None:
    assert_callers_fault_at_worst(call(node.channel, method, payload), repr(payload))


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.path)
def test_invalid_utf8_in_any_string_field_is_invalid_argument_naming_that_field(node: Running, method: Any) -> None:
    for path, numbers in string_field_paths(method.input_type):
        error = call(node.channel, method, encoded_with_bytes_at(numbers, b"ok \xc3\x28 \xff"))
        assert error is not None and error.code() == grpc.StatusCode.INVALID_ARGUMENT, path
        assert [field for field, _ in field_violations(error)] == [path]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.path)
def test_a_megabyte_value_in_any_string_field_is_never_echoed_back_whole(node: Running, method: Any) -> None:
    for path, numbers in string_field_paths(method.input_type):
        error = call(node.channel, method, encoded_with_bytes_at(numbers, b"\xc4\x90" * 500_000))
        if error is None:
            continue
        # An echoed megabyte overflows the client's metadata limit: RESOURCE_EXHAUSTED, no field named.
        assert error.code() not in NEVER | {grpc.StatusCode.RESOURCE_EXHAUSTED}, (
            path,
            error.code(),
        )
        assert len(error.details() or "") < 1_000, path
        assert all(len(description) < 300 for _, description in field_violations(error)), path


def _bad_timestamp(seconds: int, nanos: int = 0) -> Timestamp:
    return Timestamp(seconds=seconds, nanos=nanos)


@pytest.mark.parametrize(
    "method_name, request_message, field",
    [
        (
            "/gbus.v1.IntakeService/SubmitReport",
            intake_pb2.SubmitReportRequest(report=sample_report(submitted_at=_bad_timestamp(2**62))),
            "submitted_at",
        ),
        (
            "/gbus.v1.IntakeService/SubmitReport",
            intake_pb2.SubmitReportRequest(report=sample_report(submitted_at=_bad_timestamp(0, 2_000_000_000))),
            "submitted_at",
        ),
        (
            "/gbus.v1.CaseService/ListCases",
            case_pb2.ListCasesRequest(updated_after=_bad_timestamp(-(2**62))),
            "updated_after",
        ),
        (
            "/gbus.v1.CaseService/ListCases",
            case_pb2.ListCasesRequest(page_token="eyJlIjoieCIsInEiOiJ5IiwiayI6WzFlOTk5LCJ4Il19"),
            "page_token",
        ),
        (
            "/gbus.v1.CaseService/WatchCases",
            case_pb2.WatchCasesRequest(cursor=f"ep.{2**64}"),
            "cursor",
        ),
    ],
)
def test_the_inputs_that_once_reached_internal_are_invalid_argument_naming_the_field(
    node: Running, method_name: str, request_message: Any, field: str
) -> None:
    method = next(m for m in METHODS if m.path == method_name)
    error = call(node.channel, method, request_message.SerializeToString())
    assert error is not None and error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    assert field in [f for f, _ in field_violations(error)]
