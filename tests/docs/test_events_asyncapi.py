"""The AsyncAPI 3.0 document is valid, covers every topic and event type, and every example message keeps the contract."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from contracts.docs import asyncapi
from contracts.protoc import default_contracts_dir
from contracts.topology import load_topology


def document() -> dict:
    return asyncapi.build(load_topology(), asyncapi.load_examples(default_contracts_dir()))


def test_the_document_is_valid_asyncapi_3() -> None:
    assert asyncapi.validate(document()) == []


def test_the_validator_rejects_what_asyncapi_3_forbids() -> None:
    broken = copy.deepcopy(document())
    broken["operations"]["publish_catalog_video_events"]["action"] = "publish"  # AsyncAPI 2 wording
    del broken["info"]["title"]
    problems = "\n".join(asyncapi.validate(broken))
    assert "operations/publish_catalog_video_events" in problems and "info" in problems


def test_every_topic_is_a_channel_and_every_event_type_a_message_with_an_example() -> None:
    topology = load_topology()
    doc = document()
    assert {c["address"] for c in doc["channels"].values()} == set(topology.topics)
    for topic in topology.topics.values():
        channel = doc["channels"][topic.name.replace(".", "_")]
        assert set(channel["messages"]) == {asyncapi.message_id(e) for e in topic.event_types}
        assert channel["x-lingo-dead-letter-topic"] == topic.dead_letter_topic
        for event_type in topic.event_types:
            message = doc["components"]["messages"][asyncapi.message_id(event_type)]
            assert message["examples"], f"{event_type} has no example"
            assert message["x-lingo-ordering-key"] == topic.ordering_key
    receivers = {op["x-lingo-subscription"] for op in doc["operations"].values() if op["action"] == "receive"}
    assert receivers == set(topology.subscriptions)


def test_every_example_message_keeps_the_contract() -> None:
    assert asyncapi.example_violations(load_topology(), asyncapi.load_examples(default_contracts_dir())) == []


def test_a_broken_example_or_a_missing_one_is_reported() -> None:
    examples = asyncapi.load_examples(default_contracts_dir())
    examples["catalog.video.deleted"]["payload"]["eventId"] = "not-a-uuid"
    del examples["profile.watch.progressed"]
    problems = "\n".join(asyncapi.example_violations(load_topology(), examples))
    assert "example catalog.video.deleted: payload" in problems
    assert "profile.watch.progressed on profile.engagement.events has no example" in problems


def test_the_published_document_references_schemas_the_site_ships(site: Path) -> None:
    published = yaml.safe_load((site / "events" / "asyncapi.yaml").read_text(encoding="utf-8"))
    refs = {m[k]["$ref"] for m in published["components"]["messages"].values() for k in ("headers", "payload") if k in m}
    assert refs, "expected header and payload schema references"
    for ref in refs:
        assert (site / "events" / ref).is_file(), f"{ref} is referenced by asyncapi.yaml but not in the site"
