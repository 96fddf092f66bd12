"""The Events pages: the topics and subscriptions, and one section per event type with its example message.

Rendered from the generated AsyncAPI document (so page and document cannot disagree) plus the
topology for subscription details; the document itself and the JSON Schemas it references are
published under ``events/``.
"""

from __future__ import annotations

import json
from typing import Any

from contracts.docs.markdown import cell
from contracts.topology import Topology


def _anchor(event_type: str) -> str:
    return "event-" + event_type.replace(".", "-").lower()


def page(document: dict[str, Any], topology: Topology) -> str:
    lines = [
        "# Events",
        "",
        "Messages on Google Cloud Pub/Sub. The machine-readable contract is the AsyncAPI 3.0 document "
        "[asyncapi.yaml](asyncapi.yaml) (generated from `contracts/pubsub.yaml` and the JSON Schemas in "
        "`contracts/events/`, validated against the AsyncAPI 3.0.0 JSON Schema). Headers are the Pub/Sub "
        "message attributes; payload schemas describe the JSON form of the data (protojson for protobuf payloads: "
        "lowerCamelCase names, int64 as decimal strings, enums by name).",
        "",
        "## Topics",
        "",
        "| topic | producer | event types | ordering key | dead-letter topic |",
        "|---|---|---|---|---|",
    ]
    for topic in topology.topics.values():
        events = ", ".join(f"[`{e}`](#{_anchor(e)})" for e in topic.event_types) or "—"
        ordering = f"attribute `{topic.ordering_key}`" if topic.ordering_key else "none"
        lines.append(
            f"| `{topic.name}` | {cell(topic.producer)} | {events} | {ordering} | "
            f"{('`' + topic.dead_letter_topic + '`') if topic.dead_letter_topic else '—'} |"
        )
    lines += [
        "",
        "## Subscriptions",
        "",
        "| subscription | topic | consumer | ack deadline | ordering | dead-letter after |",
        "|---|---|---|---|---|---|",
    ]
    for sub in topology.subscriptions.values():
        dead = f"{sub.max_delivery_attempts} attempts → `{sub.dead_letter_topic}`" if sub.dead_letter_topic else "never"
        lines.append(
            f"| `{sub.name}` | `{sub.topic}` | {cell(sub.consumer)} | {sub.ack_deadline_seconds} s "
            f"| {'on' if sub.enable_message_ordering else 'off'} | {dead} |"
        )
    lines += ["", "## Event types", ""]
    messages = document["components"]["messages"]
    for channel in document["channels"].values():
        for ref in channel["messages"].values():
            message = messages[ref["$ref"].rsplit("/", 1)[-1]]
            lines += [f"### {message['name']} {{ #{_anchor(message['name'])} }}", "", f"Topic `{channel['address']}`. {message['description']}", ""]
            schema_links = []
            if "headers" in message:
                schema_links.append(f"[attributes schema]({message['headers']['$ref']})")
            if "payload" in message:
                schema_links.append(f"[payload schema]({message['payload']['$ref']})")
            if schema_links:
                lines += ["Schemas: " + ", ".join(schema_links) + ".", ""]
            for example in message.get("examples", []):
                lines += ["Example attributes:", "", "| attribute | value |", "|---|---|"]
                lines += [f"| `{k}` | `{cell(v)}` |" for k, v in example["headers"].items()]
                lines += ["", "Example payload:", "", "```json", json.dumps(example["payload"], indent=2), "```", ""]
    return "\n".join(lines) + "\n"
