"""protoc plumbing shared by `contracts.codegen` and `contracts.compat`.

Both tools compile the same inputs the same way: every `*.proto` under
`contracts/proto/`, with `buf/validate/validate.proto` taken from the installed
protovalidate package and the well-known types from grpcio-tools. Keeping that
in one place is what makes the generated code, the drift check and the
breaking-change image agree with each other.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from google.protobuf import descriptor_pb2

VALIDATE_PROTO = "buf/validate/validate.proto"


def default_contracts_dir() -> Path:
    """Returns the `contracts/` directory this module was imported from."""
    return Path(__file__).resolve().parent


def proto_files(proto_root: Path) -> list[str]:
    """Returns the import paths (`video/v1/upload.proto`, ...) of every proto under `proto_root`, sorted."""
    files = sorted(p.relative_to(proto_root).as_posix() for p in proto_root.rglob("*.proto"))
    if not files:
        msg = f"expected .proto files under {proto_root}, found none; is --contracts-dir right?"
        raise ProtocError(msg)
    return files


class ProtocError(RuntimeError):
    """protoc rejected the inputs; the message carries its stderr."""


def write_validate_descriptor_set(path: Path) -> None:
    """Writes a FileDescriptorSet holding only `buf/validate/validate.proto`.

    protovalidate 2.x ships that file as a serialized descriptor inside its own
    (protobuf-py) generated module, not as `.proto` text. Feeding the descriptor
    to protoc with `--descriptor_set_in` compiles our imports against exactly the
    rules the installed validator understands; the well-known types it depends on
    are resolved from grpcio-tools' bundled protos like any other import.
    """
    try:
        from protovalidate._gen.buf.validate import validate_pb
    except ImportError as error:
        msg = (
            "expected protovalidate==2.1.0, which embeds buf/validate/validate.proto as "
            f"protovalidate._gen.buf.validate.validate_pb; could not import it ({error}). "
            "Install the pinned set with `pip install -e .`, or adapt contracts/protoc.py to the new layout."
        )
        raise ProtocError(msg) from error

    file_set = descriptor_pb2.FileDescriptorSet()
    file_set.file.add().ParseFromString(validate_pb.desc().proto.to_binary())
    path.write_bytes(file_set.SerializeToString(deterministic=True))


def run_protoc(proto_root: Path, validate_set: Path, args: list[str]) -> None:
    """Runs grpcio-tools' protoc with our include paths plus `args`; raises ProtocError on failure.

    `python -m grpc_tools.protoc` appends its bundled well-known types as the last
    include path itself, so the compiler and the WKT sources always match.
    """
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--descriptor_set_in={validate_set}",
        f"--proto_path={proto_root}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        msg = f"protoc failed (exit {result.returncode}) compiling {proto_root}:\n{result.stderr.strip()}"
        raise ProtocError(msg)


def build_image(proto_root: Path, validate_set: Path, out: Path, *, source_info: bool) -> descriptor_pb2.FileDescriptorSet:
    """Compiles every proto under `proto_root` into a self-contained image (FileDescriptorSet) at `out`.

    The image includes imports so buf can read it without a module or network.
    `source_info` adds line numbers, which makes buf's findings point at lines.
    """
    args = ["--include_imports", f"--descriptor_set_out={out}"]
    if source_info:
        args.append("--include_source_info")
    run_protoc(proto_root, validate_set, [*args, *proto_files(proto_root)])
    image = descriptor_pb2.FileDescriptorSet()
    image.ParseFromString(out.read_bytes())
    return image
