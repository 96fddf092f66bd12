"""Markdown pages of the gRPC reference, one per proto package, generated from the descriptors.

Every service, RPC, message, field (number, type, ``buf.validate`` rule), enum and value gets a
heading with a stable anchor (its full name, e.g. ``#video.v1.UploadService.InitResumableUpload``);
request, response and field types link to their anchors, and ``ErrorReason`` enums link to the
Errors page.
"""

from __future__ import annotations

from collections import defaultdict

from google.protobuf import descriptor_pb2, text_format

from contracts.docs import descriptors as d
from contracts.docs.markdown import cell
from contracts.gen.buf.validate import validate_pb2

FieldProto = descriptor_pb2.FieldDescriptorProto
SCALAR_NAMES = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in FieldProto.Type.items()
    if name not in ("TYPE_MESSAGE", "TYPE_ENUM", "TYPE_GROUP")
}


def page_name(package: str) -> str:
    """File name of a package's page, relative to the grpc/ folder."""
    return f"{package}.md"


def _rule(options: descriptor_pb2.FieldOptions) -> str:
    if not options.HasExtension(validate_pb2.field):
        return ""
    return text_format.MessageToString(options.Extensions[validate_pb2.field], as_one_line=True)


class Reference:
    """Knows every type of our packages, so a type name can be turned into a link from any page."""

    def __init__(self, files: dict[str, descriptor_pb2.FileDescriptorProto]) -> None:
        self.files = files
        self.packages: dict[str, list[descriptor_pb2.FileDescriptorProto]] = defaultdict(list)
        self.known: dict[str, str] = {}
        for file in files.values():
            self.packages[file.package].append(file)
            for message in file.message_type:
                self._register_message(file.package, message, file.package)
            for enum in file.enum_type:
                self.known[f"{file.package}.{enum.name}"] = file.package

    def _register_message(self, scope: str, message: descriptor_pb2.DescriptorProto, package: str) -> None:
        name = f"{scope}.{message.name}"
        self.known[name] = package
        for nested in message.nested_type:
            self._register_message(name, nested, package)
        for enum in message.enum_type:
            self.known[f"{name}.{enum.name}"] = package

    def link(self, type_name: str, from_package: str | None) -> str:
        """Markdown for a fully qualified type (``.video.v1.Event`` or ``video.v1.Event``), a link when it is ours."""
        name = type_name.lstrip(".")
        package = self.known.get(name)
        if package is None:
            return f"`{name}`"
        page = "" if package == from_package else page_name(package)
        return f"[`{name}`]({page}#{name})"

    def field_type(self, field: FieldProto, package: str) -> str:
        label = "repeated " if field.label == FieldProto.LABEL_REPEATED else ""
        if field.type in (FieldProto.TYPE_MESSAGE, FieldProto.TYPE_ENUM):
            return label + self.link(field.type_name, package)
        optional = "optional " if field.proto3_optional else ""
        return f"{label}{optional}`{SCALAR_NAMES[field.type]}`"

    def index(self) -> str:
        lines = [
            "# gRPC reference",
            "",
            "Generated from the protos in `contracts/proto/` (the same descriptors `python -m contracts.compat` checks). "
            "Validation rules are the `buf.validate` annotations; a request that breaks one fails with "
            "`INVALID_ARGUMENT`, an `ErrorInfo` reason and a `BadRequest` naming the field (see [Errors](../errors.md)).",
            "",
            "| package | services | messages | enums |",
            "|---|---|---|---|",
        ]
        for package, files in sorted(self.packages.items()):
            services = ", ".join(f"[{s.name}]({page_name(package)}#{package}.{s.name})" for f in files for s in f.service)
            messages = sum(len(f.message_type) for f in files)
            enums = sum(len(f.enum_type) for f in files)
            lines.append(f"| [`{package}`]({page_name(package)}) | {services or '—'} | {messages} | {enums} |")
        return "\n".join(lines) + "\n"

    def package_page(self, package: str) -> str:
        files = sorted(self.packages[package], key=lambda f: f.name)
        lines = [f"# `{package}`", ""]
        for file in files:
            note = d.comments(file).get((12,)) or d.comments(file).get((2,))
            lines.append(f"- `{file.name}`" + (f": {note}" if note else ""))
        lines.append("")
        lines += ["## Services", ""]
        for file in files:
            notes = d.comments(file)
            for s_index, service in enumerate(file.service):
                full = f"{package}.{service.name}"
                lines += [f"### {service.name} {{ #{full} }}", "", notes.get((d.SERVICE, s_index), ""), ""]
                lines += ["| RPC | request | response |", "|---|---|---|"]
                for method in service.method:
                    lines.append(
                        f"| [{method.name}](#{full}.{method.name}) | {self.link(method.input_type, package)} "
                        f"| {self.link(method.output_type, package)} |"
                    )
                lines.append("")
                for m_index, method in enumerate(service.method):
                    stream_in = "stream " if method.client_streaming else ""
                    stream_out = "stream " if method.server_streaming else ""
                    lines += [
                        f"#### {method.name} {{ #{full}.{method.name} }}",
                        "",
                        f"`rpc {method.name}({stream_in}{method.input_type.lstrip('.')}) returns "
                        f"({stream_out}{method.output_type.lstrip('.')})`",
                        "",
                        f"Request {self.link(method.input_type, package)}, response {self.link(method.output_type, package)}.",
                        "",
                        notes.get((d.SERVICE, s_index, d.METHOD, m_index), ""),
                        "",
                    ]
        lines += ["## Messages", ""]
        for file in files:
            notes = d.comments(file)
            for index, message in enumerate(file.message_type):
                lines += self._message(package, package, message, (d.MESSAGE_TYPE, index), notes)
        lines += ["## Enums", ""]
        for file in files:
            notes = d.comments(file)
            for index, enum in enumerate(file.enum_type):
                lines += self._enum(package, enum, (d.ENUM_TYPE, index), notes)
        return "\n".join(lines) + "\n"

    def _message(self, package, scope, message, path, notes) -> list[str]:
        full = f"{scope}.{message.name}"
        lines = [f"### {full.removeprefix(package + '.')} {{ #{full} }}", "", notes.get(path, ""), ""]
        if message.options.HasExtension(validate_pb2.message):
            rule = text_format.MessageToString(message.options.Extensions[validate_pb2.message], as_one_line=True)
            lines += [f"Message rule: `{rule}`", ""]
        if message.field:
            lines += ["| # | field | type | rule | notes |", "|---|---|---|---|---|"]
            for f_index, field in enumerate(message.field):
                rule = _rule(field.options)
                oneof = ""
                if field.HasField("oneof_index") and not field.proto3_optional:
                    oneof = f"oneof `{message.oneof_decl[field.oneof_index].name}`. "
                note = oneof + notes.get((*path, d.FIELD, f_index), "")
                lines.append(
                    f"| {field.number} | `{field.name}` | {self.field_type(field, package)} "
                    f"| {cell(f'`{rule}`') if rule else ''} | {cell(note)} |"
                )
            lines.append("")
        else:
            lines += ["No fields.", ""]
        for n_index, nested in enumerate(message.nested_type):
            if nested.options.map_entry:
                continue
            lines += self._message(package, full, nested, (*path, d.NESTED_TYPE, n_index), notes)
        for e_index, enum in enumerate(message.enum_type):
            lines += self._enum(package, enum, (*path, d.NESTED_ENUM, e_index), notes, scope=full)
        return lines

    def _enum(self, package, enum, path, notes, scope=None) -> list[str]:
        full = f"{scope or package}.{enum.name}"
        lines = [f"### {full.removeprefix(package + '.')} {{ #{full} }}", "", notes.get(path, ""), ""]
        if enum.name == "ErrorReason":
            lines += ["Carried as the `google.rpc.ErrorInfo` reason; codes and REST statuses are in [Errors](../errors.md).", ""]
        lines += ["| number | value | notes |", "|---|---|---|"]
        for v_index, value in enumerate(enum.value):
            lines.append(f"| {value.number} | `{value.name}` | {cell(notes.get((*path, d.ENUM_VALUE, v_index), ''))} |")
        return [*lines, ""]
