"""Profile events as the contract defines them (contracts/proto/profile/v1/events.proto, pubsub.yaml).

Payloads are the bare messages (no envelope); the Pub/Sub attributes say which one. Unlike
upstream, which sends only ``schema_version``, every event carries all seven required attributes.
The aggregate is the video (ordering key = video id); ``version`` is ``occurred_at`` in Unix
microseconds, as upstream computes it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf.message import Message

from contracts.gen.profile.v1 import events_pb2, profile_pb2
from reference_impl.adapters.outbox import NewEvent
from reference_impl.domain.video_events import rfc3339

ENGAGEMENT = "profile.engagement"
WATCH_LOG = "profile.watch_log"
ENGAGEMENT_ADDED = "profile.engagement.added"
ENGAGEMENT_REMOVED = "profile.engagement.removed"
WATCH_PROGRESSED = "profile.watch.progressed"
SCHEMA_VERSION = "v1"
#: ``source`` of engagement events: a user's own call, or the purge of their data.
SOURCE_USER = "user"
SOURCE_PURGE = "purge"


def _new_event(
    event_type: str, aggregate_type: str, event_id: uuid.UUID, video_id: uuid.UUID, occurred_at: datetime,
    payload: Message, idempotency_key: str,
) -> NewEvent:
    headers = {
        "event_id": str(event_id),
        "event_type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(video_id),
        "version": str(int(occurred_at.timestamp() * 1_000_000)),
        "occurred_at": rfc3339(occurred_at),
        "schema_version": SCHEMA_VERSION,
    }
    if idempotency_key:
        headers["idempotency_key"] = idempotency_key
    return NewEvent(
        event_id=event_id,
        aggregate_type=aggregate_type,
        aggregate_id=video_id,
        event_type=event_type,
        payload=payload.SerializeToString(),
        headers=headers,
    )


def engagement_flipped(
    *, added: bool, user_id: uuid.UUID, video_id: uuid.UUID, favorite_type: int, stats: profile_pb2.VideoStats,
    occurred_at: datetime, source: str = SOURCE_USER, idempotency_key: str = "",
) -> NewEvent:
    """``profile.engagement.added`` or ``.removed`` for a like/bookmark that really changed."""
    event_id = uuid.uuid4()
    common = {
        "event_id": str(event_id),
        "user_id": str(user_id),
        "video_id": str(video_id),
        "favorite_type": favorite_type,
        "source": source,
        "stats": stats,
    }
    if added:
        payload: Message = events_pb2.EngagementAddedEvent(**common)
    else:
        payload = events_pb2.EngagementRemovedEvent(**common)
        payload.deleted_at.FromDatetime(occurred_at.astimezone(UTC))
    payload.occurred_at.FromDatetime(occurred_at.astimezone(UTC))  # type: ignore[attr-defined]
    event_type = ENGAGEMENT_ADDED if added else ENGAGEMENT_REMOVED
    return _new_event(event_type, ENGAGEMENT, event_id, video_id, occurred_at, payload, idempotency_key)


def watch_progressed(
    *, user_id: uuid.UUID, video_id: uuid.UUID, progress: profile_pb2.WatchProgress, occurred_at: datetime,
    idempotency_key: str = "",
) -> NewEvent:
    """``profile.watch.progressed`` carrying the stored progress."""
    event_id = uuid.uuid4()
    payload = events_pb2.WatchProgressedEvent(
        event_id=str(event_id), user_id=str(user_id), video_id=str(video_id), progress=progress
    )
    return _new_event(WATCH_PROGRESSED, WATCH_LOG, event_id, video_id, occurred_at, payload, idempotency_key)
