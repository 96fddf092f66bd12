"""An inbox consumer: StreamingPull → one transaction per message → ack, or nack on failure.

Per message: decode it (``identify``), then in one transaction record it in the inbox (a known,
processed event id is acknowledged and skipped), run the handler for its event type, mark it
processed, commit, ack. Any failure rolls the transaction back and nacks, so the broker redelivers
with the subscription's retry policy and, after its max delivery attempts, dead-letters it.
An undecodable message is nacked the same way: it reaches the dead-letter topic, not a handler.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import psycopg
from google.cloud import pubsub_v1
from google.cloud.pubsub_v1.subscriber.message import Message
from prometheus_client import CollectorRegistry, Counter, Histogram
from psycopg_pool import ConnectionPool

from reference_impl.adapters.inbox import InboxStore

_log = logging.getLogger(__name__)


class UndecodableMessage(Exception):
    """The message cannot be understood (bad payload, unknown schema version); it will be dead-lettered."""


@dataclass(frozen=True)
class InboundEvent:
    """A decoded message as a handler sees it."""

    event_id: uuid.UUID
    event_type: str
    aggregate_type: str | None
    aggregate_id: str | None
    data: bytes
    attributes: Mapping[str, str]
    decoded: object = None


Identify = Callable[[Message], InboundEvent]
Handler = Callable[[psycopg.Connection, InboundEvent], None]


@dataclass
class ConsumerMetrics:
    """Prometheus metrics of consumers, labelled by subscription."""

    registry: CollectorRegistry
    processed: Counter = field(init=False)
    skipped: Counter = field(init=False)
    failed: Counter = field(init=False)
    lag: Histogram = field(init=False)

    def __post_init__(self) -> None:
        labels = ["subscription"]
        self.processed = Counter("inbox_processed", "Messages handled and committed", labels, registry=self.registry)
        self.skipped = Counter("inbox_duplicate", "Redeliveries of processed events", labels, registry=self.registry)
        self.failed = Counter("inbox_failed", "Messages nacked after a failure", labels, registry=self.registry)
        self.lag = Histogram(
            "inbox_lag_seconds",
            "Seconds from publish to commit",
            labels,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )


class InboxConsumer:
    """Consumes one subscription into one schema's inbox."""

    def __init__(
        self,
        pool: ConnectionPool,
        subscription: str,
        *,
        schema: str,
        source_service: str,
        identify: Identify,
        handlers: Mapping[str, Handler],
        metrics: ConsumerMetrics,
        max_outstanding: int = 100,
    ) -> None:
        self.subscription = subscription
        self._pool = pool
        self._store = InboxStore(schema)
        self._source = source_service
        self._identify = identify
        self._handlers = handlers
        self._metrics = metrics
        self._max_outstanding = max_outstanding
        self._subscriber: pubsub_v1.SubscriberClient | None = None
        self._future = None

    def handle(self, message: Message) -> None:
        """Process one message and ack or nack it (the StreamingPull callback)."""
        label = self.subscription.rsplit("/", 1)[-1]
        try:
            event = self._identify(message)
        except UndecodableMessage as exc:
            _log.warning("%s: undecodable message %s nacked: %s", label, message.message_id, exc)
            self._metrics.failed.labels(label).inc()
            message.nack()
            return
        try:
            handled = self._apply(event)
        except Exception as exc:
            _log.warning("%s: event %s failed and is nacked: %s", label, event.event_id, exc, exc_info=True)
            self._remember_error(event.event_id, f"{type(exc).__name__}: {exc}")
            self._metrics.failed.labels(label).inc()
            message.nack()
            return
        (self._metrics.processed if handled else self._metrics.skipped).labels(label).inc()
        self._metrics.lag.labels(label).observe(max(0.0, time.time() - message.publish_time.timestamp()))
        message.ack()

    def _apply(self, event: InboundEvent) -> bool:
        handler = self._handlers.get(event.event_type)
        with self._pool.connection() as conn, conn.transaction():
            fresh = self._store.receive(
                conn,
                event_id=event.event_id,
                source_service=self._source,
                event_type=event.event_type,
                aggregate_type=event.aggregate_type,
                aggregate_id=event.aggregate_id,
                payload=event.data,
            )
            if not fresh:
                return False
            if handler is None:
                msg = f"no handler for event type {event.event_type!r}; known: {sorted(self._handlers)}"
                raise UndecodableMessage(msg)
            handler(conn, event)
            self._store.mark_processed(conn, event.event_id)
        return True

    def _remember_error(self, event_id: uuid.UUID, error: str) -> None:
        try:
            with self._pool.connection() as conn, conn.transaction():
                self._store.record_error(conn, event_id, error)
        except psycopg.Error:
            _log.exception("could not record the error of event %s", event_id)

    def start(self) -> None:
        """Open the StreamingPull; messages are handled on the client's callback threads."""
        self._subscriber = pubsub_v1.SubscriberClient()
        self._future = self._subscriber.subscribe(
            self.subscription,
            callback=self.handle,
            flow_control=pubsub_v1.types.FlowControl(max_messages=self._max_outstanding),
        )

    def stop(self, timeout: float = 5.0) -> None:
        """Stop pulling, let handlers in progress finish, close the client."""
        if self._future is not None:
            self._future.cancel()
            try:
                self._future.result(timeout=timeout)
            except Exception:  # noqa: BLE001 - a cancelled stream ends with an error by design
                pass
        if self._subscriber is not None:
            self._subscriber.close()
