"""The outbox relay against a real PostgreSQL and the Pub/Sub stand-in (table-level checks).

Black-box scenarios live in features/outbox; these pin the relay's own mechanics: order per
aggregate, backoff, parking, re-drive and lease fencing.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from google.cloud import pubsub_v1
from prometheus_client import CollectorRegistry

from reference_impl.adapters.migrations import migrate
from reference_impl.adapters.outbox import NewEvent, OutboxStore
from reference_impl.adapters.pubsub import EventPublisher
from reference_impl.entrypoints.outbox_relay import OutboxRelay, RelayMetrics, RelaySettings
from steps.eventually import NotYet, eventually

pytestmark = pytest.mark.usefixtures("pubsub_env")


@pytest.fixture
def pubsub_env(monkeypatch: pytest.MonkeyPatch, pubsub_emulator_host: str) -> None:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator_host)


@pytest.fixture
def database(fresh_database: str) -> str:
    migrate(fresh_database)
    return fresh_database


@pytest.fixture
def topic(pubsub_project: str) -> Iterator[tuple[str, str]]:
    """A fresh topic with an ordered subscription: (topic id, subscription path)."""
    topic_id = f"relay-{uuid.uuid4().hex[:8]}"
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic_path = publisher.topic_path(pubsub_project, topic_id)
    subscription = subscriber.subscription_path(pubsub_project, topic_id + "-sub")
    publisher.create_topic(name=topic_path)
    subscriber.create_subscription(
        request={"name": subscription, "topic": topic_path, "enable_message_ordering": True}
    )
    yield topic_id, subscription
    subscriber.close()


@pytest.fixture
def publisher(pubsub_project: str) -> Iterator[EventPublisher]:
    event_publisher = EventPublisher(pubsub_project)
    yield event_publisher
    event_publisher.close()


def make_relay(database: str, publisher: EventPublisher, topic_id: str, **overrides: object) -> OutboxRelay:
    settings = RelaySettings(
        schema="catalog",
        topic=topic_id,
        initial_backoff=timedelta(milliseconds=20),
        max_backoff=timedelta(milliseconds=80),
        **overrides,  # type: ignore[arg-type]
    )
    return OutboxRelay(database, publisher, settings, RelayMetrics(CollectorRegistry()))


def enqueue(
    database: str, events: list[tuple[uuid.UUID, int]], *, commit: bool = True, available_in: timedelta | None = None
) -> list[uuid.UUID]:
    store = OutboxStore("catalog")
    ids = []
    with psycopg.connect(database) as conn:
        (now,) = conn.execute("SELECT now()").fetchone()  # type: ignore[misc]
        for aggregate_id, version in events:
            event_id = uuid.uuid4()
            ids.append(event_id)
            store.enqueue(
                conn,
                NewEvent(
                    event_id=event_id,
                    aggregate_type="video",
                    aggregate_id=aggregate_id,
                    event_type="catalog.video.updated",
                    payload=f"v{version}".encode(),
                    headers={"event_id": str(event_id), "version": str(version), "aggregate_id": str(aggregate_id)},
                    available_at=None if available_in is None else now + available_in,
                ),
            )
        if not commit:
            conn.rollback()
    return ids


def pull_all(subscription: str, expected: int) -> list[pubsub_v1.types.ReceivedMessage]:
    subscriber = pubsub_v1.SubscriberClient()
    received: list = []

    def probe() -> int:
        response = subscriber.pull(subscription=subscription, max_messages=100, timeout=5)
        if response.received_messages:
            received.extend(response.received_messages)
            subscriber.acknowledge(subscription=subscription, ack_ids=[m.ack_id for m in response.received_messages])
        return len(received)

    eventually(probe, until=lambda n: n >= expected, timeout=10, what=f"{expected} messages arrive")
    subscriber.close()
    return received


def drain(relay: OutboxRelay, cycles: int = 50) -> None:
    def cycle() -> int:
        relay.run_cycle()
        with psycopg.connect(relay_database[relay]) as conn:
            return OutboxStore("catalog").counts(conn)[0]

    eventually(cycle, until=lambda backlog: backlog == 0, timeout=10, interval=0.01, what="the backlog drains")


relay_database: dict[OutboxRelay, str] = {}


@pytest.fixture
def relay(database: str, publisher: EventPublisher, topic: tuple[str, str]) -> Iterator[OutboxRelay]:
    made = make_relay(database, publisher, topic[0])
    relay_database[made] = database
    yield made
    made.close()
    relay_database.pop(made)


def test_backoff_doubles_from_the_initial_delay_up_to_the_cap() -> None:
    settings = RelaySettings(schema="catalog", topic="t", initial_backoff=timedelta(seconds=2), max_backoff=timedelta(seconds=120))
    assert [settings.backoff(n).total_seconds() for n in range(8)] == [2, 4, 8, 16, 32, 64, 120, 120]


def test_committed_events_arrive_in_order_per_aggregate(database: str, relay: OutboxRelay, topic) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    enqueue(database, [(a, 1), (b, 1), (a, 2), (a, 3), (b, 2)])
    drain(relay)
    received = pull_all(topic[1], 5)
    by_key: dict[str, list[str]] = {}
    for message in received:
        by_key.setdefault(message.message.ordering_key, []).append(message.message.attributes["version"])
    assert by_key == {str(a): ["1", "2", "3"], str(b): ["1", "2"]}


def test_a_rolled_back_change_enqueues_nothing(database: str, relay: OutboxRelay) -> None:
    enqueue(database, [(uuid.uuid4(), 1)], commit=False)
    assert relay.run_cycle().claimed == 0


def test_only_the_oldest_open_event_of_an_aggregate_is_claimed(database: str, relay: OutboxRelay) -> None:
    a = uuid.uuid4()
    enqueue(database, [(a, 1), (a, 2)])
    with psycopg.connect(database) as conn:
        claimed = OutboxStore("catalog").claim(conn, lock_token="t", limit=10, lock_ttl=timedelta(minutes=1))
    assert [e.payload for e in claimed] == [b"v1"]


def test_a_failed_publish_is_retried_with_growing_capped_backoff(
    database: str, relay: OutboxRelay, topic, pubsub_faults
) -> None:
    a = uuid.uuid4()
    (event_id,) = enqueue(database, [(a, 1)])
    pubsub_faults.faults.fail_publishes()
    for attempt in range(1, 5):
        eventually(relay.run_cycle, until=lambda r: r.rescheduled == 1, timeout=5, interval=0.01)
        with psycopg.connect(database) as conn:
            attempts, last_error, wait = conn.execute(
                "SELECT delivery_attempts, last_error, available_at - statement_timestamp()"
                " FROM catalog.outbox_events WHERE event_id = %s",
                (event_id,),
            ).fetchone()
        assert attempts == attempt
        assert "UNAVAILABLE" in last_error or "Unavailable" in last_error
        assert wait <= relay.settings.backoff(attempt - 1)
    pubsub_faults.faults.clear()
    drain(relay)
    assert len(pull_all(topic[1], 1)) == 1


@pytest.fixture
def relay_of_two_attempts(database: str, publisher: EventPublisher, topic: tuple[str, str]) -> Iterator[OutboxRelay]:
    made = make_relay(database, publisher, topic[0], max_attempts=2)
    relay_database[made] = database
    yield made
    made.close()
    relay_database.pop(made)


def test_an_event_is_parked_after_max_attempts_and_redrive_publishes_it(
    database: str, relay_of_two_attempts: OutboxRelay, topic, pubsub_faults
) -> None:
    relay = relay_of_two_attempts
    a = uuid.uuid4()
    enqueue(database, [(a, 1), (a, 2)])
    pubsub_faults.faults.fail_publishes()
    eventually(relay.run_cycle, until=lambda r: r.parked == 1, timeout=5, interval=0.01, what="the event parks")
    store = OutboxStore("catalog")
    with psycopg.connect(database) as conn:
        assert store.counts(conn) == (1, 1)  # the parked head holds back its successor
    pubsub_faults.faults.clear()
    assert relay.run_cycle().claimed == 0
    with psycopg.connect(database) as conn:
        assert store.redrive(conn, aggregate_id=a) == 1
    drain(relay)
    assert [m.message.attributes["version"] for m in pull_all(topic[1], 2)] == ["1", "2"]


def test_a_relay_whose_lease_was_taken_over_cannot_mark(database: str, relay: OutboxRelay) -> None:
    store = OutboxStore("catalog")
    (event_id,) = enqueue(database, [(uuid.uuid4(), 1)])
    with psycopg.connect(database) as conn:
        dead = store.claim(conn, lock_token="dead-relay", limit=1, lock_ttl=timedelta(minutes=2))
    assert [e.event_id for e in dead] == [event_id]
    with psycopg.connect(database) as conn:
        assert store.claim(conn, lock_token="other", limit=1, lock_ttl=timedelta(minutes=2)) == []
        taken = store.claim(conn, lock_token="successor", limit=1, lock_ttl=timedelta(0))
    assert [e.event_id for e in taken] == [event_id]
    with psycopg.connect(database) as conn:
        assert store.mark_published(conn, [event_id], lock_token="dead-relay") == set()
        assert store.mark_published(conn, [event_id], lock_token="successor") == {event_id}


def test_the_default_lock_ttl_is_seconds_not_minutes() -> None:
    assert RelaySettings(schema="catalog", topic="t").lock_ttl <= timedelta(seconds=10)


def test_a_batch_in_flight_keeps_its_lease_past_the_lock_ttl(database: str) -> None:
    """The heartbeat renews the lease, so a competitor honouring a 1 s TTL takes nothing over."""
    from reference_impl.entrypoints.outbox_relay import Heartbeat  # noqa: PLC0415

    store = OutboxStore("catalog")
    enqueue(database, [(uuid.uuid4(), 1)])
    ttl = timedelta(seconds=1)
    with psycopg.connect(database) as conn:
        assert len(store.claim(conn, lock_token="slow", limit=10, lock_ttl=ttl)) == 1
        conn.commit()
        heartbeat = Heartbeat(database, store, ttl.total_seconds() / 3, name="slow")
        heartbeat.hold("slow")
        try:
            taken: list = []

            def competitor_claims() -> int:
                taken.extend(store.claim(conn, lock_token="rival", limit=10, lock_ttl=ttl))
                conn.commit()
                return len(taken)

            # Three TTLs long nobody may take the lease over (a wait for absence, bounded).
            with pytest.raises(NotYet):
                eventually(competitor_claims, until=lambda n: n > 0, timeout=3 * ttl.total_seconds(), interval=0.1)
            assert not taken
        finally:
            heartbeat.close()
        # Without the heartbeat the lease lapses and the competitor takes the batch over.
        eventually(competitor_claims, until=lambda n: n == 1, timeout=5, interval=0.1, what="the lapsed lease is taken over")


class _WaitingRelay(OutboxRelay):
    """A relay that says when it starts waiting after an empty cycle (the test's only hook)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.waiting = threading.Event()

    def _wait_for_work(self, stop: threading.Event) -> None:
        self.waiting.set()
        super()._wait_for_work(stop)


@contextlib.contextmanager
def running(relay: OutboxRelay) -> Iterator[OutboxRelay]:
    """Run ``relay`` in a thread until the block ends, then stop and close it."""
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,), name="relay-under-test", daemon=True)
    worker.start()
    try:
        yield relay
    finally:
        stop.set()
        worker.join(10)
        relay.close()
    assert not worker.is_alive(), "the relay must notice the stop while it waits"


