"""The two projection consumers: how their messages are decoded, and factories that build them.

- ``catalog.video.events.profile-inbox`` → ``profile.videos_projection`` (profile's catalog inbox):
  ``video.v1.Event`` envelopes, inbox in schema ``profile``, source service ``catalog``.
- ``catalog.profile-engagement.consumer`` → catalog's ``video_user_engagements_projection``,
  ``video_engagement_stats_projection`` and ``video_engagement_watchers``: bare ``profile.v1``
  event messages chosen by ``event_type``, inbox in schema ``catalog``, source service ``profile``.

A message is undecodable (nacked, so the subscription's dead-letter policy moves it to the DLQ
after its max delivery attempts) when its ``event_id`` is not a UUID, its ``event_type`` is
missing, its ``schema_version`` is not one we understand, or its payload does not parse.

``ProjectionFaults`` is a fault switch for the conformance suite (off by default, reachable only
when the reference advertises ``faults``): it makes the next handler runs fail after their writes,
so the rollback-and-redelivery path can be observed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from google.protobuf.message import DecodeError
from psycopg_pool import ConnectionPool

from contracts.gen.video.v1 import events_pb2 as video_events
from reference_impl import defects
from reference_impl.entrypoints.inbox_consumer import (
    ConsumerMetrics,
    Handler,
    InboundEvent,
    InboxConsumer,
    Message,
    UndecodableMessage,
)
from reference_impl.service_layer import projections

#: the schema versions these consumers understand
KNOWN_SCHEMA_VERSIONS = frozenset({"v1"})


@dataclass(frozen=True)
class ProjectionSpec:
    """One projection: where its messages come from and where it keeps its state.

    Attributes:
        name: how operators name it (``python -m reference_impl.redrive rebuild NAME``).
        subscription: subscription id (contracts/pubsub.yaml) its consumer reads.
        schema: schema of its tables and of the inbox it records events in.
        source_service: the ``source_service`` of its inbox rows.
        tables: its read-model tables, emptied by a rebuild.
    """

    name: str
    subscription: str
    schema: str
    source_service: str
    tables: tuple[str, ...]


PROFILE_VIDEOS = ProjectionSpec(
    name="profile-videos",
    subscription="catalog.video.events.profile-inbox",
    schema="profile",
    source_service="catalog",
    tables=("profile.videos_projection",),
)
CATALOG_ENGAGEMENT = ProjectionSpec(
    name="catalog-engagement",
    subscription="catalog.profile-engagement.consumer",
    schema="catalog",
    source_service="profile",
    tables=(
        "catalog.video_user_engagements_projection",
        "catalog.video_engagement_stats_projection",
        "catalog.video_engagement_watchers",
    ),
)
PROJECTIONS = {spec.name: spec for spec in (PROFILE_VIDEOS, CATALOG_ENGAGEMENT)}


class InjectedHandlerFailure(RuntimeError):
    """Raised by a handler the fault switch told to fail (after its writes, so they roll back)."""


class ProjectionFaults:
    """Fault switch: make the next ``count`` handler runs (optionally of one event type) fail."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining = 0
        self._event_type: str | None = None

    def fail_next(self, count: int, event_type: str | None = None) -> None:
        """Arm the switch (``count`` 0 disarms it)."""
        with self._lock:
            self._remaining, self._event_type = count, event_type

    def take(self, event_type: str) -> bool:
        """True (and one use consumed) when this run must fail."""
        with self._lock:
            if self._remaining > 0 and self._event_type in (None, event_type):
                self._remaining -= 1
                return True
            return False


def _attributes(message: Message) -> tuple[uuid.UUID, str, dict[str, str]]:
    attributes = dict(message.attributes)
    raw_id = attributes.get("event_id", "")
    try:
        event_id = uuid.UUID(raw_id)
    except ValueError:
        msg = f"attribute event_id {raw_id!r} is not a UUID"
        raise UndecodableMessage(msg) from None
    event_type = attributes.get("event_type")
    if not event_type:
        msg = "attribute event_type is missing"
        raise UndecodableMessage(msg)
    schema_version = attributes.get("schema_version")
    if schema_version not in KNOWN_SCHEMA_VERSIONS and not defects.active("projection-accepts-unknown-schema-versions"):
        msg = f"schema_version {schema_version!r} is not one this consumer understands ({sorted(KNOWN_SCHEMA_VERSIONS)})"
        raise UndecodableMessage(msg)
    return event_id, event_type, attributes


