"""What the fuzz campaign calls and what it insists on: generic gRPC calls and the invariants of every answer.

An answer may be OK or a refusal; a refusal must be a deliberate one (never UNKNOWN, INTERNAL,
DATA_LOSS or UNAVAILABLE), carry a ``google.rpc.ErrorInfo`` with a reason, and leak nothing of
the implementation: no stack frame, no SQL, no exception class name, no module path.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from contracts.gen.profile.v1 import profile_pb2
from contracts.gen.video.v1 import lifecycle_pb2, query_pb2, upload_pb2

#: Every service of the contract, with the address key of ``TargetConfig`` serving it.
SERVICES = {
    upload_pb2.DESCRIPTOR.services_by_name["UploadService"]: "catalog_grpc",
    query_pb2.DESCRIPTOR.services_by_name["CatalogQueryService"]: "catalog_grpc",
    lifecycle_pb2.DESCRIPTOR.services_by_name["CatalogLifecycleService"]: "catalog_grpc",
    profile_pb2.DESCRIPTOR.services_by_name["ProfileService"]: "profile_grpc",
}
METHODS: dict[str, tuple[MethodDescriptor, str]] = {
    method.full_name: (method, address) for service, address in SERVICES.items() for method in service.methods
}
#: The default gRPC server refuses requests above this size itself (RESOURCE_EXHAUSTED, no details),
#: and metadata above the soft limit (at random) and the hard one (always).
GRPC_MAX_RECEIVE_BYTES = 4 * 1024 * 1024
GRPC_SOFT_METADATA_BYTES = 8 * 1024
FORBIDDEN_CODES = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.DATA_LOSS, grpc.StatusCode.UNAVAILABLE}
LEAK = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\bline \d+, in \w+"
    r"|\b(?:SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET)\b|\bpsycopg|\bsqlalchemy|syntax error at or near"
    r"|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|Exception calling application|site-packages|reference_impl\.\w"
)
#: Cases tried per method, printed at the end of the campaign.
CASES: Counter[str] = Counter()


def request_class(method: MethodDescriptor) -> type[Message]:
    """The generated class of ``method``'s request."""
    return message_factory.GetMessageClass(method.input_type)


@dataclass(frozen=True)
class Answer:
    """One call's outcome: the status code and the text and details a client saw."""

    code: grpc.StatusCode
    message: str
    details: tuple[Message, ...]

    @property
    def reason(self) -> str:
        """The ErrorInfo reason of a refusal ("" when there is none)."""
        infos = [d for d in self.details if isinstance(d, error_details_pb2.ErrorInfo)]
        return infos[0].reason if infos else ""


def call(channel: grpc.Channel, method: MethodDescriptor, request: Message, metadata: list[tuple[str, str]]) -> Answer:
    """Call ``method`` with ``request`` and return what came back."""
    response_class = message_factory.GetMessageClass(method.output_type)
    stub = channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    try:
        stub(request, metadata=metadata, timeout=30)
    except grpc.RpcError as error:
        try:
            status = rpc_status.from_call(error)  # type: ignore[arg-type]
        except ValueError as unreadable:  # the rich status disagrees with the call's (e.g. trailers too large)
            return Answer(error.code(), f"{error.details()} [rich status unreadable: {unreadable}]", ())  # type: ignore[attr-defined]
        details = tuple(_unpack(any_detail) for any_detail in status.details) if status else ()
        return Answer(error.code(), error.details() or "", details)  # type: ignore[attr-defined]
    return Answer(grpc.StatusCode.OK, "", ())


def _unpack(detail: object) -> Message:
    for kind in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, error_details_pb2.RequestInfo):
        if detail.Is(kind.DESCRIPTOR):  # type: ignore[attr-defined]
            unpacked = kind()
            detail.Unpack(unpacked)  # type: ignore[attr-defined]
            return unpacked
    return detail  # type: ignore[return-value]


def problems(answer: Answer, request: Message, metadata: list[tuple[str, str]] = ()) -> list[str]:  # type: ignore[assignment]
    """What is wrong with ``answer`` to ``request`` sent with ``metadata`` (empty when it keeps every invariant)."""
    if answer.code == grpc.StatusCode.OK:
        return []
    oversized = request.ByteSize() > GRPC_MAX_RECEIVE_BYTES or sum(len(k) + len(v) for k, v in metadata) > GRPC_SOFT_METADATA_BYTES
    if answer.code == grpc.StatusCode.RESOURCE_EXHAUSTED and oversized:
        return []  # gRPC's own size limits, before any service code
    found = []
    if answer.code in FORBIDDEN_CODES:
        found.append(f"answered {answer.code.name}")
    if not answer.reason:
        found.append(f"{answer.code.name} without an ErrorInfo reason")
    texts = [answer.message, *(str(d) for d in answer.details)]
    leaks = sorted({m.group(0) for text in texts for m in LEAK.finditer(text)})
    if leaks:
        found.append(f"leaks {leaks}")
    return found
