"""Enforce the contract's validation rules (``buf.validate`` annotations in contracts/proto).

The rules live in the proto files, so the reference and the contract cannot drift: a request that
breaks one becomes ``InvalidArgument`` with one field violation per broken rule. One rule holds
for every text field without an annotation of its own: no U+0000, which PostgreSQL cannot store.
"""

from __future__ import annotations

from collections.abc import Iterator

import protovalidate
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from reference_impl.domain.errors import FieldViolation, InvalidArgument

NUL = "\x00"


def validate(request: Message, reason: str) -> None:
    """Raise ``InvalidArgument`` with ``reason`` when ``request`` breaks a contract rule."""
    violations = [
        FieldViolation(field=path, description="must not contain NUL characters (U+0000)")
        for path in dict.fromkeys(nul_fields(request))
    ]
    try:
        protovalidate.validate(request)
    except protovalidate.ValidationError as exc:
        violations += [FieldViolation(field=_field_path(v), description=v.proto.message) for v in exc.violations]
    if violations:
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
        raise InvalidArgument(reason, f"invalid request: {summary}", tuple(violations))


def nul_fields(message: Message, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the text fields (map keys and nested messages included) holding U+0000."""
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            for key, item in value.items():
                if isinstance(key, str) and NUL in key:
                    yield path
                elif value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    yield from nul_fields(item, f"{path}.")
                elif isinstance(item, str) and NUL in item:
                    yield path
            continue
        items = value if field.is_repeated else [value]
        for item in items:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                yield from nul_fields(item, f"{path}.")
            elif field.type == FieldDescriptor.TYPE_STRING and NUL in item:
                yield path
                break


def _field_path(violation: protovalidate.Violation) -> str:
    """The dotted path of the violating field, e.g. ``content_md5_hex``."""
    return ".".join(element.field_name for element in violation.proto.field.elements)
