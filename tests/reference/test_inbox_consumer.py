"""The inbox consumer's transaction shape against a real PostgreSQL: per batch, inbox record (skip
what was processed) → handlers → commit → ack; a failure nacks its message, rolls back its writes
and lets the rest of the batch commit exactly once.

The last test runs a consumer against the Pub/Sub stand-in: the projections cannot show
acknowledgements that never land (the inbox skips every redelivery), the broker's counts can.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry
from psycopg_pool import ConnectionPool

from fixtures.pubsub.admin import PubsubAdmin
from fixtures.pubsub.plugin import PubsubEndpoint
from fixtures.pubsub.testing import Clients, real_clients
from reference_impl.adapters.migrations import migrate
from reference_impl.entrypoints.inbox_consumer import ConsumerMetrics, InboxConsumer
from reference_impl.entrypoints.projection_consumers import (
    ProjectionFaults,
    engagement_projection_consumer,
    identify_engagement_event,
)
from reference_impl.service_layer import projections
from steps.driver.outbox import EventMessage, engagement_event, watch_event
from steps.eventually import eventually


@dataclass
class FakeMessage:
    """The parts of a Pub/Sub message the consumer reads, recording acks and nacks."""

    data: bytes
    attributes: dict[str, str]
    message_id: str = "1"
    ordering_key: str = ""
    publish_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    acked: int = 0
    nacked: int = 0

    def ack(self) -> None:
        self.acked += 1

    def nack(self) -> None:
        self.nacked += 1


@pytest.fixture
def pool(fresh_database: str) -> Iterator[ConnectionPool]:
    migrate(fresh_database)
    connections = ConnectionPool(fresh_database, min_size=1, max_size=4, open=True)
    yield connections
    connections.close()


def watch_count(pool: ConnectionPool, video: str) -> int:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT watch_count FROM catalog.video_engagement_stats_projection WHERE video_id = %s", (video,)
        ).fetchone()
    return 0 if row is None else row[0]


def inbox_row(pool: ConnectionPool, event_id: str) -> tuple | None:
    with pool.connection() as conn:
        return conn.execute(
            "SELECT processed_at IS NOT NULL, last_error FROM catalog.inbox_events WHERE event_id = %s", (event_id,)
        ).fetchone()


def test_a_redelivered_event_is_acked_and_applied_once(pool: ConnectionPool) -> None:
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()))
    video = str(uuid.uuid4())
    event = watch_event(user_id=str(uuid.uuid4()), video_id=video, watched_at=datetime.now(UTC))
    copies = [FakeMessage(event.data, event.attributes) for _ in range(3)]
    for copy in copies:
        consumer.handle(copy)
    assert [(c.acked, c.nacked) for c in copies] == [(1, 0)] * 3
    assert watch_count(pool, video) == 1
    assert inbox_row(pool, event.event_id) == (True, None)


def test_a_failing_handler_rolls_back_nacks_and_the_redelivery_applies(pool: ConnectionPool) -> None:
    faults = ProjectionFaults()
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()), faults=faults)
    video = str(uuid.uuid4())
    event = watch_event(user_id=str(uuid.uuid4()), video_id=video, watched_at=datetime.now(UTC))
    faults.fail_next(1)
    first = FakeMessage(event.data, event.attributes)
    consumer.handle(first)
    assert (first.acked, first.nacked) == (0, 1)
    assert watch_count(pool, video) == 0
    assert inbox_row(pool, event.event_id) is None  # the inbox insert rolled back with the handler's writes
    again = FakeMessage(event.data, event.attributes)
    consumer.handle(again)
    assert (again.acked, again.nacked) == (1, 0)
    assert watch_count(pool, video) == 1


def test_an_undecodable_message_is_nacked_without_an_inbox_row(pool: ConnectionPool) -> None:
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()))
    event = watch_event(user_id=str(uuid.uuid4()), video_id=str(uuid.uuid4()), watched_at=datetime.now(UTC))
    poison = FakeMessage(event.data, {**event.attributes, "schema_version": "v2"})
    consumer.handle(poison)
    assert (poison.acked, poison.nacked) == (0, 1)
    assert inbox_row(pool, event.event_id) is None


def like_count(pool: ConnectionPool, video: str) -> int:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT like_count FROM catalog.video_engagement_stats_projection WHERE video_id = %s", (video,)
        ).fetchone()
    return 0 if row is None else row[0]


def like_between_two_watches() -> tuple[tuple[str, str, str], EventMessage, list[FakeMessage]]:
    """A batch of three: a watch, a like, a watch, each of another video; (videos, the like, the batch)."""
    before, failing, after = (str(uuid.uuid4()) for _ in range(3))
    now = datetime.now(UTC)
    like = engagement_event("added", "like", user_id=str(uuid.uuid4()), video_id=failing, occurred_at=now)
    batch = [
        FakeMessage(*_parts(watch_event(user_id=str(uuid.uuid4()), video_id=before, watched_at=now))),
        FakeMessage(*_parts(like)),
        FakeMessage(*_parts(watch_event(user_id=str(uuid.uuid4()), video_id=after, watched_at=now))),
    ]
    return (before, failing, after), like, batch


def test_a_failing_handler_in_a_batch_is_nacked_and_the_others_commit_once(pool: ConnectionPool) -> None:
    faults = ProjectionFaults()
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()), faults=faults)
    (before, failing, after), like, batch = like_between_two_watches()
    faults.fail_next(1, "profile.engagement.added")  # the middle one fails after its writes
    consumer.handle_batch(batch)
    assert [(m.acked, m.nacked) for m in batch] == [(1, 0), (0, 1), (1, 0)]
    assert (watch_count(pool, before), like_count(pool, failing), watch_count(pool, after)) == (1, 0, 1)
    assert inbox_row(pool, like.attributes["event_id"]) is None
    again = FakeMessage(*_parts(like))
    consumer.handle_batch([again])
    assert (again.acked, like_count(pool, failing)) == (1, 1)


def test_a_database_error_in_a_batch_nacks_its_own_event_not_a_later_one(pool: ConnectionPool) -> None:
    # The handlers' statements are pipelined, so this error would surface at the next watch's
    # RETURNING: the consumer must still name the event that caused it.
    def divide_by_zero(conn, event) -> None:  # noqa: ANN001
        conn.execute("SELECT 1 / 0")

    def watch(conn, event) -> None:  # noqa: ANN001
        projections.handle_watch_progressed(conn, event.decoded, datetime.now(UTC))

    consumer = InboxConsumer(pool, "projects/p/subscriptions/s", schema="catalog", source_service="profile",
                             identify=identify_engagement_event, metrics=ConsumerMetrics(CollectorRegistry()),
                             handlers={"profile.engagement.added": divide_by_zero, "profile.watch.progressed": watch})
    (before, failing, after), like, batch = like_between_two_watches()
    consumer.handle_batch(batch)
    assert [(m.acked, m.nacked) for m in batch] == [(1, 0), (0, 1), (1, 0)]
    assert (watch_count(pool, before), watch_count(pool, after)) == (1, 1)
    assert inbox_row(pool, like.attributes["event_id"]) is None


def test_copies_of_one_event_in_a_batch_apply_once(pool: ConnectionPool) -> None:
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()))
    video = str(uuid.uuid4())
    event = watch_event(user_id=str(uuid.uuid4()), video_id=video, watched_at=datetime.now(UTC))
    other = watch_event(user_id=str(uuid.uuid4()), video_id=video, watched_at=datetime.now(UTC))
    batch = [FakeMessage(*_parts(event)), FakeMessage(*_parts(other)), FakeMessage(*_parts(event))]
    consumer.handle_batch(batch)
    assert [(m.acked, m.nacked) for m in batch] == [(1, 0)] * 3
    assert watch_count(pool, video) == 2


def test_an_undecodable_message_in_a_batch_leaves_the_others_flowing(pool: ConnectionPool) -> None:
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()))
    video = str(uuid.uuid4())
    good = [watch_event(user_id=str(uuid.uuid4()), video_id=video, watched_at=datetime.now(UTC)) for _ in range(2)]
    poison = FakeMessage(good[0].data, {**good[0].attributes, "event_id": "not-a-uuid"})
    batch = [FakeMessage(*_parts(good[0])), poison, FakeMessage(*_parts(good[1]))]
    consumer.handle_batch(batch)
    assert [(m.acked, m.nacked) for m in batch] == [(1, 0), (0, 1), (1, 0)]
    assert watch_count(pool, video) == 2


def _parts(event: object) -> tuple[bytes, dict[str, str]]:
    return event.data, event.attributes  # type: ignore[attr-defined]


def test_after_a_failure_the_later_messages_of_its_ordering_key_wait_and_the_others_flow(pool: ConnectionPool) -> None:
    # A pull may hand over a run of one key's messages at once: a later one must not be applied
    # before the failed earlier one, so it is nacked with it and comes back after it.
    faults = ProjectionFaults()
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()), faults=faults)
    video, other = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    user = str(uuid.uuid4())
    like = engagement_event("added", "like", user_id=user, video_id=video, occurred_at=now)
    later = watch_event(user_id=user, video_id=video, watched_at=now)
    unrelated = watch_event(user_id=str(uuid.uuid4()), video_id=other, watched_at=now)
    batch = [
        FakeMessage(*_parts(like), ordering_key=user),
        FakeMessage(*_parts(later), ordering_key=user),
        FakeMessage(*_parts(unrelated), ordering_key="someone else"),
    ]
    faults.fail_next(1, "profile.engagement.added")
    consumer.handle_batch(batch)
    assert [(m.acked, m.nacked) for m in batch] == [(0, 1), (0, 1), (1, 0)]
    assert (like_count(pool, video), watch_count(pool, video), watch_count(pool, other)) == (0, 0, 1)
    assert inbox_row(pool, later.attributes["event_id"]) is None, "held back, not recorded as failed"


def test_after_an_undecodable_message_the_later_ones_of_its_key_wait(pool: ConnectionPool) -> None:
    consumer = engagement_projection_consumer(pool, "p", ConsumerMetrics(CollectorRegistry()))
    video, user = str(uuid.uuid4()), str(uuid.uuid4())
    poison, later = (watch_event(user_id=user, video_id=video, watched_at=datetime.now(UTC)) for _ in range(2))
    batch = [
        FakeMessage(poison.data, {**poison.attributes, "schema_version": "v2"}, ordering_key=user),
        FakeMessage(*_parts(later), ordering_key=user),
    ]
    consumer.handle_batch(batch)
    assert [(m.acked, m.nacked) for m in batch] == [(0, 1), (0, 1)]
    assert watch_count(pool, video) == 0


# -- against the broker ---------------------------------------------------------------------------


@pytest.fixture
def clients(pubsub_endpoint: PubsubEndpoint, pubsub_project: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clients]:
    if pubsub_endpoint.admin is None:
        pytest.skip("needs the stand-in's admin API (PUBSUB_STANDIN_ADMIN) to read the broker's counts")
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_endpoint.host)
    with real_clients(pubsub_endpoint.host, pubsub_project) as c:
        yield c


def test_each_applied_message_is_delivered_once_and_acknowledged(
    clients: Clients, pubsub_endpoint: PubsubEndpoint, pool: ConnectionPool
) -> None:
    topic, subscription = clients.topic(), clients.subscription()
    clients.publisher.create_topic(name=topic)
    clients.subscriber.create_subscription(request={"name": subscription, "topic": topic, "enable_message_ordering": True})
    user, video = str(uuid.uuid4()), str(uuid.uuid4())
    events = [watch_event(user_id=user, video_id=video, watched_at=datetime.now(UTC)) for _ in range(5)]
    for event in events:
        clients.publisher.publish(topic, event.data, ordering_key=user, **event.attributes).result(timeout=10)
    metrics = ConsumerMetrics(CollectorRegistry())
    consumer = InboxConsumer(
        pool, subscription, schema="catalog", source_service="profile", identify=identify_engagement_event,
        handlers={"profile.watch.progressed": lambda conn, event: projections.handle_watch_progressed(
            conn, event.decoded, datetime.now(UTC))},
        metrics=metrics,
    )
    consumer.start()
    try:
        eventually(lambda: watch_count(pool, video), until=lambda n: n == 5, what="the five watches applied")
        stats = eventually(
            lambda: PubsubAdmin(pubsub_endpoint.admin).subscription_stats(subscription),
            until=lambda s: s["acked"] == 5 and s["outstanding"] == 0,
            what="the broker counting five acknowledgements and nothing outstanding",
        )
    finally:
        consumer.stop()
    assert stats["backlog"] == 0, stats
    duplicates = metrics.registry.get_sample_value("inbox_duplicate_total", {"subscription": subscription.rsplit("/", 1)[-1]})
    assert duplicates == 0, f"{duplicates} redeliveries of applied messages"


def test_a_batch_pulled_ahead_is_released_at_once_when_the_consumer_stops(
    clients: Clients, pubsub_endpoint: PubsubEndpoint, pool: ConnectionPool
) -> None:
    # While a batch is applied the next one is already pulled; stopping then must hand it back
    # (nack), not leave it outstanding until its ack deadline.
    topic, subscription = clients.topic(), clients.subscription()
    clients.publisher.create_topic(name=topic)
    clients.subscriber.create_subscription(
        request={"name": subscription, "topic": topic, "enable_message_ordering": True, "ack_deadline_seconds": 600}
    )
    admin = PubsubAdmin(pubsub_endpoint.admin)
    applying, finish = threading.Event(), threading.Event()

    def slow_watch(conn, event) -> None:  # noqa: ANN001
        applying.set()
        finish.wait(10)
        projections.handle_watch_progressed(conn, event.decoded, datetime.now(UTC))

    consumer = InboxConsumer(
        pool, subscription, schema="catalog", source_service="profile", identify=identify_engagement_event,
        handlers={"profile.watch.progressed": slow_watch}, metrics=ConsumerMetrics(CollectorRegistry()),
    )
    first, ahead = (watch_event(user_id=str(uuid.uuid4()), video_id=str(uuid.uuid4()), watched_at=datetime.now(UTC))
                    for _ in range(2))
    clients.publisher.publish(topic, first.data, ordering_key="a", **first.attributes).result(timeout=10)
    consumer.start()
    try:
        assert applying.wait(10), "the first batch was never applied"
        clients.publisher.publish(topic, ahead.data, ordering_key="b", **ahead.attributes).result(timeout=10)
        eventually(lambda: admin.subscription_stats(subscription), until=lambda s: s["outstanding"] == 2,
                   what="the second message pulled ahead while the first is applied")
        stopping = threading.Thread(target=consumer.stop)
        stopping.start()
        finish.set()
        stopping.join(10)
    finally:
        finish.set()
        consumer.stop()
    stats = admin.subscription_stats(subscription)
    assert (stats["acked"], stats["outstanding"], stats["backlog"]) == (1, 0, 1), stats


def test_a_refused_pull_is_tried_again_and_its_batch_still_lands(
    clients: Clients, pubsub_endpoint: PubsubEndpoint, pool: ConnectionPool, caplog: pytest.LogCaptureFixture
) -> None:
    topic, subscription = clients.topic(), clients.subscription()
    clients.publisher.create_topic(name=topic)
    clients.subscriber.create_subscription(request={"name": subscription, "topic": topic, "enable_message_ordering": True})
    admin = PubsubAdmin(pubsub_endpoint.admin)
    admin.faults.fail_pulls(subscription, seconds=1.0)
    video = str(uuid.uuid4())
    event = watch_event(user_id=str(uuid.uuid4()), video_id=video, watched_at=datetime.now(UTC))
    clients.publisher.publish(topic, event.data, ordering_key="k", **event.attributes).result(timeout=10)
    consumer = InboxConsumer(
        pool, subscription, schema="catalog", source_service="profile", identify=identify_engagement_event,
        handlers={"profile.watch.progressed": lambda conn, event: projections.handle_watch_progressed(
            conn, event.decoded, datetime.now(UTC))},
        metrics=ConsumerMetrics(CollectorRegistry()),
    )
    with caplog.at_level(logging.WARNING, logger="reference_impl.entrypoints.inbox_consumer"):
        consumer.start()
        try:
            eventually(lambda: watch_count(pool, video), until=lambda n: n == 1, what="the watch applied after the refusals")
            eventually(lambda: admin.subscription_stats(subscription), until=lambda s: s["acked"] == 1 and s["outstanding"] == 0,
                       what="the broker counting its acknowledgement")
        finally:
            consumer.stop()
    assert any("pull refused" in record.getMessage() for record in caplog.records), "no pull was refused"
