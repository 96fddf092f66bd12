"""The driver's Pub/Sub side: observe what a target publishes, inject what it consumes.

An ``EventObserver`` owns one run-scoped subscription per observed topic (created when the driver
starts, so nothing published during the run is missed, and deleted at the end). Every message it
receives is checked against the contract (BEHAVIOURS X03): the attribute map against its JSON
Schema and the payload against its protobuf type and JSON Schema. Steps read observed events
through the driver; a contract violation surfaces when a step looks at that aggregate's events.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import grpc
from google.api_core import exceptions
from google.cloud import pubsub_v1
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

from contracts.gen.profile.v1 import events_pb2 as profile_events_pb2
from contracts.gen.video.v1 import events_pb2 as video_events_pb2
from contracts.topology import Topology, load_topology

#: protobuf message types named in contracts/pubsub.yaml
MESSAGE_TYPES: dict[str, type[Message]] = {
    "video.v1.Event": video_events_pb2.Event,
    **{
        f"profile.v1.{name}": getattr(profile_events_pb2, name)
        for name in profile_events_pb2.DESCRIPTOR.message_types_by_name
    },
}


@dataclass(frozen=True)
class ObservedEvent:
    """One message seen on a topic, decoded where the contract says how.

    Attributes:
        topic: topic id it was published to.
        message_id: the broker's id.
        attributes: the attribute map.
        ordering_key: the ordering key ("" when none).
        data: the raw payload.
        publish_time: when the broker accepted it.
        payload: the decoded protobuf message, when the topic's contract names a type.
        violations: how the message breaks its contract (empty when it conforms).
        received_at: when this observer received it (``time.time()``, the local clock).
    """

    topic: str
    message_id: str
    attributes: Mapping[str, str]
    ordering_key: str
    data: bytes
    publish_time: datetime
    payload: Message | None = None
    violations: tuple[str, ...] = ()
    received_at: float = field(default_factory=time.time)

    @property
    def event_type(self) -> str | None:
        """The ``event_type`` attribute."""
        return self.attributes.get("event_type")

    def payload_json(self) -> dict[str, Any]:
        """The protojson form of the payload (what JSON consumers and the JSON Schemas see)."""
        if self.payload is None:
            return {}
        return json_format.MessageToDict(self.payload)


def pubsub_clients(emulator_host: str | None) -> tuple[pubsub_v1.PublisherClient, pubsub_v1.SubscriberClient]:
    """Clients for the target's Pub/Sub: an insecure channel to an emulator, or Google's defaults."""
    ordered = pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
    if not emulator_host:
        return pubsub_v1.PublisherClient(publisher_options=ordered), pubsub_v1.SubscriberClient()
    publisher = pubsub_v1.PublisherClient(
        publisher_options=ordered, transport=PublisherGrpcTransport(channel=grpc.insecure_channel(emulator_host))
    )
    subscriber = pubsub_v1.SubscriberClient(
        transport=SubscriberGrpcTransport(channel=grpc.insecure_channel(emulator_host))
    )
    return publisher, subscriber


def decode_and_check(
    topology: Topology, topic: str, attributes: dict[str, str], ordering_key: str, data: bytes
) -> tuple[Message | None, list[str]]:
    """Decode ``data`` as the topic's contract says and list how the message breaks the contract."""
    if topic not in topology.topics:
        return None, [f"topic {topic!r} is not in contracts/pubsub.yaml"]
    spec = topology.topics[topic]
    type_name = spec.payload.message_type or spec.event_types.get(attributes.get("event_type", ""))
    if spec.payload.encoding != "protobuf_binary" or type_name is None:
        return None, topology.message_violations(topic, attributes, ordering_key)
    message_type = MESSAGE_TYPES.get(type_name)
    if message_type is None:
        return None, [f"payload type {type_name!r} has no generated class in contracts.gen"]
    payload = message_type()
    try:
        payload.ParseFromString(data)
    except DecodeError as exc:
        problems = topology.message_violations(topic, attributes, ordering_key)
        return None, [*problems, f"payload is not a {type_name}: {exc}"]
    return payload, topology.message_violations(topic, attributes, ordering_key, json_format.MessageToDict(payload))


class TopicMissing(Exception):
    """A topic the run needs is missing or was not observed; the message is one line."""


