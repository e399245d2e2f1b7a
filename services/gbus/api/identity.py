"""Who is calling: the caller's agency id.

With mutual TLS the agency comes from the verified client certificate: its
subject alternative name URI `urn:gbus:agency:<agency_id>` (see
gbus.security.certificates). The TLS handshake has already checked the
certificate against the CA bundle, so reading it here is enough.

In explicit insecure development mode a caller without a certificate may name
itself in the `x-agency-id` metadata header; the server logs a warning at start
(gbus.api.tls.log_security_mode). Outside that mode the header is ignored, so
it can never override a certificate.
"""

from __future__ import annotations

import functools

import grpc

from gbus.domain.vocabulary import is_agency_id
from gbus.errors import PermissionDeniedError, ValidationError, quoted
from gbus.security.certificates import AGENCY_URI_PREFIX, CertificateError, agency_of_certificate, agency_uris

AGENCY_HEADER = "x-agency-id"

# Keys of grpc's auth_context (grpc core, ssl transport), checked against grpcio 1.85:
# `x509_pem_cert` is the peer's verified leaf certificate; `x509_subject_alternative_name`
# lists every SAN (DNS, IP and URI alike, as bare strings).
_PEM_KEY = "x509_pem_cert"
_SAN_KEY = "x509_subject_alternative_name"


@functools.lru_cache(maxsize=4096)
def _agency_of_pem(pem: bytes) -> str:
    # A member system keeps one certificate for many calls: parse it once.
    return agency_of_certificate(pem)


def _certificate_agency(context: grpc.ServicerContext) -> str | None:
    """The agency of the caller's certificate; None if it presented none.

    Raises PermissionDeniedError for a certificate that names no agency (a
    node certificate, say): that caller is authenticated but is no agency.
    """
    auth = context.auth_context() or {}
    pems = auth.get(_PEM_KEY) or []
    sans = auth.get(_SAN_KEY) or []
    if not pems and not sans:
        return None
    try:
        if pems:
            # The parsed certificate tells URI SANs from DNS ones; the flat list does not.
            return _agency_of_pem(bytes(pems[0]))
        return agency_uris([_text(v) for v in sans])
    except CertificateError as exc:
        raise PermissionDeniedError(f"client certificate refused: {exc}") from None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def caller_agency(context: grpc.ServicerContext, insecure_dev_mode: bool) -> str:
    """The authenticated agency id of the caller, or PERMISSION_DENIED.

    A certificate always wins: even in development mode a caller with a
    certificate cannot claim another agency through the header.
    """
    agency = _certificate_agency(context)
    if agency is not None:
        return agency
    if not insecure_dev_mode:
        raise PermissionDeniedError(
            f"no client certificate: present one whose SAN is {AGENCY_URI_PREFIX}<agency_id> "
            "(issued by `gbus pki issue`)"
        )
    claimed = _text(dict(context.invocation_metadata() or ()).get(AGENCY_HEADER, ""))
    if not claimed:
        raise ValidationError.single(AGENCY_HEADER, "metadata header is required in development mode")
    if not is_agency_id(claimed):
        raise ValidationError.single(AGENCY_HEADER, f"not an agency id: {quoted(claimed)}")
    return claimed
