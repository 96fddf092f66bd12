"""What a call says about its caller (``Identity``) and what it gets back (``Outcome``), surface-neutral.

The bottom of the driver package: every other driver module may import it; it imports none of them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

USERINFO_HEADER = "x-apigateway-api-userinfo"
AUTHORIZATION_HEADER = "authorization"


@dataclass(frozen=True)
class Identity:
    """What a call says about who makes it.

    Attributes:
        userinfo: the ``x-apigateway-api-userinfo`` header value, or ``None`` to send none.
        user_id: the user it names, when it names one.
        alias: the test user it is (``user``, ``other`` …): on a target whose ``auth`` is ``bearer``
            the driver sends that user's token instead of the user-info header.
        service: metadata naming an internal service (the target's ``service_identity``), if any.
    """

    userinfo: str | None
    user_id: str | None = None
    alias: str | None = None
    service: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_user(cls, user_id: str, alias: str = "user") -> Identity:
        """A signed-in user, encoded as the gateway does (base64url JSON claims, no padding)."""
        return cls(userinfo=encode_claims({"sub": user_id}), user_id=user_id, alias=alias)

    @classmethod
    def anonymous(cls) -> Identity:
        """A call without the user-info header."""
        return cls(userinfo=None)

    @classmethod
    def of_service(cls, metadata: tuple[tuple[str, str], ...]) -> Identity:
        """An internal service, presenting ``metadata`` (e.g. seed 001's x-md-actor-* headers)."""
        return cls(userinfo=None, service=metadata)

    @classmethod
    def raw(cls, userinfo: str) -> Identity:
        """A call carrying exactly this header value (for malformed-identity scenarios)."""
        return cls(userinfo=userinfo)

    def grpc_metadata(self) -> tuple[tuple[str, str], ...]:
        """The metadata to send with a gRPC call."""
        user = () if self.userinfo is None else ((USERINFO_HEADER, self.userinfo),)
        return user + self.service


def encode_claims(claims: dict[str, Any]) -> str:
    """JWT claims as the gateway forwards them: base64url of the JSON, unpadded."""
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Outcome:
    """The result of one call, surface-neutral.

    Attributes:
        operation: the RPC or route called, for messages.
        code: ``OK`` or the gRPC status name (REST statuses are mapped to the same names).
        reason: the ``google.rpc.ErrorInfo`` reason (or Problem Details ``reason``), if any.
        message: the error message, if any.
        violations: ``field: description`` of each field violation the error lists.
        response: the response message on success.
        headers: the response metadata (initial and trailing; lower-case keys), e.g. ``etag``.
    """

    operation: str
    code: str
    reason: str | None = None
    message: str = ""
    violations: tuple[str, ...] = ()
    response: Any = None
    details: tuple[Message, ...] = field(default=(), repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.code == "OK"
