"""The JSON Schemas under contracts/events: well-formed, aligned with the protos, and discriminating.

Checks, per schema: valid against the draft 2020-12 metaschema, ``$id`` and ``description``
present and ``$id`` matching the file's path, every ``$ref`` resolvable. Then realistic instances
(an outbox attribute map, protojson of messages built with the generated protobuf classes, a GCS
finalize notification, a Problem Details document) validate, and broken ones are rejected with a
message that names the field. Finally the protojson schemas and the protos name the same fields,
so neither can gain or lose a field unnoticed.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from jsonschema import Draft202012Validator

from contracts import schemas
from contracts.gen.profile.v1 import events_pb2 as profile_events_pb2
from contracts.gen.profile.v1 import profile_pb2
from contracts.gen.video.v1 import events_pb2 as video_events_pb2

VIDEO_ID = "0b7e3c52-8f0e-4f55-9b1a-3c3f7d1e2a10"
USER_ID = "5f1d9c8e-2b7a-4c3e-8d6f-1a2b3c4d5e6f"
EVENT_ID = "c1a7e0f4-6d2b-4e8a-9f3c-7b5d1e2f3a4b"


def _protojson(message: Message) -> dict[str, Any]:
    # The canonical form: lowerCamelCase names, defaults omitted, int64 as strings.
    return json_format.MessageToDict(message, preserving_proto_field_name=False)


def _assert_valid(name: str, instance: Any) -> None:
    problems = schemas.violations(name, instance)
    assert not problems, f"expected a valid {name} instance, got violations:\n" + "\n".join(problems)


def _assert_rejected(name: str, instance: Any, expected_fragment: str) -> None:
    problems = schemas.violations(name, instance)
    assert problems, f"expected {name} to reject the instance, but it validated: {instance!r}"
    assert any(expected_fragment in p for p in problems), (
        f"expected a violation mentioning {expected_fragment!r}, got:\n" + "\n".join(problems)
    )


# -- the schemas themselves ------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.schema_names())
def test_schema_is_valid_2020_12_with_id_and_description(name: str) -> None:
    schema = schemas.load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", f"{name}: $schema must be draft 2020-12"
    expected_id = f"{schemas.BASE_URI}{name}.schema.json"
    assert schema.get("$id") == expected_id, (
        f"{name}: $id must be {expected_id!r} (BASE_URI + path) so relative $refs resolve the same on disk and by id; "
        f"got {schema.get('$id')!r}"
    )
    assert schema.get("description", "").strip(), f"{name}: add a top-level description (what it describes, who produces it)"


@pytest.mark.parametrize("name", schemas.schema_names())
def test_object_schemas_choose_additional_properties(name: str) -> None:
    """Every object-typed schema says whether unknown members are allowed, rather than defaulting."""
    undecided: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                undecided.append(path)
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(schemas.load_schema(name), "#")
    assert not undecided, f"{name}: set additionalProperties explicitly (true, false or a schema) at {undecided}"


@pytest.mark.parametrize("name", schemas.schema_names())
def test_every_ref_resolves(name: str) -> None:
    resolver = schemas.registry().resolver(base_uri=schemas.load_schema(name)["$id"])
    unresolved: list[str] = []

    def walk(node: Any, base: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                try:
                    base.lookup(node["$ref"])
                except Exception as exc:  # noqa: BLE001 - any lookup failure is what we report
                    unresolved.append(f"{node['$ref']}: {exc}")
            for value in node.values():
                walk(value, base)
        elif isinstance(node, list):
            for value in node:
                walk(value, base)

    walk(schemas.load_schema(name), resolver)
    assert not unresolved, f"{name}: unresolvable $refs:\n" + "\n".join(unresolved)


def test_unknown_schema_name_says_which_exist() -> None:
    with pytest.raises(schemas.SchemaNotFound, match="expected one of .*video/v1/event"):
        schemas.validator("video/v2/event")


# -- attributes ------------------------------------------------------------------------------

ATTRIBUTES = {
    "event_id": EVENT_ID,
    "event_type": "catalog.video.created",
    "aggregate_type": "video",
    "aggregate_id": VIDEO_ID,
    "version": "1761825600123456",
    "occurred_at": "2025-10-30T12:00:00.123456Z",
    "schema_version": "v1",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "idempotency_key": "ct-run42-init-1",
}


def test_outbox_attribute_map_validates() -> None:
    _assert_valid("attributes", ATTRIBUTES)
    required_only = {k: v for k, v in ATTRIBUTES.items() if k not in ("trace_id", "idempotency_key")}
    _assert_valid("attributes", required_only)
    _assert_valid("attributes", {**ATTRIBUTES, "googclient_traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"event_id": "not-a-uuid"}, "$.event_id"),
        ({"event_id": EVENT_ID.upper()}, "$.event_id"),
        ({"version": "12.5"}, "$.version"),
        ({"version": 12}, "$.version: 12 is not of type 'string'"),
        ({"occurred_at": "2025-10-30 12:00:00"}, "$.occurred_at"),
        ({"occurred_at": "2025-10-30T12:00:00+02:00"}, "$.occurred_at"),
        ({"schema_version": "1"}, "$.schema_version"),
        ({"trace_id": "XYZ"}, "$.trace_id"),
        ({"extra": 1}, "$.extra: 1 is not of type 'string'"),
        ({"extra": "x" * 1025}, "$.extra"),
    ],
)
def test_broken_attribute_maps_are_rejected(change: dict[str, Any], fragment: str) -> None:
    _assert_rejected("attributes", {**ATTRIBUTES, **change}, fragment)


@pytest.mark.parametrize("missing", ["event_id", "event_type", "aggregate_type", "aggregate_id", "version", "occurred_at", "schema_version"])
def test_each_required_attribute_is_required(missing: str) -> None:
    attributes = {k: v for k, v in ATTRIBUTES.items() if k != missing}
    _assert_rejected("attributes", attributes, f"'{missing}' is a required property")


# -- video.v1.Event ----------------------------------------------------------------------------


def _created_event() -> video_events_pb2.Event:
    return video_events_pb2.Event(
        event_id=EVENT_ID,
        event_type=video_events_pb2.EVENT_TYPE_VIDEO_CREATED,
        aggregate_id=VIDEO_ID,
        aggregate_type="video",
        version=1761825600123456,
        occurred_at="2025-10-30T12:00:00.123456Z",
        created=video_events_pb2.Event.VideoCreated(
            video_id=VIDEO_ID,
            uploader_id=USER_ID,
            title="ct-run42 first words",
            description="a test upload",
            version=1761825600123456,
            occurred_at="2025-10-30T12:00:00.123456Z",
            status="pending_upload",
            media_status="pending",
            analysis_status="pending",
        ),
    )


def _updated_event() -> video_events_pb2.Event:
    return video_events_pb2.Event(
        event_id=str(uuid.uuid4()),
        event_type=video_events_pb2.EVENT_TYPE_VIDEO_UPDATED,
        aggregate_id=VIDEO_ID,
        aggregate_type="video",
        version=1761825601000000,
        occurred_at="2025-10-30T12:00:01Z",
        updated=video_events_pb2.Event.VideoUpdated(
            video_id=VIDEO_ID,
            version=1761825601000000,
            occurred_at="2025-10-30T12:00:01Z",
            status="processing",
            media_status="ready",
            duration_micros=61_500_000,
            hls_master_playlist="gs://media/hls/master.m3u8",
            tags=["a1", "travel"],
            visibility_status="public",
        ),
    )


def _legacy_events() -> list[video_events_pb2.Event]:
    base = {"aggregate_id": VIDEO_ID, "aggregate_type": "video", "version": 7, "occurred_at": "2025-10-30T12:00:02.5Z"}
    payload = {"video_id": VIDEO_ID, "version": 7, "occurred_at": "2025-10-30T12:00:02.5Z"}
    E = video_events_pb2.Event  # noqa: N806 - the proto's name
    return [
        E(event_id=str(uuid.uuid4()), event_type=video_events_pb2.EVENT_TYPE_VIDEO_MEDIA_READY, **base,
          media_ready=E.VideoMediaReady(**payload, status="processing", media_status="ready", analysis_status="processing", encoded_bitrate=2500)),
        E(event_id=str(uuid.uuid4()), event_type=video_events_pb2.EVENT_TYPE_VIDEO_AI_ENRICHED, **base,
          ai_enriched=E.VideoAIEnriched(**payload, status="ready", analysis_status="ready", media_status="ready", tags=["b2"])),
        E(event_id=str(uuid.uuid4()), event_type=video_events_pb2.EVENT_TYPE_VIDEO_PROCESSING_FAILED, **base,
          processing_failed=E.VideoProcessingFailed(**payload, failed_stage="media", status="failed", media_status="failed", analysis_status="pending")),
        E(event_id=str(uuid.uuid4()), event_type=video_events_pb2.EVENT_TYPE_VIDEO_VISIBILITY_CHANGED, **base,
          visibility_changed=E.VideoVisibilityChanged(**payload, status="published", previous_status="ready", visibility_status="public")),
        E(event_id=str(uuid.uuid4()), event_type=video_events_pb2.EVENT_TYPE_VIDEO_DELETED, **base,
          deleted=E.VideoDeleted(**payload, deleted_at="2025-10-30T12:00:02.5Z", reason="ct-run42 cleanup")),
    ]


def test_protojson_of_video_events_validates() -> None:
    for event in [_created_event(), _updated_event(), *_legacy_events()]:
        _assert_valid("video/v1/event", _protojson(event))


def test_protojson_int64_is_a_string() -> None:
    document = _protojson(_created_event())
    assert document["version"] == "1761825600123456", "protojson writes int64 as a decimal string"
    broken = copy.deepcopy(document)
    broken["version"] = 1761825600123456
    _assert_rejected("video/v1/event", broken, "$.version: 1761825600123456 is not of type 'string'")


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(eventType="EVENT_TYPE_VIDEO_UPDATED"), "$.eventType: 'EVENT_TYPE_VIDEO_CREATED' was expected"),
        (lambda d: d.pop("created"), "none did; closest: $: 'created' is a required property"),
        (lambda d: d.update(updated={"videoId": VIDEO_ID, "version": "2", "occurredAt": "2025-10-30T12:00:00Z"}), "more than one did"),
        (lambda d: d["created"].update(status="uploaded"), "$.created.status"),
        (lambda d: d["created"].update(video_id=VIDEO_ID), "$.created: Additional properties are not allowed ('video_id' was unexpected)"),
        (lambda d: d["created"].pop("uploaderId"), "$.created: 'uploaderId' is a required property"),
        (lambda d: d.update(aggregateType="Video"), "$.aggregateType"),
        (lambda d: d.update(occurredAt="2025-10-30T12:00:00.1234567890Z"), "$.occurredAt"),
    ],
)
def test_broken_video_events_are_rejected(mutate: Any, fragment: str) -> None:
    document = _protojson(_created_event())
    mutate(document)
    _assert_rejected("video/v1/event", document, fragment)


# -- profile events --------------------------------------------------------------------------


def _stats() -> profile_pb2.VideoStats:
    stats = profile_pb2.VideoStats(like_count=3, bookmark_count=1, unique_watchers=2, total_watch_seconds=420)
    stats.updated_at.FromJsonString("2025-10-30T12:00:00.123Z")
    return stats


def _engagement_added() -> profile_events_pb2.EngagementAddedEvent:
    event = profile_events_pb2.EngagementAddedEvent(
        event_id=EVENT_ID, user_id=USER_ID, video_id=VIDEO_ID, favorite_type=profile_pb2.FAVORITE_TYPE_LIKE, source="rest", stats=_stats()
    )
    event.occurred_at.FromJsonString("2025-10-30T12:00:00Z")
    return event


def _engagement_removed() -> profile_events_pb2.EngagementRemovedEvent:
    event = profile_events_pb2.EngagementRemovedEvent(
        event_id=EVENT_ID, user_id=USER_ID, video_id=VIDEO_ID, favorite_type=profile_pb2.FAVORITE_TYPE_BOOKMARK, source="grpc", stats=_stats()
    )
    event.occurred_at.FromJsonString("2025-10-30T12:00:00Z")
    event.deleted_at.FromJsonString("2025-10-30T12:00:00Z")
    return event


def _watch_progressed() -> profile_events_pb2.WatchProgressedEvent:
    progress = profile_pb2.WatchProgress(position_seconds=30, progress_ratio=0.5, total_watch_seconds=31, session_id="s-1")
    progress.first_watched_at.FromJsonString("2025-10-30T11:59:00Z")
    progress.last_watched_at.FromJsonString("2025-10-30T12:00:00Z")
    progress.expires_at.FromJsonString("2026-04-28T12:00:00Z")
    event = profile_events_pb2.WatchProgressedEvent(event_id=EVENT_ID, user_id=USER_ID, video_id=VIDEO_ID, progress=progress)
    event.context.update({"client": "ios", "build": 412})
    return event


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("profile/v1/engagement_added", _engagement_added),
        ("profile/v1/engagement_removed", _engagement_removed),
        ("profile/v1/watch_progressed", _watch_progressed),
    ],
)
def test_protojson_of_profile_events_validates(name: str, build: Any) -> None:
    _assert_valid(name, _protojson(build()))


@pytest.mark.parametrize(
    ("name", "build", "mutate", "fragment"),
    [
        ("profile/v1/engagement_added", _engagement_added, lambda d: d.update(favoriteType="FAVORITE_TYPE_UNSPECIFIED"), "$.favoriteType"),
        ("profile/v1/engagement_added", _engagement_added, lambda d: d["stats"].update(likeCount="-1"), "$.stats.likeCount"),
        ("profile/v1/engagement_added", _engagement_added, lambda d: d.update(occurredAt="2025-10-30T12:00:00.12Z"), "$.occurredAt"),
        ("profile/v1/engagement_removed", _engagement_removed, lambda d: d.pop("videoId"), "'videoId' is a required property"),
        ("profile/v1/watch_progressed", _watch_progressed, lambda d: d["progress"].update(progressRatio=0.04), "$.progress.progressRatio: 0.04 is less than the minimum of 0.05"),
        ("profile/v1/watch_progressed", _watch_progressed, lambda d: d["progress"].pop("progressRatio"), "'progressRatio' is a required property"),
    ],
)
def test_broken_profile_events_are_rejected(name: str, build: Any, mutate: Any, fragment: str) -> None:
    document = _protojson(build())
    mutate(document)
    _assert_rejected(name, document, fragment)


# -- alignment with the protos -----------------------------------------------------------------

_PROTOJSON_SCHEMAS: list[tuple[str, str | None, Any]] = [
    ("video/v1/event", None, video_events_pb2.Event),
    *[("video/v1/event", nested.name, getattr(video_events_pb2.Event, nested.name)) for nested in video_events_pb2.Event.DESCRIPTOR.nested_types],
    ("profile/v1/engagement_added", None, profile_events_pb2.EngagementAddedEvent),
    ("profile/v1/engagement_removed", None, profile_events_pb2.EngagementRemovedEvent),
    ("profile/v1/watch_progressed", None, profile_events_pb2.WatchProgressedEvent),
    *[
        ("profile/v1/messages", name, getattr(profile_pb2, name))
        for name in ("VideoStats", "WatchProgress", "FavoriteState", "Preferences", "Profile", "VideoMetadata", "FavoriteItem", "FavoriteSummary", "WatchHistoryEntry")
    ],
]


@pytest.mark.parametrize(
    ("schema_name", "definition", "message_class"),
    _PROTOJSON_SCHEMAS,
    ids=[f"{s}#{d or 'root'}" for s, d, _ in _PROTOJSON_SCHEMAS],
)
def test_schema_properties_are_the_proto_json_names(schema_name: str, definition: str | None, message_class: Any) -> None:
    schema = schemas.load_schema(schema_name)
    node = schema["$defs"][definition] if definition else schema
    in_schema = set(node["properties"])
    in_proto = {field.json_name for field in message_class.DESCRIPTOR.fields}
    assert in_schema == in_proto, (
        f"{schema_name}#{definition or 'root'} and {message_class.DESCRIPTOR.full_name} disagree: "
        f"only in the schema {sorted(in_schema - in_proto)}, only in the proto {sorted(in_proto - in_schema)}; "
        "the proto is the wire contract, so fix the schema (or add the field to the proto first)"
    )


# -- GCS finalize --------------------------------------------------------------------------------

FINALIZE_ATTRIBUTES = {
    "notificationConfig": "projects/_/buckets/lingo-media-uploads/notificationConfigs/7",
    "eventType": "OBJECT_FINALIZE",
    "payloadFormat": "JSON_API_V1",
    "bucketId": "lingo-media-uploads",
    "objectId": f"raw_videos/{USER_ID}/{VIDEO_ID}",
    "objectGeneration": "1761825600123456",
    "eventTime": "2025-10-30T12:00:00.123456Z",
}

OBJECT_RESOURCE = {
    "kind": "storage#object",
    "id": f"lingo-media-uploads/raw_videos/{USER_ID}/{VIDEO_ID}/1761825600123456",
    "selfLink": f"https://www.googleapis.com/storage/v1/b/lingo-media-uploads/o/raw_videos%2F{USER_ID}%2F{VIDEO_ID}",
    "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/lingo-media-uploads/o/raw_videos%2F{USER_ID}%2F{VIDEO_ID}?generation=1761825600123456&alt=media",
    "name": f"raw_videos/{USER_ID}/{VIDEO_ID}",
    "bucket": "lingo-media-uploads",
    "generation": "1761825600123456",
    "metageneration": "1",
    "contentType": "video/mp4",
    "storageClass": "STANDARD",
    "size": "1048576",
    "md5Hash": "1B2M2Y8AsgTpgAmY7PhCfg==",
    "crc32c": "AAAAAA==",
    "etag": "CJDn5ZbM8ogDEAE=",
    "timeCreated": "2025-10-30T12:00:00.123Z",
    "updated": "2025-10-30T12:00:00.123Z",
    "timeStorageClassUpdated": "2025-10-30T12:00:00.123Z",
    "timeFinalized": "2025-10-30T12:00:00.123Z",
}


def test_finalize_notification_validates() -> None:
    _assert_valid("gcs/object_finalize.attributes", FINALIZE_ATTRIBUTES)
    _assert_valid("gcs/object_finalize.attributes", {**FINALIZE_ATTRIBUTES, "overwroteGeneration": "1761825500000000"})
    # The harness workaround for upstream's UUID-only inbox adds attributes; they are allowed.
    _assert_valid("gcs/object_finalize.attributes", {**FINALIZE_ATTRIBUTES, "event_id": EVENT_ID, "event_type": "OBJECT_FINALIZE"})
    _assert_valid("gcs/object_resource", OBJECT_RESOURCE)


def test_composite_object_without_md5_validates() -> None:
    composite = {k: v for k, v in OBJECT_RESOURCE.items() if k != "md5Hash"} | {"componentCount": 2}
    _assert_valid("gcs/object_resource", composite)


@pytest.mark.parametrize(
    ("name", "base", "change", "fragment"),
    [
        ("gcs/object_finalize.attributes", FINALIZE_ATTRIBUTES, {"eventType": "OBJECT_DELETE"}, "$.eventType: 'OBJECT_FINALIZE' was expected"),
        ("gcs/object_finalize.attributes", FINALIZE_ATTRIBUTES, {"payloadFormat": "NONE"}, "$.payloadFormat"),
        ("gcs/object_finalize.attributes", FINALIZE_ATTRIBUTES, {"objectGeneration": "0x10"}, "$.objectGeneration"),
        ("gcs/object_finalize.attributes", FINALIZE_ATTRIBUTES, {"notificationConfig": "7"}, "$.notificationConfig"),
        ("gcs/object_resource", OBJECT_RESOURCE, {"size": 1048576}, "$.size: 1048576 is not of type 'string'"),
        ("gcs/object_resource", OBJECT_RESOURCE, {"generation": 1761825600123456}, "$.generation"),
        ("gcs/object_resource", OBJECT_RESOURCE, {"md5Hash": "d41d8cd98f00b204e9800998ecf8427e"}, "$.md5Hash"),
        ("gcs/object_resource", OBJECT_RESOURCE, {"kind": "storage#bucket"}, "$.kind"),
        ("gcs/object_resource", OBJECT_RESOURCE, {"timeCreated": "yesterday"}, "$.timeCreated"),
    ],
)
def test_broken_finalize_notifications_are_rejected(name: str, base: dict[str, Any], change: dict[str, Any], fragment: str) -> None:
    _assert_rejected(name, {**base, **change}, fragment)


def test_finalize_without_object_generation_is_rejected() -> None:
    attributes = {k: v for k, v in FINALIZE_ATTRIBUTES.items() if k != "objectGeneration"}
    _assert_rejected("gcs/object_finalize.attributes", attributes, "'objectGeneration' is a required property")


# -- Problem Details -------------------------------------------------------------------------

PROBLEM = {
    "type": "https://lingo.invalid/problems/validation-error",
    "title": "The request is invalid",
    "status": 400,
    "detail": "preferences.dailyQuotaMinutes must be at least 0, got -5",
    "instance": "/api/v1/profile/preferences",
    "reason": "VALIDATE_ERROR",
    "errors": [{"field": "preferences.dailyQuotaMinutes", "detail": "must be at least 0, got -5", "pointer": "#/preferences/dailyQuotaMinutes", "reason": "OUT_OF_RANGE"}],
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
}


def test_problem_document_validates() -> None:
    _assert_valid("problem_details", PROBLEM)
    _assert_valid("problem_details", {"type": "about:blank", "title": "Not Found", "status": 404})
    _assert_valid("problem_details", {**PROBLEM, "balance": 30})  # RFC 9457 extension members are allowed


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"status": 200}, "$.status: 200 is less than the minimum of 400"),
        ({"status": "400"}, "$.status"),
        ({"reason": "not found"}, "$.reason"),
        ({"errors": []}, "$.errors"),
        ({"errors": [{"field": "title"}]}, "'detail' is a required property"),
        ({"errors": [{"field": "title", "description": "x"}]}, "'description' was unexpected"),
        ({"type": "has spaces in it"}, "$.type"),
        ({"trace_id": "abc"}, "$.trace_id"),
    ],
)
def test_broken_problem_documents_are_rejected(change: dict[str, Any], fragment: str) -> None:
    _assert_rejected("problem_details", {**PROBLEM, **change}, fragment)


def test_problem_without_title_is_rejected() -> None:
    _assert_rejected("problem_details", {"type": "about:blank", "status": 500}, "'title' is a required property")


# -- the schemas' own examples (published with the schemas on the docs site's Events page) ----

_MESSAGE_SCHEMAS = [n for n in schemas.schema_names() if n not in ("protojson", "profile/v1/messages")]


@pytest.mark.parametrize("name", _MESSAGE_SCHEMAS)
def test_every_message_schema_has_valid_examples(name: str) -> None:
    examples = schemas.load_schema(name).get("examples", [])
    assert examples, f"{name}: add at least one example instance under 'examples' (the docs site publishes them)"
    for example in examples:
        _assert_valid(name, example)
