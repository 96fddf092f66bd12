"""`python -m contracts.codegen --check` guards the committed contracts/gen against proto drift.

The drift cases run on a temporary copy of contracts/ so the repository is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import contracts

CONTRACTS = Path(contracts.__file__).resolve().parent


def codegen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contracts.codegen", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    """A scratch contracts/ tree holding copies of proto/, gen/ and baseline/."""
    copy = tmp_path / "contracts"
    for part in ("proto", "gen", "baseline"):
        shutil.copytree(CONTRACTS / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_committed_generated_code_matches_the_protos():
    result = codegen("--check")

    assert result.returncode == 0, result.stderr


def test_editing_a_proto_without_regenerating_fails_the_check(contracts_copy: Path):
    upload = contracts_copy / "proto/video/v1/upload.proto"
    upload.write_text(upload.read_text().replace("  string description = 6", "  string locale = 7;\n  string description = 6"))

    result = codegen("--check", "--contracts-dir", str(contracts_copy))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "generated code is stale" in result.stderr
    assert "differs  video/v1/upload_pb2.py" in result.stderr
    assert "differs  video/v1/upload_pb2.pyi" in result.stderr
    assert "run `python -m contracts.codegen`" in result.stderr


def test_regenerating_fixes_drift_and_removes_files_of_deleted_protos(contracts_copy: Path):
    (contracts_copy / "proto/video/v1/error_reason.proto").unlink()
    assert codegen("--check", "--contracts-dir", str(contracts_copy)).returncode == 1

    regenerated = codegen("--contracts-dir", str(contracts_copy))

    assert regenerated.returncode == 0, regenerated.stderr
    assert "removed  video/v1/error_reason_pb2.py" in regenerated.stdout
    assert not (contracts_copy / "gen/video/v1/error_reason_pb2.py").exists()
    assert codegen("--check", "--contracts-dir", str(contracts_copy)).returncode == 0


def test_a_hand_edit_of_generated_code_fails_the_check(contracts_copy: Path):
    stub = contracts_copy / "gen/profile/v1/profile_pb2_grpc.py"
    stub.write_text(stub.read_text() + "\n# tweak\n")

    result = codegen("--check", "--contracts-dir", str(contracts_copy))

    assert result.returncode == 1
    assert "differs  profile/v1/profile_pb2_grpc.py" in result.stderr


def test_a_proto_that_does_not_compile_reports_protoc_error(contracts_copy: Path):
    query = contracts_copy / "proto/video/v1/query.proto"
    query.write_text(query.read_text().replace("int64 version = 14;", "int64 version = 13;"))

    result = codegen("--check", "--contracts-dir", str(contracts_copy))

    assert result.returncode == 2
    assert "protoc failed" in result.stderr
    assert "video/v1/query.proto" in result.stderr


def test_generated_modules_keep_the_do_not_edit_header_and_no_machine_paths():
    # protoc writes no header into .pyi stubs, so only the modules are checked for it.
    generated = sorted((CONTRACTS / "gen").rglob("*_pb2*.py"))

    assert generated
    for path in generated:
        head = path.read_text().splitlines()[:2]
        assert any("DO NOT EDIT" in line for line in head), f"{path.name}: expected the protoc DO NOT EDIT header, found {head}"
    for path in [*(CONTRACTS / "gen").rglob("*.py"), *(CONTRACTS / "gen").rglob("*.pyi")]:
        assert str(CONTRACTS) not in path.read_text(), f"{path.name}: contains the absolute path {CONTRACTS}"
