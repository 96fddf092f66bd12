"""The driver's plumbing: channels, the HTTP client, the event observer of one target.

``DriverBase`` owns the connections to one target; the area mixins (``steps/driver/<area>.py``) add
one method per action on top of it, and ``steps/driver/__init__.py`` assembles them into ``Driver``.
Every outcome passes the cross-cutting contract checks in ``steps/driver/checks.py`` before a step
sees it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Iterable
from typing import Any

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

import httpx

from fixtures.targets import TargetConfig, redact
from steps.driver import checks
from steps.driver.events import EventObserver, ObservedEvent
from steps.driver.outcome import AUTHORIZATION_HEADER, Identity, Outcome, encode_claims

DEFAULT_DEADLINE = 10.0
#: Topics the driver observes from its start when the target allows it and it is not told which
#: (outputs and dead letters); the suite's plugin tells it the ones the selected scenarios read.
OBSERVED_TOPICS = (
    "catalog.video.events",
    "profile.engagement.events",
    "catalog.video.events.dlq",
    "profile.engagement.events.dlq",
    "catalog.video-uploads.dlq",
)


class DriverBase:
    """Reaches one target through its public surfaces; owns its channels and subscriptions."""

    @staticmethod
    def declared() -> frozenset[str] | None:
        """The capabilities the running scenario declares (its ``@needs_*`` tags); ``None`` outside
        a scenario. The plugin replaces this; a surface used without being declared fails the
        scenario, so the tags stay honest."""
        return None

    def __init__(
        self, target: TargetConfig, run_id: str = "ct-", *, observe_events: bool = True, keep_events: bool = True,
        http_transport: httpx.BaseTransport | None = None, observed_topics: Iterable[str] | None = None,
    ) -> None:
        self.target = target
        self.run_id = run_id
        self._http_transport = http_transport
        self._channels: dict[str, grpc.Channel] = {}
        self._http: httpx.Client | None = None
        #: for processes the driver started itself on loopback (relays' metrics), never the target's transport
        self._loopback_http: httpx.Client | None = None
        self._observer: EventObserver | None = None
        self._tokens = BearerTokens(target.token_command)
        #: ids of the messages the suite published itself (deliberately malformed ones among them)
        self._injected: set[str] = set()
        if observe_events and "observe_events" in target.capabilities:
            self._observer = EventObserver(target.pubsub_project, target.pubsub_emulator_host, run_id, keep=keep_events)
            for topic in OBSERVED_TOPICS if observed_topics is None else observed_topics:
                self._observer.observe(topic)

    def close(self) -> None:
        """Close every channel and subscription opened so far."""
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
        for client in (self._http, self._loopback_http):
            if client is not None:
                client.close()
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
        self._declare("observe_events", f"events on {topic}")
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

    def observed_mark(self) -> int:
        """A mark in the stream of observed messages; ``observed_since`` returns what came after it."""
        return 0 if self._observer is None else self._observer.count()

    def observed_since(self, mark: int) -> list[ObservedEvent]:
        """Every message observed after ``mark``, on any topic (for the results of a failed scenario)."""
        return [] if self._observer is None else self._observer.since(mark)

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str], ordering_key: str = "") -> str:
        """Publish a message to one of the target's input topics, as its producer would."""
        self._declare("publish_raw", f"publishing to {topic}")
        message_id = self._require_observer().publish(topic, data, attributes, ordering_key)
        self._injected.add(message_id)
        return message_id

    def _require_observer(self) -> EventObserver:
        if self._observer is None:
            msg = f"target {self.target.name!r} cannot be observed; tag the scenario @needs_observe_events"
            raise checks.ContractViolation("driver", "no Pub/Sub access", msg)
        return self._observer

    # -- plumbing -----------------------------------------------------------------------------

    def _declare(self, capability: str, use: str) -> None:
        """Fail when the running scenario uses ``capability`` without its ``@needs_`` tag."""
        declared = self.declared()
        if declared is not None and capability not in declared:
            msg = (
                f"the scenario uses {capability} ({use}) but does not carry @needs_{capability}; tag it, so a "
                f"target without {capability} skips it instead of failing"
            )
            raise checks.ContractViolation("driver", "undeclared capability", msg)

    def forget_observed_events(self) -> None:
        """For the seeded-defect matrix (no scenario does this): ``events`` no longer returns the
        messages observed so far, so a message an earlier run's defect published without the
        attributes that tell whose it is cannot count against the next run."""
        if self._observer is not None:
            self._observer.forget()

    def switch_seeded_defects(self, names: Iterable[str]) -> None:
        """Reference only, for the seeded-defect matrix (no scenario does this): exactly ``names``
        on from now (none: back to the reference's rules). The reference must have been started with
        ``LINGO_DEFECTS_SWITCHABLE=1``."""
        wanted = sorted(names)
        response = self._rest_client().put(f"{self.target.rest_url}/_reference/defects", json={"on": wanted})
        if response.status_code != 200 or response.json().get("on") != wanted:
            msg = (
                f"switching seeded defects to {wanted} answered {response.status_code}: {response.text[:500]} "
                "(a reference switches them only when started with LINGO_DEFECTS_SWITCHABLE=1)"
            )
            raise checks.ContractViolation("driver", "defect switch refused", msg)

    def _http_client(self) -> httpx.Client:
        """The one HTTP client for the target's REST and storage (over ``http_transport`` when one was
        given): a client per request would build a TLS context each time. Each request's deadline
        is ``DEFAULT_DEADLINE`` unless it passes its own."""
        if self._http is None:
            self._http = httpx.Client(timeout=DEFAULT_DEADLINE, transport=self._http_transport)
        return self._http

    def _rest_client(self) -> httpx.Client:
        """``_http_client``, for the target's REST endpoint, which it must have."""
        if not self.target.rest_url:
            msg = (f"target {self.target.name!r} has no REST endpoint; set rest_url in its description, "
                   "or tag the scenario @needs_grpc only")
            raise checks.ContractViolation("driver", "missing endpoint", msg)
        return self._http_client()

    def _loopback_client(self) -> httpx.Client:
        """One client for the processes the driver started itself on loopback (never over the target's
        ``http_transport``)."""
        if self._loopback_http is None:
            self._loopback_http = httpx.Client(timeout=5)
        return self._loopback_http

    def _channel(self, address: str | None) -> grpc.Channel:
        self._declare("grpc", "a gRPC call")
        if not address:
            msg = f"target {self.target.name!r} has no gRPC endpoint for this call; add it to its description"
            raise checks.ContractViolation("driver", "missing endpoint", msg)
        if address not in self._channels:
            if self.target.tls:
                self._channels[address] = grpc.secure_channel(address, grpc.ssl_channel_credentials())
            else:
                self._channels[address] = grpc.insecure_channel(address)
        return self._channels[address]

    def identity_headers(self, identity: Identity) -> dict[str, str]:
        """The headers that say who calls, as this target learns it (``auth`` of its description)."""
        if self.target.auth == "bearer" and identity.alias is not None:
            return {AUTHORIZATION_HEADER: f"Bearer {self._tokens.token(identity.alias)}", **dict(identity.service)}
        return dict(identity.grpc_metadata())

    def _unary(
        self, operation: str, method: Any, request: Message, identity: Identity, extra: tuple[tuple[str, str], ...] = ()
    ) -> Outcome:
        """Call ``method``; ``extra`` is metadata beyond the identity (idempotency key, If-None-Match …)."""
        metadata = tuple(self.identity_headers(identity).items()) + extra
        try:
            response, call = method.with_call(request, metadata=metadata, timeout=DEFAULT_DEADLINE)
        except grpc.RpcError as error:
            outcome = _outcome_from_rpc_error(operation, error)
        else:
            outcome = Outcome(operation=operation, code="OK", response=response, headers=_headers(call))
        checks.run_all(outcome)
        return outcome


