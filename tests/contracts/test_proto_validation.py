"""The buf.validate rules in contracts/proto are machine-readable: protovalidate enforces them on the generated classes.

Rules come from upstream's annotations (research/upstream.md §1.1-1.3) and seed 004
(all InitResumableUpload fields required, md5 = 32 hex, duration 1..300 s).
"""

from __future__ import annotations

import protovalidate
import pytest
from google.protobuf import descriptor_pool

from contracts.gen.buf.validate import validate_pb2
from contracts.gen.video.v1 import lifecycle_pb2, query_pb2, upload_pb2

VALID_UPLOAD = {
    "size_bytes": 1_048_576,
    "content_type": "video/mp4",
    "content_md5_hex": "9e107d9d372bb6826bd81d3542a419d6",
    "duration_seconds": 42,
    "title": "ct-run-title",
    "description": "ct-run-description",
}


def violations(message) -> set[tuple[str, str]]:
    """(field path, rule id) for every violation protovalidate reports on `message`."""
    with pytest.raises(protovalidate.ValidationError) as caught:
        protovalidate.validate(message)
    return {(".".join(e.field_name for e in v.proto.field.elements), v.proto.rule_id) for v in caught.value.violations}


def test_a_valid_init_upload_request_passes():
    protovalidate.validate(upload_pb2.InitResumableUploadRequest(**VALID_UPLOAD))


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"content_md5_hex": "abc"}, {("content_md5_hex", "string.len"), ("content_md5_hex", "string.pattern")}),
        ({"content_md5_hex": "z" * 32}, {("content_md5_hex", "string.pattern")}),
        ({"duration_seconds": 0}, {("duration_seconds", "int32.gte_lte")}),
        ({"duration_seconds": 301}, {("duration_seconds", "int32.gte_lte")}),
        ({"title": ""}, {("title", "string.min_len")}),
        ({"description": ""}, {("description", "string.min_len")}),
        ({"content_type": ""}, {("content_type", "string.min_len")}),
        ({"size_bytes": -1}, {("size_bytes", "int64.gte")}),
    ],
    ids=["md5-3-chars", "md5-not-hex", "duration-0", "duration-301", "empty-title", "empty-description", "empty-content-type", "negative-size"],
)
def test_init_upload_request_rules_reject_and_name_the_field(override, expected):
    request = upload_pb2.InitResumableUploadRequest(**{**VALID_UPLOAD, **override})

    assert violations(request) == expected


def test_duration_bounds_are_inclusive():
    for seconds in (1, 300):
        protovalidate.validate(upload_pb2.InitResumableUploadRequest(**{**VALID_UPLOAD, "duration_seconds": seconds}))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (query_pb2.GetVideoMetadataRequest(video_id="not-a-uuid"), {("video_id", "string.uuid")}),
        (
            query_pb2.ListMyUploadsRequest(status_filter=["ready", "deleted"], stage_filter=["done"]),
            {("status_filter", "string.in"), ("stage_filter", "string.in")},
        ),
        (
            lifecycle_pb2.UpdateProcessingStatusRequest(
                video_id="6f1c1f9e-3a43-4d5e-9a55-0c8d0f6b2a11", stage=7, new_status="ready", job_id="j", emitted_at="2025-10-30T12:00:00Z"
            ),
            {("stage", "enum.defined_only")},
        ),
        (
            lifecycle_pb2.ArchiveVideoRequest(video_id="6f1c1f9e-3a43-4d5e-9a55-0c8d0f6b2a11", expected_version=0),
            {("expected_version", "int64.gt")},
        ),
    ],
    ids=["query-video-id-uuid", "list-my-uploads-filters", "stage-defined-only", "optional-expected-version-set-to-0"],
)
def test_catalog_request_rules(message, expected):
    assert violations(message) == expected


def test_unset_optional_fields_are_not_validated():
    protovalidate.validate(lifecycle_pb2.ArchiveVideoRequest(video_id="6f1c1f9e-3a43-4d5e-9a55-0c8d0f6b2a11"))


def test_buf_validate_is_registered_once_in_the_default_pool():
    registered = descriptor_pool.Default().FindFileByName("buf/validate/validate.proto")

    assert registered is validate_pb2.DESCRIPTOR, (
        "expected buf/validate/validate.proto in the default pool to come from contracts.gen.buf.validate, "
        f"found it registered by {registered!r}; something else generated a second copy"
    )
