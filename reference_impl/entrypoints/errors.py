"""The one table that turns domain errors into wire errors.

gRPC: a status code plus ``google.rpc.ErrorInfo`` (reason, domain) and, for bad input,
``google.rpc.BadRequest`` field violations. REST: RFC 9457 Problem Details with the same reason.
An exception that is no domain error becomes ``Internal``: INTERNAL / 500 with a generic message
and a correlation id; its detail goes to the log under that id, never to the client.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from contracts.error_table import problem_base
from reference_impl.domain import errors

_log = logging.getLogger(__name__)

ERROR_DOMAIN = "lingo.reference"
#: Longest message / field description sent to a client; an echoed value may be huge.
MAX_MESSAGE_CHARS = 1024
#: Most field violations sent: a status must fit the client's metadata limit (8 KiB by default).
MAX_VIOLATIONS = 20
#: what every Problem Details ``type`` starts with, as contracts/errors.yaml says
PROBLEM_BASE = problem_base()

#: domain error -> (gRPC code, HTTP status, Problem Details type slug)
WIRE: dict[type[errors.DomainError], tuple[grpc.StatusCode, int, str]] = {
    errors.InvalidArgument: (grpc.StatusCode.INVALID_ARGUMENT, 400, "validation-error"),
    errors.UnsupportedMediaType: (grpc.StatusCode.INVALID_ARGUMENT, 415, "unsupported-media-type"),
    errors.PayloadTooLarge: (grpc.StatusCode.INVALID_ARGUMENT, 413, "payload-too-large"),
    errors.Unauthenticated: (grpc.StatusCode.UNAUTHENTICATED, 401, "unauthenticated"),
    errors.PermissionDenied: (grpc.StatusCode.PERMISSION_DENIED, 403, "permission-denied"),
    errors.NotFound: (grpc.StatusCode.NOT_FOUND, 404, "not-found"),
    errors.Conflict: (grpc.StatusCode.ABORTED, 409, "status-conflict"),
    errors.PreconditionFailed: (grpc.StatusCode.FAILED_PRECONDITION, 412, "precondition-failed"),
    errors.Internal: (grpc.StatusCode.INTERNAL, 500, "internal-error"),
}


def unexpected(error: BaseException, where: str) -> errors.Internal:
    """Log ``error`` with a fresh correlation id and return the ``Internal`` error that names only the id."""
    correlation_id = uuid.uuid4().hex
    _log.error("unexpected error in %s, correlation id %s", where, correlation_id, exc_info=error)
    return errors.Internal(correlation_id)


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _wire(error: errors.DomainError) -> tuple[grpc.StatusCode, int, str]:
    for kind in type(error).__mro__:
        if kind in WIRE:
            return WIRE[kind]
    msg = f"{type(error).__name__} has no row in entrypoints/errors.py WIRE; add one"
    raise LookupError(msg)


def to_grpc_status(error: errors.DomainError) -> grpc.Status:
    """The rich gRPC status for ``error``."""
    code, _, _ = _wire(error)
    details = []
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=ERROR_DOMAIN))
    details.append(info)
    if error.violations:
        bad_request = any_pb2.Any()
        bad_request.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=_short(v.field), description=_short(v.description))
                    for v in error.violations[:MAX_VIOLATIONS]
                ]
            )
        )
        details.append(bad_request)
    if isinstance(error, errors.Internal):
        request_info = any_pb2.Any()
        request_info.Pack(error_details_pb2.RequestInfo(request_id=error.correlation_id))
        details.append(request_info)
    status = status_pb2.Status(code=getattr(code_pb2, code.name), message=_short(error.message), details=details)
    return rpc_status.to_status(status)


def to_problem(error: errors.DomainError, instance: str | None = None) -> tuple[int, dict[str, Any]]:
    """HTTP status and RFC 9457 body for ``error``."""
    _, http_status, slug = _wire(error)
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": slug.replace("-", " ").capitalize(),
        "status": http_status,
        "detail": _short(error.message),
        "reason": error.reason,
    }
    if isinstance(error, errors.Internal):
        body["correlation_id"] = error.correlation_id
    if instance:
        body["instance"] = instance
    if error.violations:
        body["errors"] = [{"field": _short(v.field), "detail": _short(v.description)} for v in error.violations[:MAX_VIOLATIONS]]
    return http_status, body


F = TypeVar("F", bound=Callable[..., Any])


def grpc_errors(method: F) -> F:
    """Servicer method decorator: a ``DomainError`` ends the call with its rich status, anything else
    unexpected with INTERNAL and a correlation id (a deliberate ``context.abort`` passes through)."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except errors.DomainError as error:
            context.abort_with_status(to_grpc_status(error))
            raise  # abort_with_status always raises; this keeps type checkers honest
        except Exception as error:
            if context.code() is not None:  # the method aborted on purpose with a status of its own
                raise
            context.abort_with_status(to_grpc_status(unexpected(error, method.__qualname__)))
            raise

    return wrapper  # type: ignore[return-value]
