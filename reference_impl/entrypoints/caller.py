"""The caller's identity as an entrypoint sees it, turned into domain errors on failure."""

from __future__ import annotations

import uuid

import grpc

from reference_impl.domain.errors import InvalidArgument, Unauthenticated
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
