"""Pub/Sub behaviour the suite relies on, pinned with the real ``google-cloud-pubsub`` client.

Every test runs against our stand-in and against Google's emulator (``pubsub_backend``), so the
stand-in cannot drift into behaviour of its own. Where Google's emulator lacks a behaviour of the
real service, the test says so with ``emulator_gap(reason=...)`` (a strict xfail on that backend).
Sources for each behaviour are in ``shared/research/semantics.md`` §3 and ``fixtures/pubsub/README.md``.
"""

from __future__ import annotations

import time

import pytest
from google.api_core import exceptions as gexc
from google.protobuf import timestamp_pb2
from google.pubsub_v1.services.publisher import PublisherClient as GeneratedPublisherClient

from fixtures.pubsub.testing import Receiver, ack, nack, publish, pull, stop, subscribe, topic_and_subscription
from steps.eventually import eventually

DLQ_ATTRIBUTES = {
    "CloudPubSubDeadLetterSourceDeliveryCount",
    "CloudPubSubDeadLetterSourceSubscription",
    "CloudPubSubDeadLetterSourceSubscriptionProject",
    "CloudPubSubDeadLetterSourceTopicPublishTime",
}


# -- resources ----------------------------------------------------------------------------------------


def test_topic_and_subscription_lifecycle(clients):
    pub, subr = clients.publisher, clients.subscriber
    topic, sub = clients.topic(), clients.subscription()
    project = f"projects/{clients.project}"

    assert pub.create_topic(name=topic).name == topic
    assert pub.get_topic(topic=topic).name == topic
    with pytest.raises(gexc.AlreadyExists):
        pub.create_topic(name=topic)
    assert topic in [t.name for t in pub.list_topics(project=project)]

    created = subr.create_subscription(name=sub, topic=topic)
    assert (created.name, created.topic, created.ack_deadline_seconds) == (sub, topic, 10)
    assert subr.get_subscription(subscription=sub).topic == topic
    with pytest.raises(gexc.AlreadyExists):
        subr.create_subscription(name=sub, topic=topic)
    assert list(pub.list_topic_subscriptions(topic=topic)) == [sub]
    assert sub in [s.name for s in subr.list_subscriptions(project=project)]

    with pytest.raises(gexc.NotFound):
        subr.create_subscription(name=clients.subscription("orphan"), topic=clients.topic("missing"))
    with pytest.raises(gexc.InvalidArgument):
        pub.create_topic(name=f"{project}/topics/x")  # ids are 3-255 characters

    subr.delete_subscription(subscription=sub)
    with pytest.raises(gexc.NotFound):
        subr.get_subscription(subscription=sub)
    assert list(pub.list_topic_subscriptions(topic=topic)) == []
    pub.delete_topic(topic=topic)
    with pytest.raises(gexc.NotFound):
        pub.get_topic(topic=topic)
    with pytest.raises(gexc.NotFound):
        pub.delete_topic(topic=topic)


def test_deleting_a_topic_detaches_its_subscriptions(clients):
    topic, sub = topic_and_subscription(clients)
    clients.publisher.delete_topic(topic=topic)
    assert clients.subscriber.get_subscription(subscription=sub).topic == "_deleted-topic_"


def test_lists_are_paged(clients):
    topics = [clients.topic(f"page-{i}") for i in range(3)]
    for t in topics:
        clients.publisher.create_topic(name=t)
    pager = clients.publisher.list_topics(request={"project": f"projects/{clients.project}", "page_size": 1})
    first_page = next(iter(pager.pages))
    assert len(first_page.topics) == 1 and first_page.next_page_token
    listed = [t.name for t in clients.publisher.list_topics(request={"project": f"projects/{clients.project}",
                                                                      "page_size": 2})]
    assert set(topics) <= set(listed)
    assert len(listed) == len(set(listed))


# -- publish and receive --------------------------------------------------------------------------


def test_publish_keeps_data_attributes_and_ordering_key(clients):
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True)
    before = time.time()
    message_id = publish(clients, topic, "v1", ordering_key="video-1", event_type="video.created", version="1")

    got = eventually(lambda: pull(clients, sub), what="the published message arrives")
    assert len(got) == 1
    m = got[0].message
    assert m.data == b"v1"
    assert dict(m.attributes) == {"event_type": "video.created", "version": "1"}
    assert m.ordering_key == "video-1"
    assert m.message_id == message_id
    assert m.publish_time.timestamp() >= before - 1
    ack(clients, sub, got)


def test_nack_redelivers_the_same_message(clients):
    topic, sub = topic_and_subscription(clients)
    message_id = publish(clients, topic, "poison")
    first = eventually(lambda: pull(clients, sub), what="first delivery")
    nack(clients, sub, first[0])
    again = eventually(lambda: pull(clients, sub), what="redelivery after nack")
    assert [r.message.message_id for r in again] == [message_id]
    ack(clients, sub, again)


