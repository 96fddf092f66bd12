"""An inbox consumer: Pull a batch → apply it in one transaction → acknowledge it in one request, or nack.

One thread pulls up to ``max_batch`` messages (the broker answers as soon as one is there, so a lone
message goes alone and adds no latency), decodes them (``identify``) and applies them in one
transaction: record the batch in the inbox in one statement (an event id processed before is
acknowledged and skipped, per message), run each fresh event's handler (their statements
pipelined: one round trip per batch), commit, and only then acknowledge the batch in one request
(``reference_impl.adapters.pulling``: the client library's StreamingPull cost far more per message
than the SQL). The next batch is pulled while this one is applied, and this one is settled while
the next is applied, so the transactions do not wait for the broker. Ordering holds across
batches: the broker releases an ordering key's next message only once the ones it handed out are
resolved.

A message whose handler fails is nacked, so the broker redelivers it with the subscription's
retry policy and, after its max delivery attempts, dead-letters it; its writes and its inbox row
are rolled back with the batch's transaction, and the rest of the batch runs again without it (and
without any later message of its ordering key, nacked too), so every other message is applied
exactly once. An undecodable message is nacked the same way: it reaches the dead-letter topic, not
a handler. If the commit itself fails, every message is nacked. A pull the broker refuses is tried
again after a pause that doubles up to a second.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import grpc
import psycopg
from prometheus_client import CollectorRegistry, Counter, Histogram
from psycopg_pool import ConnectionPool

from reference_impl import defects
from reference_impl.adapters.inbox import InboxEntry, InboxStore
from reference_impl.adapters.pulling import PendingPull, PendingSettle, PullCancelled, Puller

_log = logging.getLogger(__name__)

#: Seconds a pull may wait for a message before it is asked again.
_PULL_TIMEOUT = 30.0
#: Seconds for the acknowledgement of a batch.
_SETTLE_TIMEOUT = 10.0
#: Pause after a refused pull, doubling up to the cap.
_RETRY_FIRST, _RETRY_CAP = 0.1, 1.0


class Message(Protocol):
    """What a consumer reads of a message: a pulled one (``reference_impl.adapters.pulling``) or a test's."""

    message_id: str
    data: bytes
    attributes: Mapping[str, str]
    ordering_key: str
    publish_time: datetime

    def ack(self) -> None: ...

    def nack(self) -> None: ...


class HeldBack(Exception):
    """Not applied because an earlier message of its ordering key in the same batch failed (nacked with it)."""

    def __init__(self, message: Message) -> None:
        super().__init__(f"an earlier message of ordering key {message.ordering_key!r} failed in this batch")


class UndecodableMessage(Exception):
    """The message cannot be understood (bad payload, unknown schema version); it will be dead-lettered."""


@dataclass(frozen=True)
class InboundEvent:
    """A decoded message as a handler sees it."""

    event_id: uuid.UUID
    event_type: str
    aggregate_type: str | None
    aggregate_id: str | None
    data: bytes
    attributes: Mapping[str, str]
    decoded: object = None


Identify = Callable[[Message], InboundEvent]
Handler = Callable[[psycopg.Connection, InboundEvent], None]


@dataclass
class ConsumerMetrics:
    """Prometheus metrics of consumers, labelled by subscription."""

    registry: CollectorRegistry
    processed: Counter = field(init=False)
    skipped: Counter = field(init=False)
    failed: Counter = field(init=False)
    lag: Histogram = field(init=False)

    def __post_init__(self) -> None:
        labels = ["subscription"]
        self.processed = Counter("inbox_processed", "Messages handled and committed", labels, registry=self.registry)
        self.skipped = Counter("inbox_duplicate", "Redeliveries of processed events", labels, registry=self.registry)
        self.failed = Counter("inbox_failed", "Messages nacked after a failure", labels, registry=self.registry)
        self.lag = Histogram(
            "inbox_lag_seconds",
            "Seconds from publish to commit",
            labels,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )


def _entry(event: InboundEvent) -> InboxEntry:
    return InboxEntry(event.event_id, event.event_type, event.aggregate_type, event.aggregate_id, event.data)


def _distinct_runs(decoded: list[tuple[Message, InboundEvent]]) -> list[list[tuple[Message, InboundEvent]]]:
    """Split a batch where an event id repeats (a duplicate copy): the copy goes in a later
    transaction, so the inbox sees the first one committed and skips it."""
    runs: list[list[tuple[Message, InboundEvent]]] = []
    seen: set[uuid.UUID] = set()
    for item in decoded:
        if not runs or item[1].event_id in seen:
            runs.append([])
            seen = set()
        runs[-1].append(item)
        seen.add(item[1].event_id)
    return runs