class BearerTokens:
    """Bearer tokens of the test users, by alias: ``LINGO_TOKEN_<ALIAS>`` from the environment, else
    the output of the target's ``token_command`` (``{alias}`` replaced). Never printed or logged."""

    def __init__(self, command: str | None) -> None:
        self.command = command
        self._tokens: dict[str, str] = {}

    def token(self, alias: str) -> str:
        """The token of test user ``alias``.

        Raises:
            ContractViolation: there is none; the message names where it was looked for, never a token.
        """
        if alias not in self._tokens:
            variable = f"LINGO_TOKEN_{alias.upper()}"
            token = os.environ.get(variable, "").strip() or (self._from_command(alias) if self.command else "")
            if not token:
                msg = f"no bearer token for test user {alias!r}: set {variable} or token_command in the target's table"
                raise checks.ContractViolation("driver", "no token", msg)
            self._tokens[alias] = token
        return self._tokens[alias]

    def _from_command(self, alias: str) -> str:
        assert self.command is not None
        args = shlex.split(self.command.replace("{alias}", alias))
        try:
            completed = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603 - the target owner's command
        except (OSError, subprocess.TimeoutExpired) as exc:
            msg = f"token_command for test user {alias!r} could not run: {type(exc).__name__}"
            raise checks.ContractViolation("driver", "no token", msg) from None
        if completed.returncode != 0:
            # stderr may echo what it was given; show its first line redacted, never stdout
            first = redact(completed.stderr.strip().splitlines()[0]) if completed.stderr.strip() else "no message"
            msg = f"token_command for test user {alias!r} exited {completed.returncode}: {first}"
            raise checks.ContractViolation("driver", "no token", msg)
        return completed.stdout.strip()


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
