"""The AsyncAPI 3.0 document of the Lingo topics, generated from ``contracts/pubsub.yaml`` and ``contracts/events/``.

Channels are topics (dead-letter topics included), messages are event types with their Pub/Sub
attributes as ``headers`` and their payload's JSON Schema, operations are the producer's ``send``
per topic and one ``receive`` per subscription. Payload and header schemas are referenced as
files (``schemas/<name>.schema.json``) that the site publishes beside the document, because they
are JSON Schema 2020-12 documents kept in one place, not copies. Ordering key and dead-letter
topic have no AsyncAPI field; they are stated in the descriptions and as ``x-lingo-*`` extensions.

:func:`validate` checks a document against the AsyncAPI 3.0.0 JSON Schema of the
``@asyncapi/specs`` package (vendored with its licence under ``vendor/asyncapi/``).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from contracts.topology import Topic, Topology

SCHEMA_DIR = "schemas"
EXAMPLES_FILE = "events/examples.yaml"


def schema_ref(name: str) -> dict[str, str]:
    """Reference to a JSON Schema of contracts/events as published next to the document."""
    return {"$ref": f"{SCHEMA_DIR}/{name}.schema.json"}


def message_id(event_type: str) -> str:
    return event_type.replace(".", "_")


def load_examples(contracts_dir: Path) -> dict[str, dict[str, Any]]:
    """Event type -> {topic, ordering_key, attributes, payload}, from ``contracts/events/examples.yaml``."""
    return yaml.safe_load((contracts_dir / EXAMPLES_FILE).read_text(encoding="utf-8"))


def example_violations(topology: Topology, examples: dict[str, dict[str, Any]]) -> list[str]:
    """Why examples break the contract: each must pass its topic's checks, and every event type needs one."""
    problems = []
    for event_type, example in examples.items():
        for problem in topology.message_violations(
            example["topic"], example["attributes"], example.get("ordering_key", ""), example["payload"]
        ):
            problems.append(f"example {event_type}: {problem}")
        carried = example["attributes"].get("event_type") or example["attributes"].get("eventType")
        if carried != event_type:
            problems.append(f"example {event_type}: its event type attribute is {carried!r}")
    for topic in topology.topics.values():
        problems += [
            f"event type {event_type} on {topic.name} has no example in contracts/{EXAMPLES_FILE}; add one"
            for event_type in topic.event_types
            if event_type not in examples
        ]
    return problems


def _message(topic: Topic, event_type: str, examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    proto = topic.event_types.get(event_type)
    payload_schema = topic.json_schema_for(event_type)
    encoding = "binary protobuf" if topic.payload.encoding == "protobuf_binary" else "JSON (GCS JSON_API_V1)"
    message: dict[str, Any] = {
        "name": event_type,
        "title": event_type,
        "summary": f"{event_type} on {topic.name}.",
        "description": (
            f"Data: {encoding}" + (f" of `{proto}`" if proto else "") + "; the payload schema describes its JSON form "
            "(protojson for protobuf). "
            + (f"Ordering key: the `{topic.ordering_key}` attribute." if topic.ordering_key else "Published without an ordering key.")
        ),
        "contentType": "application/x-protobuf" if topic.payload.encoding == "protobuf_binary" else "application/json",
    }
    if topic.attributes_schema:
        message["headers"] = schema_ref(topic.attributes_schema)
    if payload_schema:
        message["payload"] = schema_ref(payload_schema)
    example = examples.get(event_type)
    if example:
        message["examples"] = [{"name": f"{message_id(event_type)}_example", "headers": example["attributes"], "payload": example["payload"]}]
    message["x-lingo-ordering-key"] = topic.ordering_key
    return message


def build(topology: Topology, examples: dict[str, dict[str, Any]], version: str = "1.0.0") -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document as a dict (YAML/JSON-ready)."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    components: dict[str, Any] = {"messages": {}}
    for topic in topology.topics.values():
        channel_id = topic.name.replace(".", "_")
        messages = {}
        for event_type in topic.event_types:
            components["messages"][message_id(event_type)] = _message(topic, event_type, examples)
            messages[message_id(event_type)] = {"$ref": f"#/components/messages/{message_id(event_type)}"}
        description = topic.description.strip()
        if topic.ordering_key:
            description += f" Ordering key: the `{topic.ordering_key}` attribute (events of one aggregate arrive in order)."
        if topic.dead_letter_topic:
            description += f" Dead-letter topic: `{topic.dead_letter_topic}`."
        if topic.is_dead_letter:
            description += " Messages keep their original attributes and data."
        channels[channel_id] = {
            "address": topic.name,
            "title": topic.name,
            "description": description,
            "messages": messages,
            "x-lingo-producer": topic.producer,
            "x-lingo-dead-letter-topic": topic.dead_letter_topic,
            "x-lingo-payload-encoding": topic.payload.encoding,
        }
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "title": f"{topic.producer} publishes to {topic.name}",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in messages],
        }
    for subscription in topology.subscriptions.values():
        channel_id = subscription.topic.replace(".", "_")
        topic = topology.topics[subscription.topic]
        dead_letter = (
            f" Dead-letters to `{subscription.dead_letter_topic}` after {subscription.max_delivery_attempts} delivery attempts."
            if subscription.dead_letter_topic
            else " No dead-letter policy."
        )
        operations[f"receive_{subscription.name.replace('.', '_')}"] = {
            "action": "receive",
            "title": f"{subscription.consumer} reads {subscription.name}",
            "summary": f"Subscription `{subscription.name}` on `{subscription.topic}`.",
            "description": (
                f"Ack deadline {subscription.ack_deadline_seconds} s, ordering "
                f"{'on' if subscription.enable_message_ordering else 'off'}, exactly-once "
                f"{'on' if subscription.exactly_once_delivery else 'off'}.{dead_letter}"
            ),
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id(e)}"} for e in topic.event_types],
            "x-lingo-subscription": subscription.name,
            "x-lingo-dead-letter-topic": subscription.dead_letter_topic,
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Lingo backend events",
            "version": version,
            "description": (
                "Google Cloud Pub/Sub topics of the Lingo backend, generated from contracts/pubsub.yaml and the JSON "
                "Schemas in contracts/events/. Headers are the Pub/Sub message attributes; payload schemas describe "
                "the JSON form of the data."
            ),
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/x-protobuf",
        "channels": channels,
        "operations": operations,
        "components": components,
    }


@functools.cache
def _meta_schema() -> dict[str, Any]:
    path = resources.files("contracts.docs") / "vendor" / "asyncapi" / "3.0.0.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def validate(document: dict[str, Any]) -> list[str]:
    """Violations of the AsyncAPI 3.0.0 JSON Schema, one line each (empty when valid)."""
    validator = Draft7Validator(_meta_schema())
    # Round-trip through JSON so the check sees exactly what the published file holds.
    instance = json.loads(json.dumps(document))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message[:300]}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


def to_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
