"""Domain errors. Pure: the gRPC mapping lives in gbus.api.error_mapping.

Every error that a caller can fix names what to fix: a ValidationError
carries field violations (field path + description), which the API layer
turns into `google.rpc.BadRequest` details.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    description: str


class BusError(Exception):
    """Base of every error the bus raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(BusError):
    """The input is malformed; the caller must change it (INVALID_ARGUMENT)."""

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


class PermissionDeniedError(BusError):
    """The caller is known but may not do this (PERMISSION_DENIED)."""


class VersionConflictError(BusError):
    """Optimistic concurrency: the expected version is stale (ABORTED)."""


class IllegalTransitionError(BusError):
    """The status machine forbids this change now (FAILED_PRECONDITION)."""


class UnroutableError(ValidationError):
    """The routing rules cannot place this report; names the field at fault."""


class AlreadyExistsError(BusError):
    """The entity exists already (ALREADY_EXISTS)."""


class UnavailableError(BusError):
    """A dependency (Kafka, the processor) cannot be reached now; retry (UNAVAILABLE)."""


class DeadlineError(BusError):
    """The operation was accepted but not answered in time; safe to retry
    with the same request id (DEADLINE_EXCEEDED)."""
