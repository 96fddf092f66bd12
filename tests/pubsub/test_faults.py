"""Fault controls of the stand-in, driven over its admin interface (``pubsub_faults``).

Google's emulator has none of these, so these tests run against the stand-in only. Each one shows
the fault through the real client first (what a relay or consumer would see), then through the
stand-in's inspection endpoints.
"""

from __future__ import annotations

import threading
import time

import pytest
from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_exception_type

from fixtures.pubsub.admin import AdminError
from fixtures.pubsub.testing import Receiver, ack, publish, pull, stop, subscribe, topic_and_subscription
from steps.eventually import eventually


@pytest.fixture
def clients(standin_clients):
    return standin_clients


def test_silent_drop_acknowledges_the_publish_but_nobody_receives_it(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    pubsub_faults.faults.drop_publishes(2, topic=topic)

    ids = [publish(clients, topic, f"m{i}") for i in range(3)]
    assert all(ids), "a silently dropped publish still returns a message id"
    got = eventually(lambda: pull(clients, sub), what="the one message that was not dropped")
    assert [r.message.data for r in got] == [b"m2"]
    ack(clients, sub, got)
    assert pull(clients, sub) == []
    fates = [m["fate"] for m in pubsub_faults.topic_messages(topic)]
    assert fates[:2] == ["dropped by fault (publisher saw success)"] * 2
    assert fates[2] == "delivered to subscriptions"


def test_unavailable_drop_fails_the_publish_call(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    pubsub_faults.faults.drop_publishes(1, topic=topic, mode="unavailable")

    with pytest.raises(gexc.ServiceUnavailable, match="stand-in fault"):
        clients.publisher.publish(topic, b"lost", retry=None).result(timeout=10)
    assert pubsub_faults.topic_messages(topic) == []
    # With the client's default retry the next call goes through: the rule was for one call only.
    publish(clients, topic, "kept")
    assert [m["data"] for m in pubsub_faults.topic_messages(topic)] == ["kept"]


def test_publish_window_of_unavailability_is_retried_through_by_the_client(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    started = time.monotonic()
    pubsub_faults.faults.fail_publishes(topic=topic, seconds=1.0)

    # Short, fixed retry backoff: the client's default (x4 per attempt, jittered) makes the test's
    # duration a lottery between 1 and 8 seconds.
    retry = Retry(initial=0.1, maximum=0.2, multiplier=1.0, timeout=10,
                  predicate=if_exception_type(gexc.ServiceUnavailable))
    message_id = clients.publisher.publish(topic, b"eventually stored", retry=retry).result(timeout=15)
    assert time.monotonic() - started >= 1.0, "the publish succeeded inside the UNAVAILABLE window"
    got = eventually(lambda: pull(clients, sub), what="the message published after the window")
    assert [r.message.message_id for r in got] == [message_id]
    ack(clients, sub, got)


def test_failing_pulls_break_the_stream_and_the_client_reopens_it(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    receiver = Receiver()
    future = subscribe(clients, sub, receiver)
    try:
        publish(clients, topic, "before")
        eventually(receiver.count, until=lambda n: n == 1, what="the first message over the stream")
        pubsub_faults.faults.fail_pulls(subscription=sub)
        with pytest.raises(gexc.ServiceUnavailable):
            clients.subscriber.pull(subscription=sub, max_messages=1, timeout=5, retry=None)
        publish(clients, topic, "during")
        assert pubsub_faults.subscription_stats(sub)["delivered"] == 1
        pubsub_faults.faults.clear()
        eventually(receiver.count, until=lambda n: n == 2, timeout=15,
                   what="the message published while pulls failed, after the client reopened its stream")
    finally:
        stop(future)
    assert [d for _, d in receiver.seen] == ["before", "during"]
    assert not future.running()


def test_duplicate_deliveries_deliver_each_message_k_times(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    pubsub_faults.faults.duplicate_deliveries(subscription=sub, copies=3)
    message_id = publish(clients, topic, "once")

    got: list = []

    def collect() -> int:
        batch = pull(clients, sub)
        ack(clients, sub, batch)
        got.extend(batch)
        return len(got)

    eventually(collect, until=lambda n: n >= 3, what="three deliveries of one message")
    assert [r.message.message_id for r in got] == [message_id] * 3
    assert len({r.ack_id for r in got}) == 3
    assert pull(clients, sub) == []


def test_delayed_delivery_arrives_after_the_delay(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    pubsub_faults.faults.delay_deliveries(subscription=sub, seconds=1.5)
    started = time.monotonic()
    publish(clients, topic, "late")

    got = eventually(lambda: pull(clients, sub), timeout=10, what="the delayed message")
    assert time.monotonic() - started >= 1.4
    ack(clients, sub, got)


def test_paused_subscription_delivers_nothing_until_resumed(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    pubsub_faults.faults.pause(sub)
    publish(clients, topic, "queued")

    assert pull(clients, sub) == []
    stats = pubsub_faults.subscription_stats(sub)
    assert (stats["paused"], stats["backlog"], stats["delivered"]) == (True, 1, 0)
    pubsub_faults.faults.resume(sub)
    got = eventually(lambda: pull(clients, sub), what="the queued message after resume")
    assert [r.message.data for r in got] == [b"queued"]
    ack(clients, sub, got)


def test_partition_fails_publish_and_pull_until_cleared(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    pubsub_faults.faults.partition()
    with pytest.raises(gexc.ServiceUnavailable):
        clients.publisher.publish(topic, b"x", retry=None).result(timeout=10)
    with pytest.raises(gexc.ServiceUnavailable):
        clients.subscriber.pull(subscription=sub, max_messages=1, timeout=5, retry=None)
    assert {r["kind"] for r in pubsub_faults.faults.active()} == {"fail_publish", "fail_pull"}
    pubsub_faults.faults.clear()
    publish(clients, topic, "after")
    got = eventually(lambda: pull(clients, sub), what="delivery after the partition healed")
    ack(clients, sub, got)


def test_streaming_pull_honours_max_outstanding_messages(clients, pubsub_faults):
    topic, sub = topic_and_subscription(clients)
    for i in range(6):
        clients.publisher.publish(topic, f"m{i}".encode())
    clients.publisher.publish(topic, b"m-last").result(timeout=10)
    hold = threading.Event()
    receiver = Receiver(hold=hold)
    future = subscribe(clients, sub, receiver, max_messages=2)
    try:
        stats = eventually(lambda: pubsub_faults.subscription_stats(sub),
                           until=lambda s: s["outstanding"] == 2, what="two messages leased to the stream")
        assert stats["backlog"] == 5, f"the server pushed past the client's flow control: {stats}"
        hold.set()
        eventually(lambda: pubsub_faults.subscription_stats(sub)["acked"], until=lambda n: n == 7,
                   what="all seven messages acked once the handler is released")
    finally:
        hold.set()
        stop(future)


def test_admin_errors_name_the_problem(pubsub_faults, pubsub_project):
    missing = f"projects/{pubsub_project}/subscriptions/no-such-subscription"
    with pytest.raises(AdminError, match="HTTP 404.*no-such-subscription"):
        pubsub_faults.subscription_stats(missing)
    with pytest.raises(AdminError, match="HTTP 400.*drop mode must be one of"):
        pubsub_faults.faults.drop_publishes(1, mode="sometimes")
    with pytest.raises(AdminError, match="HTTP 400.*copies must be at least 2"):
        pubsub_faults.faults.duplicate_deliveries(copies=1)
    assert pubsub_faults.faults.active() == []


def test_failed_ordered_publish_pauses_the_key_until_resumed(clients, pubsub_faults):
    from google.cloud.pubsub_v1.publisher.exceptions import PublishToPausedOrderingKeyException

    topic, sub = topic_and_subscription(clients, enable_message_ordering=True)
    pubsub_faults.faults.drop_publishes(1, topic=topic, mode="unavailable")
    with pytest.raises(gexc.ServiceUnavailable):
        clients.publisher.publish(topic, b"v1", ordering_key="video-1", retry=None).result(timeout=10)
    with pytest.raises(PublishToPausedOrderingKeyException):  # on the future, not from publish() itself
        clients.publisher.publish(topic, b"v2", ordering_key="video-1").result(timeout=10)
    publish(clients, topic, "other key unaffected", ordering_key="video-2")

    # The relay's duty (semantics.md §1.2): re-send the failed message first, then go on.
    clients.publisher.resume_publish(topic, "video-1")
    publish(clients, topic, "v1", ordering_key="video-1")
    publish(clients, topic, "v2", ordering_key="video-1")
    got: list = []

    def collect() -> int:
        batch = pull(clients, sub)
        ack(clients, sub, batch)
        got.extend(batch)
        return len(got)

    eventually(collect, until=lambda n: n == 3, what="the three messages that were published")
    assert [r.message.data for r in got if r.message.ordering_key == "video-1"] == [b"v1", b"v2"]


def test_scaled_backoff_runs_a_long_retry_schedule_fast(clients, pubsub_faults):
    dead_topic, dead_sub = clients.topic("dead"), clients.subscription("dead")
    clients.publisher.create_topic(name=dead_topic)
    clients.subscriber.create_subscription(name=dead_sub, topic=dead_topic)
    # The contract's defaults (contracts/pubsub.yaml): backoff 10 s..600 s, dead letter after 5 attempts.
    topic, sub = topic_and_subscription(
        clients, retry_policy={"minimum_backoff": {"seconds": 10}, "maximum_backoff": {"seconds": 600}},
        dead_letter_policy={"dead_letter_topic": dead_topic, "max_delivery_attempts": 5})
    pubsub_faults.faults.scale_backoff(0.01, subscription=sub)
    publish(clients, topic, "poison")

    gaps, nacked_at = [], None
    for attempt in range(1, 6):
        got = eventually(lambda: pull(clients, sub), timeout=5, what=f"delivery attempt {attempt}")
        if nacked_at is not None:
            gaps.append(time.monotonic() - nacked_at)
        assert [r.delivery_attempt for r in got] == [attempt]
        clients.subscriber.modify_ack_deadline(subscription=sub, ack_ids=[got[0].ack_id], ack_deadline_seconds=0)
        nacked_at = time.monotonic()
    # Unscaled: 10, 20, 40, 80 s. Scaled by 0.01: 0.1, 0.2, 0.4, 0.8 s.
    # (less 20 ms: the gap is measured from when the nack call returned, a little after the server saw it)
    assert all(g >= want - 0.02 for g, want in zip(gaps, (0.1, 0.2, 0.4, 0.8))), gaps
    assert sum(gaps) < 5, gaps
    dead = eventually(lambda: pull(clients, dead_sub), what="the message on the dead-letter topic")
    assert dead[0].message.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
