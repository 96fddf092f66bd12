"""Pulling a subscription for the inbox consumers: unary Pull, then one Acknowledge and one nack per batch.

The client library's StreamingPull does much per message: a receipt ModifyAckDeadline, a lease,
an acknowledgement through a dispatcher of its own, on threads that take the GIL from the request
handlers of the same process. A consumer that applies a whole pulled batch in one transaction needs
none of that: it pulls up to ``max_messages`` (the broker answers as soon as one is there), applies
them, then settles the batch in at most two requests. Measured on the reference, 400 catalog writes
one after another, each emitting events: its CPU fell by a fifth, the Pub/Sub stand-in's by a
quarter, and a write's latency by a quarter to a third. The broker holds back an ordering key's
next messages until the ones it handed out are resolved, with Pull as with StreamingPull, so order
per key is kept across batches. ``start_pull`` and ``start_settle`` return at once, so a consumer
can pull its next batch and settle its last one while it applies the current one.

As the relay's publisher does (``reference_impl.adapters.pubsub``), this calls the generated
client's channel directly with the raw protobuf classes: the channel, endpoint and credentials are
the generated client's, ``PUBSUB_EMULATOR_HOST`` included.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1.services.subscriber import SubscriberClient as GapicSubscriberClient
from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport
from google.pubsub_v1.types import pubsub as pubsub_types

_SERVICE = "/google.pubsub.v1.Subscriber/"
_PullRequest = pubsub_types.PullRequest.pb()
_PullResponse = pubsub_types.PullResponse.pb()
_AcknowledgeRequest = pubsub_types.AcknowledgeRequest.pb()
_ModifyAckDeadlineRequest = pubsub_types.ModifyAckDeadlineRequest.pb()


@dataclass
class Settlement:
    """What a consumer decided for the messages of one pulled batch."""

    acks: list[str] = field(default_factory=list)
    nacks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PulledMessage:
    """A pulled message, with ``ack`` and ``nack`` recorded in its batch's settlement (sent by ``Puller.settle``)."""

    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    ordering_key: str
    publish_time: datetime
    ack_id: str
    settlement: Settlement

    def ack(self) -> None:
        self.settlement.acks.append(self.ack_id)

    def nack(self) -> None:
        self.settlement.nacks.append(self.ack_id)


class PullCancelled(Exception):
    """``Puller.cancel`` ended a pull that was waiting."""


class Puller:
    """Pulls one subscription and settles what was pulled."""

    def __init__(self, subscription: str) -> None:
        self.subscription = subscription
        self._client = _gapic_client()
        channel = self._client.transport.grpc_channel
        self._pull = channel.unary_unary(
            _SERVICE + "Pull", request_serializer=_PullRequest.SerializeToString,
            response_deserializer=_PullResponse.FromString,
        )
        self._acknowledge = channel.unary_unary(
            _SERVICE + "Acknowledge", request_serializer=_AcknowledgeRequest.SerializeToString,
            response_deserializer=empty_pb2.Empty.FromString,
        )
        self._modify = channel.unary_unary(
            _SERVICE + "ModifyAckDeadline", request_serializer=_ModifyAckDeadlineRequest.SerializeToString,
            response_deserializer=empty_pb2.Empty.FromString,
        )
        self._lock = threading.Lock()
        self._waiting: grpc.Future | None = None
        self._cancelled = False

    def start_pull(self, max_messages: int, *, timeout: float) -> PendingPull:
        """Ask for up to ``max_messages`` messages and return at once; ``PendingPull.result`` waits.

        Raises:
            PullCancelled: ``cancel`` was called.
        """
        with self._lock:
            if self._cancelled:
                raise PullCancelled
            self._waiting = self._pull.future(
                _PullRequest(subscription=self.subscription, max_messages=max_messages), timeout=timeout
            )
            return PendingPull(self, self._waiting)

    def pull(self, max_messages: int, *, timeout: float) -> tuple[list[PulledMessage], Settlement]:
        """``start_pull`` and wait for its ``result``."""
        return self.start_pull(max_messages, timeout=timeout).result()

    def start_settle(self, settlement: Settlement, *, timeout: float) -> PendingSettle:
        """Acknowledge the batch's acks in one request and nack (deadline 0) its nacks in another;
        return at once, ``PendingSettle.wait`` waits for both."""
        requests = []
        if settlement.acks:
            requests.append(self._acknowledge.future(
                _AcknowledgeRequest(subscription=self.subscription, ack_ids=settlement.acks), timeout=timeout
            ))
        if settlement.nacks:
            requests.append(self._modify.future(
                _ModifyAckDeadlineRequest(subscription=self.subscription, ack_ids=settlement.nacks, ack_deadline_seconds=0),
                timeout=timeout,
            ))
        return PendingSettle(requests, len(settlement.acks) + len(settlement.nacks))

    def settle(self, settlement: Settlement, *, timeout: float) -> None:
        """``start_settle`` and ``wait`` for it.

        Raises:
            grpc.RpcError: a request failed (its messages are redelivered after their deadline).
        """
        self.start_settle(settlement, timeout=timeout).wait()

    def cancel(self) -> None:
        """End a pull that is waiting, and every later one."""
        with self._lock:
            self._cancelled = True
            if self._waiting is not None:
                self._waiting.cancel()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return self._cancelled

    def close(self) -> None:
        self._client.transport.close()


class PendingPull:
    """A pull in flight (``Puller.start_pull``)."""

    def __init__(self, puller: Puller, call: grpc.Future) -> None:
        self._puller, self._call = puller, call

    def result(self) -> tuple[list[PulledMessage], Settlement]:
        """Up to the asked number of messages (none when the pull's timeout passed first) and their
        batch's settlement.

        Raises:
            grpc.RpcError: the broker refused or could not be reached.
            PullCancelled: ``Puller.cancel`` was called.
        """
        try:
            response = self._call.result()
        except grpc.FutureCancelledError:
            raise PullCancelled from None
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.CANCELLED and self._puller.cancelled:
                raise PullCancelled from None
            if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                return [], Settlement()
            raise
        settlement = Settlement()
        return [
            PulledMessage(
                message_id=received.message.message_id,
                data=received.message.data,
                attributes=dict(received.message.attributes),
                ordering_key=received.message.ordering_key,
                publish_time=received.message.publish_time.ToDatetime(tzinfo=UTC),
                ack_id=received.ack_id,
                settlement=settlement,
            )
            for received in response.received_messages
        ], settlement


class PendingSettle:
    """The requests of one settlement in flight (``Puller.start_settle``), for ``size`` messages."""

    def __init__(self, requests: list[grpc.Future], size: int) -> None:
        self._requests = requests
        self.size = size

    def wait(self) -> None:
        """Wait for every request.

        Raises:
            grpc.RpcError: the first request that failed (its messages are redelivered after their deadline).
        """
        for request in self._requests:
            request.result()


def _gapic_client() -> GapicSubscriberClient:
    """The generated client, pointed at ``PUBSUB_EMULATOR_HOST`` when it is set."""
    emulator = os.environ.get("PUBSUB_EMULATOR_HOST")
    if emulator:
        return GapicSubscriberClient(transport=SubscriberGrpcTransport(channel=grpc.insecure_channel(emulator)))
    return GapicSubscriberClient()