def identify_video_event(message: Message) -> InboundEvent:
    """Decode a ``catalog.video.events`` message into an event carrying its ``video.v1.Event``."""
    event_id, event_type, attributes = _attributes(message)
    envelope = video_events.Event()
    try:
        envelope.ParseFromString(message.data)
    except DecodeError as exc:
        msg = f"payload is not a video.v1.Event: {exc}"
        raise UndecodableMessage(msg) from None
    if envelope.WhichOneof("payload") is None:
        msg = "payload is a video.v1.Event without created/updated/deleted/... content"
        raise UndecodableMessage(msg)
    if envelope.event_id and envelope.event_id != str(event_id):
        msg = f"payload event_id {envelope.event_id} differs from attribute event_id {event_id}"
        raise UndecodableMessage(msg)
    return InboundEvent(
        event_id=event_id,
        event_type=event_type,
        aggregate_type=attributes.get("aggregate_type"),
        aggregate_id=attributes.get("aggregate_id"),
        data=message.data,
        attributes=attributes,
        decoded=envelope,
    )


def identify_engagement_event(message: Message) -> InboundEvent:
    """Decode a ``profile.engagement.events`` message into its ``profile.v1`` event message."""
    event_id, event_type, attributes = _attributes(message)
    known = projections.ENGAGEMENT_EVENT_HANDLERS.get(event_type)
    decoded = None
    if known is not None:
        decoded = known[0]()
        try:
            decoded.ParseFromString(message.data)
        except DecodeError as exc:
            msg = f"payload is not a {known[0].DESCRIPTOR.full_name}: {exc}"
            raise UndecodableMessage(msg) from None
    return InboundEvent(
        event_id=event_id,
        event_type=event_type,
        aggregate_type=attributes.get("aggregate_type"),
        aggregate_id=attributes.get("aggregate_id"),
        data=message.data,
        attributes=attributes,
        decoded=decoded,
    )


def _occurred_at(event: InboundEvent, fallback: datetime) -> datetime:
    text = event.attributes.get("occurred_at")
    if not text:
        return fallback
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return fallback


def _with_faults(handler: Handler, faults: ProjectionFaults | None, pool: ConnectionPool) -> Handler:
    if faults is None:
        return handler

    def guarded(conn: psycopg.Connection, event: InboundEvent) -> None:
        failing = faults.take(event.event_type)
        if failing and defects.active("projection-commits-failed-handlers"):
            with pool.connection() as own, own.transaction():
                handler(own, event)
        else:
            handler(conn, event)
        if failing:
            msg = f"injected failure after handling {event.event_type} {event.event_id} (fault switch)"
            raise InjectedHandlerFailure(msg)

    return guarded


def _video_handler(conn: psycopg.Connection, event: InboundEvent) -> None:
    projections.handle_video_event(conn, event.decoded)  # type: ignore[arg-type]


def _engagement_handler(handle: Callable) -> Handler:
    def apply(conn: psycopg.Connection, event: InboundEvent) -> None:
        try:
            handle(conn, event.decoded, _occurred_at(event, datetime.now(UTC)))
        except projections.InvalidEvent as exc:
            raise UndecodableMessage(str(exc)) from exc

    return apply


def video_projection_consumer(
    pool: ConnectionPool, project: str, metrics: ConsumerMetrics, *, faults: ProjectionFaults | None = None
) -> InboxConsumer:
    """Profile's catalog inbox: catalog video events → ``profile.videos_projection``."""
    return InboxConsumer(
        pool,
        f"projects/{project}/subscriptions/{PROFILE_VIDEOS.subscription}",
        schema=PROFILE_VIDEOS.schema,
        source_service=PROFILE_VIDEOS.source_service,
        identify=identify_video_event,
        handlers={t: _with_faults(_video_handler, faults, pool) for t in projections.VIDEO_EVENT_TYPES},
        metrics=metrics,
    )


def engagement_projection_consumer(
    pool: ConnectionPool, project: str, metrics: ConsumerMetrics, *, faults: ProjectionFaults | None = None
) -> InboxConsumer:
    """Catalog's engagement consumer: profile engagement and watch events → catalog projections."""
    return InboxConsumer(
        pool,
        f"projects/{project}/subscriptions/{CATALOG_ENGAGEMENT.subscription}",
        schema=CATALOG_ENGAGEMENT.schema,
        source_service=CATALOG_ENGAGEMENT.source_service,
        identify=identify_engagement_event,
        handlers={
            event_type: _with_faults(_engagement_handler(handle), faults, pool)
            for event_type, (_type, handle) in projections.ENGAGEMENT_EVENT_HANDLERS.items()
        },
        metrics=metrics,
    )
