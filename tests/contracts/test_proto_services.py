"""The generated modules import from `contracts.gen` and carry upstream's wire facts.

Service and RPC names, and the field numbers that matter most to a deployed Go
service, are restated here from research/upstream.md (§1.1-1.6, §5) rather than
read back from our protos, so a wrong number cannot be approved into the baseline
unnoticed.
"""

from __future__ import annotations

import importlib
from concurrent import futures

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import FieldDescriptor

UPSTREAM_RPCS = {
    "video.v1.UploadService": ["InitResumableUpload"],
    "video.v1.CatalogQueryService": ["GetVideoMetadata", "GetVideoDetail", "ListUserPublicVideos", "ListMyUploads"],
    "video.v1.CatalogLifecycleService": [
        "RegisterUpload",
        "UpdateOriginalMedia",
        "UpdateProcessingStatus",
        "UpdateMediaInfo",
        "UpdateAIAttributes",
        "ArchiveVideo",
    ],
    "profile.v1.ProfileService": [
        "GetProfile",
        "UpdateProfile",
        "UpdatePreferences",
        "MutateFavorite",
        "BatchQueryFavorite",
        "ListFavorites",
        "UpsertWatchProgress",
        "ListWatchHistory",
        "PurgeUserData",
    ],
}

#: Our additions over upstream, named one by one so an unplanned RPC, field or value still fails:
#: new RPCs and numbers only (contracts/proto/video/v1/lifecycle.proto, error_reason.proto).
ADDED_RPCS = {"video.v1.CatalogLifecycleService": ["PublishVideo", "RejectVideo", "OverrideVisibility"]}
ADDED_FIELDS = {"video.v1.VideoRevision": "9 visibility_status string"}
ADDED_ENUM_VALUES = {
    "video.v1.ErrorReason": "ERROR_REASON_UNAUTHENTICATED=9 ERROR_REASON_PERMISSION_DENIED=10 "
    "ERROR_REASON_PAGE_TOKEN_INVALID=11 ERROR_REASON_STATUS_TRANSITION_INVALID=12 "
    "ERROR_REASON_IDEMPOTENCY_KEY_REUSED=13 ERROR_REASON_NOT_MODIFIED=14",
}

GRPC_MODULES = {
    "video.v1.UploadService": "contracts.gen.video.v1.upload_pb2_grpc",
    "video.v1.CatalogQueryService": "contracts.gen.video.v1.query_pb2_grpc",
    "video.v1.CatalogLifecycleService": "contracts.gen.video.v1.lifecycle_pb2_grpc",
    "profile.v1.ProfileService": "contracts.gen.profile.v1.profile_pb2_grpc",
}

MESSAGE_MODULES = [
    "contracts.gen.video.v1.upload_pb2",
    "contracts.gen.video.v1.query_pb2",
    "contracts.gen.video.v1.lifecycle_pb2",
    "contracts.gen.video.v1.events_pb2",
    "contracts.gen.video.v1.error_reason_pb2",
    "contracts.gen.profile.v1.profile_pb2",
    "contracts.gen.profile.v1.events_pb2",
]

