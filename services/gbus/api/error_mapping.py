"""The one place where domain errors become gRPC statuses.

Errors cross the wire as a structured `google.rpc.Status`: the code, a
message a person can act on, and for invalid input a `google.rpc.BadRequest`
with one field violation per bad field — never a flattened INTERNAL.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from gbus import errors

_CODES: tuple[tuple[type[errors.BusError], int], ...] = (
    (errors.ValidationError, code_pb2.INVALID_ARGUMENT),
    (errors.NotFoundError, code_pb2.NOT_FOUND),
    (errors.PermissionDeniedError, code_pb2.PERMISSION_DENIED),
    (errors.VersionConflictError, code_pb2.ABORTED),
    (errors.IllegalTransitionError, code_pb2.FAILED_PRECONDITION),
    (errors.AlreadyExistsError, code_pb2.ALREADY_EXISTS),
    (errors.UnavailableError, code_pb2.UNAVAILABLE),
    (errors.DeadlineError, code_pb2.DEADLINE_EXCEEDED),
)

# The processor answers commands with a code name (CommandResult.code);
# this maps it back to the domain error the node raises to its caller.
ERROR_BY_CODE_NAME: dict[str, type[errors.BusError]] = {
    "INVALID_ARGUMENT": errors.ValidationError,
    "NOT_FOUND": errors.NotFoundError,
    "PERMISSION_DENIED": errors.PermissionDeniedError,
    "ABORTED": errors.VersionConflictError,
    "FAILED_PRECONDITION": errors.IllegalTransitionError,
    "ALREADY_EXISTS": errors.AlreadyExistsError,
    "UNAVAILABLE": errors.UnavailableError,
    "DEADLINE_EXCEEDED": errors.DeadlineError,
}


def code_name_of(exc: errors.BusError) -> str:
    return code_pb2.Code.Name(_code_of(exc))


def _code_of(exc: errors.BusError) -> int:
    for cls, code in _CODES:
        if isinstance(exc, cls):
            return code
    return code_pb2.INTERNAL


def error_from_code_name(code: str, message: str) -> errors.BusError:
    cls = ERROR_BY_CODE_NAME.get(code, errors.BusError)
    if cls is errors.ValidationError:
        return errors.ValidationError.single("request", message)
    return cls(message)


def to_grpc_status(exc: errors.BusError) -> grpc.Status:
    status = status_pb2.Status(code=_code_of(exc), message=exc.message)
    if isinstance(exc, errors.ValidationError):
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in exc.violations
            ]
        )
        detail = any_pb2.Any()
        detail.Pack(bad_request)
        status.details.append(detail)
    return rpc_status.to_status(status)


def internal_status(reference: str) -> grpc.Status:
    """For bugs: say nothing about internals, give a reference to find the log line."""
    return rpc_status.to_status(
        status_pb2.Status(code=code_pb2.INTERNAL, message=f"internal error (reference {reference})")
    )


def field_violations(rpc_error: grpc.RpcError) -> list[tuple[str, str]]:
    """Client side: the BadRequest field violations carried by an RpcError, if any."""
    status = rpc_status.from_call(rpc_error)  # type: ignore[arg-type]
    found: list[tuple[str, str]] = []
    if status is None:
        return found
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            br = error_details_pb2.BadRequest()
            detail.Unpack(br)
            found.extend((v.field, v.description) for v in br.field_violations)
    return found
