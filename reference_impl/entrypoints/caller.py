"""The caller's identity as an entrypoint sees it, turned into domain errors on failure."""

from __future__ import annotations

import uuid

import grpc

from reference_impl.domain.errors import InvalidArgument, Unauthenticated
from reference_impl.domain.identity import USERINFO_HEADER, BadUserInfo, MissingUserInfo, user_id_from_userinfo


def caller_id(header_value: str | None, reason: str) -> uuid.UUID:
    """The calling user's id, or ``Unauthenticated``/``InvalidArgument`` carrying ``reason``."""
    try:
        return user_id_from_userinfo(header_value)
    except MissingUserInfo as exc:
        msg = f"user metadata required: send the {USERINFO_HEADER} header"
        raise Unauthenticated(reason, msg) from exc
    except BadUserInfo as exc:
        raise InvalidArgument(reason, f"invalid user metadata: {exc}") from exc


def grpc_caller_id(context: grpc.ServicerContext, reason: str) -> uuid.UUID:
    """``caller_id`` from a gRPC call's metadata."""
    metadata = dict(context.invocation_metadata())
    return caller_id(metadata.get(USERINFO_HEADER), reason)
