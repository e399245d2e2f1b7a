"""Per-call checks of the caller's certificate that the TLS handshake cannot make.

grpc core checks the chain and validity dates, not the bus CA's revocation list,
and not which node an agency belongs to. Before any servicer runs:

- a certificate on the revocation list gets UNAUTHENTICATED at its next call once
  the node reloaded the list (gbus.security.trust, every security.trust_reload_s
  seconds) — no restart. An open WatchCases stream is not cut by a later
  revocation; it ends with its connection (idle/keepalive limits, gbus.api.server);
- an agency of another area gets PERMISSION_DENIED: this node signs what it writes
  as its own area's node, and the processor refuses a record in which node 79 speaks
  for gov.ubnd@01 (gbus.processor.origin) — after the caller was told "accepted".
  Saying no here keeps the refusal synchronous.

Installed by the node when it has a trust directory (secure deployments).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import grpc
from cryptography import x509

from gbus.observability.logging import get_logger
from gbus.security.certificates import CertificateError, agency_of_certificate
from gbus.security.trust import TrustStore
from gbus.topics import area_of_agency

_PEM_KEY = "x509_pem_cert"  # grpc auth_context key of the verified peer leaf (see gbus.api.identity)
_log = get_logger("gbus.grpc")


@functools.lru_cache(maxsize=4096)
def _read(pem: bytes) -> tuple[int, str | None]:
    """(serial, agency or None) of a certificate, parsed once per certificate."""
    cert = x509.load_pem_x509_certificate(pem)
    try:
        agency: str | None = agency_of_certificate(cert)
    except CertificateError:
        agency = None  # not an agency certificate: gbus.api.identity refuses it with the reason
    return cert.serial_number, agency


class CallerGuard(grpc.ServerInterceptor):
    def __init__(self, trust: TrustStore, area: str) -> None:
        self._trust = trust
        self._area = area

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        kinds = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")
        return handler._replace(**{k: self._guarded(getattr(handler, k), details.method) for k in kinds if getattr(handler, k)})

    def _guarded(self, behavior: Callable[[Any, Any], Any], method: str) -> Callable[[Any, Any], Any]:
        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            pems = (context.auth_context() or {}).get(_PEM_KEY) or []
            if pems:
                serial, agency = _read(bytes(pems[0]))
                if self._trust.is_revoked(serial):
                    _log.warning("revoked_certificate_refused", method=method, serial=format(serial, "x"))
                    context.abort(grpc.StatusCode.UNAUTHENTICATED, "the client certificate is revoked (gbus pki revoke)")
                if agency is not None and area_of_agency(agency) != self._area:
                    context.abort(
                        grpc.StatusCode.PERMISSION_DENIED,
                        f"node {self._area} serves the agencies of area {self._area}; {agency} must call the node "
                        f"of area {area_of_agency(agency)}",
                    )
            return behavior(request, context)

        return guarded