class InboxConsumer:
    """Consumes one subscription into one schema's inbox."""

    def __init__(
        self,
        pool: ConnectionPool,
        subscription: str,
        *,
        schema: str,
        source_service: str,
        identify: Identify,
        handlers: Mapping[str, Handler],
        metrics: ConsumerMetrics,
        max_batch: int = 100,
    ) -> None:
        self.subscription = subscription
        self._label = subscription.rsplit("/", 1)[-1]
        self._pool = pool
        self._store = InboxStore(schema)
        self._source = source_service
        self._identify = identify
        self._handlers = handlers
        self._metrics = metrics
        self._processed = metrics.processed.labels(self._label)
        self._skipped = metrics.skipped.labels(self._label)
        self._failed = metrics.failed.labels(self._label)
        self._lag = metrics.lag.labels(self._label)
        self._max_batch = max_batch
        self._puller: Puller | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def handle(self, message: Message) -> None:
        """Process one message and ack or nack it (a batch of one)."""
        self.handle_batch([message])

    def handle_batch(self, messages: Sequence[Message]) -> None:
        """Apply the messages in one transaction and, after its commit, ack or nack each.

        Once a message fails (undecodable, its handler raised, its transaction failed), every later
        message of its ordering key in the batch is nacked unapplied, so a key's events are applied
        in order or not at all.
        """
        failed_keys: set[str] = set()
        decoded: list[tuple[Message, InboundEvent]] = []
        for message in messages:
            if message.ordering_key in failed_keys:
                self._settle([(message, None)], [HeldBack(message)])
            elif (event := self._decode(message)) is not None:
                decoded.append((message, event))
            elif message.ordering_key:
                failed_keys.add(message.ordering_key)
        self._handle_decoded(decoded, failed_keys)

    def _decode(self, message: Message) -> InboundEvent | None:
        """The message's event; None when it is undecodable (then it is nacked here)."""
        try:
            return self._identify(message)
        except UndecodableMessage as exc:
            _log.warning("%s: undecodable message %s nacked: %s", self._label, message.message_id, exc)
            self._failed.inc()
            message.nack()
            return None

    def _handle_decoded(self, decoded: list[tuple[Message, InboundEvent]], failed_keys: set[str]) -> None:
        for run in _distinct_runs(decoded):
            held = [item for item in run if item[0].ordering_key in failed_keys]
            self._settle(held, [HeldBack(message) for message, _event in held])
            part = [item for item in run if item[0].ordering_key not in failed_keys]
            try:
                outcomes = self._apply(part)
            except Exception as exc:  # noqa: BLE001 - the transaction (or its connection) failed: nothing was applied
                _log.warning("%s: a batch of %d failed and is nacked: %s", self._label, len(part), exc, exc_info=True)
                outcomes = [exc] * len(part)
            failed = [(event.event_id, outcome) for (_m, event), outcome in zip(part, outcomes, strict=True)
                      if isinstance(outcome, Exception) and not isinstance(outcome, HeldBack)]
            if failed:
                self._remember_errors(failed)
            failed_keys.update(m.ordering_key for (m, _e), outcome in zip(part, outcomes, strict=True)
                               if isinstance(outcome, Exception) and m.ordering_key)
            self._settle(part, outcomes)

    def _settle(self, decoded: Sequence[tuple[Message, InboundEvent | None]], outcomes: Sequence[bool | Exception]) -> None:
        """Ack what committed (applied, or a known duplicate skipped), nack what failed."""
        now = time.time()
        for (message, _event), outcome in zip(decoded, outcomes, strict=True):
            if isinstance(outcome, Exception):
                self._failed.inc()
                message.nack()
                continue
            (self._processed if outcome else self._skipped).inc()
            self._lag.observe(max(0.0, now - message.publish_time.timestamp()))
            if not defects.active("inbox-never-acks"):
                message.ack()

    def _apply(self, decoded: Sequence[tuple[Message, InboundEvent]]) -> list[bool | Exception]:
        """Per event True (applied), False (processed before) or the exception its handler raised.

        The batch runs in one transaction. When a handler fails, that transaction is rolled back
        whole, the failing event keeps its exception, and the others run again in a new one: each
        handler's writes commit exactly once or not at all, without a savepoint per event.

        The handlers' statements go out in pipeline mode: one round trip for the batch instead of
        one per statement (each round trip also costs this thread the GIL back from the client's
        threads). A database error then surfaces at a later statement or at the end of the
        pipeline, not at the statement that caused it, so it cannot name its event: the batch is
        rolled back and run again one statement at a time, where it does.
        """
        outcomes: dict[int, bool | Exception] = {}
        pending = list(range(len(decoded)))
        pipelined = True
        while pending:
            failure: tuple[int, Exception] | None = None
            applied: dict[int, bool] = {}
            try:
                with self._pool.connection() as conn, conn.transaction() as tx:
                    fresh = self._store.receive(conn, self._source, [_entry(decoded[i][1]) for i in pending])
                    with conn.pipeline() if pipelined else contextlib.nullcontext():
                        for i in pending:
                            event = decoded[i][1]
                            try:
                                applied[i] = event.event_id in fresh and self._run_handler(conn, event)
                            except Exception as exc:  # noqa: BLE001 - any handler failure nacks its message
                                if pipelined and isinstance(exc, psycopg.Error):
                                    raise  # maybe an earlier event's error: find it one statement at a time
                                failure = (i, exc)
                                raise psycopg.Rollback(tx) from exc
            except psycopg.Error:
                if not pipelined:
                    raise
                pipelined = False
                continue
            if failure is None:
                outcomes.update(applied)
                break
            index, exc = failure
            _log.warning("%s: event %s failed and is nacked: %s", self._label, decoded[index][1].event_id, exc,
                         exc_info=exc)
            outcomes[index] = exc
            pending.remove(index)
            key = decoded[index][0].ordering_key
            for later in [i for i in pending if i > index and key and decoded[i][0].ordering_key == key]:
                outcomes[later] = HeldBack(decoded[later][0])
                pending.remove(later)
        return [outcomes[i] for i in range(len(decoded))]

    def _run_handler(self, conn: psycopg.Connection, event: InboundEvent) -> bool:
        handler = self._handlers.get(event.event_type)
        if handler is None:
            msg = f"no handler for event type {event.event_type!r}; known: {sorted(self._handlers)}"
            raise UndecodableMessage(msg)
        handler(conn, event)
        return True

    def _remember_errors(self, failed: Sequence[tuple[uuid.UUID, Exception]]) -> None:
        try:
            with self._pool.connection() as conn, conn.transaction():
                for event_id, exc in failed:
                    self._store.record_error(conn, event_id, f"{type(exc).__name__}: {exc}")
        except psycopg.Error:
            _log.exception("could not record the errors of events %s", [event_id for event_id, _e in failed])

    def start(self) -> None:
        """Pull and apply, batch after batch, on a thread of its own."""
        self._puller = Puller(self.subscription)
        self._thread = threading.Thread(target=self._run, args=(self._puller,), name=f"inbox-{self._label}", daemon=True)
        self._thread.start()

    def _run(self, puller: Puller) -> None:
        """Pull the next batch while the current one is applied; settle it while the next is applied.

        The next pull leaves before this batch is settled. Each key stays in order all the same:
        the broker hands out none of a key's messages while earlier ones are outstanding
        (tests/pubsub/test_pulling.py pins that on our stand-in and on Google's emulator). A new
        pull leaves only once the settlement before it was answered, so at most one batch is
        unsettled at a time.
        """
        pause = _RETRY_FIRST
        pulling: PendingPull | None = None
        settling: PendingSettle | None = None
        while not self._stop.is_set():
            try:
                messages, settlement = (pulling or puller.start_pull(self._max_batch, timeout=_PULL_TIMEOUT)).result()
            except PullCancelled:
                break
            except grpc.RpcError as error:
                pulling = None
                self._await_settle(settling)
                settling = None
                _log.warning("%s: pull refused (%s); trying again in %.1f s", self._label, error.code(), pause)
                if self._stop.wait(pause):
                    break
                pause = min(pause * 2, _RETRY_CAP)
                continue
            pause = _RETRY_FIRST
            self._await_settle(settling)
            settling = None
            try:
                pulling = puller.start_pull(self._max_batch, timeout=_PULL_TIMEOUT)
            except PullCancelled:
                pulling = None
            if not messages:
                continue
            try:
                self.handle_batch(messages)
            except Exception:  # noqa: BLE001 - the consumer must outlive a bug in one batch; the broker redelivers
                _log.exception("%s: a batch of %d could not be handled", self._label, len(messages))
            settling = puller.start_settle(settlement, timeout=_SETTLE_TIMEOUT)
        self._release(puller, pulling)
        self._await_settle(settling)

    def _await_settle(self, settling: PendingSettle | None) -> None:
        if settling is None:
            return
        try:
            settling.wait()
        except grpc.RpcError as error:
            # Redelivered after the ack deadline; the inbox then skips what was applied.
            _log.warning("%s: settling a batch of %d failed: %s", self._label, settling.size, error.code())

    def _release(self, puller: Puller, pulling: PendingPull | None) -> None:
        """Nack what a pull cancelled by ``stop`` had already received, so it is redelivered at once."""
        if pulling is None:
            return
        try:
            messages, settlement = pulling.result()
        except (PullCancelled, grpc.RpcError):
            return
        if messages:
            for message in messages:
                message.nack()
            self._await_settle(puller.start_settle(settlement, timeout=_SETTLE_TIMEOUT))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop pulling; a batch being applied is finished and settled first."""
        self._stop.set()
        if self._puller is not None:
            self._puller.cancel()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._puller is not None:
            self._puller.close()
