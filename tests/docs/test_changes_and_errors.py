"""The Changes page shows a proto edit against the baseline; the error table covers every ErrorReason."""

from __future__ import annotations

import shutil
import re
from pathlib import Path

import grpc
import yaml

from contracts.docs import changes
from contracts.docs.descriptors import load_images
from contracts.gen.profile.v1 import error_reason_pb2 as profile_reasons
from contracts.gen.video.v1 import error_reason_pb2 as video_reasons
from contracts.protoc import default_contracts_dir


def test_removing_a_field_shows_on_the_changes_page(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(default_contracts_dir() / "proto", contracts / "proto")
    shutil.copytree(default_contracts_dir() / "baseline", contracts / "baseline")
    upload = contracts / "proto" / "video" / "v1" / "upload.proto"
    source = upload.read_text(encoding="utf-8")
    # The field with its validation options, however they are written (one line or a block).
    field = re.compile(r"^  string description = 6 \[.*?\];\n", re.MULTILINE | re.DOTALL)
    assert field.search(source), "upload.proto no longer declares description = 6; pick another field to remove"
    upload.write_text(field.sub("", source, count=1), encoding="utf-8")

    images = load_images(contracts)
    rows = changes.differences(images.baseline, images.current)
    assert ("removed", "field", "video.v1.InitResumableUploadRequest", "string description = 6") in rows
    assert "string description = 6" in changes.page(images.baseline, images.current)


def test_the_current_protos_match_the_baseline_or_list_their_additions() -> None:
    images = load_images(default_contracts_dir())
    assert [row for row in changes.differences(images.baseline, images.current) if row[0] != "added"] == []


def test_the_error_table_has_a_row_for_every_error_reason() -> None:
    table = yaml.safe_load((default_contracts_dir() / "errors.yaml").read_text(encoding="utf-8"))
    listed = {row["reason"] for row in table["errors"]}
    declared = {f"video.v1.{name}" for name in video_reasons.ErrorReason.keys()} | {
        f"profile.v1.{name}" for name in profile_reasons.ErrorReason.keys()
    }
    declared = {name for name in declared if not name.endswith("_UNSPECIFIED")}
    assert listed == declared, f"contracts/errors.yaml lacks {declared - listed} and names unknown {listed - declared}"
    for row in table["errors"]:
        assert row["grpc"] in grpc.StatusCode.__members__, f"{row['reason']}: {row['grpc']} is no gRPC status code"
