"""Per-call checks of the caller's certificate that the TLS handshake cannot make.

grpc core checks the chain and validity dates, not the bus CA's revocation list,
and not which node an agency belongs to. Before any servicer runs:

- a certificate on the revocation list gets UNAUTHENTICATED at its next call once
  the node reloaded the list (gbus.security.trust, every security.trust_reload_s
  seconds) — no restart. A response stream already open when its certificate is
  revoked ends with UNAUTHENTICATED too: its servicer sees `context.is_active()`
  turn false and returns (WatchCases checks every gbus.node.reading.WATCH_WAKE_S),
  so a revoked agency stops hearing about cases within the reload interval and
  one wake-up, not only when its connection ends;
- an agency of another area gets PERMISSION_DENIED: this node signs what it writes
  as its own area's node, and the processor refuses a record in which node 79 speaks
  for gov.ubnd@01 (gbus.processor.origin) — after the caller was told "accepted".
  Saying no here keeps the refusal synchronous.

Installed by the node when it has a trust directory (secure deployments).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from cryptography import x509

from gbus.observability.logging import get_logger
from gbus.security.certificates import CertificateError, agency_of_certificate
from gbus.security.trust import TrustStore
from gbus.topics import area_of_agency

_PEM_KEY = "x509_pem_cert"  # grpc auth_context key of the verified peer leaf (see gbus.api.identity)
_REVOKED = "the client certificate is revoked (gbus pki revoke)"
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
        guard = {"unary_unary": self._guarded, "stream_unary": self._guarded,
                 "unary_stream": self._guarded_stream, "stream_stream": self._guarded_stream}  # fmt: skip
        behaviors = {kind: getattr(handler, kind) for kind in guard}
        return handler._replace(**{k: guard[k](b, details.method) for k, b in behaviors.items() if b})

    def _admit(self, context: grpc.ServicerContext, method: str) -> int | None:
        """Abort the call unless its caller may call this node; the certificate's serial (None: no certificate)."""
        pems = (context.auth_context() or {}).get(_PEM_KEY) or []
        if not pems:
            return None
        serial, agency = _read(bytes(pems[0]))
        if self._trust.is_revoked(serial):
            _log.warning("revoked_certificate_refused", method=method, serial=format(serial, "x"))
            context.abort(grpc.StatusCode.UNAUTHENTICATED, _REVOKED)
        if agency is not None and area_of_agency(agency) != self._area:
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                f"node {self._area} serves the agencies of area {self._area}; {agency} must call the node "
                f"of area {area_of_agency(agency)}",
            )
        return serial

    def _guarded(self, behavior: Callable[[Any, Any], Any], method: str) -> Callable[[Any, Any], Any]:
        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            self._admit(context, method)
            return behavior(request, context)

        return guarded

    def _guarded_stream(
        self, behavior: Callable[[Any, Any], Iterator[Any]], method: str
    ) -> Callable[[Any, Any], Iterator[Any]]:
        def guarded(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            serial = self._admit(context, method)
            if serial is None:
                yield from behavior(request, context)
                return
            yield from behavior(request, _WhileNotRevoked(context, lambda: self._trust.is_revoked(serial)))
            if self._trust.is_revoked(serial):
                _log.warning("revoked_certificate_stream_ended", method=method, serial=format(serial, "x"))
                context.abort(grpc.StatusCode.UNAUTHENTICATED, _REVOKED)

        return guarded


class _WhileNotRevoked:
    """A stream's context whose `is_active()` turns false once the caller's certificate is
    revoked: servicers already poll it to notice a client that went away, so they end a
    revoked caller's stream the same way, and the guard then says why."""

    def __init__(self, context: grpc.ServicerContext, revoked: Callable[[], bool]) -> None:
        self._context = context
        self._revoked = revoked

    def is_active(self) -> bool:
        return self._context.is_active() and not self._revoked()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)