def test_ack_deadline_expiry_redelivers_with_pull(clients):
    topic, sub = topic_and_subscription(clients)
    message_id = publish(clients, topic, "slow handler")
    first = eventually(lambda: pull(clients, sub), what="first delivery")
    clients.subscriber.modify_ack_deadline(subscription=sub, ack_ids=[first[0].ack_id], ack_deadline_seconds=2)
    leased_at = time.monotonic()

    again = eventually(lambda: pull(clients, sub), timeout=15, what="redelivery after the ack deadline passed")
    assert [r.message.message_id for r in again] == [message_id]
    assert time.monotonic() - leased_at >= 1.5, "redelivered before its ack deadline passed"
    ack(clients, sub, again)


def test_acked_message_is_not_redelivered(clients):
    topic, sub = topic_and_subscription(clients)
    publish(clients, topic, "done")
    got = eventually(lambda: pull(clients, sub), what="delivery")
    ack(clients, sub, got)
    assert pull(clients, sub, wait=1.0) == []


# -- ordering ---------------------------------------------------------------------------------------


def test_ordering_key_blocks_until_the_outstanding_message_is_acked(clients):
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True)
    publish(clients, topic, "v1", ordering_key="video-1")
    publish(clients, topic, "v2", ordering_key="video-1")

    first = eventually(lambda: pull(clients, sub, max_messages=1), what="the first message of the key")
    assert [r.message.data for r in first] == [b"v1"]
    assert pull(clients, sub, max_messages=1) == [], "v2 was delivered while v1 was still outstanding"
    ack(clients, sub, first)
    second = eventually(lambda: pull(clients, sub, max_messages=1), what="v2 after v1 was acked")
    assert [r.message.data for r in second] == [b"v2"]
    ack(clients, sub, second)


def test_ordering_per_key_over_streaming_pull(clients):
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True)
    expected = {key: [f"{key}-{i}" for i in range(10)] for key in ("video-a", "video-b")}
    futures = [clients.publisher.publish(topic, datas[i].encode(), ordering_key=key)
               for i in range(10) for key, datas in expected.items()]
    for f in futures:
        f.result(timeout=10)

    receiver = Receiver()
    future = subscribe(clients, sub, receiver)
    try:
        eventually(lambda: all(len(receiver.of_key(k)) >= 10 for k in expected), timeout=15,
                   what="all 20 messages arrive")
    finally:
        stop(future)
    for key, datas in expected.items():
        assert receiver.of_key(key) == datas


@pytest.mark.emulator_gap(reason="redelivers only the nacked message, not the later (already acked) ones of its key")
def test_ordering_nack_redelivers_the_message_and_every_later_one_of_its_key(clients):
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True)
    datas = [f"v{i}" for i in range(5)]
    for d in datas:
        clients.publisher.publish(topic, d.encode(), ordering_key="video-1")
    publish(clients, topic, "other", ordering_key="video-2")

    receiver = Receiver(nack_once={"v2"})
    future = subscribe(clients, sub, receiver)
    try:
        eventually(lambda: receiver.of_key("video-1").count("v2"), until=lambda n: n == 2, timeout=10,
                   what="v2 redelivered after its nack")
        seen = eventually(lambda: receiver.of_key("video-1"), until=lambda s: s[-1] == "v4", timeout=3,
                          what="v3 and v4 following the redelivered v2")
    finally:
        stop(future)
    # v0 v1 v2(nack) [v3 v4 if they were already on their way] v2 v3 v4: never a later one before v2 again.
    second = len(seen) - 1 - seen[::-1].index("v2")
    assert seen[:3] == ["v0", "v1", "v2"]
    assert seen[3:second] == ["v3", "v4"][: second - 3]
    assert seen[second:] == ["v2", "v3", "v4"]
    assert receiver.of_key("video-2") == ["other"]


# -- dead letter, retry policy, seek ---------------------------------------------------------------------


