"""Hypothesis strategies for any request message, derived from its descriptor and its ``buf.validate`` rules.

Every field gets a strategy that mostly draws values its rules accept (so calls reach the use case
and the database), and sometimes values at and past the bounds, text with U+0000, huge text,
unusual Unicode, deep JSON, out-of-range numbers and undefined enum values (so the edge is
tried). Nothing here knows a particular message: a new RPC or field is fuzzed as soon as it is in
the protos. ``Hints`` let a campaign bias a field towards values that lead somewhere (ids that
exist, timestamps that parse) without changing what is generated for the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from contracts.gen.buf.validate import validate_pb2

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
#: Lengths past any stated bound a huge value takes (the largest is over every limit we have).
HUGE_LENGTHS = (257, 1025, 2049, 70_000, 1_100_000)
#: Text that has broken services before: NUL, lone combining marks, RTL override, emoji, BOM, CR/LF.
AWKWARD_TEXT = ("\x00", "a\x00b", "\u0301", "\u202etxt", "😀" * 3, "\ufeff", "\r\n", " ", "%00", "'; --", "{}", "\\")
_INT_LIMITS = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
_WRAPPERS = {
    "google.protobuf.Int32Value": FieldDescriptor.TYPE_INT32,
    "google.protobuf.Int64Value": FieldDescriptor.TYPE_INT64,
    "google.protobuf.UInt32Value": FieldDescriptor.TYPE_UINT32,
    "google.protobuf.UInt64Value": FieldDescriptor.TYPE_UINT64,
    "google.protobuf.StringValue": FieldDescriptor.TYPE_STRING,
    "google.protobuf.BoolValue": FieldDescriptor.TYPE_BOOL,
    "google.protobuf.DoubleValue": FieldDescriptor.TYPE_DOUBLE,
}


@dataclass(frozen=True)
class Hints:
    """Extra valid-looking values per field name, mixed into the generated ones."""

    by_field: Mapping[str, st.SearchStrategy[Any]] = field(default_factory=dict)


def messages(descriptor: Descriptor, message_class: type[Message], hints: Hints | None = None) -> st.SearchStrategy[Message]:
    """Messages of ``message_class`` (whose descriptor is ``descriptor``): half of them valid throughout."""
    clean = _Builder(hints or Hints(), clean=True).fields(descriptor, depth=0)
    mixed = _Builder(hints or Hints(), clean=False).fields(descriptor, depth=0)
    return st.one_of(clean, mixed).map(lambda values: _assemble(message_class(), values)).filter(
        lambda message: message is not None
    )


def deep_json(depth: int) -> str:
    """A JSON array nested ``depth`` levels deep."""
    return "[" * depth + "]" * depth


def _assemble(message: Message, values: dict[str, Any]) -> Message | None:
    """The message holding ``values``; ``None`` for the rare draw protobuf itself cannot hold."""
    try:
        json_format.ParseDict(values, message, ignore_unknown_fields=False)
    except json_format.ParseError:
        return None
    return message


class _Builder:
    """Turns descriptors into strategies of protojson-shaped dicts (``ParseDict`` builds the message)."""

    def __init__(self, hints: Hints, *, clean: bool) -> None:
        self.hints = hints
        self.clean = clean

    def fields(self, descriptor: Descriptor, depth: int) -> st.SearchStrategy[dict[str, Any]]:
        every = {f.json_name: self.field(f, depth) for f in descriptor.fields}
        needed = {f.json_name for f in descriptor.fields if self.clean and _required(f)}
        return st.fixed_dictionaries(
            {name: every[name] for name in needed}, optional={n: s for n, s in every.items() if n not in needed}
        )

    def field(self, fd: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
        rules = fd.GetOptions().Extensions[validate_pb2.field]
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            key = self.scalar(fd.message_type.fields_by_name["key"], None, depth)
            value = self.single(fd.message_type.fields_by_name["value"], None, depth)
            return st.dictionaries(key.map(str), value, max_size=4)
        if fd.is_repeated:
            return self.repeated(fd, rules, depth)
        return self.single(fd, rules, depth)

    def repeated(self, fd: FieldDescriptor, rules: validate_pb2.FieldRules, depth: int) -> st.SearchStrategy[list[Any]]:
        bounds = rules.repeated if rules.HasField("repeated") else None
        items = bounds.items if bounds is not None and bounds.HasField("items") else None
        element = self.single(fd, items, depth)
        most = bounds.max_items if bounds is not None and bounds.HasField("max_items") else 8
        least = bounds.min_items if bounds is not None else 0
        usual = st.lists(element, min_size=least, max_size=min(most, 6))
        if self.clean:
            return usual
        too_many = st.lists(element, min_size=most + 1, max_size=most + 1) if most < 200 else st.nothing()
        return st.one_of(usual, usual, usual, too_many)

    def single(self, fd: FieldDescriptor, rules: Any, depth: int) -> st.SearchStrategy[Any]:
        if fd.type == FieldDescriptor.TYPE_MESSAGE:
            return self.message(fd, rules, depth)
        return self.scalar(fd, rules, depth)

    def message(self, fd: FieldDescriptor, rules: Any, depth: int) -> st.SearchStrategy[Any]:
        name = fd.message_type.full_name
        if name in _WRAPPERS:
            return self.scalar(fd.message_type.fields_by_name["value"], rules, depth, kind=_WRAPPERS[name])
        if name == "google.protobuf.Timestamp":
            return st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), st.just("0001-01-01T00:00:00Z"),
                             st.just("9999-12-31T23:59:59.999999999Z"))
        if name == "google.protobuf.FieldMask":
            junk = st.text(st.characters(exclude_characters="_,"), max_size=12)
            return st.lists(st.one_of(st.sampled_from(_mask_paths(fd)), junk), max_size=4).map(",".join)
        if name == "google.protobuf.Struct":
            return json_objects()
        if name == "google.protobuf.Value":
            return json_values()
        if depth >= 3:
            return st.just({})
        return st.deferred(lambda: self.fields(fd.message_type, depth + 1))

    def scalar(self, fd: FieldDescriptor, rules: Any, depth: int, kind: int | None = None) -> st.SearchStrategy[Any]:
        kind = kind or fd.type
        hinted = self.hints.by_field.get(fd.name)
        if kind == FieldDescriptor.TYPE_STRING:
            valid, invalid = _strings(getattr(rules, "string", None) if rules is not None and rules.HasField("string") else None)
        elif kind == FieldDescriptor.TYPE_BYTES:
            valid, invalid = st.binary(max_size=64), st.binary(min_size=2049, max_size=4096)
            valid = valid.map(_b64)
            invalid = invalid.map(_b64)
        elif kind == FieldDescriptor.TYPE_BOOL:
            valid, invalid = st.booleans(), st.nothing()
        elif kind == FieldDescriptor.TYPE_ENUM:
            numbers = [v.number for v in fd.enum_type.values]
            valid, invalid = st.sampled_from([v.name for v in fd.enum_type.values]), st.sampled_from(
                [max(numbers) + 1, 99, -1, 2**31 - 1]
            )
        elif kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            valid, invalid = _floats(rules)
        else:
            valid, invalid = _integers(kind, rules)
        if hinted is not None:
            valid = st.one_of(hinted, hinted, valid)
        return valid if self.clean else st.one_of(valid, valid, invalid)


def _required(fd: FieldDescriptor) -> bool:
    """Whether a valid message must set ``fd`` (its rules refuse the zero value)."""
    rules = fd.GetOptions().Extensions[validate_pb2.field]
    if rules.required:
        return True
    if rules.HasField("string"):
        text = rules.string
        return text.min_len > 0 or text.len > 0 or bool(text.pattern and not re.fullmatch(text.pattern, "")) or text.uuid
    if rules.HasField("repeated"):
        return rules.repeated.min_items > 0
    if fd.type == FieldDescriptor.TYPE_ENUM:
        return rules.HasField("enum") and rules.enum.defined_only
    for kind in ("int32", "int64", "double"):
        if rules.HasField(kind):
            lo, hi = _bounds(rules, kind, -math.inf, math.inf)
            return not lo <= 0 <= hi
    return False


def _b64(data: bytes) -> str:
    import base64  # noqa: PLC0415 - only bytes fields need it

    return base64.b64encode(data).decode()


def _strings(rules: validate_pb2.StringRules | None) -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    """(valid, invalid) strings for ``rules``; "invalid" also holds values that are merely awkward."""
    huge = st.builds(lambda unit, n: unit * n, st.sampled_from(["x", "é", "😀", "\x00"]), st.sampled_from(HUGE_LENGTHS))
    awkward = st.one_of(st.sampled_from(AWKWARD_TEXT), st.text(max_size=40), huge,
                        st.integers(2, 3000).map(deep_json), st.just(UUID_PATTERN))
    if rules is None:
        return st.text(max_size=40), awkward
    least = rules.min_len if rules.HasField("min_len") else (rules.len if rules.HasField("len") else 0)
    most = rules.max_len if rules.HasField("max_len") else (rules.len if rules.HasField("len") else 64)
    if rules.HasField("max_bytes"):
        most = min(most, rules.max_bytes // 4) if most else rules.max_bytes // 4
    if getattr(rules, "in"):
        valid: st.SearchStrategy[str] = st.sampled_from(list(getattr(rules, "in")))
    elif rules.uuid or rules.pattern == UUID_PATTERN:
        valid = st.uuids().map(str)
    elif rules.pattern:
        pattern = re.compile(rules.pattern)
        valid = (
            st.from_regex(pattern, fullmatch=True)
            .map(lambda s: s[:most])
            .filter(lambda s: bool(pattern.fullmatch(s)) and least <= len(s))
        )
    else:
        valid = st.text(min_size=least, max_size=min(most, 80))
    excluded = set(rules.not_in)
    if excluded:
        valid = valid.filter(lambda s: s not in excluded)
    edges = [st.just("x" * (most + 1)), st.just("é" * (most + 1))] if most else []
    if least:
        edges.append(st.just("x" * (least - 1)))
    edges += [st.sampled_from(sorted(excluded))] if excluded else []
    if rules.uuid or rules.pattern == UUID_PATTERN:
        variants = st.uuids().flatmap(
            lambda u: st.sampled_from([str(u).upper(), "{" + str(u) + "}", u.hex, f"urn:uuid:{u}", str(u)[:-1]])
        )
        edges += [variants, st.just("00000000-0000-0000-0000-000000000000")]
    return valid, st.one_of(awkward, *edges)


def _bounds(rules: Any, kind_name: str, lo: float, hi: float) -> tuple[float, float]:
    typed = getattr(rules, kind_name, None) if rules is not None and rules.HasField(kind_name) else None
    if typed is None:
        return lo, hi
    step = 0 if kind_name in ("double", "float") else 1
    if typed.HasField("gte"):
        lo = typed.gte
    elif typed.HasField("gt"):
        lo = typed.gt + step
    if typed.HasField("lte"):
        hi = typed.lte
    elif typed.HasField("lt"):
        hi = typed.lt - step
    return lo, hi


def _integers(kind: int, rules: Any) -> tuple[st.SearchStrategy[int], st.SearchStrategy[int]]:
    type_lo, type_hi = _INT_LIMITS[kind]
    kind_name = FieldDescriptor.TYPE_INT32 == kind and "int32" or _rule_name(kind)
    lo, hi = _bounds(rules, kind_name, type_lo, type_hi)
    valid = st.one_of(st.integers(int(lo), int(hi)), st.sampled_from(sorted({int(lo), int(hi)})))
    edges = {type_lo, type_hi, int(lo) - 1, int(hi) + 1, -1, 0}
    invalid = st.sampled_from(sorted(v for v in edges if type_lo <= v <= type_hi))
    return valid.map(_int_json(kind)), invalid.map(_int_json(kind))


def _int_json(kind: int) -> Callable[[int], Any]:
    sixty_four = kind in (
        FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64,
        FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64,
    )
    return str if sixty_four else (lambda v: v)


def _rule_name(kind: int) -> str:
    return {
        FieldDescriptor.TYPE_INT64: "int64", FieldDescriptor.TYPE_UINT32: "uint32", FieldDescriptor.TYPE_UINT64: "uint64",
        FieldDescriptor.TYPE_SINT32: "sint32", FieldDescriptor.TYPE_SINT64: "sint64", FieldDescriptor.TYPE_FIXED32: "fixed32",
        FieldDescriptor.TYPE_FIXED64: "fixed64", FieldDescriptor.TYPE_SFIXED32: "sfixed32",
        FieldDescriptor.TYPE_SFIXED64: "sfixed64",
    }.get(kind, "int32")


def _floats(rules: Any) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    lo, hi = _bounds(rules, "double", -1e300, 1e300)
    valid = st.floats(lo, hi, allow_nan=False)
    invalid = st.sampled_from(["NaN", "Infinity", "-Infinity", -1e-300, lo - 1, hi + 1, 1e308]).map(
        lambda v: v if isinstance(v, str) or math.isfinite(v) else str(v)
    )
    return valid, invalid


def json_values(depth: int = 4) -> st.SearchStrategy[Any]:
    """JSON values for ``google.protobuf.Value``: scalars, awkward text, nesting up to past the limits."""
    scalars = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
                        st.text(max_size=20), st.sampled_from(AWKWARD_TEXT))
    nested = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                          max_leaves=12)
    deep = st.integers(5, 60).map(_nested_lists)
    return st.one_of(nested, nested, nested, deep)


def json_objects() -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects for ``google.protobuf.Struct``, some wide, some deep, some large."""
    usual = st.dictionaries(st.text(max_size=10), json_values(), max_size=4)
    wide = st.integers(60, 80).map(lambda n: {f"k{i}": i for i in range(n)})
    large = st.integers(1, 3).map(lambda n: {"blob": "x" * 20_000 * n})
    return st.one_of(usual, usual, usual, wide, large)


def _nested_lists(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def _mask_paths(fd: FieldDescriptor) -> list[str]:
    """Field names of the sibling message a mask most likely addresses (and a few wrong ones)."""
    siblings = [f for f in fd.containing_type.fields if f.message_type is not None and f is not fd]
    names = [f"{s.json_name}.{inner.json_name}" for s in siblings for inner in s.message_type.fields]
    return names + [s.json_name for s in siblings] + ["noSuchField", "profile.", "a.b.c.d"]