@pytest.fixture
def idle_relay(database: str, publisher: EventPublisher, topic: tuple[str, str]) -> Iterator[_WaitingRelay]:
    """A relay running in a thread whose idle interval (30 s) is far longer than any wait below."""
    settings = RelaySettings(schema="catalog", topic=topic[0], idle_interval=30.0)
    with running(_WaitingRelay(database, publisher, settings, RelayMetrics(CollectorRegistry()))) as relay:
        yield relay


def test_an_idle_relay_wakes_on_a_writers_commit(database: str, idle_relay: _WaitingRelay, topic) -> None:
    """The writer notifies the outbox channel at commit, so the relay does not sleep out its 30 s interval."""
    eventually(idle_relay.waiting.is_set, timeout=10, what="the relay waits after an empty cycle")
    [event_id] = enqueue(database, [(uuid.uuid4(), 1)])
    [received] = pull_all(topic[1], 1)  # its deadline (10 s) is a third of the idle interval
    assert received.message.attributes["event_id"] == str(event_id)


def test_an_idle_relay_wakes_when_a_backoff_ends(database: str, idle_relay: _WaitingRelay, topic) -> None:
    """An event not yet due (a retry's backoff) is relayed when it falls due, not after the 30 s interval."""
    eventually(idle_relay.waiting.is_set, timeout=10, what="the relay waits after an empty cycle")
    [event_id] = enqueue(database, [(uuid.uuid4(), 1)], available_in=timedelta(seconds=1))
    [received] = pull_all(topic[1], 1)
    assert received.message.attributes["event_id"] == str(event_id)