def test_dead_letter_after_max_delivery_attempts(clients):
    dead_topic, dead_sub = clients.topic("dead"), clients.subscription("dead")
    clients.publisher.create_topic(name=dead_topic)
    clients.subscriber.create_subscription(name=dead_sub, topic=dead_topic)
    topic, sub = topic_and_subscription(
        clients, dead_letter_policy={"dead_letter_topic": dead_topic, "max_delivery_attempts": 5})
    message_id = publish(clients, topic, "poison", event_id="e-1")

    attempts = []
    for _ in range(5):
        got = eventually(lambda: pull(clients, sub), what=f"delivery attempt {len(attempts) + 1}")
        attempts += [r.delivery_attempt for r in got]
        for r in got:
            nack(clients, sub, r)
    assert attempts == [1, 2, 3, 4, 5]

    # The service forwards when it would deliver the message again, so keep asking the source.
    extra: list = []

    def forwarded() -> list:
        extra.extend(pull(clients, sub, wait=0.5))
        return pull(clients, dead_sub, wait=0.5)

    dead = eventually(forwarded, timeout=15, what="the message on the dead-letter topic")
    assert extra == [], f"delivered again after {len(attempts)} attempts: {extra}"
    m = dead[0].message
    assert m.data == b"poison"
    assert m.attributes["event_id"] == "e-1"
    assert DLQ_ATTRIBUTES <= set(m.attributes)
    assert m.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert m.attributes["CloudPubSubDeadLetterSourceSubscription"] == sub.rsplit("/", 1)[-1]
    assert m.attributes["CloudPubSubDeadLetterSourceSubscriptionProject"] == clients.project
    assert m.message_id != message_id
    ack(clients, dead_sub, dead)
    assert pull(clients, sub) == [], "a dead-lettered message must leave the source subscription"


@pytest.mark.parametrize("retry_policy", [
    pytest.param(None, id="plain"),
    pytest.param({"minimum_backoff": {"seconds": 0}, "maximum_backoff": {"seconds": 0}}, id="with_retry_policy",
                 marks=pytest.mark.emulator_gap(reason="sets delivery_attempt when a retry policy exists, "
                                                       "even without a dead-letter policy")),
])
def test_delivery_attempt_is_unset_without_dead_letter_policy(clients, retry_policy):
    topic, sub = topic_and_subscription(clients, **({"retry_policy": retry_policy} if retry_policy else {}))
    publish(clients, topic, "x")
    first = eventually(lambda: pull(clients, sub), what="first delivery")
    nack(clients, sub, first[0])
    again = eventually(lambda: pull(clients, sub), what="redelivery")
    ack(clients, sub, again)
    assert [r.delivery_attempt for r in first + again] == [0, 0]


@pytest.mark.emulator_gap(reason="redelivers the first nack at once; backoff only applies from the second nack on")
def test_retry_policy_backoff_delays_redelivery_after_nack(clients):
    topic, sub = topic_and_subscription(
        clients, retry_policy={"minimum_backoff": {"seconds": 2}, "maximum_backoff": {"seconds": 3}})
    message_id = publish(clients, topic, "retry me")
    first = eventually(lambda: pull(clients, sub), what="first delivery")
    nack(clients, sub, first[0])
    nacked_at = time.monotonic()

    again = eventually(lambda: pull(clients, sub), timeout=10, what="redelivery after the backoff")
    waited = time.monotonic() - nacked_at
    assert [r.message.message_id for r in again] == [message_id]
    ack(clients, sub, again)
    assert waited >= 1.8, f"redelivered {waited:.2f}s after the nack; minimum_backoff is 2s"


def test_seek_to_a_time_replays_acked_messages(clients):
    topic, sub = topic_and_subscription(clients, retain_acked_messages=True)
    old_id = publish(clients, topic, "before")
    old = eventually(lambda: pull(clients, sub), what="the old message")
    ack(clients, sub, old)
    seek_point = timestamp_pb2.Timestamp()
    seek_point.GetCurrentTime()
    # publish_time has millisecond resolution on the real service; keep the seek point clear of it.
    eventually(lambda: time.time() - seek_point.ToNanoseconds() / 1e9 > 0.05, what="clock moves on")
    new_ids = [publish(clients, topic, f"after-{i}") for i in range(3)]
    got = eventually(lambda: pull(clients, sub), until=lambda g: len(g) == 3, what="the three new messages")
    ack(clients, sub, got)

    clients.subscriber.seek(request={"subscription": sub, "time": seek_point})
    replayed: list = []

    def more() -> list:
        batch = pull(clients, sub)
        ack(clients, sub, batch)
        replayed.extend(batch)
        return sorted(r.message.message_id for r in replayed)

    eventually(more, until=lambda ids: ids == sorted(new_ids), timeout=10, what="the acked messages after the seek point")
    assert old_id not in {r.message.message_id for r in replayed}


@pytest.mark.emulator_gap(reason="Seek answers UNIMPLEMENTED on a subscription with message ordering")
def test_seek_on_an_ordered_subscription_replays_in_order(clients):
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True, retain_acked_messages=True)
    seek_point = timestamp_pb2.Timestamp()
    seek_point.GetCurrentTime()
    eventually(lambda: time.time() - seek_point.ToNanoseconds() / 1e9 > 0.05, what="clock moves on")
    for d in ("v1", "v2", "v3"):
        clients.publisher.publish(topic, d.encode(), ordering_key="video-1")
    publish(clients, topic, "v4", ordering_key="video-1")

    def drain() -> list[bytes]:
        out: list[bytes] = []

        def more() -> int:
            batch = pull(clients, sub)
            ack(clients, sub, batch)
            out.extend(r.message.data for r in batch)
            return len(out)

        eventually(more, until=lambda n: n >= 4, timeout=10, what="four messages of the key")
        return out

    assert drain() == [b"v1", b"v2", b"v3", b"v4"]
    clients.subscriber.seek(request={"subscription": sub, "time": seek_point})
    assert drain() == [b"v1", b"v2", b"v3", b"v4"]


