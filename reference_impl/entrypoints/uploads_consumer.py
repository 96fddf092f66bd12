"""The uploads consumer: Cloud Storage OBJECT_FINALIZE notifications → completed uploads and videos.

Notifications carry no event id (GCS sets none), so the inbox key is derived from what names one
stored object version: bucket, object, generation and event type. Redelivery of the same
notification is therefore a no-op, and a new generation of the object is a new event.
"""

from __future__ import annotations

import uuid

from psycopg_pool import ConnectionPool

from reference_impl.entrypoints.inbox_consumer import (
    ConsumerMetrics,
    InboundEvent,
    InboxConsumer,
    Message,
    UndecodableMessage,
)
from reference_impl.service_layer.uploads import apply_object_finalized

SUBSCRIPTION = "catalog.video-uploads.runner"
_NOTIFICATION_IDS = uuid.UUID("2f0c6c55-3a43-4b8e-9d4e-6a1de1f0b7a1")
_REQUIRED = ("bucketId", "objectId", "objectGeneration", "eventType")


def identify_notification(message: Message) -> InboundEvent:
    """Name a GCS notification by the object version it reports.

    Raises:
        UndecodableMessage: an attribute GCS always sends is missing.
    """
    attributes = dict(message.attributes)
    missing = [name for name in _REQUIRED if not attributes.get(name)]
    if missing:
        msg = f"not a Cloud Storage notification: attributes {missing} missing"
        raise UndecodableMessage(msg)
    bucket, name = attributes["bucketId"], attributes["objectId"]
    key = f"{bucket}/{name}#{attributes['objectGeneration']}:{attributes['eventType']}"
    return InboundEvent(
        event_id=uuid.uuid5(_NOTIFICATION_IDS, key),
        event_type=attributes["eventType"],
        aggregate_type="gcs_object",
        aggregate_id=f"{bucket}/{name}",
        data=message.data,
        attributes=attributes,
    )


def uploads_consumer(pool: ConnectionPool, project: str, metrics: ConsumerMetrics) -> InboxConsumer:
    """The consumer of the uploads subscription, writing to the catalog inbox."""
    return InboxConsumer(
        pool,
        f"projects/{project}/subscriptions/{SUBSCRIPTION}",
        schema="catalog",
        source_service="gcs",
        identify=identify_notification,
        handlers={"OBJECT_FINALIZE": lambda conn, event: apply_object_finalized(conn, event.data)},
        metrics=metrics,
    )
