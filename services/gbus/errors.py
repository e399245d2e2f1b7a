"""Domain errors. Pure: the gRPC mapping lives in gbus.api.error_mapping.

Every error that a caller can fix names what to fix: a ValidationError
carries field violations (field path + description), which the API layer
turns into `google.rpc.BadRequest` details.
"""

from __future__ import annotations

from dataclasses import dataclass

# A message quotes at most this much of a caller's value: enough to recognise it,
# while a megabyte echoed back would overflow the client's metadata limit (grpc
# then reports RESOURCE_EXHAUSTED and the field name never arrives).
MAX_QUOTED_CHARS = 80
# Whatever a message says, it crosses the wire within these many characters: the
# status and its details travel as metadata, which grpc clients cap at 8-16 KiB.
MAX_MESSAGE_CHARS = 500
MAX_DESCRIPTION_CHARS = 200


def excerpt(value: object) -> str:
    """`value` as text, cut to MAX_QUOTED_CHARS with its full length said."""
    text = str(value)
    if len(text) <= MAX_QUOTED_CHARS:
        return text
    return f"{text[:MAX_QUOTED_CHARS]}… ({len(text)} characters)"


def quoted(value: object) -> str:
    """Like `{value!r}` in a message, cut to MAX_QUOTED_CHARS."""
    text = str(value)
    if len(text) <= MAX_QUOTED_CHARS:
        return repr(value)
    return f"{text[:MAX_QUOTED_CHARS]!r}… ({len(text)} characters)"


def clipped(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The last guard before the wire, for a message whose parts were not excerpted."""
    if len(message) <= limit:
        return message
    return f"{message[:limit]}… (cut at {limit} of {len(message)} characters)"


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    description: str


class BusError(Exception):
    """Base of every error the bus raises on purpose.

    Each subclass declares the gRPC status code it crosses the wire as, by its
    `google.rpc.Code` name (a string keeps this module free of grpc): the API
    layer and the processor's command answers both read it from here, so a new
    error class needs no second table. An error with no code of its own is a
    bug surfacing, hence INTERNAL.
    """

    grpc_code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(BusError):
    """The input is malformed; the caller must change it (INVALID_ARGUMENT)."""

    grpc_code = "INVALID_ARGUMENT"

    def __init__(self, violations: list[FieldViolation] | FieldViolation, message: str | None = None):
        if isinstance(violations, FieldViolation):
            violations = [violations]
        self.violations = list(violations)
        text = message or "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(text)

    @classmethod
    def single(cls, field: str, description: str) -> "ValidationError":
        return cls([FieldViolation(field, description)])


class NotFoundError(BusError):
    """No such entity, or one the caller may not know exists (NOT_FOUND)."""

    grpc_code = "NOT_FOUND"


class PermissionDeniedError(BusError):
    """The caller is known but may not do this (PERMISSION_DENIED)."""

    grpc_code = "PERMISSION_DENIED"


class VersionConflictError(BusError):
    """Optimistic concurrency: the expected version is stale (ABORTED)."""

    grpc_code = "ABORTED"


class IllegalTransitionError(BusError):
    """The status machine forbids this change now (FAILED_PRECONDITION)."""

    grpc_code = "FAILED_PRECONDITION"


class UnroutableError(ValidationError):
    """The routing rules cannot place this report; names the field at fault."""


class AlreadyExistsError(BusError):
    """The entity exists already (ALREADY_EXISTS)."""

    grpc_code = "ALREADY_EXISTS"


class UnavailableError(BusError):
    """A dependency (Kafka, the processor) cannot be reached now; retry (UNAVAILABLE)."""

    grpc_code = "UNAVAILABLE"


class DeadlineError(BusError):
    """The operation was accepted but not answered in time; safe to retry
    with the same request id (DEADLINE_EXCEEDED)."""

    grpc_code = "DEADLINE_EXCEEDED"


class ResourceExhaustedError(BusError):
    """A limit is reached: too many open streams, or a case grown past what a topic
    accepts. Retrying later (or with less) may succeed (RESOURCE_EXHAUSTED)."""

    grpc_code = "RESOURCE_EXHAUSTED"


class UnimplementedError(BusError):
    """The receiver does not know this operation, e.g. a command kind newer than
    the processor (UNIMPLEMENTED)."""

    grpc_code = "UNIMPLEMENTED"
