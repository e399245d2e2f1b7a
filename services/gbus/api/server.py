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
    stream_pool: futures.ThreadPoolExecutor | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self, grace: float = 5.0) -> None:
        """Refuse new calls, let in-flight ones finish for `grace` seconds."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
        if self.stream_pool is not None:
            self.stream_pool.shutdown(wait=False, cancel_futures=True)


def start_grpc_server(
    bindings: Sequence[ServiceBinding],
    settings: GrpcSettings,
    metrics: Metrics,
    *,
    credentials: grpc.ServerCredentials | None = None,
    interceptors: Sequence[grpc.ServerInterceptor] = (),
) -> RunningServer:
    from gbus.api.interceptor import BusServerInterceptor
    from gbus.api.stream_guard import StreamGuardInterceptor, stream_pool
    from gbus.api.stream_limits import StreamLimits
    from gbus.api.tls import log_security_mode

    limits = StreamLimits(total=settings.max_streams, per_agency=settings.max_streams_per_agency)
    streams = stream_pool(limits)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=settings.max_workers, thread_name_prefix="grpc"),
        # The stream guard first (outermost): it picks the thread pool of the call as a whole.
        interceptors=[
            StreamGuardInterceptor(limits, streams, metrics, insecure_dev_mode=settings.insecure_dev_mode),
            *interceptors,
            BusServerInterceptor(metrics),
        ],
        options=server_options(settings),
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
    return RunningServer(server, host, bound, health_servicer, streams)


def server_options(settings: GrpcSettings) -> list[tuple[str, int]]:
    return [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        # Streams like WatchCases stay open for hours: a ping every minute finds a peer that
        # vanished (no FIN, e.g. a NAT dropped it), and one unanswered for 20 s ends its streams,
        # giving their slots back.
        ("grpc.keepalive_time_ms", 60_000),
        ("grpc.keepalive_timeout_ms", 20_000),
        # A client may ping at most every 30 s; the third too-early ping closes its connection,
        # so pings cannot be used to keep the server busy.
        ("grpc.http2.min_ping_interval_without_data_ms", 30_000),
        ("grpc.http2.max_ping_strikes", 2),
        # Connections with no call at all are closed after a while (clients reconnect).
        ("grpc.max_connection_idle_ms", int(settings.idle_connection_timeout_s * 1000)),
        ("grpc.so_reuseport", 0),
    ]
