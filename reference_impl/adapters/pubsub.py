"""Pub/Sub publishing for the outbox relay, over the real google-cloud-pubsub client.

``PUBSUB_EMULATOR_HOST`` (read by the client itself) points it at an emulator or our stand-in.
Ordering is on: messages of one ordering key are published in order. When a publish of a key
fails the client pauses that key and refuses its later messages until ``resume_publish``; the relay
re-sends the failed event first (it holds back its successors), so resuming right away keeps order.

``publish_batch`` is what the relay uses instead. The API requires all messages of one Publish
request to share an ordering key, and a relay batch holds at most one event per key (head-of-line
per aggregate), so a batch needs one request per event either way; the client library sends those
one after another per key sequencer, ``publish_batch`` puts them all in flight at once on one
channel. It bypasses the client's per-key pausing: a failed request fails the events of its key,
and the relay retries them (their successors wait behind them in the outbox).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent import futures

import os

import grpc
from google.api_core import retry
from google.cloud import pubsub_v1
from google.pubsub_v1 import types as pubsub_types
from google.pubsub_v1.services.publisher import PublisherClient as GapicPublisherClient
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

#: Pub/Sub's limits per Publish request: 1,000 messages, 10 MB (kept below, for the envelope).
MAX_REQUEST_MESSAGES = 1000
MAX_REQUEST_BYTES = 9 * 1024 * 1024

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
        self._batch_client: GapicPublisherClient | None = None

    def topic_path(self, topic: str) -> str:
        """``projects/<project>/topics/<topic>``."""
        return self._client.topic_path(self._project, topic)

    def publish(self, topic: str, data: bytes, attributes: Mapping[str, str], ordering_key: str) -> futures.Future:
        """Start publishing one message; the future resolves to its message id."""
        return self._client.publish(
            self.topic_path(topic), data, ordering_key=ordering_key, retry=_NO_RETRY, **attributes
        )

    def publish_batch(
        self, topic: str, messages: Sequence[tuple[bytes, Mapping[str, str], str]], *, timeout: float
    ) -> list[str | Exception]:
        """Publish ``(data, attributes, ordering_key)`` messages without retries, one request per ordering key.

        The API requires every message of a Publish request to carry the same ordering key, so the
        messages are grouped by key (keeping their order within a key) and every group's request is
        in flight at once on one channel.

        Returns:
            Per message, in input order: its message id, or the error of its key's request.
        """
        if self._batch_client is None:
            self._batch_client = _gapic_client()
        groups: dict[str, list[int]] = {}
        for index, (_, _, key) in enumerate(messages):
            groups.setdefault(key, []).append(index)
        call = self._batch_client.transport.publish
        pending = {
            key: call.future(
                pubsub_types.PublishRequest(
                    topic=self.topic_path(topic),
                    messages=[
                        pubsub_types.PubsubMessage(data=messages[i][0], attributes=dict(messages[i][1]), ordering_key=key)
                        for i in indexes
                    ],
                ),
                timeout=timeout,
            )
            for key, indexes in groups.items()
        }
        results: list[str | Exception] = [RuntimeError("not published")] * len(messages)
        for key, future in pending.items():
            try:
                ids = list(future.result().message_ids)
            except grpc.RpcError as error:
                for index in groups[key]:
                    results[index] = error
            else:
                for index, message_id in zip(groups[key], ids, strict=True):
                    results[index] = message_id
        return results

    def resume(self, topic: str, ordering_key: str) -> None:
        """Let a key paused by a failed publish accept messages again (no-op when it is not paused)."""
        try:
            self._client.resume_publish(self.topic_path(topic), ordering_key)
        except RuntimeError:
            # "Ordering key is not paused": the failure did not come through the key's sequencer.
            pass

    def close(self) -> None:
        """Flush and stop the client's batching threads; close the batch client's channel."""
        self._client.stop()
        if self._batch_client is not None:
            self._batch_client.transport.close()


def _gapic_client() -> GapicPublisherClient:
    """The generated (non-batching) client, pointed at ``PUBSUB_EMULATOR_HOST`` when it is set."""
    emulator = os.environ.get("PUBSUB_EMULATOR_HOST")
    if emulator:
        return GapicPublisherClient(transport=PublisherGrpcTransport(channel=grpc.insecure_channel(emulator)))
    return GapicPublisherClient()
