"""An inbox consumer against the Pub/Sub stand-in: everything it applies, the broker hears acknowledged.

The projections cannot show a consumer whose acknowledgements never land: the inbox skips every
redelivery, so the rows come out right while the broker redelivers for ever. Here the broker's own
counts say it: after a run of one key's events is applied, each message was delivered once and
acknowledged once, and nothing is outstanding.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry
from psycopg_pool import ConnectionPool

from fixtures.pubsub.admin import PubsubAdmin
from fixtures.pubsub.plugin import PubsubEndpoint
from fixtures.pubsub.testing import Clients, real_clients
from reference_impl.adapters.migrations import migrate
from reference_impl.entrypoints.inbox_consumer import ConsumerMetrics, InboxConsumer
from reference_impl.entrypoints.projection_consumers import identify_engagement_event
from reference_impl.service_layer import projections
from steps.driver.outbox import watch_event
from steps.eventually import eventually


@pytest.fixture
def pool(fresh_database: str) -> Iterator[ConnectionPool]:
    migrate(fresh_database)
    connections = ConnectionPool(fresh_database, min_size=1, max_size=4, open=True)
    yield connections
    connections.close()


@pytest.fixture
def clients(pubsub_endpoint: PubsubEndpoint, pubsub_project: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clients]:
    if pubsub_endpoint.admin is None:
        pytest.skip("needs the stand-in's admin API (PUBSUB_STANDIN_ADMIN) to read the broker's counts")
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_endpoint.host)
    with real_clients(pubsub_endpoint.host, pubsub_project) as c:
        yield c


def watch_count(pool: ConnectionPool, video: str) -> int:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT watch_count FROM catalog.video_engagement_stats_projection WHERE video_id = %s", (video,)
        ).fetchone()
    return 0 if row is None else row[0]


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