def test_seek_to_a_snapshot_restores_its_unacked_messages(clients):
    topic, sub = topic_and_subscription(clients, retain_acked_messages=True)
    kept_id = publish(clients, topic, "unacked at snapshot time")
    snapshot = f"projects/{clients.project}/snapshots/{clients.prefix}-snap"
    clients.subscriber.create_snapshot(name=snapshot, subscription=sub)
    got = eventually(lambda: pull(clients, sub), what="the message")
    ack(clients, sub, got)
    assert pull(clients, sub) == []

    clients.subscriber.seek(request={"subscription": sub, "snapshot": snapshot})
    again = eventually(lambda: pull(clients, sub), timeout=10, what="the message restored by the snapshot")
    assert [r.message.message_id for r in again] == [kept_id]
    ack(clients, sub, again)
    clients.subscriber.delete_snapshot(snapshot=snapshot)


def test_seek_without_retained_acked_messages_does_not_replay_them(clients):
    topic, sub = topic_and_subscription(clients)
    seek_point = timestamp_pb2.Timestamp()
    seek_point.GetCurrentTime()
    eventually(lambda: time.time() - seek_point.ToNanoseconds() / 1e9 > 0.05, what="clock moves on")
    publish(clients, topic, "acked and gone")
    ack(clients, sub, eventually(lambda: pull(clients, sub), what="the message"))

    clients.subscriber.seek(request={"subscription": sub, "time": seek_point})
    assert pull(clients, sub) == []


def test_update_subscription_changes_the_ack_deadline(clients):
    topic, sub = topic_and_subscription(clients)
    updated = clients.subscriber.update_subscription(
        request={"subscription": {"name": sub, "ack_deadline_seconds": 42}, "update_mask": {"paths": ["ack_deadline_seconds"]}})
    assert updated.ack_deadline_seconds == 42
    assert clients.subscriber.get_subscription(subscription=sub).ack_deadline_seconds == 42


@pytest.mark.parametrize("fields, error", [
    pytest.param({"ack_deadline_seconds": 5}, gexc.InvalidArgument, id="ack_deadline_below_10s",
                 marks=pytest.mark.emulator_gap(reason="accepts ack_deadline_seconds below the documented minimum of 10")),
    pytest.param({"ack_deadline_seconds": 601}, gexc.InvalidArgument, id="ack_deadline_above_600s"),
    pytest.param({"retry_policy": {"minimum_backoff": {"seconds": 5}, "maximum_backoff": {"seconds": 1}}},
                 gexc.InvalidArgument, id="backoff_minimum_above_maximum"),
    pytest.param({"dead_letter_policy": {"dead_letter_topic": "DLQ", "max_delivery_attempts": 4}},
                 gexc.OutOfRange, id="max_delivery_attempts_below_5"),
])
def test_invalid_subscription_settings_are_rejected(clients, fields, error):
    topic = clients.topic()
    clients.publisher.create_topic(name=topic)
    if "dead_letter_policy" in fields:
        fields["dead_letter_policy"]["dead_letter_topic"] = topic
    with pytest.raises(error):
        clients.subscriber.create_subscription(request={"name": clients.subscription(), "topic": topic, **fields})


def test_publishing_to_a_missing_topic_is_not_found(clients):
    with pytest.raises(gexc.NotFound):
        clients.publisher.publish(clients.topic("missing"), b"x", retry=None).result(timeout=10)


@pytest.mark.emulator_gap(reason="accepts a PublishRequest whose messages carry different ordering keys")
def test_one_publish_request_carries_one_ordering_key(clients):
    """The API reference (PubsubMessage.ordering_key): all messages of one PublishRequest must specify
    the same ordering_key. Our stand-in refuses a mixed request, as the documented API does."""
    topic = clients.topic()
    clients.publisher.create_topic(name=topic)
    messages = [{"data": b"a", "ordering_key": "k1"}, {"data": b"b", "ordering_key": "k2"}]
    # The generated client's Publish sends one request as given (the library's own publish() batches per key).
    publish_request = GeneratedPublisherClient.publish
    with pytest.raises(gexc.InvalidArgument):
        publish_request(clients.publisher, request={"topic": topic, "messages": messages}, retry=None)
    same_key = [{"data": b"a", "ordering_key": "k1"}, {"data": b"b", "ordering_key": "k1"}]
    response = publish_request(clients.publisher, request={"topic": topic, "messages": same_key}, retry=None)
    assert len(response.message_ids) == 2
