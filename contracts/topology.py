"""Typed view of ``contracts/pubsub.yaml``: topics, subscriptions and the message contract per topic.

Used by the Pub/Sub stand-in and the reference (to create topics and subscriptions), by the driver
(which subscription to observe, which attributes and payload schema a message must have) and by the
docs builder. :func:`load_topology` checks the file's consistency and raises :class:`TopologyError`
naming the offending entry; nothing is read at import time.

Example::

    topology = load_topology()
    topic = topology.topics["catalog.video.events"]
    topic.required_attributes   # ('event_id', 'event_type', ...)
    [s.name for s in topology.subscriptions_of(topic.name)]
    topology.message_violations("catalog.video.events", attributes, ordering_key, protojson_payload)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "Payload",
    "RetryPolicy",
    "Subscription",
    "Topic",
    "Topology",
    "TopologyError",
    "load_topology",
    "parse_topology",
]

PAYLOAD_ENCODINGS = ("protobuf_binary", "gcs_json_api_v1", "forwarded")
"""protobuf_binary: data is a serialized protobuf message; gcs_json_api_v1: data is a GCS object
resource as JSON; forwarded: a dead-letter topic, data and attributes are the original message's."""

# Pub/Sub's own limits (semantics.md §3.1).
_ACK_DEADLINE_RANGE = (10, 600)
_MAX_DELIVERY_ATTEMPTS_RANGE = (5, 100)
_BACKOFF_RANGE = (0, 600)
_RETENTION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RETENTION_RANGE = (600, 7 * 86400)


class TopologyError(ValueError):
    """``pubsub.yaml`` is inconsistent or malformed; the message names the entry and the fix."""


@dataclass(frozen=True)
class Payload:
    """What the data of a message on a topic is.

    Attributes:
        encoding: one of :data:`PAYLOAD_ENCODINGS`.
        message_type: fully qualified protobuf type when every message has the same one
            (``video.v1.Event``), else None (see :attr:`Topic.event_types`).
        json_schema: name of the JSON Schema (``contracts.schemas``) of the data's JSON form, when
            one applies to every message.
    """

    encoding: str
    message_type: str | None
    json_schema: str | None


@dataclass(frozen=True)
class Topic:
    """One topic and the contract of its messages.

    Attributes:
        name: topic id (no project prefix).
        description: what flows here.
        producer: who publishes.
        payload: the data's encoding and type.
        attributes_schema: JSON Schema name of the attribute map, None for dead-letter topics.
        required_attributes: attributes every message carries.
        optional_attributes: attributes a message may carry with a defined meaning.
        ordering_key: name of the attribute whose value is the ordering key, or None when
            messages are published without one.
        aggregate_types: allowed ``aggregate_type`` attribute values.
        event_types: event type -> protobuf message type of the data (None when not protobuf).
        event_json_schemas: event type -> JSON Schema name of the data's protojson form, for
            topics whose data type depends on the event type.
        dead_letter_topic: where this topic's subscriptions dead-letter, or None.
        keeps_ordering_key: dead-letter topics only: whether a forwarded copy keeps its source
            message's ordering key (``forwarded_ordering_key: kept``) or carries none
            (``dropped``); None for other topics.
    """

    name: str
    description: str
    producer: str
    payload: Payload
    attributes_schema: str | None
    required_attributes: tuple[str, ...]
    optional_attributes: tuple[str, ...]
    ordering_key: str | None
    aggregate_types: tuple[str, ...]
    event_types: dict[str, str | None]
    event_json_schemas: dict[str, str]
    dead_letter_topic: str | None
    keeps_ordering_key: bool | None = None

    @property
    def is_dead_letter(self) -> bool:
        """True for a dead-letter topic (data forwarded unchanged)."""
        return self.payload.encoding == "forwarded"

    def json_schema_for(self, event_type: str) -> str | None:
        """JSON Schema name of the data's JSON form for a message of ``event_type``, if any."""
        return self.event_json_schemas.get(event_type, self.payload.json_schema)


@dataclass(frozen=True)
class RetryPolicy:
    """Redelivery backoff after a nack or an expired ack deadline."""

    minimum_backoff_seconds: int
    maximum_backoff_seconds: int


