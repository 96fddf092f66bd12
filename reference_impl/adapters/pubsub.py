"""Pub/Sub publishing for the outbox relay, over the real google-cloud-pubsub client.

``PUBSUB_EMULATOR_HOST`` (read by the client itself) points it at an emulator or our stand-in.
Ordering is on: messages of one ordering key are published in order. When a publish of a key
fails the client pauses that key and refuses its later messages until ``resume_publish``; the relay
re-sends the failed event first (it holds back its successors), so resuming right away keeps order.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent import futures

from google.api_core import retry
from google.cloud import pubsub_v1

# With ordering on, the client retries a transient failure for ever (it stretches any retry's
# deadline to 2**32 s) and holds every later message of the key behind it. The relay owns retries
# instead (backoff, attempt count, parking), so the client is told to retry nothing: a failure
# comes back at once, pauses the key, and the relay re-sends it when its backoff says so.
_NO_RETRY = retry.Retry(predicate=lambda _exc: False)


class EventPublisher:
    """Publishes bytes + attributes with an ordering key to one project's topics."""

    def __init__(self, project: str, *, max_latency: float = 0.005) -> None:
        self._project = project
        self._client = pubsub_v1.PublisherClient(
            batch_settings=pubsub_v1.types.BatchSettings(max_messages=500, max_latency=max_latency),
            publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True),
        )

    def topic_path(self, topic: str) -> str:
        """``projects/<project>/topics/<topic>``."""
        return self._client.topic_path(self._project, topic)

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str], ordering_key: str) -> futures.Future:
        """Start publishing one message; the future resolves to its message id."""
        return self._client.publish(
            self.topic_path(topic), data, ordering_key=ordering_key, retry=_NO_RETRY, **attributes
        )

    def resume(self, topic: str, ordering_key: str) -> None:
        """Let a key paused by a failed publish accept messages again (no-op when it is not paused)."""
        try:
            self._client.resume_publish(self.topic_path(topic), ordering_key)
        except RuntimeError:
            # "Ordering key is not paused": the failure did not come through the key's sequencer.
            pass

    def close(self) -> None:
        """Flush and stop the client's batching threads."""
        self._client.stop()