# "number name type", a trailing "?" marks proto3 `optional` (explicit presence).
UPSTREAM_FIELDS = {
    "video.v1.InitResumableUploadRequest": "1 size_bytes int64, 2 content_type string, 3 content_md5_hex string, "
    "4 duration_seconds int32, 5 title string, 6 description string",
    "video.v1.InitResumableUploadResponse": "1 video_id string, 2 resumable_init_url string, 3 expires_at_unixms int64",
    "video.v1.Event": "1 event_id string, 2 event_type enum, 3 aggregate_id string, 4 aggregate_type string, "
    "5 version int64, 6 occurred_at string, 10 created message, 11 updated message, 12 deleted message, "
    "13 media_ready message, 14 ai_enriched message, 15 processing_failed message, 16 visibility_changed message",
    "video.v1.Event.VideoVisibilityChanged": "1 video_id string, 2 version int64, 3 occurred_at string, 4 status string, "
    "5 previous_status string?, 6 published_at string?, 7 reason string?, 10 visibility_status string?",
    "video.v1.UpdateProcessingStatusRequest": "1 video_id string, 2 stage enum, 3 expected_status string?, 4 new_status string, "
    "5 job_id string, 6 emitted_at string, 7 error_message string?, 8 expected_version int64?",
    "video.v1.VideoRevision": "1 video_id string, 2 status string, 3 media_status string, 4 analysis_status string, "
    "5 version int64, 6 updated_at string, 7 event_id string, 8 occurred_at string",
    "profile.v1.Preferences": "1 learning_goal string, 2 daily_quota_minutes message, 99 extra message",
    "profile.v1.WatchProgress": "1 position_seconds int64, 2 progress_ratio double, 3 total_watch_seconds int64, "
    "4 first_watched_at message, 5 last_watched_at message, 6 expires_at message, 7 session_id string",
    "profile.v1.EngagementRemovedEvent": "1 event_id string, 2 user_id string, 3 video_id string, 4 favorite_type enum, "
    "5 occurred_at message, 6 deleted_at message, 7 source string, 8 stats message",
}

UPSTREAM_ENUMS = {
    "video.v1.EventType": "EVENT_TYPE_UNSPECIFIED=0 EVENT_TYPE_VIDEO_CREATED=1 EVENT_TYPE_VIDEO_UPDATED=2 EVENT_TYPE_VIDEO_DELETED=3 "
    "EVENT_TYPE_VIDEO_MEDIA_READY=4 EVENT_TYPE_VIDEO_AI_ENRICHED=5 EVENT_TYPE_VIDEO_PROCESSING_FAILED=6 "
    "EVENT_TYPE_VIDEO_VISIBILITY_CHANGED=7",
    "video.v1.ErrorReason": "ERROR_REASON_UNSPECIFIED=0 ERROR_REASON_VIDEO_NOT_FOUND=1 ERROR_REASON_VIDEO_ID_INVALID=2 "
    "ERROR_REASON_QUERY_VIDEO_FAILED=3 ERROR_REASON_QUERY_TIMEOUT=4 ERROR_REASON_VIDEO_UPDATE_INVALID=5 "
    "ERROR_REASON_VIDEO_DELETE_INVALID=6 ERROR_REASON_UPLOAD_INVALID=7 ERROR_REASON_UPLOAD_ALREADY_COMPLETED=8",
    "video.v1.ProcessingStage": "PROCESSING_STAGE_UNSPECIFIED=0 PROCESSING_STAGE_MEDIA=1 PROCESSING_STAGE_ANALYSIS=2",
    "profile.v1.FavoriteAction": "FAVORITE_ACTION_UNSPECIFIED=0 FAVORITE_ACTION_ADD=1 FAVORITE_ACTION_REMOVE=2",
    "profile.v1.FavoriteType": "FAVORITE_TYPE_UNSPECIFIED=0 FAVORITE_TYPE_LIKE=1 FAVORITE_TYPE_BOOKMARK=2",
}

TYPE_NAMES = {
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_DOUBLE: "double",
    FieldDescriptor.TYPE_ENUM: "enum",
    FieldDescriptor.TYPE_MESSAGE: "message",
}


def describe(field: FieldDescriptor) -> str:
    """`"3 expected_status string?"`: proto3 `optional` shows up as a synthetic oneof named `_<field>`."""
    optional = field.containing_oneof is not None and field.containing_oneof.name == f"_{field.name}"
    return f"{field.number} {field.name} {TYPE_NAMES[field.type]}{'?' if optional else ''}"


@pytest.fixture(scope="module", autouse=True)
def generated_modules():
    """Imports every generated module, which registers its file in the default descriptor pool."""
    return [importlib.import_module(name) for name in [*MESSAGE_MODULES, *GRPC_MODULES.values()]]


