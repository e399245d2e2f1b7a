"""Who is calling: the caller's agency id.

With mutual TLS the agency comes from the client certificate's subject
alternative name (a URI `urn:gbus:agency:<agency_id>` or a DNS name).
In explicit insecure development mode only, the `x-agency-id` metadata
header is trusted instead — `make run` uses that and logs a warning.
"""

from __future__ import annotations

import grpc

from gbus.domain.vocabulary import is_agency_id
from gbus.errors import PermissionDeniedError, ValidationError

AGENCY_HEADER = "x-agency-id"
SAN_URI_PREFIX = "urn:gbus:agency:"


def _from_certificate(context: grpc.ServicerContext) -> str | None:
    auth = context.auth_context() or {}
    for key in ("x509_subject_alternative_name", "x509_common_name"):
        for raw in auth.get(key, ()):
            value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            if value.startswith(SAN_URI_PREFIX):
                value = value[len(SAN_URI_PREFIX) :]
            if is_agency_id(value):
                return value
    return None


def caller_agency(context: grpc.ServicerContext, insecure_dev_mode: bool) -> str:
    """The authenticated agency id of the caller, or PERMISSION_DENIED."""
    if not insecure_dev_mode:
        agency = _from_certificate(context)
        if agency is None:
            raise PermissionDeniedError("client certificate names no agency (expected SAN urn:gbus:agency:<id>)")
        return agency
    metadata = dict(context.invocation_metadata() or ())
    agency = metadata.get(AGENCY_HEADER, "")
    if not agency:
        agency_cert = _from_certificate(context)
        if agency_cert:
            return agency_cert
        raise ValidationError.single(AGENCY_HEADER, "metadata header is required in development mode")
    if not is_agency_id(agency):
        raise ValidationError.single(AGENCY_HEADER, f"not an agency id: {agency!r}")
    return agency
