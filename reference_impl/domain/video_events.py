"""Catalog video events as the contract defines them (contracts/proto/video/v1/events.proto).

An event is a ``video.v1.Event`` envelope (binary protobuf) plus the Pub/Sub attributes every
event carries. ``version`` is the video row's version, so it grows with every change of the video.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from contracts.gen.video.v1 import events_pb2
from reference_impl.adapters.outbox import NewEvent

AGGREGATE_TYPE = "video"
SCHEMA_VERSION = "v1"
CREATED = "catalog.video.created"
UPDATED = "catalog.video.updated"


def rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 with microseconds and a ``Z`` (what upstream's RFC3339Nano prints, zeros trimmed)."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"


def _event(event_type: str, kind: int, video_id: uuid.UUID, version: int, occurred_at: datetime, **payload) -> NewEvent:  # noqa: ANN003
    event_id = uuid.uuid4()
    occurred = rfc3339(occurred_at)
    envelope = events_pb2.Event(
        event_id=str(event_id),
        event_type=kind,
        aggregate_id=str(video_id),
        aggregate_type=AGGREGATE_TYPE,
        version=version,
        occurred_at=occurred,
        **payload,
    )
    return NewEvent(
        event_id=event_id,
        aggregate_type=AGGREGATE_TYPE,
        aggregate_id=video_id,
        event_type=event_type,
        payload=envelope.SerializeToString(),
        headers={
            "event_id": str(event_id),
            "event_type": event_type,
            "aggregate_type": AGGREGATE_TYPE,
            "aggregate_id": str(video_id),
            "version": str(version),
            "occurred_at": occurred,
            "schema_version": SCHEMA_VERSION,
        },
    )


def video_created(
    *,
    video_id: uuid.UUID,
    uploader_id: uuid.UUID,
    title: str,
    description: str | None,
    status: str,
    media_status: str,
    analysis_status: str,
    version: int,
    occurred_at: datetime,
) -> NewEvent:
    """``catalog.video.created`` for a new video row."""
    created = events_pb2.Event.VideoCreated(
        video_id=str(video_id),
        uploader_id=str(uploader_id),
        title=title,
        version=version,
        occurred_at=rfc3339(occurred_at),
        status=status,
        media_status=media_status,
        analysis_status=analysis_status,
    )
    if description is not None:
        created.description = description
    return _event(CREATED, events_pb2.EVENT_TYPE_VIDEO_CREATED, video_id, version, occurred_at, created=created)


def video_updated(*, video_id: uuid.UUID, version: int, occurred_at: datetime, **changed: str) -> NewEvent:
    """``catalog.video.updated`` carrying only the fields that changed."""
    updated = events_pb2.Event.VideoUpdated(
        video_id=str(video_id), version=version, occurred_at=rfc3339(occurred_at), **changed
    )
    return _event(UPDATED, events_pb2.EVENT_TYPE_VIDEO_UPDATED, video_id, version, occurred_at, updated=updated)