def test_an_idle_relay_takes_over_a_lease_when_it_lapses(
    database: str, publisher: EventPublisher, topic
) -> None:
    """A lease left by a dead relay is taken over when it lapses (lock_ttl), not after the 30 s interval."""
    settings = RelaySettings(schema="catalog", topic=topic[0], idle_interval=30.0, lock_ttl=timedelta(seconds=1))
    [event_id] = enqueue(database, [(uuid.uuid4(), 1)])
    with psycopg.connect(database) as conn:
        conn.execute("UPDATE catalog.outbox_events SET lock_token = 'a-dead-relay', locked_at = now()")
    with running(_WaitingRelay(database, publisher, settings, RelayMetrics(CollectorRegistry()))):
        [received] = pull_all(topic[1], 1)
    assert received.message.attributes["event_id"] == str(event_id)


def test_a_redrive_wakes_an_idle_relay(database: str, idle_relay: _WaitingRelay, topic) -> None:
    """Re-driving notifies the outbox channel as a writer does, so a parked event goes out at once."""
    a, event_id = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(database) as conn:  # a parked event, as a relay leaves one that used up its attempts
        conn.execute(
            "INSERT INTO catalog.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, headers,"
            " parked_at) VALUES (%s, 'video', %s, 'catalog.video.updated', 'x', %s, now())",
            (event_id, a, f'{{"event_id": "{event_id}"}}'),
        )
    eventually(idle_relay.waiting.is_set, timeout=10, what="the relay waits after an empty cycle")
    with psycopg.connect(database) as conn:
        assert OutboxStore("catalog").redrive(conn, aggregate_id=a) == 1
    [received] = pull_all(topic[1], 1)
    assert received.message.attributes["event_id"] == str(event_id)


