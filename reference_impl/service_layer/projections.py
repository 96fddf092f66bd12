"""Read-model handlers: catalog video events → profile.videos_projection, profile engagement → catalog.

Each handler runs inside the inbox consumer's transaction (inbox insert → handler → mark), so its
writes commit together with the record that the event was processed, or not at all.

Rules pinned by features/projection:

- videos projection: every write is guarded by ``version < excluded.version``, so an older or
  equal version (a late or redelivered event) changes nothing; ``updated`` events carry only the
  changed fields, which are coalesced into the row; ``deleted`` leaves a tombstone (status
  ``deleted``, its version) that an older ``created`` cannot resurrect.
- engagement: a per-(user, video, kind) flag with the event's ``occurred_at``; an event not newer
  than the stored one is stale and ignored; the like/bookmark counters move only when the flag
  really flips. Watch events: ``watch_count`` + 1 per event, ``unique_watchers`` + 1 on the first
  event of a (video, user), first/last watch times as min/max.

Handlers are registered by event type in ``VIDEO_EVENT_HANDLERS`` / ``ENGAGEMENT_EVENT_HANDLERS``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from google.protobuf.timestamp_pb2 import Timestamp

from contracts.gen.profile.v1 import events_pb2 as profile_events
from contracts.gen.profile.v1 import profile_pb2
from contracts.gen.video.v1 import events_pb2 as video_events
from reference_impl import defects

#: videos_projection columns an event may set, and the payload field each comes from
_VIDEO_COLUMNS = (
    "title",
    "description",
    "duration_micros",
    "thumbnail_url",
    "hls_master_playlist",
    "status",
    "visibility_status",
    "published_at",
)


class InvalidEvent(ValueError):
    """The payload decodes but cannot be applied (unknown favourite type, malformed id or time)."""


@dataclass(frozen=True)
class VideoChange:
    """What one catalog event says about a video: its version and the fields it sets."""

    video_id: uuid.UUID
    version: int
    fields: dict[str, object]


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        msg = f"{what} {value!r} is not a UUID"
        raise InvalidEvent(msg) from None


def _rfc3339(value: str | None, what: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        msg = f"{what} {value!r} is not an RFC 3339 time"
        raise InvalidEvent(msg) from None


def video_change(event: video_events.Event) -> VideoChange:
    """The projection change a decoded ``video.v1.Event`` asks for (payload fields that are set)."""
    kind = event.WhichOneof("payload")
    if kind is None:
        msg = f"event {event.event_id} carries no payload"
        raise InvalidEvent(msg)
    payload = getattr(event, kind)
    version = payload.version or event.version
    fields: dict[str, object] = {}
    for column in _VIDEO_COLUMNS:
        if column in payload.DESCRIPTOR.fields_by_name and _is_set(payload, column):
            value = getattr(payload, column)
            fields[column] = _rfc3339(value, column) if column == "published_at" else value
    if kind == "deleted":
        fields["status"] = "deleted"
    return VideoChange(_uuid(payload.video_id or event.aggregate_id, "video_id"), version, fields)


def _is_set(message: object, name: str) -> bool:
    descriptor = message.DESCRIPTOR.fields_by_name[name]  # type: ignore[attr-defined]
    if descriptor.has_presence:
        return message.HasField(name)  # type: ignore[attr-defined]
    return bool(getattr(message, name))


def apply_video_created(conn: psycopg.Connection, change: VideoChange) -> None:
    """Insert the video, or overwrite an older version of it."""
    fields = {column: change.fields.get(column) for column in _VIDEO_COLUMNS}
    columns = ", ".join(fields)
    placeholders = ", ".join(f"%({c})s" for c in fields)
    updates = ", ".join(f"{c} = excluded.{c}" for c in fields)
    conn.execute(
        f"INSERT INTO profile.videos_projection AS p (video_id, version, {columns}, updated_at)"  # noqa: S608 - fixed column names
        f" VALUES (%(video_id)s, %(version)s, {placeholders}, now())"
        f" ON CONFLICT (video_id) DO UPDATE SET version = excluded.version, {updates}, updated_at = now()"
        f" WHERE {_newer('p.version', 'excluded.version')}",
        {"video_id": change.video_id, "version": change.version, **fields},
    )


def apply_video_changed(conn: psycopg.Connection, change: VideoChange) -> None:
    """Coalesce the changed fields into a row of an older version; unknown videos are left alone.

    A partial update cannot create a row (it may lack the title); the ``created`` event of the same
    ordering key always comes first, and a replay re-delivers it.
    """
    fields = dict(change.fields)
    if defects.active("projection-overwrites-partial-updates"):
        fields = {column: fields.get(column) for column in _VIDEO_COLUMNS if column != "title"}
    assignments = "".join(f", {column} = %({column})s" for column in fields)
    conn.execute(
        f"UPDATE profile.videos_projection SET version = %(version)s{assignments}, updated_at = now()"  # noqa: S608
        f" WHERE video_id = %(video_id)s AND {_newer('version', '%(version)s')}",
        {"video_id": change.video_id, "version": change.version, **fields},
    )


def apply_video_deleted(conn: psycopg.Connection, change: VideoChange) -> None:
    """Mark the video deleted at this version, leaving a tombstone even if it was never seen."""
    if defects.active("projection-ignores-deletes"):
        return
    conn.execute(
        "INSERT INTO profile.videos_projection AS p (video_id, title, status, version, updated_at)"
        " VALUES (%(video_id)s, '', 'deleted', %(version)s, now())"
        " ON CONFLICT (video_id) DO UPDATE SET status = 'deleted', version = excluded.version, updated_at = now()"
        f" WHERE {_newer('p.version', 'excluded.version')}",
        {"video_id": change.video_id, "version": change.version},
    )


def _newer(held: str, incoming: str) -> str:
    """The version guard: apply only what is newer than the version held."""
    return "true" if defects.active("projection-ignores-version") else f"{held} < {incoming}"


def handle_video_event(conn: psycopg.Connection, event: video_events.Event) -> None:
    """Apply one decoded catalog event to ``profile.videos_projection``."""
    change = video_change(event)
    kind = event.WhichOneof("payload")
    if kind == "created":
        apply_video_created(conn, change)
    elif kind == "deleted":
        apply_video_deleted(conn, change)
    else:
        apply_video_changed(conn, change)


# -- engagement -------------------------------------------------------------------------------------

_KINDS = {profile_pb2.FAVORITE_TYPE_LIKE: "liked", profile_pb2.FAVORITE_TYPE_BOOKMARK: "bookmarked"}
_COUNTERS = {"liked": "like_count", "bookmarked": "bookmark_count"}


def _time(stamp: Timestamp, fallback: datetime) -> datetime:
    if stamp.seconds == 0 and stamp.nanos == 0:
        return fallback
    return stamp.ToDatetime(tzinfo=UTC)


def apply_engagement(
    conn: psycopg.Connection,
    *,
    user_id: uuid.UUID,
    video_id: uuid.UUID,
    favorite_type: int,
    active: bool,
    occurred_at: datetime,
) -> bool:
    """Set one flag unless the event is stale; move the counter only on a flip. True if it flipped."""
    kind = _KINDS.get(favorite_type)
    if kind is None:
        name = profile_pb2.FavoriteType.Name(favorite_type) if favorite_type in profile_pb2.FavoriteType.values() else favorite_type
        msg = f"favorite_type {name} is neither LIKE nor BOOKMARK"
        raise InvalidEvent(msg)
    flag, stamp = f"has_{kind}", f"{kind}_occurred_at"
    conn.execute(
        "INSERT INTO catalog.video_user_engagements_projection (user_id, video_id) VALUES (%s, %s)"
        " ON CONFLICT (user_id, video_id) DO NOTHING",
        (user_id, video_id),
    )
    row = conn.execute(
        f"SELECT {flag}, {stamp} FROM catalog.video_user_engagements_projection"  # noqa: S608 - fixed names
        " WHERE user_id = %s AND video_id = %s FOR UPDATE",
        (user_id, video_id),
    ).fetchone()
    assert row is not None
    was_active, last_occurred = row
    if last_occurred is not None and occurred_at <= last_occurred and not defects.active("engagement-no-staleness-guard"):
        return False
    conn.execute(
        f"UPDATE catalog.video_user_engagements_projection SET {flag} = %s, {stamp} = %s, updated_at = now()"  # noqa: S608
        " WHERE user_id = %s AND video_id = %s",
        (active, occurred_at, user_id, video_id),
    )
    fresh_row_flips = defects.active("engagement-fresh-row-flips") and last_occurred is None
    if was_active == active and not fresh_row_flips and not defects.active("engagement-counts-every-event"):
        return False
    delta = 1 if active else -1
    counter = _COUNTERS[kind]
    conn.execute(
        f"INSERT INTO catalog.video_engagement_stats_projection AS s (video_id, {counter})"  # noqa: S608
        f" VALUES (%(video)s, greatest(%(delta)s, 0))"
        f" ON CONFLICT (video_id) DO UPDATE SET {counter} = greatest(s.{counter} + %(delta)s, 0), updated_at = now()",
        {"video": video_id, "delta": delta},
    )
    return True


def apply_watch(conn: psycopg.Connection, *, user_id: uuid.UUID, video_id: uuid.UUID, watched_at: datetime) -> bool:
    """Count one watch event; True when it is the (video, user)'s first."""
    first = conn.execute(
        "INSERT INTO catalog.video_engagement_watchers AS w (video_id, user_id, first_watched_at, last_watched_at)"
        " VALUES (%(video)s, %(user)s, %(at)s, %(at)s)"
        " ON CONFLICT (video_id, user_id) DO UPDATE SET"
        " first_watched_at = least(w.first_watched_at, excluded.first_watched_at),"
        " last_watched_at = greatest(w.last_watched_at, excluded.last_watched_at)"
        " RETURNING (xmax = 0)",
        {"video": video_id, "user": user_id, "at": watched_at},
    ).fetchone()[0]  # type: ignore[index]
    conn.execute(
        "INSERT INTO catalog.video_engagement_stats_projection AS s"
        " (video_id, watch_count, unique_watchers, first_watch_at, last_watch_at)"
        " VALUES (%(video)s, 1, %(new)s, %(at)s, %(at)s)"
        " ON CONFLICT (video_id) DO UPDATE SET watch_count = s.watch_count + 1,"
        " unique_watchers = s.unique_watchers + %(new)s,"
        " first_watch_at = least(s.first_watch_at, excluded.first_watch_at),"
        " last_watch_at = greatest(s.last_watch_at, excluded.last_watch_at), updated_at = now()",
        {"video": video_id, "new": int(first or defects.active("engagement-counts-every-watcher")), "at": watched_at},
    )
    return bool(first)