@dataclass(frozen=True)
class Subscription:
    """One subscription, its settings resolved against the file's defaults.

    Attributes:
        name: subscription id.
        topic: topic id it is attached to.
        consumer: who reads it.
        ack_deadline_seconds: 10..600.
        message_retention_seconds: how long unacked messages are kept.
        enable_message_ordering: deliver one message per ordering key at a time.
        exactly_once_delivery: Pub/Sub exactly-once delivery.
        dead_letter_topic: topic id receiving messages after ``max_delivery_attempts``, or None.
        max_delivery_attempts: 5..100 when a dead-letter topic is set, else None.
        retry_policy: backoff between redeliveries, or None (immediate redelivery).
        retain_acked_messages: keep acknowledged messages for the retention period, so a Seek
            back in time replays them (projection rebuilds need it).
    """

    name: str
    topic: str
    consumer: str
    ack_deadline_seconds: int
    message_retention_seconds: int
    enable_message_ordering: bool
    exactly_once_delivery: bool
    dead_letter_topic: str | None
    max_delivery_attempts: int | None
    retry_policy: RetryPolicy | None
    retain_acked_messages: bool = False


@dataclass(frozen=True)
class Topology:
    """All topics and subscriptions, checked for consistency."""

    topics: dict[str, Topic]
    subscriptions: dict[str, Subscription]

    def subscriptions_of(self, topic: str) -> list[Subscription]:
        """Subscriptions attached to ``topic``, sorted by name."""
        return sorted((s for s in self.subscriptions.values() if s.topic == topic), key=lambda s: s.name)

    def topic_for_event_type(self, event_type: str) -> Topic:
        """The (non-dead-letter) topic that carries ``event_type``.

        Raises:
            KeyError: no topic declares that event type.
        """
        for topic in self.topics.values():
            if event_type in topic.event_types:
                return topic
        known = sorted(t for topic in self.topics.values() for t in topic.event_types)
        msg = f"no topic carries event type {event_type!r}; known: {', '.join(known)}"
        raise KeyError(msg)

    def message_violations(
        self,
        topic_name: str,
        attributes: dict[str, str],
        ordering_key: str = "",
        payload: dict[str, Any] | None = None,
    ) -> list[str]:
        """Why a message published on ``topic_name`` breaks the topic's contract; empty when it does not.

        Checks the attribute map against the topic's attribute schema, the event and aggregate
        type against the topic's lists, the ordering key against the ordering-key attribute, and,
        when ``payload`` (the data's JSON form: protojson for protobuf topics, the parsed JSON for
        GCS) is given, the payload against its JSON Schema and its ids against the attributes.

        Raises:
            KeyError: ``topic_name`` is not declared.
        """
        from contracts import schemas  # noqa: PLC0415 - keeps this module importable without jsonschema

        topic = self.topics[topic_name]
        problems: list[str] = []
        if topic.attributes_schema:
            problems += [f"attributes {p}" for p in schemas.violations(topic.attributes_schema, attributes)]
        event_type = attributes.get("event_type") or attributes.get("eventType", "")
        if topic.event_types and event_type not in topic.event_types:
            problems.append(f"event type {event_type!r} is not carried by {topic_name}; expected one of {sorted(topic.event_types)}")
        aggregate_type = attributes.get("aggregate_type")
        if topic.aggregate_types and aggregate_type not in topic.aggregate_types:
            problems.append(f"aggregate_type {aggregate_type!r} is not one of {list(topic.aggregate_types)} on {topic_name}")
        if topic.is_dead_letter:
            problems += self._forwarded_key_violations(topic, attributes, ordering_key)
        else:
            expected_key = attributes.get(topic.ordering_key, "") if topic.ordering_key else ""
            if ordering_key != expected_key:
                rule = f"the {topic.ordering_key} attribute" if topic.ordering_key else "empty (this topic is unordered)"
                problems.append(f"ordering key {ordering_key!r} must be {rule}: expected {expected_key!r}")
        schema_name = topic.json_schema_for(event_type)
        if payload is not None and schema_name:
            problems += [f"payload {p}" for p in schemas.violations(schema_name, payload)]
            problems += _payload_agrees(topic, attributes, payload)
        return problems

    def _forwarded_key_violations(self, topic: Topic, attributes: dict[str, str], ordering_key: str) -> list[str]:
        """A dead letter keeps its source's ordering key or carries none, as ``forwarded_ordering_key`` says.

        The source's key is known when the forwarded attributes still hold the source topic's
        ordering-key attribute; a message without it (a poison message may lack any) is not judged.
        """
        sources = [t for t in self.topics.values() if t.dead_letter_topic == topic.name and t.ordering_key]
        for source in sources:
            if source.ordering_key not in attributes:
                continue
            expected = attributes[source.ordering_key] if topic.keeps_ordering_key else ""
            if ordering_key != expected:
                rule = "kept" if topic.keeps_ordering_key else "dropped"
                return [f"ordering key {ordering_key!r} of a dead letter must be {expected!r} "
                        f"({topic.name} declares forwarded_ordering_key: {rule})"]
        if not sources and ordering_key:
            return [f"ordering key {ordering_key!r} on {topic.name}: its source topics publish without one"]
        return []


