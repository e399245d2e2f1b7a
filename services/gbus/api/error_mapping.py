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


def _introduced_codes() -> dict[str, type[errors.BusError]]:
    """Code name -> the class in gbus.errors that introduces it (not a subclass that inherits it).

    Read off the error classes themselves, so the table cannot drift from them.
    """
    table: dict[str, type[errors.BusError]] = {}
    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, errors.BusError):
            parents = [base for base in cls.__bases__ if issubclass(base, errors.BusError)]
            parent_code = parents[0].grpc_code if parents else None
            if cls.grpc_code != parent_code:
                table.setdefault(cls.grpc_code, cls)
    return table


# The processor answers commands with a code name (CommandResult.code);
# this maps it back to the domain error the node raises to its caller.
ERROR_BY_CODE_NAME: dict[str, type[errors.BusError]] = _introduced_codes()


def code_name_of(exc: errors.BusError) -> str:
    return exc.grpc_code if exc.grpc_code in code_pb2.Code.keys() else "INTERNAL"


def _code_of(exc: errors.BusError) -> int:
    return code_pb2.Code.Value(code_name_of(exc))


def error_from_code_name(code: str, message: str) -> errors.BusError:
    cls = ERROR_BY_CODE_NAME.get(code, errors.BusError)
    if issubclass(cls, errors.ValidationError):
        return errors.ValidationError.single("request", message)
    return cls(message)


def to_grpc_status(exc: errors.BusError) -> grpc.Status:
    status = status_pb2.Status(code=_code_of(exc), message=errors.clipped(exc.message))
    if isinstance(exc, errors.ValidationError):
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=errors.clipped(v.field, errors.MAX_DESCRIPTION_CHARS),
                    description=errors.clipped(v.description, errors.MAX_DESCRIPTION_CHARS),
                )
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
    status = rpc_status.from_call(rpc_error)
    found: list[tuple[str, str]] = []
    if status is None:
        return found
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            br = error_details_pb2.BadRequest()
            detail.Unpack(br)
            found.extend((v.field, v.description) for v in br.field_violations)
    return found
