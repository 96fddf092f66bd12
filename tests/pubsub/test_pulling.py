"""reference_impl/adapters/pulling.py against both backends: what it acknowledges stays acknowledged.

The inbox consumers pull a batch, apply it, then settle it in one Acknowledge and one nack request.
A settlement the broker does not take would not show in the projections (the inbox skips every
redelivery), only as endless redeliveries; so these tests watch the broker: after the acks a key's
next message comes at once (its earlier run is resolved), and after a nack the message itself
comes back at once.
"""

from __future__ import annotations

import threading
import time

import pytest

from fixtures.pubsub.testing import Clients, publish
from reference_impl.adapters.pulling import PullCancelled, PulledMessage, Puller, Settlement


@pytest.fixture
def ordered(clients: Clients, pubsub_backend, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """(topic, Puller) on a new topic with one ordered subscription (ack deadline 60 s)."""
    topic, subscription = clients.topic(), clients.subscription()
    clients.publisher.create_topic(name=topic)
    clients.subscriber.create_subscription(
        request={"name": subscription, "topic": topic, "enable_message_ordering": True, "ack_deadline_seconds": 60}
    )
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_backend.host)
    puller = Puller(subscription)
    yield topic, puller
    puller.close()


def _pull_until(puller: Puller, count: int, seconds: float = 10.0) -> tuple[list[PulledMessage], list[Settlement]]:
    """Pull until ``count`` messages came, within ``seconds``: the messages, and the settlement of each pull."""
    got: list[PulledMessage] = []
    settlements: list[Settlement] = []
    deadline = time.monotonic() + seconds
    while len(got) < count and time.monotonic() < deadline:
        messages, settlement = puller.pull(10, timeout=max(0.1, min(2.0, deadline - time.monotonic())))
        got += messages
        settlements.append(settlement)
    return got, settlements


def test_an_acknowledged_run_lets_the_keys_next_message_through(clients: Clients, ordered) -> None:  # noqa: ANN001
    topic, puller = ordered
    sent = [publish(clients, topic, f"m{n}", ordering_key="k") for n in range(3)]
    first, settlements = _pull_until(puller, 3)
    assert [m.message_id for m in first] == sent
    assert [m.data for m in first] == [b"m0", b"m1", b"m2"]
    for message in first:
        message.ack()
    for settlement in settlements:
        puller.settle(settlement, timeout=10)
    later = publish(clients, topic, "m3", ordering_key="k")
    # Within 60 s (the ack deadline) the key's next message is held back unless the run was acknowledged.
    assert [m.message_id for m in _pull_until(puller, 1, seconds=10)[0]] == [later]


def test_a_key_waits_while_a_message_of_it_is_outstanding(clients: Clients, ordered) -> None:  # noqa: ANN001
    # The consumers pull their next batch before the current one is settled: that keeps a key's
    # order only because the broker holds the key back meanwhile.
    topic, puller = ordered
    publish(clients, topic, "first", ordering_key="k")
    [first], _settlements = _pull_until(puller, 1)
    second = publish(clients, topic, "second", ordering_key="k")
    other = publish(clients, topic, "other", ordering_key="j")
    got, settlements = _pull_until(puller, 2, seconds=3)
    assert [m.message_id for m in got] == [other], "a key's next message was handed out while its first was outstanding"
    first.ack()
    puller.settle(first.settlement, timeout=10)
    assert [m.message_id for m in _pull_until(puller, 1, seconds=10)[0]] == [second]


def test_a_nacked_message_comes_back_at_once(clients: Clients, ordered) -> None:  # noqa: ANN001
    topic, puller = ordered
    sent = publish(clients, topic, "again", ordering_key="k", event_id="e1")
    [message], _settlements = _pull_until(puller, 1)
    assert (message.attributes, message.ordering_key) == ({"event_id": "e1"}, "k")
    message.nack()
    puller.settle(message.settlement, timeout=10)
    [redelivered], _settlements = _pull_until(puller, 1, seconds=10)
    assert redelivered.message_id == sent


def test_cancel_ends_a_pull_waiting_or_about_to(ordered) -> None:  # noqa: ANN001
    _topic, puller = ordered
    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(puller.pull(10, timeout=30))
        except PullCancelled as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    puller.cancel()
    waiter.join(5)
    assert not waiter.is_alive(), "the pull still waits after cancel"
    assert isinstance(outcome[0], PullCancelled), outcome