def _payload_agrees(topic: Topic, attributes: dict[str, str], payload: dict[str, Any]) -> list[str]:
    """Ids and versions the attributes repeat must equal the payload's."""
    if topic.payload.encoding == "gcs_json_api_v1":
        pairs = [("bucketId", "bucket"), ("objectId", "name"), ("objectGeneration", "generation")]
    else:
        pairs = [("event_id", "eventId")]
        if "aggregateId" in payload:  # the video.v1.Event envelope
            pairs += [("aggregate_id", "aggregateId"), ("version", "version")]
        elif "videoId" in payload:  # bare profile events: the aggregate is the video
            pairs += [("aggregate_id", "videoId")]
    return [
        f"attribute {attribute}={attributes[attribute]!r} differs from payload {field}={payload[field]!r}"
        for attribute, field in pairs
        if attribute in attributes and field in payload and str(payload[field]) != attributes[attribute]
    ]


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        msg = f"{where}: missing key {key!r}; add it to contracts/pubsub.yaml"
        raise TopologyError(msg)
    return mapping[key]


def _in_range(value: Any, bounds: tuple[int, int], what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not bounds[0] <= value <= bounds[1]:
        msg = f"{what}: expected an integer in {bounds[0]}..{bounds[1]} (Pub/Sub's limit), got {value!r}"
        raise TopologyError(msg)
    return value


def _retention_seconds(value: Any, what: str) -> int:
    text = str(value)
    unit = text[-1:]
    if unit not in _RETENTION_UNITS or not text[:-1].isdigit():
        msg = f"{what}: expected a duration like '7d', '12h', '600s', got {value!r}"
        raise TopologyError(msg)
    return _in_range(int(text[:-1]) * _RETENTION_UNITS[unit], _RETENTION_RANGE, f"{what} (in seconds)")


def _parse_topic(name: str, raw: dict[str, Any]) -> Topic:
    where = f"topics.{name}"
    payload_raw = _require(raw, "payload", where)
    encoding = _require(payload_raw, "encoding", f"{where}.payload")
    if encoding not in PAYLOAD_ENCODINGS:
        msg = f"{where}.payload.encoding: expected one of {', '.join(PAYLOAD_ENCODINGS)}, got {encoding!r}"
        raise TopologyError(msg)
    keeps_ordering_key = None
    if encoding == "forwarded":
        forwarded = _require(raw, "forwarded_ordering_key", where)
        if forwarded not in ("kept", "dropped"):
            msg = f"{where}.forwarded_ordering_key: expected 'kept' or 'dropped', got {forwarded!r}"
            raise TopologyError(msg)
        keeps_ordering_key = forwarded == "kept"
    elif "forwarded_ordering_key" in raw:
        msg = f"{where}.forwarded_ordering_key: only dead-letter topics (payload encoding 'forwarded') forward messages"
        raise TopologyError(msg)
    return Topic(
        name=name,
        description=str(_require(raw, "description", where)).strip(),
        producer=_require(raw, "producer", where),
        payload=Payload(
            encoding=encoding,
            message_type=payload_raw.get("message_type"),
            json_schema=payload_raw.get("json_schema"),
        ),
        attributes_schema=_require(raw, "attributes_schema", where),
        required_attributes=tuple(_require(raw, "required_attributes", where)),
        optional_attributes=tuple(_require(raw, "optional_attributes", where)),
        ordering_key=_require(raw, "ordering_key", where),
        aggregate_types=tuple(_require(raw, "aggregate_types", where)),
        event_types=dict(_require(raw, "event_types", where) or {}),
        event_json_schemas=dict(raw.get("event_json_schemas") or {}),
        dead_letter_topic=_require(raw, "dead_letter_topic", where),
        keeps_ordering_key=keeps_ordering_key,
    )


def _parse_subscription(name: str, raw: dict[str, Any], defaults: dict[str, Any]) -> Subscription:
    where = f"subscriptions.{name}"
    merged = {**defaults, **raw}
    dead_letter_topic = merged.get("dead_letter_topic")
    max_attempts = merged.get("max_delivery_attempts")
    if dead_letter_topic is None:
        if max_attempts is not None:
            msg = f"{where}: max_delivery_attempts={max_attempts} needs a dead_letter_topic; set one or set max_delivery_attempts: null"
            raise TopologyError(msg)
    else:
        max_attempts = _in_range(max_attempts, _MAX_DELIVERY_ATTEMPTS_RANGE, f"{where}.max_delivery_attempts")
    retry_raw = merged.get("retry_policy")
    retry = None
    if retry_raw is not None:
        retry = RetryPolicy(
            minimum_backoff_seconds=_in_range(
                retry_raw.get("minimum_backoff_seconds"), _BACKOFF_RANGE, f"{where}.retry_policy.minimum_backoff_seconds"
            ),
            maximum_backoff_seconds=_in_range(
                retry_raw.get("maximum_backoff_seconds"), _BACKOFF_RANGE, f"{where}.retry_policy.maximum_backoff_seconds"
            ),
        )
        if retry.minimum_backoff_seconds > retry.maximum_backoff_seconds:
            msg = f"{where}.retry_policy: minimum_backoff_seconds {retry.minimum_backoff_seconds} exceeds maximum_backoff_seconds {retry.maximum_backoff_seconds}"
            raise TopologyError(msg)
    return Subscription(
        name=name,
        topic=_require(raw, "topic", where),
        consumer=_require(raw, "consumer", where),
        ack_deadline_seconds=_in_range(merged.get("ack_deadline_seconds"), _ACK_DEADLINE_RANGE, f"{where}.ack_deadline_seconds"),
        message_retention_seconds=_retention_seconds(merged.get("message_retention"), f"{where}.message_retention"),
        enable_message_ordering=bool(merged.get("enable_message_ordering")),
        exactly_once_delivery=bool(merged.get("exactly_once_delivery")),
        dead_letter_topic=dead_letter_topic,
        max_delivery_attempts=max_attempts,
        retry_policy=retry,
        retain_acked_messages=bool(merged.get("retain_acked_messages")),
    )


def _check(topology: Topology) -> None:
    topics = topology.topics
    for topic in topics.values():
        if topic.dead_letter_topic is not None:
            dlq = topics.get(topic.dead_letter_topic)
            if dlq is None or not dlq.is_dead_letter:
                msg = (
                    f"topics.{topic.name}.dead_letter_topic: {topic.dead_letter_topic!r} is not declared as a topic "
                    "with payload encoding 'forwarded'; declare it under topics"
                )
                raise TopologyError(msg)
        if topic.ordering_key is not None and topic.ordering_key not in topic.required_attributes:
            msg = f"topics.{topic.name}.ordering_key: {topic.ordering_key!r} must be one of its required_attributes"
            raise TopologyError(msg)
        unknown = sorted(set(topic.event_json_schemas) - set(topic.event_types))
        if unknown:
            msg = f"topics.{topic.name}.event_json_schemas: event types {unknown} are not in its event_types"
            raise TopologyError(msg)
    for sub in topology.subscriptions.values():
        where = f"subscriptions.{sub.name}"
        topic = topics.get(sub.topic)
        if topic is None:
            msg = f"{where}.topic: {sub.topic!r} is not declared under topics (known: {', '.join(sorted(topics))})"
            raise TopologyError(msg)
        if sub.dead_letter_topic is not None:
            if sub.dead_letter_topic not in topics:
                msg = f"{where}.dead_letter_topic: {sub.dead_letter_topic!r} is not declared under topics"
                raise TopologyError(msg)
            if sub.dead_letter_topic != topic.dead_letter_topic:
                msg = (
                    f"{where}.dead_letter_topic: expected the topic's own {topic.dead_letter_topic!r} "
                    f"(one dead-letter topic per source topic), got {sub.dead_letter_topic!r}"
                )
                raise TopologyError(msg)
        if sub.enable_message_ordering and topic.ordering_key is None:
            msg = f"{where}: enable_message_ordering is true but topic {topic.name!r} is published without ordering keys; set it to false"
            raise TopologyError(msg)
    for topic in topics.values():
        if topic.is_dead_letter and not topology.subscriptions_of(topic.name):
            msg = f"topics.{topic.name}: a dead-letter topic without a subscription loses what is forwarded to it; add one"
            raise TopologyError(msg)


def parse_topology(document: dict[str, Any]) -> Topology:
    """Build and check a :class:`Topology` from the parsed YAML ``document``.

    Raises:
        TopologyError: a key is missing, a value is out of Pub/Sub's range, or a name does not resolve.
    """
    if not isinstance(document, dict) or document.get("schema_version") != 1:
        received = document.get("schema_version") if isinstance(document, dict) else type(document).__name__
        msg = f"pubsub.yaml: expected a mapping with 'schema_version: 1' (the format this loader reads), got {received!r}"
        raise TopologyError(msg)
    defaults = document.get("defaults") or {}
    topics = {name: _parse_topic(name, raw) for name, raw in (_require(document, "topics", "pubsub.yaml") or {}).items()}
    subscriptions = {
        name: _parse_subscription(name, raw, defaults)
        for name, raw in (_require(document, "subscriptions", "pubsub.yaml") or {}).items()
    }
    topology = Topology(topics=topics, subscriptions=subscriptions)
    _check(topology)
    return topology


@functools.cache
def load_topology() -> Topology:
    """The checked topology of ``contracts/pubsub.yaml`` (cached; the dataclasses are frozen).

    Raises:
        TopologyError: the file is inconsistent (see :func:`parse_topology`).
    """
    text = (resources.files("contracts") / "pubsub.yaml").read_text(encoding="utf-8")
    return parse_topology(yaml.safe_load(text))


# -- what a deployment must have ---------------------------------------------------------------

SUITE_CONSUMERS = ("conformance suite", "conformance suite / operators")


def setup_commands(topology: Topology, project: str = "$PROJECT") -> list[str]:
    """``gcloud`` commands creating every topic and every service subscription of the contract.

    The suite's own observer subscriptions are left out: a run creates (and deletes) its own.
    """
    lines = ["# topics"]
    lines += [f"gcloud pubsub topics create {name} --project={project}" for name in topology.topics]
    lines += ["", "# subscriptions of the services and the operators' dead-letter readers"]
    for sub in topology.subscriptions.values():
        if sub.consumer == "conformance suite":
            continue
        parts = [
            f"gcloud pubsub subscriptions create {sub.name} --project={project} --topic={sub.topic}",
            f"--ack-deadline={sub.ack_deadline_seconds} --message-retention-duration={sub.message_retention_seconds}s",
        ]
        if sub.enable_message_ordering:
            parts.append("--enable-message-ordering")
        if sub.dead_letter_topic:
            parts.append(f"--dead-letter-topic={sub.dead_letter_topic} --max-delivery-attempts={sub.max_delivery_attempts}")
        if sub.retry_policy:
            parts.append(
                f"--min-retry-delay={sub.retry_policy.minimum_backoff_seconds}s "
                f"--max-retry-delay={sub.retry_policy.maximum_backoff_seconds}s"
            )
        lines.append(" ".join(parts) + f"  # {sub.consumer}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """``--print``: the commands that give a Pub/Sub project the contract's topics and subscriptions."""
    import argparse  # noqa: PLC0415 - only for the command line

    parser = argparse.ArgumentParser(prog="python -m contracts.topology", description=main.__doc__)
    parser.add_argument("--print", action="store_true", required=True, help="print the gcloud commands")
    parser.add_argument("--project", default="$PROJECT", help="the Pub/Sub project (default: a $PROJECT placeholder)")
    args = parser.parse_args(argv)
    print("\n".join(setup_commands(load_topology(), args.project)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