def test_events_of_a_writer_that_does_not_notify_are_relayed_on_the_next_tick(
    database: str, publisher: EventPublisher, topic
) -> None:
    """The idle interval stays the safety net: a plain INSERT (no notification) is still relayed."""
    relay = make_relay(database, publisher, topic[0], idle_interval=0.05)
    with running(relay):
        event_id = uuid.uuid4()
        with psycopg.connect(database) as conn:
            conn.execute(
                "INSERT INTO catalog.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, headers)"
                " VALUES (%s, 'video', %s, 'catalog.video.updated', 'x', %s)",
                (event_id, uuid.uuid4(), f'{{"event_id": "{event_id}"}}'),
            )
        [received] = pull_all(topic[1], 1)
        assert received.message.attributes["event_id"] == str(event_id)


def test_a_relay_whose_database_connection_is_cut_reconnects_and_relays_on(
    database: str, publisher: EventPublisher, topic
) -> None:
    """A dropped connection (failover, idle-session kill) costs a reconnect, not the relay."""
    relay = make_relay(database, publisher, topic[0], idle_interval=0.05)
    with running(relay):
        [first] = enqueue(database, [(uuid.uuid4(), 1)])
        [received] = pull_all(topic[1], 1)
        assert received.message.attributes["event_id"] == str(first)
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (relay._conn.info.backend_pid,))  # noqa: SLF001
        [second] = enqueue(database, [(uuid.uuid4(), 1)])
        [received] = pull_all(topic[1], 1)
        assert received.message.attributes["event_id"] == str(second)


class _SlowCountStore(OutboxStore):
    """An outbox whose counting takes until ``released``: a very large backlog, as far as a relay can tell."""

    def __init__(self, schema: str, released: threading.Event) -> None:
        super().__init__(schema)
        self.released = released
        self.counting = threading.Event()

    def counts(self, conn: psycopg.Connection) -> tuple[int, int]:
        self.counting.set()
        self.released.wait(30)
        return super().counts(conn)


def test_a_slow_backlog_count_holds_up_no_event(database: str, publisher: EventPublisher, topic) -> None:
    """The gauges count on a thread of their own: the relay goes on relaying while a count runs."""
    relay = make_relay(database, publisher, topic[0], idle_interval=0.05)
    released = threading.Event()
    relay._store = store = _SlowCountStore("catalog", released)  # noqa: SLF001 - the test's only hook
    with running(relay):
        try:
            eventually(store.counting.is_set, timeout=10, what="the gauges start counting")
            [event_id] = enqueue(database, [(uuid.uuid4(), 1)])
            [received] = pull_all(topic[1], 1)
            assert received.message.attributes["event_id"] == str(event_id)
        finally:
            released.set()
