"""Refusing a caller, counted: every authorisation denial goes through here so
`gbus_authz_denials_total{grpc_method}` counts all of them.

    caller = caller_agency(context, settings.grpc.insecure_dev_mode)
    require_self_submission(caller, request.report.origin_agency, metrics=metrics)
    # the policy itself is gbus.cases.authority.Authority
    if case is None or not authority.can_read(case, caller):
        conceal(metrics, "GetCase", request.case_id)     # NOT_FOUND, never PERMISSION_DENIED
    if not authority.can_manage(case, caller):
        deny(metrics, "UpdateStatus", "only the handler or its superior may change the status")
"""

from __future__ import annotations

from typing import NoReturn

from gbus.errors import NotFoundError, PermissionDeniedError, ValidationError
from gbus.observability.metrics import Metrics


def deny(metrics: Metrics, method: str, message: str) -> NoReturn:
    """Count the denial for `method` (the RPC name, e.g. "UpdateStatus") and raise
    PERMISSION_DENIED. Only for things the caller may know exist."""
    metrics.authz_denials.labels(grpc_method=method).inc()
    raise PermissionDeniedError(message)


def conceal(metrics: Metrics, method: str, case_id: str) -> NoReturn:
    """Count the denial and answer NOT_FOUND: an agency that may not read a case
    must not learn that it exists (the reply is the same as for an unknown id)."""
    metrics.authz_denials.labels(grpc_method=method).inc()
    # Word for word what gbus.cases.commands says for a case that does not exist.
    raise NotFoundError(f"case {case_id} not found")


def require_self_submission(
    caller: str, origin_agency: str, *, metrics: Metrics | None = None, method: str = "SubmitReport"
) -> None:
    """An agency submits only as itself: `origin_agency` must be the caller's agency.

    Pass `metrics` so the refusal is counted; without it the error is raised uncounted
    (for callers that count elsewhere, and for pure unit tests).
    """
    if not origin_agency:
        raise ValidationError.single("report.origin_agency", "is required")
    if origin_agency == caller:
        return
    message = f"{caller} may not submit as {origin_agency}: origin_agency must be the caller's own agency"
    if metrics is not None:
        deny(metrics, method, message)
    raise PermissionDeniedError(message)
