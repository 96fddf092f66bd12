"""`python -m contracts.compat` fails on wire/JSON-breaking proto changes and records deliberate ones.

Breaking edits are made in a temporary copy of contracts/ so the committed baseline is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import contracts

CONTRACTS = Path(contracts.__file__).resolve().parent


def compat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contracts.compat", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    """A scratch contracts/ tree holding copies of proto/ and baseline/."""
    copy = tmp_path / "contracts"
    for part in ("proto", "baseline"):
        shutil.copytree(CONTRACTS / part, copy / part)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: expected {old!r} in {path.name}"
    path.write_text(text.replace(old, new))


def test_committed_protos_are_compatible_with_the_baseline():
    result = compat()

    assert result.returncode == 0, result.stderr
    assert "no breaking change" in result.stdout


def test_changing_a_field_number_fails_with_bufs_finding(contracts_copy: Path):
    edit(contracts_copy / "proto/video/v1/upload.proto", "int32 duration_seconds = 4", "int32 duration_seconds = 7")

    result = compat("--contracts-dir", str(contracts_copy))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "breaking change(s) against the baseline" in result.stderr
    assert 'Previously present field "4" with name "duration_seconds" on message "InitResumableUploadRequest" was deleted' in result.stderr
    assert "video/v1/upload.proto:" in result.stderr
    assert 'python -m contracts.compat --approve "<why>"' in result.stderr


@pytest.mark.parametrize(
    ("proto", "old", "new", "finding"),
    [
        ("profile/v1/profile.proto", "  rpc PurgeUserData(PurgeUserDataRequest) returns (PurgeUserDataResponse);\n", "", 'RPC "PurgeUserData"'),
        ("video/v1/query.proto", "int64 version = 14;", "int32 version = 14;", 'changed type from "int64" to "int32"'),
        ("video/v1/events.proto", "    reserved 8, 9;\n", "", "reserved range"),
        ("video/v1/events.proto", "EVENT_TYPE_VIDEO_VISIBILITY_CHANGED = 7;", "", 'enum value "7"'),
        ("profile/v1/profile.proto", "string display_name = 2 [", "string name = 2 [", 'changed name from "display_name" to "name"'),
    ],
    ids=["removed-rpc", "retyped-field", "dropped-reserved", "removed-enum-value", "renamed-field"],
)
def test_other_breaking_edits_are_caught(contracts_copy: Path, proto, old, new, finding):
    edit(contracts_copy / "proto" / proto, old, new)

    result = compat("--contracts-dir", str(contracts_copy))

    assert result.returncode == 1, result.stdout + result.stderr
    assert finding.lower() in result.stderr.lower()


def test_adding_a_field_with_a_new_number_is_not_breaking(contracts_copy: Path):
    edit(contracts_copy / "proto/video/v1/upload.proto", "  string description = 6", "  string locale = 7;\n  string description = 6")

    assert compat("--contracts-dir", str(contracts_copy)).returncode == 0


def test_approve_records_the_break_and_logs_the_reason(contracts_copy: Path):
    edit(contracts_copy / "proto/video/v1/upload.proto", "int32 duration_seconds = 4", "int32 duration_seconds = 7")

    approved = compat("--contracts-dir", str(contracts_copy), "--approve", "renumber duration for v2 clients")

    assert approved.returncode == 0, approved.stderr
    log = (contracts_copy / "baseline/APPROVALS.md").read_text()
    assert ": renumber duration for v2 clients" in log
    assert "accepted: `video/v1/upload.proto" in log
    assert compat("--contracts-dir", str(contracts_copy)).returncode == 0


def test_approve_needs_a_reason(contracts_copy: Path):
    result = compat("--contracts-dir", str(contracts_copy), "--approve", "  ")

    assert result.returncode == 2
    assert "expected a non-empty reason" in result.stderr
