"""Refuse callers whose client certificate is on the bus CA's revocation list.

The TLS handshake (grpc core) checks the chain and validity dates but not our CRL,
so the check is made per call, before any servicer runs: a revoked agency gets
UNAUTHENTICATED at its next call once the node reloaded the list
(gbus.security.trust, every security.trust_reload_s seconds) — no restart.
An open WatchCases stream is not cut by a later revocation; it ends with the
connection (idle and keepalive limits of gbus.api.server).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import grpc
from cryptography import x509

from gbus.observability.logging import get_logger
from gbus.security.trust import TrustStore

_PEM_KEY = "x509_pem_cert"  # grpc auth_context key of the verified peer leaf (see gbus.api.identity)
_log = get_logger("gbus.grpc")


@functools.lru_cache(maxsize=4096)
def _serial_of(pem: bytes) -> int:
    return x509.load_pem_x509_certificate(pem).serial_number


class RevocationGuard(grpc.ServerInterceptor):
    def __init__(self, trust: TrustStore) -> None:
        self._trust = trust

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        kinds = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")
        return handler._replace(**{k: self._guarded(getattr(handler, k), details.method) for k in kinds if getattr(handler, k)})

    def _guarded(self, behavior: Callable[[Any, Any], Any], method: str) -> Callable[[Any, Any], Any]:
        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            pems = (context.auth_context() or {}).get(_PEM_KEY) or []
            if pems and self._trust.is_revoked(_serial_of(bytes(pems[0]))):
                _log.warning("revoked_certificate_refused", method=method, serial=format(_serial_of(bytes(pems[0])), "x"))
                context.abort(grpc.StatusCode.UNAUTHENTICATED, "the client certificate is revoked (gbus pki revoke)")
            return behavior(request, context)

        return guarded
