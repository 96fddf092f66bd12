"""The caller's identity as an entrypoint sees it, turned into domain errors on failure.

Users are named by the gateway's user-info header; internal services (the catalog's pipeline
callers) by seed 001's metadata ``x-md-actor-type: service`` and ``x-md-actor-id``, trusted only
for ids on the allow-list (the gateway strips ``x-md-actor-*`` from outside requests).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import grpc

from reference_impl import defects
from reference_impl.domain.errors import InvalidArgument, PermissionDenied, Unauthenticated
from reference_impl.domain.identity import (
    USERINFO_HEADER,
    BadUserInfo,
    MissingUserInfo,
    single_header,
    user_id_from_userinfo,
)


def caller_id(header_values: list[str], reason: str) -> uuid.UUID:
    """The calling user's id from every value of the header, or ``Unauthenticated``/``InvalidArgument`` carrying ``reason``."""
    try:
        return user_id_from_userinfo(single_header(header_values))
    except MissingUserInfo as exc:
        msg = f"user metadata required: send the {USERINFO_HEADER} header"
        raise Unauthenticated(reason, msg) from exc
    except BadUserInfo as exc:
        raise InvalidArgument(reason, f"invalid user metadata: {exc}") from exc


def grpc_values(context: grpc.ServicerContext, key: str) -> list[str]:
    """Every value of the metadata entry ``key`` of a gRPC call (a client may send one several times)."""
    return [value for name, value in context.invocation_metadata() if name == key and isinstance(value, str)]


def grpc_caller_id(context: grpc.ServicerContext, reason: str) -> uuid.UUID:
    """``caller_id`` from a gRPC call's metadata."""
    return caller_id(grpc_values(context, USERINFO_HEADER), reason)


ACTOR_TYPE_HEADER = "x-md-actor-type"
ACTOR_ID_HEADER = "x-md-actor-id"
UNAUTHENTICATED = "ERROR_REASON_UNAUTHENTICATED"
PERMISSION_DENIED = "ERROR_REASON_PERMISSION_DENIED"


@dataclass(frozen=True)
class Caller:
    """Who calls the catalog: a user, an internal service, or nobody in particular."""

    user_id: uuid.UUID | None = None
    service: str | None = None

    @property
    def name(self) -> str:
        """A stable name of the caller (page tokens and idempotency keys are bound to it)."""
        if self.service is not None:
            return f"service:{self.service}"
        return f"user:{self.user_id}" if self.user_id is not None else "anonymous"


def _service(metadata: dict[str, str], allowed: frozenset[str]) -> str | None:
    if metadata.get(ACTOR_TYPE_HEADER) == "service" and metadata.get(ACTOR_ID_HEADER) in allowed:
        return metadata[ACTOR_ID_HEADER]
    return None


def grpc_caller(context: grpc.ServicerContext, allowed_services: frozenset[str], reason: str) -> Caller:
    """The caller of a read: an allow-listed service, else the user the user-info header names, else anonymous.

    Raises:
        InvalidArgument: a user-info header that names no user.
    """
    metadata = dict(context.invocation_metadata())
    service = _service(metadata, allowed_services)
    if service is not None:
        return Caller(service=service)
    if metadata.get(USERINFO_HEADER) is None:
        return Caller()
    return Caller(user_id=caller_id(grpc_values(context, USERINFO_HEADER), reason))


def grpc_internal_caller(context: grpc.ServicerContext, allowed_services: frozenset[str]) -> Caller:
    """The internal service making a lifecycle call (contracts lifecycle.proto, "Who may call").

    Raises:
        Unauthenticated: the call carries no identity at all.
        PermissionDenied: a user, or a service not on the allow-list.
    """
    metadata = dict(context.invocation_metadata())
    if defects.active("lifecycle-accepts-any-caller"):
        return Caller(service=metadata.get(ACTOR_ID_HEADER, "anyone"))
    service = _service(metadata, allowed_services)
    if service is not None:
        return Caller(service=service)
    if not ({ACTOR_TYPE_HEADER, ACTOR_ID_HEADER, USERINFO_HEADER} & metadata.keys()):
        msg = f"internal RPC: send {ACTOR_TYPE_HEADER}: service and {ACTOR_ID_HEADER}: <your service name>"
        raise Unauthenticated(UNAUTHENTICATED, msg)
    who = metadata.get(ACTOR_ID_HEADER) or "a user"
    msg = f"internal RPC: {who} may not call it; only allow-listed services ({ACTOR_TYPE_HEADER}: service) may"
    raise PermissionDenied(PERMISSION_DENIED, msg)
