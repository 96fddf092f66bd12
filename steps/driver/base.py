"""The driver's plumbing: channels, the HTTP client, the event observer of one target.

``DriverBase`` owns the connections to one target; the area mixins (``steps/driver/<area>.py``) add
one method per action on top of it, and ``steps/driver/__init__.py`` assembles them into ``Driver``.
Every outcome passes the cross-cutting contract checks in ``steps/driver/checks.py`` before a step
sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

import httpx

from fixtures.targets import TargetConfig
from steps.driver import checks
from steps.driver.events import EventObserver, ObservedEvent
from steps.driver.outcome import USERINFO_HEADER, Identity, Outcome, encode_claims

DEFAULT_DEADLINE = 10.0
#: Topics the driver observes from its start when the target allows it (outputs and dead letters).
OBSERVED_TOPICS = (
    "catalog.video.events",
    "profile.engagement.events",
    "catalog.video.events.dlq",
    "profile.engagement.events.dlq",
    "catalog.video-uploads.dlq",
)


class DriverBase:
    """Reaches one target through its public surfaces; owns its channels and subscriptions."""

    def __init__(
        self, target: TargetConfig, run_id: str = "ct-", *, observe_events: bool = True, keep_events: bool = True,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.target = target
        self.run_id = run_id
        self._http_transport = http_transport
        self._channels: dict[str, grpc.Channel] = {}
        self._http: httpx.Client | None = None
        self._observer: EventObserver | None = None
        #: ids of the messages the suite published itself (deliberately malformed ones among them)
        self._injected: set[str] = set()
        if observe_events and "observe_events" in target.capabilities:
            self._observer = EventObserver(target.pubsub_project, target.pubsub_emulator_host, run_id, keep=keep_events)
            for topic in OBSERVED_TOPICS:
                self._observer.observe(topic)

    def close(self) -> None:
        """Close every channel and subscription opened so far."""
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
        if self._http is not None:
            self._http.close()
        if self._observer is not None:
            self._observer.close()

    # -- events -------------------------------------------------------------------------------

    def events(self, topic: str, *, aggregate_id: str | None = None, event_type: str | None = None) -> list[ObservedEvent]:
        """Events observed on ``topic`` so far (optionally of one aggregate / type), in arrival order.

        Raises:
            ContractViolation: a message the target published on ``topic`` breaks the topic's
                contract (attributes or payload) and is one of those asked for, or cannot be told
                apart from them because it lacks the attributes that would (a message without
                ``aggregate_id`` or ``event_type`` might be any aggregate's event). Messages the
                suite injected itself (``publish_raw``) are its own business.
        """
        seen = self._require_observer().events(topic)
        for event in seen:
            may_be_asked_for = aggregate_id is None or event.attributes.get("aggregate_id", aggregate_id) == aggregate_id
            if event.violations and may_be_asked_for and event.message_id not in self._injected:
                raise checks.ContractViolation(
                    f"message {event.message_id} on {topic}",
                    "published message breaks its contract",
                    "\n".join(event.violations) + f"\nattributes: {dict(event.attributes)}",
                )
        return [
            e for e in seen
            if (aggregate_id is None or e.attributes.get("aggregate_id") == aggregate_id)
            and (event_type is None or e.event_type == event_type)
        ]

    def on_event(self, listener: Callable[[ObservedEvent], None]) -> None:
        """Call ``listener`` with every observed message as it arrives (for measuring, e.g. event lag)."""
        self._require_observer().listen(listener)

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str], ordering_key: str = "") -> str:
        """Publish a message to one of the target's input topics, as its producer would."""
        message_id = self._require_observer().publish(topic, data, attributes, ordering_key)
        self._injected.add(message_id)
        return message_id

    def _require_observer(self) -> EventObserver:
        if self._observer is None:
            msg = f"target {self.target.name!r} cannot be observed; tag the scenario @needs_observe_events"
            raise checks.ContractViolation("driver", "no Pub/Sub access", msg)
        return self._observer

    # -- plumbing -----------------------------------------------------------------------------

    def _new_http(self, timeout: float) -> httpx.Client:
        """The HTTP client for REST and storage (over ``http_transport`` when one was given)."""
        return httpx.Client(timeout=timeout, transport=self._http_transport)

    def _channel(self, address: str | None) -> grpc.Channel:
        if not address:
            msg = f"target {self.target.name!r} has no gRPC endpoint for this call; add it to its description"
            raise checks.ContractViolation("driver", "missing endpoint", msg)
        if address not in self._channels:
            if self.target.tls:
                self._channels[address] = grpc.secure_channel(address, grpc.ssl_channel_credentials())
            else:
                self._channels[address] = grpc.insecure_channel(address)
        return self._channels[address]

    def _unary(
        self, operation: str, method: Any, request: Message, identity: Identity, extra: tuple[tuple[str, str], ...] = ()
    ) -> Outcome:
        """Call ``method``; ``extra`` is metadata beyond the identity (idempotency key, If-None-Match …)."""
        try:
            response, call = method.with_call(request, metadata=identity.grpc_metadata() + extra, timeout=DEFAULT_DEADLINE)
        except grpc.RpcError as error:
            outcome = _outcome_from_rpc_error(operation, error)
        else:
            outcome = Outcome(operation=operation, code="OK", response=response, headers=_headers(call))
        checks.run_all(outcome)
        return outcome


def _headers(call: Any) -> dict[str, str]:
    """Initial then trailing metadata of a finished call, text values only."""
    pairs = [*(call.initial_metadata() or ()), *(call.trailing_metadata() or ())]
    return {key.lower(): value for key, value in pairs if not key.endswith("-bin")}


def _outcome_from_rpc_error(operation: str, error: grpc.RpcError) -> Outcome:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    reason = None
    violations: list[str] = []
    details: list[Message] = []
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            details.append(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations += [f"{v.field}: {v.description}" for v in bad_request.field_violations]
            details.append(bad_request)
    return Outcome(
        operation=operation,
        code=error.code().name,  # type: ignore[attr-defined]
        reason=reason,
        message=error.details() or "",  # type: ignore[attr-defined]
        violations=tuple(violations),
        details=tuple(details),
        headers=_headers(error),
    )
