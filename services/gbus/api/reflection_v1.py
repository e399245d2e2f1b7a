"""gRPC server reflection under its stable name, grpc.reflection.v1, beside v1alpha.

grpcio-reflection ships only `grpc.reflection.v1alpha.ServerReflection`; current
clients (grpcurl, Postman, grpcui) ask for `grpc.reflection.v1` first. The two
protocols are the same messages with the same field numbers under another
package name, and protobuf's wire format carries no package names, so the one
v1alpha servicer answers both: its replies serialise to valid v1 replies.

So that `grpcurl describe grpc.reflection.v1.ServerReflection` works too, the
v1 file descriptor is derived from v1alpha's (package and file name renamed)
and added to the default descriptor pool that reflection reads.

The reflection protocol lets a client ask for the file of a method
(`grpcurl describe gbus.v1.DirectoryService.GetAgency`), but protobuf's pool
finds only services, messages, fields and enums by name; MethodAwarePool
answers a method with its service's file.
"""

from __future__ import annotations

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc

SERVICE_NAME = "grpc.reflection.v1.ServerReflection"
_V1_FILE = "grpc/reflection/v1/reflection.proto"
_ALPHA_PACKAGE = reflection_pb2.DESCRIPTOR.package  # "grpc.reflection.v1alpha"
_V1_PACKAGE = "grpc.reflection.v1"


def v1_file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """v1alpha's reflection.proto with every name moved to the v1 package."""
    proto = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(proto)
    proto.name = _V1_FILE
    proto.package = _V1_PACKAGE
    # Options name language packages (java_package etc.) of v1alpha; they mean nothing here.
    proto.ClearField("options")

    def moved(type_name: str) -> str:
        prefix = f".{_ALPHA_PACKAGE}."
        return f".{_V1_PACKAGE}.{type_name[len(prefix) :]}" if type_name.startswith(prefix) else type_name

    for message in proto.message_type:
        for field in message.field:
            if field.type_name:
                field.type_name = moved(field.type_name)
    for service in proto.service:
        for method in service.method:
            method.input_type = moved(method.input_type)
            method.output_type = moved(method.output_type)
    return proto


def _register_v1_descriptor() -> None:
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(_V1_FILE)
    except KeyError:
        pool.AddSerializedFile(v1_file_descriptor().SerializeToString())


class MethodAwarePool:
    """The default descriptor pool, which also finds the file of a fully-qualified method name."""

    def __init__(self, pool: descriptor_pool.DescriptorPool) -> None:
        self._pool = pool

    def FindFileContainingSymbol(self, symbol: str):  # noqa: N802 - the pool's own method name
        try:
            return self._pool.FindFileContainingSymbol(symbol)
        except KeyError:
            service, _, method = symbol.rpartition(".")
            try:
                found = self._pool.FindServiceByName(service)
            except KeyError:
                found = None
            if found is None or method not in found.methods_by_name:
                raise  # the original KeyError: reflection answers NOT_FOUND
            return found.file

    def __getattr__(self, name: str):
        return getattr(self._pool, name)


def enable_reflection(service_names: list[str], server: grpc.Server) -> None:
    """Serve reflection as v1alpha and v1, both listing `service_names` and themselves."""
    _register_v1_descriptor()
    listed = [*service_names, reflection.SERVICE_NAME, SERVICE_NAME]
    servicer = reflection.ReflectionServicer(listed, pool=MethodAwarePool(descriptor_pool.Default()))
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(SERVICE_NAME, {"ServerReflectionInfo": handler}),)
    )
