"""The Changes page: what the protos changed since the recorded compatibility baseline.

Compares the same two descriptor sets ``contracts.compat`` compares (the current protos and
``contracts/baseline/image.binpb``), element by element: services, RPCs, messages, fields
(number, name, type, label), enums and values. Breaking or not is ``contracts.compat``'s verdict;
this page lists every difference so a partner sees additions too.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from contracts.docs.grpc_reference import SCALAR_NAMES

FieldProto = descriptor_pb2.FieldDescriptorProto


def _field_sig(field: FieldProto) -> str:
    kind = field.type_name.lstrip(".") if field.type_name else SCALAR_NAMES[field.type]
    label = "repeated " if field.label == FieldProto.LABEL_REPEATED else ("optional " if field.proto3_optional else "")
    return f"{label}{kind} {field.name} = {field.number}"


def _index(files: dict[str, descriptor_pb2.FileDescriptorProto]) -> dict[str, dict[str, str]]:
    """kind -> {element name: signature} for every element of ``files``."""
    found: dict[str, dict[str, str]] = {"service": {}, "rpc": {}, "message": {}, "field": {}, "enum": {}, "enum value": {}}

    def message(scope: str, proto: descriptor_pb2.DescriptorProto) -> None:
        name = f"{scope}.{proto.name}"
        found["message"][name] = name
        for field in proto.field:
            found["field"][f"{name}#{field.number}"] = _field_sig(field)
        for nested in proto.nested_type:
            message(name, nested)
        for enum_proto in proto.enum_type:
            enum(name, enum_proto)

    def enum(scope: str, proto: descriptor_pb2.EnumDescriptorProto) -> None:
        name = f"{scope}.{proto.name}"
        found["enum"][name] = name
        for value in proto.value:
            found["enum value"][f"{name}#{value.number}"] = f"{value.name} = {value.number}"

    for file in files.values():
        for proto in file.message_type:
            message(file.package, proto)
        for proto in file.enum_type:
            enum(file.package, proto)
        for service in file.service:
            name = f"{file.package}.{service.name}"
            found["service"][name] = name
            for method in service.method:
                found["rpc"][f"{name}.{method.name}"] = (
                    f"{method.name}({method.input_type.lstrip('.')}) returns ({method.output_type.lstrip('.')})"
                )
    return found


def differences(baseline, current) -> list[tuple[str, str, str, str]]:
    """(change, kind, element, detail) rows: added, removed or changed elements, sorted."""
    before, after = _index(baseline), _index(current)
    rows = []
    for kind in before:
        for name in sorted(set(before[kind]) | set(after[kind])):
            old, new = before[kind].get(name), after[kind].get(name)
            element = name.split("#")[0]
            if old is None:
                rows.append(("added", kind, element, new))
            elif new is None:
                rows.append(("removed", kind, element, old))
            elif old != new:
                rows.append(("changed", kind, element, f"{old} → {new}"))
    return rows


def page(baseline, current) -> str:
    rows = differences(baseline, current)
    lines = [
        "# Changes since the compatibility baseline",
        "",
        "What `contracts/proto/` changed against the recorded baseline `contracts/baseline/image.binpb` "
        "(the descriptors `python -m contracts.compat` checks; approved breaks are logged in "
        "`contracts/baseline/APPROVALS.md`). Removing or renumbering a field, or removing an RPC, is a breaking change "
        "that `contracts.compat` refuses until it is approved.",
        "",
    ]
    if not baseline:
        return "\n".join([*lines, "No baseline is recorded yet.", ""])
    if not rows:
        return "\n".join([*lines, "No changes: the protos match the baseline.", ""])
    lines += ["| change | kind | element | detail |", "|---|---|---|---|"]
    lines += [f"| **{change}** | {kind} | `{element}` | `{detail}` |" for change, kind, element, detail in rows]
    return "\n".join(lines) + "\n"
