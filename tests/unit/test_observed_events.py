"""Every message the target publishes on an observed topic passes the attribute contract or is reported.

A message lacking the attributes that say whose event it is (``aggregate_id``, ``event_type``)
must not vanish from a scenario's view: reading that topic reports it as a contract violation
naming the missing attribute, instead of "the event did not happen … []".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from fixtures.targets import TargetConfig
from steps.driver import ContractViolation
from steps.driver.base import OBSERVED_TOPICS, DriverBase
from steps.driver.events import pubsub_clients
from steps.eventually import eventually

TOPIC = "catalog.video.events"


@pytest.fixture
def driver(pubsub_emulator_host: str) -> Iterator[DriverBase]:
    project = f"observed-{uuid.uuid4().hex[:8]}"
    publisher, _ = pubsub_clients(pubsub_emulator_host)
    for topic in OBSERVED_TOPICS:
        publisher.create_topic(name=publisher.topic_path(project, topic))
    target = TargetConfig(
        name="observed", pubsub_project=project, pubsub_emulator_host=pubsub_emulator_host,
        capabilities=frozenset({"observe_events"}),
    )
    observing = DriverBase(target, "ct-test-")
    yield observing
    observing.close()


def attributes(video_id: str, **overrides: str) -> dict[str, str]:
    values = {
        "event_id": str(uuid.uuid4()), "event_type": "catalog.video.created", "aggregate_type": "video",
        "aggregate_id": video_id, "version": "1", "occurred_at": "2026-11-30T00:00:00Z", "schema_version": "v1",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v}


def published_by_the_target(driver: DriverBase, attrs: dict[str, str], ordering_key: str) -> None:
    """Publish as the target would (not through ``publish_raw``, whose messages are the suite's own)."""
    driver._require_observer().publisher.publish(
        driver._require_observer().publisher.topic_path(driver.target.pubsub_project, TOPIC), b"",
        ordering_key=ordering_key, **attrs,
    ).result(timeout=10)
    eventually(lambda: driver._require_observer().events(TOPIC), timeout=10, what="the message is observed")


@pytest.mark.parametrize("missing", ["aggregate_id", "event_id", "event_type"])
def test_a_message_without_a_required_attribute_is_reported_naming_it(driver: DriverBase, missing: str) -> None:
    video = str(uuid.uuid4())
    attrs = attributes(video, **{missing: ""})
    published_by_the_target(driver, attrs, attrs.get("aggregate_id", ""))
    with pytest.raises(ContractViolation, match=f"'{missing}' is a required property"):
        driver.events(TOPIC, aggregate_id=video, event_type="catalog.video.created")


def test_another_aggregates_broken_message_is_that_aggregates_business(driver: DriverBase) -> None:
    other = str(uuid.uuid4())
    published_by_the_target(driver, attributes(other, schema_version=""), other)
    assert driver.events(TOPIC, aggregate_id=str(uuid.uuid4())) == []
    with pytest.raises(ContractViolation, match="schema_version"):
        driver.events(TOPIC, aggregate_id=other)


def test_a_message_the_suite_injected_on_purpose_is_not_the_targets_violation(driver: DriverBase) -> None:
    driver.publish_raw(TOPIC, b"", attributes("", event_type=""))
    eventually(lambda: driver._require_observer().events(TOPIC), timeout=10, what="the message is observed")
    assert driver.events(TOPIC, aggregate_id=str(uuid.uuid4())) == []
