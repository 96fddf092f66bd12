"""The stand-in's own surfaces: the in-process Python API, StreamingPull details, the runnable module.

These are stand-in-only by nature (Google's emulator has no in-process form and no inspection),
so they do not take ``pubsub_backend``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest
from google.api_core import exceptions as gexc

from fixtures.pubsub.admin import PubsubAdmin, create_admin_server
from fixtures.pubsub.server import Broker, RpcFailure, create_server, stop_server
from fixtures.pubsub.testing import Receiver, ack, publish, pull, real_clients, subscribe, topic_and_subscription
from steps.eventually import eventually


@pytest.fixture
def in_process(pubsub_project: str) -> Iterator[tuple[Broker, object]]:
    """A stand-in inside this process (port 0) and real clients for it."""
    server, port, broker = create_server("127.0.0.1", 0)
    try:
        with real_clients(f"127.0.0.1:{port}", pubsub_project) as c:
            yield broker, c
    finally:
        stop_server(server, broker)


def test_in_process_api_controls_and_inspects_the_broker(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients)
    broker.faults.pause(sub)
    message_id = publish(clients, topic, "hello", ordering_key="k", kind="greeting")

    assert pull(clients, sub, wait=0.5) == []
    stats = broker.subscription_stats(sub)
    assert (stats["backlog"], stats["outstanding"], stats["paused"]) == (1, 0, True)
    [record] = broker.topic_messages(topic)
    assert (record["message_id"], record["data"], record["attributes"], record["ordering_key"]) == (
        message_id, "hello", {"kind": "greeting"}, "k")

    broker.faults.resume(sub)
    got = eventually(lambda: pull(clients, sub), what="delivery after resume")
    assert broker.subscription_stats(sub)["outstanding"] == 1
    ack(clients, sub, got)
    assert broker.subscription_stats(sub)["acked"] == 1

    broker.reset()
    with pytest.raises(gexc.NotFound):
        clients.publisher.get_topic(topic=topic)
    with pytest.raises(RpcFailure, match="Resource not found"):
        broker.topic_messages(topic)


def test_admin_client_and_in_process_api_have_the_same_shape(in_process):
    broker, clients = in_process
    admin_server, admin_port = create_admin_server(broker)
    threading.Thread(target=admin_server.serve_forever, daemon=True).start()
    try:
        admin = PubsubAdmin(f"127.0.0.1:{admin_port}")
        topic, sub = topic_and_subscription(clients)
        admin.faults.delay_deliveries(subscription=sub, seconds=30)
        assert broker.faults.active() == admin.faults.active() == [
            {"kind": "delay", "scope": sub, "value": 30.0}]
        publish(clients, topic, "x")
        assert admin.subscription_stats(sub) == broker.subscription_stats(sub)
        assert admin.topic_messages(topic) == broker.topic_messages(topic)
        assert admin.state()["topics"] == {topic: [sub]}
        admin.reset()
        assert broker.topics_summary() == {"topics": {}, "subscriptions": {}}
    finally:
        admin_server.shutdown()
        admin_server.server_close()


class RawStream:
    """A StreamingPull driven by hand, to send acks and modacks on the stream itself."""

    def __init__(self, clients, subscription: str, **first) -> None:
        self.requests: queue.Queue = queue.Queue()
        self.requests.put({"subscription": subscription, "stream_ack_deadline_seconds": 10, **first})
        self.responses = clients.subscriber.streaming_pull(requests=self._requests())
        self.received: queue.Queue = queue.Queue()
        self.batches: queue.Queue = queue.Queue()  # each response's received messages, as one list
        threading.Thread(target=self._read, daemon=True).start()

    def _requests(self):
        while (r := self.requests.get()) is not None:
            yield r

    def _read(self) -> None:
        try:
            for resp in self.responses:
                for rm in resp.received_messages:
                    self.received.put(rm)
                self.batches.put(list(resp.received_messages))
        except gexc.GoogleAPICallError:
            pass  # cancelled by close()

    def next(self, timeout: float = 5.0):
        return self.received.get(timeout=timeout)

    def next_response(self, timeout: float = 5.0) -> list:
        """The received messages of the next response (use either this or ``next`` in a test)."""
        return self.batches.get(timeout=timeout)

    def close(self) -> None:
        self.requests.put(None)
        self.responses.cancel()


def test_acks_and_nacks_sent_on_the_stream_itself(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients)
    stream = RawStream(clients, sub)
    try:
        first_id = publish(clients, topic, "ack me on the stream")
        first = stream.next()
        stream.requests.put({"ack_ids": [first.ack_id]})
        eventually(lambda: broker.subscription_stats(sub)["acked"], until=lambda n: n == 1, what="the stream ack")

        publish(clients, topic, "nack me on the stream")
        second = stream.next()
        stream.requests.put({"modify_deadline_ack_ids": [second.ack_id], "modify_deadline_seconds": [0]})
        again = stream.next()
        assert again.message.message_id == second.message.message_id != first_id
        assert again.ack_id != second.ack_id
        stream.requests.put({})  # a heartbeat: must change nothing
        stream.requests.put({"ack_ids": [again.ack_id]})
        stats = eventually(lambda: broker.subscription_stats(sub), until=lambda s: s["acked"] == 2, what="both acked")
        assert (stats["nacked"], stats["outstanding"], stats["backlog"]) == (1, 0, 0)
    finally:
        stream.close()


def test_stream_holds_the_next_response_until_the_client_confirms_the_last(in_process):
    broker, clients = in_process
    broker.receipt_wait = 60.0  # once a stream has confirmed a receipt, wait for the next one (no cap here)
    topic, sub = topic_and_subscription(clients)
    stream = RawStream(clients, sub)
    try:
        publish(clients, topic, "first")
        [first] = stream.next_response()
        clients.subscriber.modify_ack_deadline(subscription=sub, ack_ids=[first.ack_id], ack_deadline_seconds=10)
        publish(clients, topic, "second")
        [second] = stream.next_response()  # at once: the first response was confirmed (by a unary modack)

        later = [publish(clients, topic, f"later {i}") for i in range(3)]  # three Publish calls
        assert broker.subscription_stats(sub)["backlog"] == 3  # held: the second is not confirmed yet
        stream.requests.put({"ack_ids": [second.ack_id]})  # an ack on the stream confirms it too
        assert [m.message.message_id for m in stream.next_response()] == later
    finally:
        stream.close()


def test_a_stream_whose_client_never_confirms_still_gets_later_messages(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients)
    stream = RawStream(clients, sub)  # never acks or modacks: the hold ends at its short cap
    try:
        first = publish(clients, topic, "first")
        assert [m.message.message_id for m in stream.next_response()] == [first]
        second = publish(clients, topic, "second")
        assert [m.message.message_id for m in stream.next_response()] == [second]
    finally:
        stream.close()


def test_stream_ack_deadline_expiry_redelivers_on_the_stream(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients)
    stream = RawStream(clients, sub)
    try:
        publish(clients, topic, "forgotten")
        first = stream.next()
        stream.requests.put({"modify_deadline_ack_ids": [first.ack_id], "modify_deadline_seconds": [1]})
        again = stream.next(timeout=5)
        assert again.message.message_id == first.message.message_id
        assert broker.subscription_stats(sub)["expired"] == 1
        stream.requests.put({"ack_ids": [again.ack_id]})
    finally:
        stream.close()


def test_deleting_a_subscription_ends_its_streams_with_not_found(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients)
    future = subscribe(clients, sub, Receiver())
    eventually(lambda: future.running(), what="the subscriber runs")
    clients.subscriber.delete_subscription(subscription=sub)
    with pytest.raises(gexc.NotFound):
        future.result(timeout=10)


def test_dead_lettered_head_of_key_releases_the_next_message_of_the_key(in_process):
    broker, clients = in_process
    dead = clients.topic("dead")
    clients.publisher.create_topic(name=dead)
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True,
                                        dead_letter_policy={"dead_letter_topic": dead, "max_delivery_attempts": 5})
    publish(clients, topic, "poison", ordering_key="k")
    publish(clients, topic, "next", ordering_key="k")
    for attempt in range(1, 6):
        got = eventually(lambda: pull(clients, sub, max_messages=1), what=f"attempt {attempt} of the head")
        assert [(r.message.data, r.delivery_attempt) for r in got] == [(b"poison", attempt)]
        clients.subscriber.modify_ack_deadline(subscription=sub, ack_ids=[got[0].ack_id], ack_deadline_seconds=0)
    got = eventually(lambda: pull(clients, sub, max_messages=1), what="the next message of the key")
    assert [r.message.data for r in got] == [b"next"]
    ack(clients, sub, got)
    assert [m["fate"] for m in broker.topic_messages(dead)] == [f"dead-lettered from {sub}"]


def test_nack_with_retry_policy_keeps_the_key_blocked_during_backoff(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients, enable_message_ordering=True,
                                        retry_policy={"minimum_backoff": {"seconds": 1}, "maximum_backoff": {"seconds": 1}})
    publish(clients, topic, "v1", ordering_key="k")
    publish(clients, topic, "v2", ordering_key="k")
    first = eventually(lambda: pull(clients, sub, max_messages=1), what="v1")
    clients.subscriber.modify_ack_deadline(subscription=sub, ack_ids=[first[0].ack_id], ack_deadline_seconds=0)
    assert pull(clients, sub, wait=0.5) == [], "v2 overtook v1 while v1 was in backoff"
    again = eventually(lambda: pull(clients, sub), what="v1 after its backoff")
    assert [r.message.data for r in again][0] == b"v1"
    ack(clients, sub, again)


def test_ack_of_a_stale_ack_id_is_ignored(in_process):
    broker, clients = in_process
    topic, sub = topic_and_subscription(clients)
    publish(clients, topic, "x")
    first = eventually(lambda: pull(clients, sub), what="first delivery")
    clients.subscriber.modify_ack_deadline(subscription=sub, ack_ids=[first[0].ack_id], ack_deadline_seconds=0)
    again = eventually(lambda: pull(clients, sub), what="redelivery")
    ack(clients, sub, first)  # the old lease: no effect, no error
    assert broker.subscription_stats(sub)["outstanding"] == 1
    ack(clients, sub, again)
    assert broker.subscription_stats(sub)["outstanding"] == 0


def test_subscription_filters_are_refused_not_ignored(in_process):
    broker, clients = in_process
    topic = clients.topic()
    clients.publisher.create_topic(name=topic)
    with pytest.raises(gexc.MethodNotImplemented, match="filters are not implemented"):
        clients.subscriber.create_subscription(
            request={"name": clients.subscription(), "topic": topic, "filter": 'attributes.kind = "x"'})
