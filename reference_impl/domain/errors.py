"""Named domain errors: what went wrong, in the platform's words, with the reason a client sees.

Each error carries a ``reason`` (an ``ErrorReason`` enum name of the service's contract) and, for
bad input, the offending fields. How an error looks on the wire (gRPC status + ``ErrorInfo``, or
RFC 9457 Problem Details) is decided in one table, ``entrypoints/errors.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    """One field of a request that broke a rule."""

    field: str
    description: str


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    def __init__(self, reason: str, message: str, violations: tuple[FieldViolation, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.violations = violations


class InvalidArgument(DomainError):
    """The request is malformed or breaks a validation rule; nothing was changed."""


class UnsupportedMediaType(InvalidArgument):
    """The request body is in a format the operation does not take (REST 415)."""


class PayloadTooLarge(InvalidArgument):
    """The request body is larger than the service accepts (REST 413)."""


class Unauthenticated(DomainError):
    """The caller did not say who they are."""


class PermissionDenied(DomainError):
    """The caller may not act on the named data."""


class NotFound(DomainError):
    """The named resource does not exist (for this caller)."""


class Conflict(DomainError):
    """The resource's state forbids the change (already completed, version moved on)."""


class PreconditionFailed(DomainError):
    """A client-supplied precondition (``If-Match``) no longer holds."""


class Internal(DomainError):
    """Something the service did not expect: the client learns only a correlation id (see the log)."""

    def __init__(self, correlation_id: str) -> None:
        message = f"internal error; quote correlation id {correlation_id} when reporting it"
        super().__init__("INTERNAL", message)
        self.correlation_id = correlation_id