def handle_engagement_added(conn: psycopg.Connection, event: profile_events.EngagementAddedEvent, occurred: datetime) -> None:
    """``profile.engagement.added``: the flag becomes true (unless stale)."""
    apply_engagement(
        conn,
        user_id=_uuid(event.user_id, "user_id"),
        video_id=_uuid(event.video_id, "video_id"),
        favorite_type=event.favorite_type,
        active=True,
        occurred_at=_time(event.occurred_at, occurred),
    )


def handle_engagement_removed(
    conn: psycopg.Connection, event: profile_events.EngagementRemovedEvent, occurred: datetime
) -> None:
    """``profile.engagement.removed``: the flag becomes false (unless stale)."""
    apply_engagement(
        conn,
        user_id=_uuid(event.user_id, "user_id"),
        video_id=_uuid(event.video_id, "video_id"),
        favorite_type=event.favorite_type,
        active=False,
        occurred_at=_time(event.occurred_at, occurred),
    )


def handle_watch_progressed(
    conn: psycopg.Connection, event: profile_events.WatchProgressedEvent, occurred: datetime
) -> None:
    """``profile.watch.progressed``: watch time = last watched, else first watched, else occurred_at."""
    progress = event.progress
    watched = _time(progress.last_watched_at, _time(progress.first_watched_at, occurred))
    apply_watch(conn, user_id=_uuid(event.user_id, "user_id"), video_id=_uuid(event.video_id, "video_id"), watched_at=watched)


EngagementHandler = Callable[[psycopg.Connection, object, datetime], None]

#: event_type → (payload message type, handler)
ENGAGEMENT_EVENT_HANDLERS: dict[str, tuple[type, EngagementHandler]] = {
    "profile.engagement.added": (profile_events.EngagementAddedEvent, handle_engagement_added),  # type: ignore[dict-item]
    "profile.engagement.removed": (profile_events.EngagementRemovedEvent, handle_engagement_removed),  # type: ignore[dict-item]
    "profile.watch.progressed": (profile_events.WatchProgressedEvent, handle_watch_progressed),  # type: ignore[dict-item]
}

#: catalog event types the videos projection applies (all carry a ``video.v1.Event``)
VIDEO_EVENT_TYPES = (
    "catalog.video.created",
    "catalog.video.updated",
    "catalog.video.deleted",
    "catalog.video.media_ready",
    "catalog.video.ai_enriched",
    "catalog.video.processing_failed",
    "catalog.video.visibility_changed",
)
