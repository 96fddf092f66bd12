"""Pub/Sub publishing for the outbox relay, over the generated client of google-cloud-pubsub.

``PUBSUB_EMULATOR_HOST`` points it at an emulator or our stand-in. The API requires all messages of
one Publish request to share an ordering key, and a relay batch holds at most one event per key
(head-of-line per aggregate), so a batch needs one request per event either way. The library's
batching client sends those one after another per key, retries transient failures for ever when
ordering is on, and pauses a key after a failure; the relay owns retries itself (backoff, attempt
count, parking), so it uses the generated client's channel: every request of a batch is in flight at
once on one channel, without retries, and a failure comes back as a failure of that key's events.

Publish is called on that channel directly with the raw protobuf classes behind the proto-plus
types: building proto-plus messages and passing the transport's logging interceptor cost about
a third of the relay's CPU per event (one request per event, see above). The channel is still the
generated client's, with its credentials, endpoint and options.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence

import grpc
from google.pubsub_v1.services.publisher import PublisherClient as GapicPublisherClient
from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
from google.pubsub_v1.types import pubsub as pubsub_types

#: Pub/Sub's limits per Publish request: 1,000 messages, 10 MB (kept below, for the envelope).
MAX_REQUEST_MESSAGES = 1000
MAX_REQUEST_BYTES = 9 * 1024 * 1024

_PUBLISH = "/google.pubsub.v1.Publisher/Publish"
_PublishRequest = pubsub_types.PublishRequest.pb()
_PublishResponse = pubsub_types.PublishResponse.pb()
_PubsubMessage = pubsub_types.PubsubMessage.pb()


class EventPublisher:
    """Publishes bytes + attributes with an ordering key to one project's topics."""

    def __init__(self, project: str) -> None:
        self._project = project
        self._client: GapicPublisherClient | None = None
        self._publish: grpc.UnaryUnaryMultiCallable | None = None
        self._lock = threading.Lock()

    def topic_path(self, topic: str) -> str:
        """``projects/<project>/topics/<topic>``."""
        return f"projects/{self._project}/topics/{topic}"

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
        return self.start_batch(topic, messages, timeout=timeout).results()

    def start_batch(
        self, topic: str, messages: Sequence[tuple[bytes, Mapping[str, str], str]], *, timeout: float
    ) -> PendingBatch:
        """Send ``publish_batch``'s requests and return at once; ``results()`` waits for the answers."""
        with self._lock:  # relays in one process share the publisher
            if self._publish is None:
                self._client = _gapic_client()
                self._publish = self._client.transport.grpc_channel.unary_unary(
                    _PUBLISH, request_serializer=_PublishRequest.SerializeToString,
                    response_deserializer=_PublishResponse.FromString,
                )
        groups: dict[str, list[int]] = {}
        for index, (_, _, key) in enumerate(messages):
            groups.setdefault(key, []).append(index)
        call, topic_path = self._publish, self.topic_path(topic)
        pending = {
            key: call.future(
                _PublishRequest(
                    topic=topic_path,
                    messages=[
                        _PubsubMessage(data=messages[i][0], attributes=messages[i][1], ordering_key=key)
                        for i in indexes
                    ],
                ),
                timeout=timeout,
            )
            for key, indexes in groups.items()
        }
        return PendingBatch(len(messages), groups, pending)

    def close(self) -> None:
        """Close the client's channel."""
        if self._client is not None:
            self._client.transport.close()


class PendingBatch:
    """The requests of one ``start_batch``, in flight."""

    def __init__(self, size: int, groups: dict[str, list[int]], pending: dict[str, grpc.Future]) -> None:
        self._size, self._groups, self._pending = size, groups, pending

    def results(self) -> list[str | Exception]:
        """Wait for every request; per message, in input order: its message id, or its request's error."""
        results: list[str | Exception] = [RuntimeError("not published")] * self._size
        for key, future in self._pending.items():
            try:
                ids = list(future.result().message_ids)
            except grpc.RpcError as error:
                for index in self._groups[key]:
                    results[index] = error
            else:
                for index, message_id in zip(self._groups[key], ids, strict=True):
                    results[index] = message_id
        return results


def _gapic_client() -> GapicPublisherClient:
    """The generated (non-batching) client, pointed at ``PUBSUB_EMULATOR_HOST`` when it is set."""
    emulator = os.environ.get("PUBSUB_EMULATOR_HOST")
    if emulator:
        return GapicPublisherClient(transport=PublisherGrpcTransport(channel=grpc.insecure_channel(emulator)))
    return GapicPublisherClient()
