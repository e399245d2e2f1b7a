"""Starting and stopping a gRPC server with health checking and reflection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from gbus.api.reflection_v1 import enable_reflection
from gbus.config import GrpcSettings
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics

_log = get_logger("gbus.grpc")


@dataclass(frozen=True)
class ServiceBinding:
    """A servicer and how to add it: `full_name` is e.g. "gbus.v1.CaseService"."""

    full_name: str
    add_to_server: Callable[[Any, grpc.Server], None]
    servicer: Any


@dataclass
class RunningServer:
    server: grpc.Server
    host: str
    port: int
    health: health.HealthServicer

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self, grace: float = 5.0) -> None:
        """Refuse new calls, let in-flight ones finish for `grace` seconds."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()


def start_grpc_server(
    bindings: Sequence[ServiceBinding],
    settings: GrpcSettings,
    metrics: Metrics,
    *,
    credentials: grpc.ServerCredentials | None = None,
    interceptors: Sequence[grpc.ServerInterceptor] = (),
) -> RunningServer:
    from gbus.api.interceptor import BusServerInterceptor
    from gbus.api.tls import log_security_mode

    options = [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        # Streams like WatchCases stay open for hours; keepalives find dead peers.
        ("grpc.keepalive_time_ms", 60_000),
        ("grpc.so_reuseport", 0),
    ]
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.max_workers, thread_name_prefix="grpc"),
        interceptors=[*interceptors, BusServerInterceptor(metrics)],
        options=options,
    )
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for binding in bindings:
        binding.add_to_server(binding.servicer, server)
    names = [b.full_name for b in bindings]
    enable_reflection([*names, health.SERVICE_NAME], server)

    host, _, port = settings.listen.rpartition(":")
    host = host or "127.0.0.1"
    address = f"{host}:{port}"
    try:
        bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    except RuntimeError as exc:  # grpc raises RuntimeError when bind() fails
        raise OSError(f"cannot listen on {address}: port in use or address not available") from exc
    if bound == 0:
        raise OSError(f"cannot listen on {address}: port in use or address not available")
    server.start()
    for name in ["", *names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    _log.info("grpc_server_started", address=f"{host}:{bound}", services=names, tls=credentials is not None)
    log_security_mode(settings, tls=credentials is not None, address=f"{host}:{bound}")
    return RunningServer(server, host, bound, health_servicer)
