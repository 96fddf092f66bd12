"""contracts/pubsub.yaml: loads, is internally consistent, and agrees with the other contracts.

Every subscription's topic and dead-letter topic exist, each dead-letter topic has a reader, the
names are upstream's, the per-topic required attributes are exactly what the attribute JSON Schema
requires, payload types exist in the protos, and the loader rejects broken files with a message
that names the entry.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import descriptor_pool

from contracts import schemas
from contracts.gen.profile.v1 import events_pb2 as _profile_events  # noqa: F401 - registers profile.v1 types
from contracts.gen.video.v1 import events_pb2 as _video_events  # noqa: F401 - registers video.v1 types
from contracts.topology import TopologyError, load_topology, parse_topology

TOPOLOGY = load_topology()
EVENT_TOPICS = ["catalog.video.events", "profile.engagement.events"]


def _document() -> dict[str, Any]:
    path = Path(schemas.__file__).with_name("pubsub.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_upstream_topic_and_subscription_names() -> None:
    assert set(TOPOLOGY.topics) == {
        "catalog.video.events", "catalog.video.events.dlq",
        "profile.engagement.events", "profile.engagement.events.dlq",
        "catalog.video-uploads", "catalog.video-uploads.dlq",
    }  # fmt: skip
    for upstream_name in ("catalog.video.events.catalog-reader", "catalog.profile-engagement.consumer", "catalog.video-uploads.runner"):
        assert upstream_name in TOPOLOGY.subscriptions, f"upstream's subscription {upstream_name} must exist (real services read it)"


def test_every_subscription_points_at_declared_topics() -> None:
    for sub in TOPOLOGY.subscriptions.values():
        assert sub.topic in TOPOLOGY.topics, f"{sub.name}: topic {sub.topic} is not declared"
        if sub.dead_letter_topic is not None:
            assert sub.dead_letter_topic in TOPOLOGY.topics, f"{sub.name}: dead-letter topic {sub.dead_letter_topic} is not declared"
            assert TOPOLOGY.topics[sub.dead_letter_topic].is_dead_letter
            assert 5 <= sub.max_delivery_attempts <= 100


def test_consumer_subscriptions_dead_letter_and_dead_letter_topics_have_readers() -> None:
    for name in ("catalog.video.events.catalog-reader", "catalog.video.events.profile-inbox", "catalog.profile-engagement.consumer", "catalog.video-uploads.runner"):
        sub = TOPOLOGY.subscriptions[name]
        assert sub.dead_letter_topic == f"{sub.topic}.dlq", f"{name}: expected dead-letter topic {sub.topic}.dlq, got {sub.dead_letter_topic}"
        assert sub.max_delivery_attempts == 5 and sub.ack_deadline_seconds == 60
    for topic in TOPOLOGY.topics.values():
        if topic.is_dead_letter:
            assert TOPOLOGY.subscriptions_of(topic.name), f"dead-letter topic {topic.name} has no subscription; forwarded messages would be lost"


def test_dead_letters_keep_their_ordering_key_and_the_contract_checks_it() -> None:
    for topic in TOPOLOGY.topics.values():
        assert topic.keeps_ordering_key is (True if topic.is_dead_letter else None), topic.name
    video = "5b0d3c4e-8f1a-4c57-9a0e-2b7d9e1f3a64"
    kept = TOPOLOGY.message_violations("catalog.video.events.dlq", {"aggregate_id": video}, video)
    assert kept == []
    dropped = TOPOLOGY.message_violations("catalog.video.events.dlq", {"aggregate_id": video}, "")
    assert dropped and "forwarded_ordering_key: kept" in dropped[0]
    assert TOPOLOGY.message_violations("catalog.video-uploads.dlq", {"bucketId": "b"}, "some-key")


def test_projection_subscriptions_retain_acknowledged_messages_for_rebuilds() -> None:
    from reference_impl.entrypoints.projection_consumers import PROJECTIONS  # noqa: PLC0415

    for spec in PROJECTIONS.values():
        assert TOPOLOGY.subscriptions[spec.subscription].retain_acked_messages, (
            f"{spec.subscription} must retain acknowledged messages: a rebuild seeks it back in time"
        )
    assert not TOPOLOGY.subscriptions["catalog.video-uploads.runner"].retain_acked_messages


@pytest.mark.parametrize("topic_name", EVENT_TOPICS)
def test_event_topics_require_the_attribute_schema_and_order_by_aggregate(topic_name: str) -> None:
    topic = TOPOLOGY.topics[topic_name]
    required_by_schema = schemas.load_schema(topic.attributes_schema)["required"]
    assert list(topic.required_attributes) == required_by_schema, (
        f"{topic_name}: required_attributes {list(topic.required_attributes)} differ from {topic.attributes_schema}.schema.json {required_by_schema}"
    )
    assert topic.ordering_key == "aggregate_id", "ordering key = aggregate id (DESIGN.md §3)"
    assert topic.payload.encoding == "protobuf_binary"
    for sub in TOPOLOGY.subscriptions_of(topic_name):
        assert sub.enable_message_ordering, f"{sub.name}: subscriptions of {topic_name} must enable ordering, or per-aggregate order is lost"


def test_upload_topic_carries_gcs_finalize_notifications() -> None:
    topic = TOPOLOGY.topics["catalog.video-uploads"]
    assert topic.payload.encoding == "gcs_json_api_v1" and topic.payload.json_schema == "gcs/object_resource"
    assert list(topic.required_attributes) == schemas.load_schema(topic.attributes_schema)["required"]
    assert topic.ordering_key is None
    assert list(topic.event_types) == ["OBJECT_FINALIZE"]


def test_event_types_are_well_formed_and_their_types_exist() -> None:
    event_type_pattern = re.compile(schemas.load_schema("attributes")["properties"]["event_type"]["pattern"])
    aggregate_type_pattern = re.compile(schemas.load_schema("attributes")["properties"]["aggregate_type"]["pattern"])
    pool = descriptor_pool.Default()
    for name in EVENT_TOPICS:
        topic = TOPOLOGY.topics[name]
        for aggregate_type in topic.aggregate_types:
            assert aggregate_type_pattern.match(aggregate_type), f"{name}: aggregate type {aggregate_type!r} violates the attribute schema"
        for event_type, message_type in topic.event_types.items():
            assert event_type_pattern.match(event_type), f"{name}: event type {event_type!r} violates the attribute schema"
            pool.FindMessageTypeByName(message_type)  # raises KeyError naming the missing type
            json_schema = topic.json_schema_for(event_type)
            assert json_schema in schemas.schema_names(), f"{name}: {event_type} has no JSON Schema for its payload (got {json_schema!r})"


def test_topic_for_event_type() -> None:
    assert TOPOLOGY.topic_for_event_type("profile.watch.progressed").name == "profile.engagement.events"
    with pytest.raises(KeyError, match="no topic carries event type 'catalog.video.renamed'"):
        TOPOLOGY.topic_for_event_type("catalog.video.renamed")


# -- the loader rejects broken files --------------------------------------------------------------


def _break_unknown_topic(doc: dict[str, Any]) -> None:
    doc["subscriptions"]["catalog.video-uploads.runner"]["topic"] = "video-uploads"


def _break_undeclared_dlq(doc: dict[str, Any]) -> None:
    del doc["topics"]["catalog.video-uploads.dlq"]


def _break_ack_deadline(doc: dict[str, Any]) -> None:
    doc["subscriptions"]["catalog.video-uploads.runner"]["ack_deadline_seconds"] = 5


def _break_attempts(doc: dict[str, Any]) -> None:
    doc["defaults"]["max_delivery_attempts"] = 3


def _break_ordering(doc: dict[str, Any]) -> None:
    doc["subscriptions"]["catalog.video-uploads.runner"]["enable_message_ordering"] = True


def _break_dlq_reader(doc: dict[str, Any]) -> None:
    del doc["subscriptions"]["catalog.video-uploads.dlq.conformance-inspector"]


def _break_foreign_dlq(doc: dict[str, Any]) -> None:
    doc["subscriptions"]["catalog.video-uploads.runner"]["dead_letter_topic"] = "catalog.video.events.dlq"


def _break_forwarded_key(doc: dict[str, Any]) -> None:
    del doc["topics"]["catalog.video.events.dlq"]["forwarded_ordering_key"]


def _break_version(doc: dict[str, Any]) -> None:
    doc["schema_version"] = 2


@pytest.mark.parametrize(
    ("breaker", "fragment"),
    [
        (_break_unknown_topic, "subscriptions.catalog.video-uploads.runner.topic: 'video-uploads' is not declared under topics"),
        (_break_undeclared_dlq, "dead_letter_topic: 'catalog.video-uploads.dlq' is not declared"),
        (_break_ack_deadline, "ack_deadline_seconds: expected an integer in 10..600"),
        (_break_attempts, "max_delivery_attempts: expected an integer in 5..100"),
        (_break_ordering, "enable_message_ordering is true but topic 'catalog.video-uploads' is published without ordering keys"),
        (_break_dlq_reader, "a dead-letter topic without a subscription"),
        (_break_foreign_dlq, "expected the topic's own 'catalog.video-uploads.dlq'"),
        (_break_forwarded_key, "topics.catalog.video.events.dlq: missing key 'forwarded_ordering_key'"),
        (_break_version, "schema_version: 1"),
    ],
)
def test_broken_topologies_are_rejected_with_the_entry_named(breaker: Any, fragment: str) -> None:
    document = copy.deepcopy(_document())
    breaker(document)
    with pytest.raises(TopologyError) as info:
        parse_topology(document)
    assert fragment in str(info.value), f"expected the error to say {fragment!r}, got: {info.value}"


# -- whole-message checks ------------------------------------------------------------------------

VIDEO_ID = "0b7e3c52-8f0e-4f55-9b1a-3c3f7d1e2a10"
USER_ID = "5f1d9c8e-2b7a-4c3e-8d6f-1a2b3c4d5e6f"
EVENT_ID = "c1a7e0f4-6d2b-4e8a-9f3c-7b5d1e2f3a4b"
VIDEO_ATTRIBUTES = {
    "event_id": EVENT_ID,
    "event_type": "catalog.video.updated",
    "aggregate_type": "video",
    "aggregate_id": VIDEO_ID,
    "version": "1761825601000000",
    "occurred_at": "2025-10-30T12:00:01Z",
    "schema_version": "v1",
}
VIDEO_PAYLOAD = {
    "eventId": EVENT_ID,
    "eventType": "EVENT_TYPE_VIDEO_UPDATED",
    "aggregateId": VIDEO_ID,
    "aggregateType": "video",
    "version": "1761825601000000",
    "occurredAt": "2025-10-30T12:00:01Z",
    "updated": {"videoId": VIDEO_ID, "version": "1761825601000000", "occurredAt": "2025-10-30T12:00:01Z", "status": "processing"},
}


def test_a_conforming_video_event_has_no_violations() -> None:
    assert TOPOLOGY.message_violations("catalog.video.events", VIDEO_ATTRIBUTES, VIDEO_ID, VIDEO_PAYLOAD) == []


@pytest.mark.parametrize(
    ("attributes", "ordering_key", "payload", "fragment"),
    [
        ({**VIDEO_ATTRIBUTES, "event_type": "profile.engagement.added"}, VIDEO_ID, None, "is not carried by catalog.video.events"),
        ({**VIDEO_ATTRIBUTES, "aggregate_type": "profile.engagement"}, VIDEO_ID, None, "aggregate_type 'profile.engagement' is not one of ['video']"),
        (VIDEO_ATTRIBUTES, "", None, "ordering key '' must be the aggregate_id attribute"),
        ({k: v for k, v in VIDEO_ATTRIBUTES.items() if k != "schema_version"}, VIDEO_ID, None, "attributes $: 'schema_version' is a required property"),
        (VIDEO_ATTRIBUTES, VIDEO_ID, {**VIDEO_PAYLOAD, "version": "1761825600000000"}, "attribute version='1761825601000000' differs from payload version"),
        (VIDEO_ATTRIBUTES, VIDEO_ID, {**VIDEO_PAYLOAD, "eventId": USER_ID}, "attribute event_id="),
        (VIDEO_ATTRIBUTES, VIDEO_ID, {k: v for k, v in VIDEO_PAYLOAD.items() if k != "updated"}, "payload $: expected exactly one of 7"),
    ],
)
def test_nonconforming_messages_are_named(attributes: dict[str, str], ordering_key: str, payload: Any, fragment: str) -> None:
    problems = TOPOLOGY.message_violations("catalog.video.events", attributes, ordering_key, payload)
    assert any(fragment in p for p in problems), f"expected a violation containing {fragment!r}, got {problems}"


def test_profile_events_are_checked_against_their_own_payload_schema() -> None:
    attributes = {**VIDEO_ATTRIBUTES, "event_type": "profile.engagement.added", "aggregate_type": "profile.engagement"}
    payload = {"eventId": EVENT_ID, "userId": USER_ID, "videoId": VIDEO_ID, "favoriteType": "FAVORITE_TYPE_LIKE", "occurredAt": "2025-10-30T12:00:01Z"}
    assert TOPOLOGY.message_violations("profile.engagement.events", attributes, VIDEO_ID, payload) == []
    wrong_video = {**payload, "videoId": USER_ID}
    problems = TOPOLOGY.message_violations("profile.engagement.events", attributes, VIDEO_ID, wrong_video)
    assert any("differs from payload videoId" in p for p in problems), problems


def test_gcs_notifications_are_unordered_and_match_their_object() -> None:
    attributes = {
        "notificationConfig": "projects/_/buckets/lingo-media-uploads/notificationConfigs/7",
        "eventType": "OBJECT_FINALIZE",
        "payloadFormat": "JSON_API_V1",
        "bucketId": "lingo-media-uploads",
        "objectId": f"raw_videos/{USER_ID}/{VIDEO_ID}",
        "objectGeneration": "1761825600123456",
        "eventTime": "2025-10-30T12:00:00.123456Z",
    }
    payload = {
        "kind": "storage#object", "id": f"lingo-media-uploads/raw_videos/{USER_ID}/{VIDEO_ID}/1761825600123456",
        "selfLink": "https://www.googleapis.com/storage/v1/b/lingo-media-uploads/o/x", "name": f"raw_videos/{USER_ID}/{VIDEO_ID}",
        "bucket": "lingo-media-uploads", "generation": "1761825600123456", "metageneration": "1", "size": "10",
        "crc32c": "AAAAAA==", "etag": "CJDn5ZbM8ogDEAE=", "timeCreated": "2025-10-30T12:00:00.123Z",
        "updated": "2025-10-30T12:00:00.123Z", "storageClass": "STANDARD",
    }  # fmt: skip
    assert TOPOLOGY.message_violations("catalog.video-uploads", attributes, "", payload) == []
    problems = TOPOLOGY.message_violations("catalog.video-uploads", attributes, f"raw_videos/{USER_ID}/{VIDEO_ID}", {**payload, "generation": "2"})
    assert any("must be empty (this topic is unordered)" in p for p in problems), problems
    assert any("attribute objectGeneration='1761825600123456' differs from payload generation='2'" in p for p in problems), problems
