"""Create the topics and subscriptions of contracts/pubsub.yaml on a Pub/Sub emulator or stand-in.

A real deployment provisions these with its infrastructure code; locally the reference creates them
at start, so ``python -m reference_impl`` works against an empty broker. Existing ones are kept.
"""

from __future__ import annotations

from dataclasses import replace

from google.api_core import exceptions
from google.cloud import pubsub_v1
from google.protobuf import duration_pb2

from contracts.topology import RetryPolicy, Topology, load_topology


def provision(project: str, *, retry_policy: RetryPolicy | None = None, topology: Topology | None = None) -> Topology:
    """Create every topic, then every subscription; ``retry_policy`` overrides each one's backoff."""
    topology = topology or load_topology()
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    try:
        for topic in topology.topics:
            try:
                publisher.create_topic(name=publisher.topic_path(project, topic))
            except exceptions.AlreadyExists:
                pass
        for subscription in topology.subscriptions.values():
            if retry_policy is not None and subscription.retry_policy is not None:
                subscription = replace(subscription, retry_policy=retry_policy)
            try:
                subscriber.create_subscription(request=_subscription_request(project, subscription, publisher))
            except exceptions.AlreadyExists:
                pass
    finally:
        subscriber.close()
    return topology


def _subscription_request(project: str, subscription, publisher: pubsub_v1.PublisherClient) -> dict:  # noqa: ANN001
    request: dict = {
        "name": f"projects/{project}/subscriptions/{subscription.name}",
        "topic": publisher.topic_path(project, subscription.topic),
        "ack_deadline_seconds": subscription.ack_deadline_seconds,
        "message_retention_duration": duration_pb2.Duration(seconds=subscription.message_retention_seconds),
        "enable_message_ordering": subscription.enable_message_ordering,
        "retain_acked_messages": subscription.retain_acked_messages,
    }
    if subscription.dead_letter_topic:
        request["dead_letter_policy"] = {
            "dead_letter_topic": publisher.topic_path(project, subscription.dead_letter_topic),
            "max_delivery_attempts": subscription.max_delivery_attempts,
        }
    if subscription.retry_policy:
        request["retry_policy"] = {
            "minimum_backoff": _duration(subscription.retry_policy.minimum_backoff_seconds),
            "maximum_backoff": _duration(subscription.retry_policy.maximum_backoff_seconds),
        }
    return request


def _duration(seconds: float) -> duration_pb2.Duration:
    """A Duration of ``seconds``, fractions kept (the embedded reference's backoff is sub-second)."""
    whole = int(seconds)
    return duration_pb2.Duration(seconds=whole, nanos=round((seconds - whole) * 1e9))