@dataclass
class EventObserver:
    """Collects every message of some topics through run-scoped subscriptions.

    Listeners (``listen``) see each message as it arrives; with ``keep=False`` the observer hands
    messages to its listeners only and keeps none (a long load run would otherwise grow without end).
    """

    project: str
    emulator_host: str | None
    run_id: str
    topology: Topology = field(default_factory=load_topology)
    keep: bool = True
    _listeners: list[Callable[[ObservedEvent], None]] = field(default_factory=list)
    _events: list[ObservedEvent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _streams: list[Any] = field(default_factory=list)
    _subscriptions: list[str] = field(default_factory=list)
    _observed: set[str] = field(default_factory=set)
    #: messages before this index are no longer returned by ``events`` (``forget``)
    _horizon: int = 0

    def __post_init__(self) -> None:
        self.publisher, self.subscriber = pubsub_clients(self.emulator_host)

    def observe(self, topic: str) -> None:
        """Start collecting ``topic`` from now on.

        Raises:
            TopicMissing: the topic does not exist in the project (one line that says what to do).
        """
        name = self.subscriber.subscription_path(self.project, f"{topic}.{self.run_id}observer")
        try:
            self.subscriber.create_subscription(
                request={
                    "name": name,
                    "topic": self.publisher.topic_path(self.project, topic),
                    "enable_message_ordering": True,
                    "ack_deadline_seconds": 60,
                }
            )
        except exceptions.NotFound:
            msg = f"topic {topic} does not exist in project {self.project} — create it, see README § Point it at your deployment"
            raise TopicMissing(msg) from None
        self._subscriptions.append(name)
        self._observed.add(topic)
        # With callbacks awaited on shutdown, a stream's result() (see close) returns once the acks
        # they made are sent, so closing the client next cannot fail them on a closed channel.
        self._streams.append(
            self.subscriber.subscribe(name, callback=self._collector(topic), await_callbacks_on_shutdown=True)
        )

    def _collector(self, topic: str) -> Callable[[Any], None]:
        def collect(message: Any) -> None:
            attributes = dict(message.attributes)
            payload, problems = decode_and_check(
                self.topology, topic, attributes, message.ordering_key, message.data
            )
            event = ObservedEvent(
                topic=topic,
                message_id=message.message_id,
                attributes=attributes,
                ordering_key=message.ordering_key,
                data=message.data,
                publish_time=message.publish_time,
                payload=payload,
                violations=tuple(problems),
            )
            if self.keep:
                with self._lock:
                    self._events.append(event)
            for listener in list(self._listeners):
                listener(event)
            message.ack()

        return collect

    def listen(self, listener: Callable[[ObservedEvent], None]) -> None:
        """Call ``listener`` with every message received from now on (in the receiving thread)."""
        self._listeners.append(listener)

    def events(self, topic: str, predicate: Callable[[ObservedEvent], bool] = lambda _e: True) -> list[ObservedEvent]:
        """Events seen so far on ``topic`` that satisfy ``predicate``, in arrival order.

        Raises:
            TopicMissing: ``topic`` is not observed (no scenario of the run's areas declared it).
        """
        if topic not in self._observed:
            msg = (
                f"{topic} is not observed in this run: add it to the scenario area's topics in steps/preflight.py "
                f"OBSERVES (observed: {sorted(self._observed)})"
            )
            raise TopicMissing(msg)
        with self._lock:
            return [e for e in self._events[self._horizon:] if e.topic == topic and predicate(e)]

    def forget(self) -> None:
        """From now on ``events`` returns only the messages observed after this call (``count`` and
        ``since`` still count every message)."""
        with self._lock:
            self._horizon = len(self._events)

    def count(self) -> int:
        """How many messages were observed so far."""
        with self._lock:
            return len(self._events)

    def since(self, mark: int) -> list[ObservedEvent]:
        """The messages observed after the first ``mark`` ones, in arrival order."""
        with self._lock:
            return self._events[mark:]

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str], ordering_key: str = "") -> str:
        """Publish one message to ``topic`` as a producer would; returns the message id."""
        future = self.publisher.publish(
            self.publisher.topic_path(self.project, topic), data, ordering_key=ordering_key, **attributes
        )
        return future.result(timeout=10)

    def close(self) -> None:
        """Stop the streams and delete the run's subscriptions."""
        for stream in self._streams:
            stream.cancel()
        for stream in self._streams:  # cancel() only starts the shutdown; result() waits for its end
            with contextlib.suppress(Exception):  # how a stream ended does not matter once it is closed
                stream.result(timeout=10)
        for name in self._subscriptions:
            try:
                self.subscriber.delete_subscription(subscription=name)
            except exceptions.NotFound:
                pass
        self.subscriber.close()
        self.publisher.stop()
