"""Enforce the contract's validation rules (``buf.validate`` annotations in contracts/proto).

The rules live in the proto files, so the reference and the contract cannot drift: a request that
breaks one becomes ``InvalidArgument`` with one field violation per broken rule.
"""

from __future__ import annotations

import protovalidate
from google.protobuf.message import Message

from reference_impl.domain.errors import FieldViolation, InvalidArgument


def validate(request: Message, reason: str) -> None:
    """Raise ``InvalidArgument`` with ``reason`` when ``request`` breaks a contract rule."""
    try:
        protovalidate.validate(request)
    except protovalidate.ValidationError as exc:
        violations = tuple(
            FieldViolation(field=_field_path(v), description=v.proto.message) for v in exc.violations
        )
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
        raise InvalidArgument(reason, f"invalid request: {summary}", violations) from exc


def _field_path(violation: protovalidate.Violation) -> str:
    """The dotted path of the violating field, e.g. ``content_md5_hex``."""
    return ".".join(element.field_name for element in violation.proto.field.elements)
