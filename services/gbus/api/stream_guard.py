"""Response streams run apart from unary calls, within limits, so they cannot starve a node.

grpc's sync server runs every call on one thread pool, and a stream holds its
thread for as long as it is open: 16 idle WatchCases streams used to take all
16 workers, and Health, GetCase and SubmitReport then timed out. This
interceptor, the outermost, gives every response-streaming method
(WatchCases, Health.Watch, reflection) a pool of its own — grpc's
`experimental_thread_pool` attribute on a method's behaviour picks the pool
the call runs on — and admits a stream only within the caller agency's and
the node's limits (gbus.api.stream_limits), refusing the rest at once with
RESOURCE_EXHAUSTED. The unary pool is then left to unary calls.

The stream pool has a few threads beyond the total limit, so a refusal never
waits behind the open streams it is refused because of.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc

from gbus import errors
from gbus.api.error_mapping import to_grpc_status
from gbus.api.identity import caller_agency
from gbus.api.stream_limits import StreamLimitError, StreamLimits
from gbus.observability.metrics import Metrics

# Callers the node cannot tell apart (no certificate, no header) share one budget.
UNIDENTIFIED = "(unidentified caller)"
_REFUSAL_THREADS = 8


def stream_pool(limits: StreamLimits) -> futures.ThreadPoolExecutor:
    return futures.ThreadPoolExecutor(max_workers=limits.total + _REFUSAL_THREADS, thread_name_prefix="grpc-stream")


class StreamGuardInterceptor(grpc.ServerInterceptor):
    def __init__(
        self,
        limits: StreamLimits,
        pool: futures.ThreadPoolExecutor,
        metrics: Metrics,
        *,
        insecure_dev_mode: bool,
    ) -> None:
        self._limits = limits
        self._pool = pool
        self._metrics = metrics
        self._insecure = insecure_dev_mode

    def intercept_service(self, continuation: Callable, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or not handler.response_streaming:
            return handler
        if handler.request_streaming:
            behaviour, factory = (
                handler.stream_stream,
                grpc.stream_stream_rpc_method_handler,
            )
        else:
            behaviour, factory = (
                handler.unary_stream,
                grpc.unary_stream_rpc_method_handler,
            )
        guarded = self._guarded(behaviour)
        guarded.experimental_thread_pool = self._pool  # type: ignore[attr-defined]
        return factory(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _guarded(self, behaviour: Callable) -> Callable:
        def guarded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            agency = self._agency(context)
            try:
                self._limits.take(agency)
            except StreamLimitError as exc:
                self._metrics.grpc_streams_refused.labels(exc.limit).inc()
                context.abort_with_status(to_grpc_status(exc))
                return  # abort_with_status raises; this only says so
            try:
                with self._metrics.grpc_open_streams.track_inprogress():
                    yield from behaviour(request, context)
            finally:
                self._limits.give_back(agency)

        return guarded

    def _agency(self, context: grpc.ServicerContext) -> str:
        try:
            return caller_agency(context, self._insecure)
        except errors.BusError:
            # The stream itself will refuse this caller; until then it still counts.
            return UNIDENTIFIED