@pytest.mark.parametrize("service", sorted(UPSTREAM_RPCS))
def test_every_upstream_rpc_exists_with_request_and_response_named_after_it(service):
    descriptor = descriptor_pool.Default().FindServiceByName(service)

    found = {method.name: (method.input_type.name, method.output_type.name) for method in descriptor.methods}
    rpcs = UPSTREAM_RPCS[service] + ADDED_RPCS.get(service, [])
    expected = {rpc: (f"{rpc}Request", f"{rpc}Response") for rpc in rpcs}
    assert found == expected, f"{service}: expected RPCs {expected}, found {found}"


@pytest.mark.parametrize("service", sorted(GRPC_MODULES))
def test_grpc_module_has_stub_servicer_and_registration(service):
    module = importlib.import_module(GRPC_MODULES[service])
    short = service.rsplit(".", 1)[1]

    with grpc.insecure_channel("localhost:1") as channel:
        stub = getattr(module, f"{short}Stub")(channel)
    assert all(hasattr(stub, rpc) for rpc in UPSTREAM_RPCS[service])
    assert hasattr(module, f"{short}Servicer")
    assert hasattr(module, f"add_{short}Servicer_to_server")


def test_generated_stub_round_trips_over_a_real_channel():
    from contracts.gen.video.v1 import upload_pb2, upload_pb2_grpc

    class EchoTitle(upload_pb2_grpc.UploadServiceServicer):
        def InitResumableUpload(self, request, context):
            return upload_pb2.InitResumableUploadResponse(resumable_init_url=f"https://example.invalid/{request.title}", expires_at_unixms=1)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    upload_pb2_grpc.add_UploadServiceServicer_to_server(EchoTitle(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            response = upload_pb2_grpc.UploadServiceStub(channel).InitResumableUpload(upload_pb2.InitResumableUploadRequest(title="t1"), timeout=5)
    finally:
        server.stop(None)

    assert response.resumable_init_url == "https://example.invalid/t1"


@pytest.mark.parametrize("message", sorted(UPSTREAM_FIELDS))
def test_field_numbers_names_and_types_match_upstream(message):
    descriptor = descriptor_pool.Default().FindMessageTypeByName(message)

    found = ", ".join(describe(f) for f in sorted(descriptor.fields, key=lambda f: f.number))
    assert found == ", ".join(filter(None, [UPSTREAM_FIELDS[message], ADDED_FIELDS.get(message)]))


def test_event_payloads_share_one_oneof_and_actor_numbers_stay_reserved():
    event = descriptor_pool.Default().FindMessageTypeByName("video.v1.Event")
    visibility = descriptor_pool.Default().FindMessageTypeByName("video.v1.Event.VideoVisibilityChanged")

    proto = descriptor_pb2.DescriptorProto()
    visibility.CopyToProto(proto)  # reserved ranges are only exposed on the proto form

    assert [f.number for f in event.oneofs_by_name["payload"].fields] == [10, 11, 12, 13, 14, 15, 16]
    assert sorted(n for r in proto.reserved_range for n in range(r.start, r.end)) == [8, 9]


@pytest.mark.parametrize("enum", sorted(UPSTREAM_ENUMS))
def test_enum_values_match_upstream(enum):
    descriptor = descriptor_pool.Default().FindEnumTypeByName(enum)

    expected = " ".join(filter(None, [UPSTREAM_ENUMS[enum], ADDED_ENUM_VALUES.get(enum)]))
    assert " ".join(f"{v.name}={v.number}" for v in descriptor.values) == expected


def test_generated_code_does_not_shadow_the_stdlib_profile_module():
    import cProfile
    import profile

    assert hasattr(profile, "Profile"), f"expected the standard library's profile module, found {profile!r}"
    assert cProfile.Profile
