"""A real gRPC server on port 0: health, reflection, error mapping, RPC metrics."""

from __future__ import annotations

import time

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from gbus.api.error_mapping import field_violations
from gbus.api.server import ServiceBinding, start_grpc_server
from gbus.config import GrpcSettings
from gbus.errors import FieldViolation, NotFoundError, ValidationError
from gbus.observability.metrics import Metrics
from gbus.v1 import case_pb2, case_pb2_grpc, directory_pb2, directory_pb2_grpc


class _Directory(directory_pb2_grpc.DirectoryServiceServicer):
    def GetAgency(self, request, context):
        if not request.agency_id:
            raise ValidationError([FieldViolation("agency_id", "is required")])
        if request.agency_id == "boom":
            raise RuntimeError("a bug")
        raise NotFoundError(f"no agency {request.agency_id}")


class _Cases(case_pb2_grpc.CaseServiceServicer):
    def WatchCases(self, request, context):
        for i in range(3):
            time.sleep(0.1)
            yield case_pb2.WatchCasesResponse(cursor=str(i))


@pytest.fixture
def served():
    metrics = Metrics()
    running = start_grpc_server(
        [
            ServiceBinding(
                "gbus.v1.DirectoryService", directory_pb2_grpc.add_DirectoryServiceServicer_to_server, _Directory()
            ),
            ServiceBinding("gbus.v1.CaseService", case_pb2_grpc.add_CaseServiceServicer_to_server, _Cases()),
        ],
        GrpcSettings(listen="127.0.0.1:0"),
        metrics,
    )
    channel = grpc.insecure_channel(running.address)
    yield running, channel, metrics
    channel.close()
    running.stop(0)


def test_the_server_binds_a_free_port_and_answers_the_health_check(served):
    running, channel, _ = served
    assert running.port > 0
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "gbus.v1.DirectoryService", "gbus.v1.CaseService"):
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_bus_services(served):
    _, channel, _ = served
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {"gbus.v1.DirectoryService", "gbus.v1.CaseService", "grpc.health.v1.Health"} <= names


def _reflect(channel, service, *requests):
    # The v1 and v1alpha messages are the same on the wire (protobuf carries no package
    # names), so the v1alpha classes can speak to the v1 service by its method path.
    call = channel.stream_stream(
        f"/{service}/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    return list(call(iter(requests), timeout=5))


def test_reflection_v1_lists_the_bus_services_and_both_reflection_versions(served):
    _, channel, _ = served
    [reply] = _reflect(
        channel, "grpc.reflection.v1.ServerReflection", reflection_pb2.ServerReflectionRequest(list_services="")
    )
    names = {s.name for s in reply.list_services_response.service}
    assert {
        "gbus.v1.DirectoryService",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= names


@pytest.mark.parametrize(
    ("symbol", "file"),
    [("gbus.v1.DirectoryService", "gbus/v1/directory.proto"),
     ("grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto")],
)  # fmt: skip
def test_reflection_v1_describes_a_service_by_its_file(served, symbol, file):
    _, channel, _ = served
    [reply] = _reflect(
        channel,
        "grpc.reflection.v1.ServerReflection",
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol),
    )
    files = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in reply.file_descriptor_response.file_descriptor_proto
    ]
    described = {f.name: f for f in files}
    assert file in described
    package, _, service = symbol.rpartition(".")
    assert described[file].package == package and service in [s.name for s in described[file].service]


@pytest.mark.parametrize("service", ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"])
def test_reflection_finds_the_file_of_a_method_and_not_of_an_unknown_one(served, service):
    _, channel, _ = served
    found, unknown = _reflect(
        channel, service,
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="gbus.v1.DirectoryService.GetAgency"),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="gbus.v1.DirectoryService.Nothing"),
    )  # fmt: skip
    names = [
        descriptor_pb2.FileDescriptorProto.FromString(raw).name
        for raw in found.file_descriptor_response.file_descriptor_proto
    ]
    assert "gbus/v1/directory.proto" in names
    assert unknown.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


def test_a_validation_error_arrives_as_invalid_argument_with_field_violations(served):
    _, channel, _ = served
    with pytest.raises(grpc.RpcError) as info:
        directory_pb2_grpc.DirectoryServiceStub(channel).GetAgency(directory_pb2.GetAgencyRequest(), timeout=5)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == [("agency_id", "is required")]


def test_a_domain_not_found_arrives_as_not_found(served):
    _, channel, _ = served
    with pytest.raises(grpc.RpcError) as info:
        directory_pb2_grpc.DirectoryServiceStub(channel).GetAgency(
            directory_pb2.GetAgencyRequest(agency_id="gov.x@79"), timeout=5
        )
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert "gov.x@79" in info.value.details()


def test_a_bug_becomes_internal_with_a_reference_and_no_internals(served):
    _, channel, metrics = served
    with pytest.raises(grpc.RpcError) as info:
        directory_pb2_grpc.DirectoryServiceStub(channel).GetAgency(
            directory_pb2.GetAgencyRequest(agency_id="boom"), timeout=5
        )
    assert info.value.code() is grpc.StatusCode.INTERNAL
    assert "reference" in info.value.details() and "a bug" not in info.value.details()
    handled = metrics.registry.get_sample_value(
        "gbus_grpc_server_handled_total",
        {"grpc_service": "gbus.v1.DirectoryService", "grpc_method": "GetAgency", "grpc_code": "INTERNAL"},
    )
    assert handled == 1


def test_streaming_latency_is_measured_until_the_stream_ends(served):
    _, channel, metrics = served
    replies = list(case_pb2_grpc.CaseServiceStub(channel).WatchCases(case_pb2.WatchCasesRequest(), timeout=5))
    assert [r.cursor for r in replies] == ["0", "1", "2"]
    labels = {"grpc_service": "gbus.v1.CaseService", "grpc_method": "WatchCases"}
    deadline = time.time() + 2
    while metrics.registry.get_sample_value("gbus_grpc_server_handling_seconds_count", labels) != 1:
        assert time.time() < deadline, "stream completion was never recorded"
        time.sleep(0.01)
    total = metrics.registry.get_sample_value("gbus_grpc_server_handling_seconds_sum", labels)
    assert total >= 0.3  # three 100 ms sleeps happened inside the stream
    ok = metrics.registry.get_sample_value("gbus_grpc_server_handled_total", {**labels, "grpc_code": "OK"})
    assert ok == 1


def test_a_port_already_in_use_is_a_clear_error(served):
    running, _, _ = served
    with pytest.raises(OSError, match="cannot listen"):
        start_grpc_server([], GrpcSettings(listen=running.address), Metrics())
