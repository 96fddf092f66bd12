"""The proto descriptors the docs read: the current protos compiled with comments, and the baseline image.

Both come the way ``contracts.compat`` gets them (``contracts.protoc.build_image`` and
``contracts/baseline/image.binpb``), so the gRPC reference and the Changes page describe exactly
what the breaking-change check compares. ``buf.validate`` rules are parsed as real extensions
(the generated ``validate_pb2`` is imported first), not scraped from text.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2

import contracts.gen.buf.validate.validate_pb2  # noqa: F401  (registers the buf.validate extensions)
from contracts.compat import BASELINE_IMAGE, NOT_OURS
from contracts.protoc import build_image, write_validate_descriptor_set

# FileDescriptorProto / DescriptorProto field numbers used in SourceCodeInfo paths.
MESSAGE_TYPE, ENUM_TYPE, SERVICE = 4, 5, 6
FIELD, NESTED_TYPE, NESTED_ENUM = 2, 3, 4
ENUM_VALUE, METHOD = 2, 2


@dataclass(frozen=True)
class Images:
    """The current protos and the recorded baseline, each as {file name: FileDescriptorProto} of our own files."""

    current: dict[str, descriptor_pb2.FileDescriptorProto]
    baseline: dict[str, descriptor_pb2.FileDescriptorProto]


def ours(image: descriptor_pb2.FileDescriptorSet) -> dict[str, descriptor_pb2.FileDescriptorProto]:
    """The files of ``image`` that this project owns (imports such as buf/validate and google/ left out)."""
    return {f.name: f for f in image.file if f.name.split("/")[0] not in NOT_OURS}


def load_images(contracts_dir: Path) -> Images:
    """Compiles ``contracts_dir/proto`` (with comments) and reads the baseline image beside it."""
    with tempfile.TemporaryDirectory(prefix="lingo-docs-") as scratch:
        validate_set = Path(scratch) / "validate.binpb"
        write_validate_descriptor_set(validate_set)
        current = build_image(contracts_dir / "proto", validate_set, Path(scratch) / "current.binpb", source_info=True)
    baseline = descriptor_pb2.FileDescriptorSet()
    baseline_path = contracts_dir / BASELINE_IMAGE
    if baseline_path.is_file():
        baseline.ParseFromString(baseline_path.read_bytes())
    return Images(current=ours(current), baseline=ours(baseline))


def comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    """Leading (else trailing) comment of every element of ``file``, keyed by its SourceCodeInfo path."""
    found = {}
    for location in file.source_code_info.location:
        text = location.leading_comments or location.trailing_comments
        if text.strip():
            found[tuple(location.path)] = " ".join(line.strip() for line in text.strip().splitlines())
    return found
