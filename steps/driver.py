"""The driver: the only code that speaks gRPC, HTTP, Pub/Sub or storage to a target.

Steps call one driver method per sentence and get back an ``Outcome`` that reads the same whichever
surface answered: a status name (``OK``, ``INVALID_ARGUMENT`` …), the ``ErrorInfo`` reason, the
field violations and the response. Every outcome passes the cross-cutting contract checks in
``steps/checks.py`` before a step sees it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from contracts.gen.video.v1 import upload_pb2, upload_pb2_grpc
from fixtures.targets import TargetConfig
from steps import checks

USERINFO_HEADER = "x-apigateway-api-userinfo"
DEFAULT_DEADLINE = 10.0


@dataclass(frozen=True)
class Identity:
    """What a call says about who makes it.

    Attributes:
        userinfo: the ``x-apigateway-api-userinfo`` header value, or ``None`` to send none.
        user_id: the user it names, when it names one.
    """

    userinfo: str | None
    user_id: str | None = None

    @classmethod
    def of_user(cls, user_id: str) -> Identity:
        """A signed-in user, encoded as the gateway does (base64url JSON claims, no padding)."""
        return cls(userinfo=encode_claims({"sub": user_id}), user_id=user_id)

    @classmethod
    def anonymous(cls) -> Identity:
        """A call without the user-info header."""
        return cls(userinfo=None)

    @classmethod
    def raw(cls, userinfo: str) -> Identity:
        """A call carrying exactly this header value (for malformed-identity scenarios)."""
        return cls(userinfo=userinfo)

    def grpc_metadata(self) -> tuple[tuple[str, str], ...]:
        """The metadata to send with a gRPC call."""
        return () if self.userinfo is None else ((USERINFO_HEADER, self.userinfo),)


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
    """

    operation: str
    code: str
    reason: str | None = None
    message: str = ""
    violations: tuple[str, ...] = ()
    response: Any = None
    details: tuple[Message, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.code == "OK"


class Driver:
    """Reaches one target through its public surfaces; owns its channels."""

    def __init__(self, target: TargetConfig) -> None:
        self.target = target
        self._channels: dict[str, grpc.Channel] = {}

    def close(self) -> None:
        """Close every channel opened so far."""
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    # -- uploads ------------------------------------------------------------------------------

    def init_upload(self, identity: Identity, **fields: Any) -> Outcome:
        """Call ``UploadService.InitResumableUpload`` with the given request fields."""
        stub = upload_pb2_grpc.UploadServiceStub(self._channel(self.target.catalog_grpc))
        request = upload_pb2.InitResumableUploadRequest(**fields)
        return self._unary("video.v1.UploadService/InitResumableUpload", stub.InitResumableUpload, request, identity)

    # -- plumbing -----------------------------------------------------------------------------

    def _channel(self, address: str | None) -> grpc.Channel:
        if not address:
            msg = f"target {self.target.name!r} has no gRPC endpoint for this call; add it to its description"
            raise checks.ContractViolation("driver", "missing endpoint", msg)
        if address not in self._channels:
            if self.target.tls:
                self._channels[address] = grpc.secure_channel(address, grpc.ssl_channel_credentials())
            else:
                self._channels[address] = grpc.insecure_channel(address)
        return self._channels[address]

    def _unary(self, operation: str, method: Any, request: Message, identity: Identity) -> Outcome:
        try:
            response = method(request, metadata=identity.grpc_metadata(), timeout=DEFAULT_DEADLINE)
        except grpc.RpcError as error:
            outcome = _outcome_from_rpc_error(operation, error)
        else:
            outcome = Outcome(operation=operation, code="OK", response=response)
        checks.run_all(outcome)
        return outcome


def _outcome_from_rpc_error(operation: str, error: grpc.RpcError) -> Outcome:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    reason = None
    violations: list[str] = []
    details: list[Message] = []
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            details.append(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations += [f"{v.field}: {v.description}" for v in bad_request.field_violations]
            details.append(bad_request)
    return Outcome(
        operation=operation,
        code=error.code().name,  # type: ignore[attr-defined]
        reason=reason,
        message=error.details() or "",  # type: ignore[attr-defined]
        violations=tuple(violations),
        details=tuple(details),
    )
