"""One server interceptor: error mapping and RPC metrics for every method.

Servicers raise domain errors (gbus.errors); this turns them into gRPC
statuses via error_mapping, so no servicer scatters `context.abort` calls.
Streaming responses are wrapped too: a latency measured when the handler
returns its generator would measure nothing, so the clock stops when the
stream ends. Requests that do not parse reach no servicer: they are refused
as INVALID_ARGUMENT naming the field (gbus.api.request_decoding).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from gbus import errors
from gbus.api.error_mapping import code_name_of, internal_status, to_grpc_status
from gbus.api.request_decoding import UndecodableRequest, decoding
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics

_log = get_logger("gbus.grpc")


def _split(full_method: str) -> tuple[str, str]:
    # "/gbus.v1.CaseService/GetCase" -> ("gbus.v1.CaseService", "GetCase")
    _, service, method = full_method.split("/", 2)
    return service, method


class BusServerInterceptor(grpc.ServerInterceptor):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def intercept_service(self, continuation: Callable, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        service, method = _split(handler_call_details.method)
        if service.startswith("grpc."):
            # Health and reflection: not ours to measure, but a malformed request to them
            # is still the caller's fault, not INTERNAL.
            return _rebuilt(handler, _refusing_undecodable)

        def measured(behaviour: Callable, streaming: bool) -> Callable:
            return (self._streaming if streaming else self._unary)(behaviour, service, method)

        return _rebuilt(handler, measured)

    # -- wrappers ------------------------------------------------------------

    def _unary(self, behaviour: Callable, service: str, method: str) -> Callable:
        def wrapped(request: Any, context: grpc.ServicerContext) -> Any:
            started = self._start(service, method)
            try:
                response = behaviour(request, context)
            except Exception as exc:  # noqa: BLE001 - every failure is mapped, none escapes raw
                self._fail(exc, context, service, method, started)
                raise  # unreachable: _fail aborts; keeps type checkers honest
            self._finish(service, method, started, _code_name(context) or "OK")
            return response

        return wrapped

    def _streaming(self, behaviour: Callable, service: str, method: str) -> Callable:
        def wrapped(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = self._start(service, method)
            try:
                yield from behaviour(request, context)
            except GeneratorExit:
                # The client went away (cancelled) mid-stream.
                self._finish(service, method, started, "CANCELLED")
                raise
            except Exception as exc:  # noqa: BLE001
                self._fail(exc, context, service, method, started)
                raise
            self._finish(service, method, started, _code_name(context) or "OK")

        return wrapped

    # -- bookkeeping ---------------------------------------------------------

    def _start(self, service: str, method: str) -> float:
        self._metrics.grpc_started.labels(service, method).inc()
        return time.perf_counter()

    def _finish(self, service: str, method: str, started: float, code: str) -> None:
        self._metrics.grpc_latency.labels(service, method).observe(time.perf_counter() - started)
        self._metrics.grpc_handled.labels(service, method, code).inc()

    def _fail(self, exc: Exception, context: grpc.ServicerContext, service: str, method: str, started: float) -> None:
        if isinstance(exc, errors.BusError):
            self._finish(service, method, started, code_name_of(exc))
            context.abort_with_status(to_grpc_status(exc))
        already = _code_name(context)
        if already and already != "OK":
            # The servicer aborted on its own (context.abort); keep its status.
            self._finish(service, method, started, already)
            raise exc
        reference = uuid.uuid4().hex[:12]
        _log.error("rpc_failed", grpc_method=f"{service}/{method}", reference=reference, exc_info=exc)
        self._finish(service, method, started, "INTERNAL")
        context.abort_with_status(internal_status(reference))


def _rebuilt(handler: grpc.RpcMethodHandler, wrap: Callable[[Callable, bool], Callable]) -> grpc.RpcMethodHandler:
    """A handler of the same kind whose behaviour is `wrap(behaviour, response_streaming)`,
    fed requests that parsed: an undecodable one raises its ValidationError inside the
    wrapped behaviour, where it is mapped like any other error."""
    kinds = (
        (handler.unary_unary, grpc.unary_unary_rpc_method_handler),
        (handler.unary_stream, grpc.unary_stream_rpc_method_handler),
        (handler.stream_unary, grpc.stream_unary_rpc_method_handler),
        (handler.stream_stream, grpc.stream_stream_rpc_method_handler),
    )
    behaviour, factory = next((b, f) for b, f in kinds if b is not None)
    screen = _screened_stream if handler.request_streaming else _screened

    def screened(request: Any, context: grpc.ServicerContext) -> Any:
        return behaviour(screen(request), context)

    return factory(
        wrap(screened, handler.response_streaming),
        request_deserializer=decoding(handler.request_deserializer),
        response_serializer=handler.response_serializer,
    )


def _screened(request: Any) -> Any:
    if isinstance(request, UndecodableRequest):
        raise request.error
    return request


def _screened_stream(requests: Iterator[Any]) -> Iterator[Any]:
    for request in requests:
        yield _screened(request)


def _refusing_undecodable(behaviour: Callable, streaming: bool) -> Callable:
    def unary(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return behaviour(request, context)
        except errors.ValidationError as exc:
            context.abort_with_status(to_grpc_status(exc))

    def stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from behaviour(request, context)
        except errors.ValidationError as exc:
            context.abort_with_status(to_grpc_status(exc))

    return stream if streaming else unary


def _code_name(context: grpc.ServicerContext) -> str | None:
    code = context.code() if hasattr(context, "code") else None
    if code is None:
        return None
    return code.name if isinstance(code, grpc.StatusCode) else str(code)
