"""Catalog video events as the contract defines them (contracts/proto/video/v1/events.proto).

An event is a ``video.v1.Event`` envelope (binary protobuf) plus the Pub/Sub attributes every
event carries. ``version`` is the video row's version, so it grows with every change of the video.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contracts.gen.video.v1 import events_pb2
from reference_impl.adapters.outbox import NewEvent

AGGREGATE_TYPE = "video"
SCHEMA_VERSION = "v1"
CREATED = "catalog.video.created"
UPDATED = "catalog.video.updated"
MEDIA_READY = "catalog.video.media_ready"
AI_ENRICHED = "catalog.video.ai_enriched"
PROCESSING_FAILED = "catalog.video.processing_failed"
VISIBILITY_CHANGED = "catalog.video.visibility_changed"


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


def _present(row: Mapping[str, Any], *columns: str) -> dict[str, Any]:
    """The row's non-empty values of ``columns``, as event fields (timestamps as RFC 3339)."""
    fields = {}
    for column in columns:
        value = row.get(column)
        if value in (None, []):
            continue
        fields[column] = rfc3339(value) if isinstance(value, datetime) else value
    return fields


def milestones(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[NewEvent]:
    """The stage milestone events of a change (seed 001; upstream v0.1.0's extra events).

    ``media_ready`` when the media stage became ready, ``ai_enriched`` when the analysis stage
    became ready, ``processing_failed`` when a stage became failed; none when no stage status moved.
    """
    events = []
    common = {"video_id": str(after["video_id"]), "version": after["version"], "occurred_at": rfc3339(after["updated_at"])}
    states = {"status": after["status"], "media_status": after["media_status"], "analysis_status": after["analysis_status"]}
    for stage in ("media", "analysis"):
        became = after[f"{stage}_status"] if after[f"{stage}_status"] != before[f"{stage}_status"] else None
        job = _present(after, f"{stage}_job_id", f"{stage}_emitted_at")
        job = {key.removeprefix(f"{stage}_"): value for key, value in job.items()}
        if became == "ready" and stage == "media":
            artefacts = _present(after, "duration_micros", "encoded_resolution", "encoded_bitrate", "thumbnail_url",
                                 "hls_master_playlist")
            payload = events_pb2.Event.VideoMediaReady(**common, **states, **artefacts, **job)
            events.append(_event(MEDIA_READY, events_pb2.EVENT_TYPE_VIDEO_MEDIA_READY, after["video_id"],
                                 after["version"], after["updated_at"], media_ready=payload))
        elif became == "ready":
            results = _present(after, "difficulty", "summary", "tags", "raw_subtitle_url")
            payload = events_pb2.Event.VideoAIEnriched(**common, **states, **results, **job)
            events.append(_event(AI_ENRICHED, events_pb2.EVENT_TYPE_VIDEO_AI_ENRICHED, after["video_id"],
                                 after["version"], after["updated_at"], ai_enriched=payload))
        elif became == "failed":
            payload = events_pb2.Event.VideoProcessingFailed(
                **common, **states, **_present(after, "error_message"), **job, failed_stage=stage
            )
            events.append(_event(PROCESSING_FAILED, events_pb2.EVENT_TYPE_VIDEO_PROCESSING_FAILED, after["video_id"],
                                 after["version"], after["updated_at"], processing_failed=payload))
    return events


def visibility_changed(before: Mapping[str, Any], after: Mapping[str, Any], reason: str | None) -> NewEvent:
    """``catalog.video.visibility_changed`` of a visibility action (publish, reject, override)."""
    payload = events_pb2.Event.VideoVisibilityChanged(
        video_id=str(after["video_id"]),
        version=after["version"],
        occurred_at=rfc3339(after["updated_at"]),
        status=after["status"],
        previous_status=before["status"],
        visibility_status=after["visibility_status"],
        **({"reason": reason} if reason else {}),
        **({"published_at": rfc3339(after["publish_at"])} if after.get("publish_at") else {}),
    )
    return _event(VISIBILITY_CHANGED, events_pb2.EVENT_TYPE_VIDEO_VISIBILITY_CHANGED, after["video_id"],
                  after["version"], after["updated_at"], visibility_changed=payload)
