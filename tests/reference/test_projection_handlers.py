"""Projection handlers against a real PostgreSQL: the read-model rules, one transaction per call.

The black-box scenarios are in features/projection; these pin the SQL of each rule directly, and
how the consumers decode (or refuse) a message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from reference_impl.adapters.migrations import migrate
from reference_impl.entrypoints.inbox_consumer import UndecodableMessage
from reference_impl.entrypoints.projection_consumers import identify_engagement_event, identify_video_event
from reference_impl.service_layer import projections
from steps.driver.outbox import engagement_event, video_event, watch_event

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeMessage:
    """The parts of a Pub/Sub message the consumers read."""

    data: bytes
    attributes: dict[str, str]
    message_id: str = "1"
    publish_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    acked: int = 0
    nacked: int = 0

    def ack(self) -> None:
        self.acked += 1

    def nack(self) -> None:
        self.nacked += 1


@pytest.fixture
def conn(fresh_database: str) -> Iterator[psycopg.Connection]:
    migrate(fresh_database)
    with psycopg.connect(fresh_database, autocommit=True) as connection:
        yield connection


def apply_video(conn: psycopg.Connection, event_type: str, video: str, version: int, **fields: object) -> None:
    message = video_event(event_type, video, version, **fields)
    projections.handle_video_event(conn, identify_video_event(FakeMessage(message.data, message.attributes)).decoded)


def video_row(conn: psycopg.Connection, video: str) -> tuple | None:
    return conn.execute(
        "SELECT title, description, status, version FROM profile.videos_projection WHERE video_id = %s", (video,)
    ).fetchone()


def test_created_then_newer_update_then_older_update(conn: psycopg.Connection) -> None:
    video = str(uuid.uuid4())
    apply_video(conn, "catalog.video.created", video, 1, title="first")
    apply_video(conn, "catalog.video.updated", video, 3, title="third")
    apply_video(conn, "catalog.video.updated", video, 2, title="second")
    apply_video(conn, "catalog.video.updated", video, 3, title="third again")
    assert video_row(conn, video) == ("third", None, "processing", 3)


def test_partial_updates_merge_into_the_row(conn: psycopg.Connection) -> None:
    video = str(uuid.uuid4())
    apply_video(conn, "catalog.video.created", video, 1, title="first")
    apply_video(conn, "catalog.video.updated", video, 2, description="about cats")
    apply_video(conn, "catalog.video.updated", video, 3, status="ready")
    assert video_row(conn, video) == ("first", "about cats", "ready", 3)


def test_an_update_of_an_unknown_video_changes_nothing(conn: psycopg.Connection) -> None:
    video = str(uuid.uuid4())
    apply_video(conn, "catalog.video.updated", video, 2, title="orphan")
    assert video_row(conn, video) is None


def test_a_deletion_leaves_a_tombstone_an_older_create_cannot_overwrite(conn: psycopg.Connection) -> None:
    video = str(uuid.uuid4())
    apply_video(conn, "catalog.video.deleted", video, 2)
    apply_video(conn, "catalog.video.created", video, 1, title="zombie")
    assert video_row(conn, video) == ("", None, "deleted", 2)


def engagement(conn: psycopg.Connection, action: str, kind: str, user: str, video: str, minute: int) -> None:
    message = engagement_event(action, kind, user_id=user, video_id=video, occurred_at=T0 + timedelta(minutes=minute))
    event = identify_engagement_event(FakeMessage(message.data, message.attributes))
    handler = projections.ENGAGEMENT_EVENT_HANDLERS[event.event_type][1]
    handler(conn, event.decoded, T0)


def stats(conn: psycopg.Connection, video: str) -> tuple | None:
    return conn.execute(
        "SELECT like_count, bookmark_count, watch_count, unique_watchers, first_watch_at, last_watch_at"
        " FROM catalog.video_engagement_stats_projection WHERE video_id = %s",
        (video,),
    ).fetchone()


def test_counters_move_only_when_a_flag_flips_and_stale_events_are_ignored(conn: psycopg.Connection) -> None:
    user, other, video = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    engagement(conn, "added", "like", user, video, 1)
    engagement(conn, "added", "like", user, video, 2)  # no flip
    engagement(conn, "removed", "like", user, video, 0)  # stale
    engagement(conn, "added", "like", other, video, 3)
    engagement(conn, "removed", "bookmark", other, video, 4)  # never bookmarked: no flip
    assert stats(conn, video)[:2] == (2, 0)
    engagement(conn, "removed", "like", user, video, 5)
    assert stats(conn, video)[:2] == (1, 0)
    flags = conn.execute(
        "SELECT has_liked, liked_occurred_at FROM catalog.video_user_engagements_projection WHERE user_id = %s", (user,)
    ).fetchone()
    assert flags == (False, T0 + timedelta(minutes=5))


def test_watches_count_each_event_and_each_watcher_once(conn: psycopg.Connection) -> None:
    user, other, video = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    for who, minute in ((user, 20), (user, 10), (other, 15)):
        message = watch_event(user_id=who, video_id=video, watched_at=T0 + timedelta(minutes=minute))
        event = identify_engagement_event(FakeMessage(message.data, message.attributes))
        projections.handle_watch_progressed(conn, event.decoded, T0)
    assert stats(conn, video)[2:] == (3, 2, T0 + timedelta(minutes=10), T0 + timedelta(minutes=20))


def test_an_unknown_favourite_type_is_invalid(conn: psycopg.Connection) -> None:
    with pytest.raises(projections.InvalidEvent, match="neither LIKE nor BOOKMARK"):
        projections.apply_engagement(
            conn, user_id=uuid.uuid4(), video_id=uuid.uuid4(), favorite_type=0, active=True, occurred_at=T0
        )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"schema_version": "v99"}, "schema_version 'v99'"),
        ({"event_id": "nope"}, "not a UUID"),
        ({"event_type": None}, "event_type is missing"),
        ({"data": b"\xff\xff\xff"}, "not a video.v1.Event"),
        ({"data": b""}, "without created/updated/deleted"),
    ],
)
def test_undecodable_video_messages_are_refused(change: dict, reason: str) -> None:
    message = video_event("catalog.video.updated", str(uuid.uuid4()), 2, title="x")
    attributes, data = dict(message.attributes), change.pop("data", message.data)
    for key, value in change.items():
        if value is None:
            attributes.pop(key)
        else:
            attributes[key] = value
    with pytest.raises(UndecodableMessage, match=reason):
        identify_video_event(FakeMessage(data, attributes))
