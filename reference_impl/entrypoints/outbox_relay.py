"""The outbox relay: committed outbox rows → Pub/Sub, at least once, in order per aggregate.

One cycle: claim a batch under a fresh lease token, publish it (one Publish request per ordering key,
all in flight at once; ordering key = aggregate id, attributes from the row's headers), then settle in one transaction: published events
are marked, failed ones rescheduled with exponential backoff, and an event that used its last
attempt is parked. ``run`` claims the next batch while the broker works on the current one (the
head-of-line rule keeps that in order per aggregate). A refusal no retry can heal (INVALID_ARGUMENT: an attribute or the message over
Pub/Sub's limits; NOT_FOUND for the topic when so configured) parks the event at once as
unpublishable, so it does not hold back its aggregate. Every settle is fenced by the lease token.
Several relays may run at once. An idle relay waits on ``LISTEN <schema>_outbox``: writers notify
that channel in their transaction, so a committed event is claimed at once, and the idle interval
is only the safety net for writers that do not notify.

While a batch is in flight a heartbeat renews its lease every third of the lock TTL, so the TTL can
be short (10 s): a relay that dies after its claim holds its aggregates for seconds, and another
relay (or the restarted one) takes them over; a slow but living relay keeps them.

Run alone (several may compete): ``python -m reference_impl.entrypoints.outbox_relay --schema catalog
--topic catalog.video.events`` with ``DATABASE_URL`` and ``PUBSUB_EMULATOR_HOST`` set; ``--help`` lists
the knobs. It prints ``outbox-relay ready relay_id=<id> metrics=<url>`` once it relays, and stops on
SIGTERM. Two fault switches, off by default and used only by the conformance suite's ``faults``
scenarios, simulate a relay dying after the broker acknowledged and before marking
(``--crash-after-publish``), one dying right after its claim (``--crash-after-claim``) and a relay
whose whole process stalls past its lease, heartbeat included (``--stall-after-claim SECONDS``).
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import grpc
import psycopg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from fixtures.cli import add_verbosity, configure_logging, port, positive_int, seconds
from reference_impl import defects
from reference_impl.adapters.outbox import ClaimedEvent, FailedAttempt, OutboxStore
from reference_impl.adapters.pubsub import MAX_REQUEST_BYTES, MAX_REQUEST_MESSAGES, EventPublisher, PendingBatch

_log = logging.getLogger(__name__)

#: Longest a waiting relay takes to notice that it was told to stop.
_STOP_CHECK = 0.25
#: Seconds between two reconnection attempts while the database is unreachable.
_RECONNECT_PAUSE = 1.0


@dataclass(frozen=True)
class RelaySettings:
    """How a relay behaves (defaults as upstream's config.yaml where it has one).

    Attributes:
        schema: the service schema whose ``outbox_events`` it drains.
        topic: the topic id it publishes to.
        batch_size: events claimed per cycle.
        idle_interval: longest wait after an empty cycle before polling again, the safety net for
            writers that do not notify; a writer's commit notification ends the wait earlier
            (``OutboxStore.enqueue`` sends one), and it never outlasts the next backoff or lease.
        initial_backoff: delay after the first failed attempt; doubles each attempt.
        max_backoff: the cap of that delay.
        max_attempts: attempts before an event is parked.
        lock_ttl: age after which another relay may take over a lease; the heartbeat renews a
            lease every third of it while its batch is in flight.
        publish_timeout: seconds to wait for the broker's acknowledgement.
        missing_topic_is_permanent: treat NOT_FOUND (the topic does not exist) as a refusal for
            good and park at once; off by default, since a topic may be created after the service.
    """

    schema: str
    topic: str
    batch_size: int = 200
    idle_interval: float = 0.05
    initial_backoff: timedelta = timedelta(seconds=2)
    max_backoff: timedelta = timedelta(seconds=120)
    max_attempts: int = 20
    lock_ttl: timedelta = timedelta(seconds=10)
    publish_timeout: float = 10.0
    missing_topic_is_permanent: bool = False

    def permanent(self, code: grpc.StatusCode | None) -> bool:
        """Whether a publish refused with ``code`` can never succeed by retrying."""
        if defects.active("relay-retries-permanent-errors"):
            return False
        return code == grpc.StatusCode.INVALID_ARGUMENT or (
            code == grpc.StatusCode.NOT_FOUND and self.missing_topic_is_permanent
        )

    def backoff(self, attempts_before: int) -> timedelta:
        """Delay before the next attempt, after ``attempts_before`` earlier failures plus this one."""
        if defects.active("relay-backoff-uncapped"):
            return self.initial_backoff * (2**attempts_before)
        return min(self.initial_backoff * (2**attempts_before), self.max_backoff)


@dataclass
class RelayMetrics:
    """The relay's Prometheus metrics, registered in the given registry."""

    registry: CollectorRegistry
    success: Counter = field(init=False)
    failure: Counter = field(init=False)
    latency: Histogram = field(init=False)
    backlog: Gauge = field(init=False)
    parked: Gauge = field(init=False)
    fenced: Counter = field(init=False)

    def __post_init__(self) -> None:
        labels = ["schema"]
        self.success = Counter("outbox_publish_success", "Events published and marked", labels, registry=self.registry)
        self.failure = Counter("outbox_publish_failure", "Failed publish attempts", labels, registry=self.registry)
        self.latency = Histogram(
            "outbox_publish_latency_ms",
            "Milliseconds from publish call to broker acknowledgement",
            labels,
            buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000),
            registry=self.registry,
        )
        self.backlog = Gauge("outbox_backlog", "Unpublished events not parked", labels, registry=self.registry)
        self.parked = Gauge("outbox_parked", "Events parked after their last attempt", labels, registry=self.registry)
        self.fenced = Counter(
            "outbox_publish_fenced", "Settles refused because another relay took the lease over", labels,
            registry=self.registry,
        )


@dataclass(frozen=True)
class CycleResult:
    """What one cycle did."""

    claimed: int = 0
    published: int = 0
    rescheduled: int = 0
    parked: int = 0
    fenced: int = 0


@dataclass(frozen=True)
class Failure:
    """A failed publish of one event: the broker's words, and whether a retry could ever help."""

    error: str
    permanent: bool


class RelayCrashed(RuntimeError):
    """A crash fault fired: the batch is deliberately left leased and unmarked."""


class BacklogGauges:
    """Keeps the backlog and parked gauges current, on a thread and a connection of its own.

    Counting a large backlog takes a while (a quarter second at a million rows), and the relay's
    loop must not wait for it: each count is followed by a pause of at least ``interval`` and at
    least 19 times the count's own duration, so it takes at most about 5 % of a database session.
    A failed count is logged and tried again after the pause.
    """

    def __init__(self, database_url: str, store: OutboxStore, metrics: RelayMetrics, schema: str, interval: float,
                 *, name: str) -> None:
        self._database_url = database_url
        self._store = store
        self._metrics = metrics
        self._schema = schema
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{name}-gauges", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        conn: psycopg.Connection | None = None
        pause = 0.0
        while not self._stop.wait(pause):
            started = time.monotonic()
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self._database_url, autocommit=True)
                backlog, parked = self._store.counts(conn)
            except psycopg.Error as exc:
                _log.warning("outbox gauges not refreshed (%s); retrying in %.1f s", exc, self._interval)
                if conn is not None:
                    conn.close()
                conn = None
            else:
                self._metrics.backlog.labels(self._schema).set(backlog)
                self._metrics.parked.labels(self._schema).set(parked)
            pause = max(self._interval, 19 * (time.monotonic() - started))
        if conn is not None:
            conn.close()


@dataclass
class RelayFaults:
    """Fault switches of one relay (all off by default; each fires once).

    Attributes:
        crash_after_publish: after the broker acknowledged a batch, raise ``RelayCrashed`` instead of
            marking it (``main`` then exits at once, leaving the leases to expire).
        crash_after_claim: right after claiming a batch, raise ``RelayCrashed`` before publishing it.
        stall_after_claim: seconds to stall after claiming a batch, before publishing it; the
            heartbeat stalls too (a frozen process renews nothing).
    """

    crash_after_publish: bool = False
    crash_after_claim: bool = False
    stall_after_claim: float = 0.0


class Heartbeat:
    """Renews the leases of the batches a relay holds every ``interval``, on a connection of its own.

    One thread per relay; ``hold(token)`` starts renewing a batch's lease, ``release(token)`` stops
    (a relay holds the batch in flight and the next one, claimed meanwhile). A failed renewal is
    logged and retried on the next beat: the settle's fence decides anyway.
    """

    def __init__(self, database_url: str, store: OutboxStore, interval: float, *, name: str) -> None:
        self._database_url = database_url
        self._store = store
        self._interval = interval
        self._tokens: list[str] = []
        self._paused = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conn: psycopg.Connection | None = None
        self._thread = threading.Thread(target=self._run, name=f"{name}-heartbeat", daemon=True)
        self._thread.start()

    def hold(self, token: str) -> None:
        with self._lock:
            self._tokens.append(token)

    def release(self, token: str) -> None:
        with self._lock:
            if token in self._tokens:
                self._tokens.remove(token)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Renew nothing meanwhile (the stall fault: a frozen process renews nothing)."""
        with self._lock:
            self._paused = True
        try:
            yield
        finally:
            with self._lock:
                self._paused = False

    def close(self) -> None:
        self._stop.set()
        self._thread.join(self._interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                tokens = [] if self._paused else list(self._tokens)
            for token in tokens:
                try:
                    if self._conn is None or self._conn.closed:
                        self._conn = psycopg.connect(self._database_url, autocommit=True)
                    self._store.renew(self._conn, lock_token=token)
                except psycopg.Error as exc:
                    _log.warning("lease heartbeat failed (%s); retrying in %.1f s", exc, self._interval)
                    if self._conn is not None:
                        self._conn.close()
                    self._conn = None
        if self._conn is not None:
            self._conn.close()


@dataclass
class _Batch:
    """A claimed batch: its lease token, its events, and its requests once sent."""

    lock_token: str
    events: list[ClaimedEvent]
    sent: list[tuple[list[ClaimedEvent], float, PendingBatch | Exception]] = field(default_factory=list)


class OutboxRelay:
    """Drains one schema's outbox into one topic."""

    def __init__(
        self,
        database_url: str,
        publisher: EventPublisher,
        settings: RelaySettings,
        metrics: RelayMetrics,
        *,
        relay_id: str | None = None,
        faults: RelayFaults | None = None,
    ) -> None:
        self.settings = settings
        self.faults = faults or RelayFaults()
        self.relay_id = relay_id or f"relay-{uuid.uuid4().hex[:8]}"
        self._store = OutboxStore(settings.schema)
        self._publisher = publisher
        self._metrics = metrics
        self._database_url = database_url
        self._conn = self._connect()
        self._heartbeat = Heartbeat(
            database_url, self._store, settings.lock_ttl.total_seconds() / 3, name=self.relay_id
        )
        # Every series exists from the start (at 0), so a scrape shows them before the first event.
        for family in (metrics.success, metrics.failure, metrics.latency, metrics.backlog, metrics.parked, metrics.fenced):
            family.labels(settings.schema)

    def close(self) -> None:
        """Stop the heartbeat and close the relay's connection (its leases expire after ``lock_ttl``)."""
        self._heartbeat.close()
        self._conn.close()

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self._database_url, autocommit=False)
        with conn.transaction():
            self._store.listen(conn)
        return conn

    def _reconnect(self) -> bool:
        """Replace a lost connection (and its LISTEN); False while the database stays unreachable."""
        with contextlib.suppress(psycopg.Error):
            self._conn.close()
        try:
            self._conn = self._connect()
        except psycopg.OperationalError as exc:
            _log.warning("outbox relay %s cannot reconnect yet: %s", self.relay_id, exc)
            return False
        return True

    def run_cycle(self) -> CycleResult:
        """Claim, publish and settle one batch."""
        batch = self._claim()
        if batch is None:
            return CycleResult()
        self._send(batch)
        return self._finish(batch)

    def _claim(self) -> _Batch | None:
        """Lease the next batch (None when nothing is due); its lease is renewed until it is settled."""
        lock_token = f"{self.relay_id}:{uuid.uuid4().hex}"
        with self._conn.transaction():
            claimed = self._store.claim(
                self._conn, lock_token=lock_token, limit=self.settings.batch_size, lock_ttl=self.settings.lock_ttl
            )
        if not claimed:
            return None
        if self.faults.crash_after_claim:
            self.faults.crash_after_claim = False
            msg = f"relay {self.relay_id} crashed right after claiming {len(claimed)} events"
            raise RelayCrashed(msg)
        if defects.active("relay-marks-before-publish"):
            with self._conn.transaction():
                self._store.mark_published(self._conn, [e.event_id for e in claimed], lock_token=lock_token)
        if self.faults.stall_after_claim:
            stall, self.faults.stall_after_claim = self.faults.stall_after_claim, 0.0
            with self._heartbeat.paused():
                time.sleep(stall)  # the simulated stall itself (a fault switch), not a wait for something
        self._heartbeat.hold(lock_token)
        return _Batch(lock_token, claimed)

    def _finish(self, batch: _Batch) -> CycleResult:
        """Wait for the broker's answers to a sent batch and settle it."""
        try:
            outcomes = self._collect(batch)
            if self.faults.crash_after_publish and any(failure is None for failure in outcomes.values()):
                self.faults.crash_after_publish = False
                msg = f"relay {self.relay_id} crashed after publishing {len(batch.events)} events, before marking them"
                raise RelayCrashed(msg)
            return self._settle(batch.events, outcomes, batch.lock_token)
        finally:
            self._heartbeat.release(batch.lock_token)

    def run(self, stop: threading.Event, *, gauge_interval: float = 1.0) -> None:
        """Cycle until ``stop`` is set; after a cycle that found nothing, wait for a writer's commit.

        While the broker works on one batch the next one is claimed, so the database and the broker
        work at the same time. That keeps the order per aggregate: the head-of-line rule never claims
        an event while an earlier one of its aggregate is unpublished, in flight or not.

        Writers notify the outbox channel in their transaction (``OutboxStore.enqueue``), so an idle
        relay claims as soon as one commits; ``idle_interval`` bounds the wait, so events whose
        writers do not notify (another service's code, a script) are still picked up.
        """
        gauges = BacklogGauges(self._database_url, self._store, self._metrics, self.settings.schema, gauge_interval,
                               name=self.relay_id)
        try:
            self._cycle_until(stop)
        finally:
            gauges.close()

    def _cycle_until(self, stop: threading.Event) -> None:
        ahead: _Batch | None = None
        while not stop.is_set():
            batch: _Batch | None = None
            try:
                self._take_wakeups()  # the claim below sees every commit notified so far
                batch, ahead = ahead or self._claim(), None
                result = CycleResult()
                if batch is not None:
                    self._send(batch)
                    ahead = self._claim()
                    result = self._finish(batch)
            except psycopg.OperationalError:
                _log.exception("outbox relay %s lost its database connection; reconnecting", self.relay_id)
                # Unsettled batches are given up: their leases lapse after lock_ttl and their events are
                # claimed again (at least once), instead of being renewed for ever by the heartbeat.
                for lost in (batch, ahead):
                    if lost is not None:
                        self._heartbeat.release(lost.lock_token)
                ahead = None
                result = CycleResult()
                if not self._reconnect():
                    stop.wait(_RECONNECT_PAUSE)
            if result.claimed == 0 and ahead is None:
                self._wait_for_work(stop)
        if ahead is not None:  # publish what is leased rather than leave it until the lease lapses
            self._send(ahead)
            self._finish(ahead)

    def _take_wakeups(self) -> None:
        """Consume the notifications received so far (they are answered by the next claim)."""
        for _ in self._conn.notifies(timeout=0):
            pass

    def _wait_for_work(self, stop: threading.Event) -> None:
        """Wait until a writer's commit is notified, ``stop`` is set, or ``idle_interval`` has passed;
        no longer than until the next event becomes due by time alone (a backoff or a lease ending)."""
        wait = self.settings.idle_interval
        try:
            with self._conn.transaction():
                due_in = self._store.seconds_until_due(self._conn, lock_ttl=self.settings.lock_ttl)
            if due_in is not None and due_in > 0:
                wait = min(wait, due_in)
        except psycopg.OperationalError:
            pass  # the wait below sees it too, and the next cycle reconnects
        deadline = time.monotonic() + wait
        try:
            while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
                # In slices, so that a stop is seen within _STOP_CHECK even with a long idle interval.
                for _ in self._conn.notifies(timeout=min(remaining, _STOP_CHECK), stop_after=1):
                    return
        except psycopg.OperationalError:
            stop.wait(max(0.0, deadline - time.monotonic()))

    def _send(self, batch: _Batch) -> None:
        """Send the batch as few Publish requests as the limits allow, without waiting for answers."""
        drops_attributes = defects.active("relay-drops-attributes")
        for chunk in _chunks(batch.events):
            started = time.perf_counter()
            try:
                pending: PendingBatch | Exception = self._publisher.start_batch(
                    self.settings.topic,
                    [(e.payload, {} if drops_attributes else e.headers, str(e.aggregate_id)) for e in chunk],
                    timeout=self.settings.publish_timeout,
                )
            except Exception as exc:  # noqa: BLE001 - any failure is a failed attempt the relay retries
                pending = exc
            batch.sent.append((chunk, started, pending))

    def _collect(self, batch: _Batch) -> dict[uuid.UUID, Failure | None]:
        """Wait for the broker's answers; event id → failure or None."""
        outcomes: dict[uuid.UUID, Failure | None] = {}
        histogram = self._metrics.latency.labels(self.settings.schema)
        for chunk, started, pending in batch.sent:
            try:
                if isinstance(pending, Exception):
                    raise pending
                results = pending.results()
            except Exception as exc:  # noqa: BLE001 - any failure is a failed attempt the relay retries
                failure = Failure(f"{type(exc).__name__}: {exc}"[:1000], permanent=False)
                outcomes.update((e.event_id, failure) for e in chunk)
                continue
            latency_ms = (time.perf_counter() - started) * 1000
            for event, result in zip(chunk, results, strict=True):
                if isinstance(result, Exception):
                    code = result.code() if isinstance(result, grpc.RpcError) else None  # type: ignore[attr-defined]
                    outcomes[event.event_id] = Failure(
                        f"{type(result).__name__}: {_describe(result)}"[:1000], permanent=self.settings.permanent(code)
                    )
                else:
                    outcomes[event.event_id] = None
                    histogram.observe(latency_ms)
        return outcomes

    def _settle(
        self, claimed: list[ClaimedEvent], outcomes: dict[uuid.UUID, Failure | None], lock_token: str
    ) -> CycleResult:
        schema = self.settings.schema
        published_ids = [e.event_id for e in claimed if outcomes[e.event_id] is None]
        attempts: list[FailedAttempt] = []
        for event in claimed:
            failure = outcomes[event.event_id]
            if failure is None:
                continue
            self._metrics.failure.labels(schema).inc()
            if failure.permanent:
                error = f"refused for good, parked at once: {failure.error}"
                attempts.append(FailedAttempt(event.event_id, error, None, unpublishable=True))
                _log.error("outbox event %s %s", event.event_id, error)
            elif event.delivery_attempts + 1 >= self.settings.max_attempts and not defects.active("relay-never-parks"):
                attempts.append(FailedAttempt(event.event_id, failure.error, None))
                _log.error("outbox event %s parked after %d attempts: %s", event.event_id, self.settings.max_attempts, failure.error)
            else:
                attempts.append(FailedAttempt(event.event_id, failure.error, self.settings.backoff(event.delivery_attempts)))
        with self._conn.transaction():
            marked = self._store.mark_published(self._conn, published_ids, lock_token=lock_token)
            held = self._store.settle_failures(self._conn, attempts, lock_token=lock_token)
        parked = sum(1 for a in attempts if a.retry_after is None and a.event_id in held)
        rescheduled = len(held) - parked
        fenced = len(published_ids) - len(marked) + len(attempts) - len(held)
        self._metrics.success.labels(schema).inc(len(marked))
        self._metrics.fenced.labels(schema).inc(fenced)
        if fenced:
            _log.warning("relay %s lost the lease of %d events; another relay took them over", self.relay_id, fenced)
        return CycleResult(len(claimed), len(marked), rescheduled, parked, fenced)


def _chunks(events: list[ClaimedEvent]) -> list[list[ClaimedEvent]]:
    """Split a batch at Pub/Sub's per-request limits, keeping its order."""
    chunks: list[list[ClaimedEvent]] = [[]]
    size = 0
    for event in events:
        event_size = len(event.payload) + sum(len(k) + len(v) for k, v in event.headers.items()) + 64
        if chunks[-1] and (len(chunks[-1]) >= MAX_REQUEST_MESSAGES or size + event_size > MAX_REQUEST_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(event)
        size += event_size
    return chunks


READY_PREFIX = "outbox-relay ready"


def _seconds(value: str) -> timedelta:
    return timedelta(seconds=seconds(value))


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options of a relay run alone."""
    defaults = RelaySettings(schema="", topic="")
    parser = argparse.ArgumentParser(
        prog="python -m reference_impl.entrypoints.outbox_relay", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--schema", required=True, help="schema whose outbox_events to drain")
    parser.add_argument("--topic", required=True, help="topic id to publish to")
    parser.add_argument("--project", default=os.environ.get("LINGO_PUBSUB_PROJECT", "lingo-local"))
    parser.add_argument("--relay-id", default=None, help="prefix of the lease tokens (default: random)")
    parser.add_argument("--batch-size", type=positive_int, default=defaults.batch_size)
    parser.add_argument("--idle-interval", type=seconds, default=defaults.idle_interval, help="seconds")
    parser.add_argument("--initial-backoff", type=_seconds, default=defaults.initial_backoff, help="seconds")
    parser.add_argument("--max-backoff", type=_seconds, default=defaults.max_backoff, help="seconds")
    parser.add_argument("--max-attempts", type=positive_int, default=defaults.max_attempts)
    parser.add_argument("--lock-ttl", type=_seconds, default=defaults.lock_ttl, help="seconds")
    parser.add_argument(
        "--missing-topic-is-permanent", action="store_true", help="park an event at once when its topic does not exist"
    )
    parser.add_argument("--metrics-port", type=port, default=None, help="serve /metrics here (0 = a free port)")
    parser.add_argument("--crash-after-publish", action="store_true", help="fault: die before marking a batch")
    parser.add_argument("--crash-after-claim", action="store_true", help="fault: die right after claiming a batch")
    parser.add_argument("--stall-after-claim", type=seconds, default=0.0, help="fault: stall this many seconds once")
    add_verbosity(parser)
    args = parser.parse_args(argv)
    if args.lock_ttl <= timedelta(0):
        parser.error("argument --lock-ttl: must be more than 0 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    """Relay until SIGTERM/SIGINT; exit 70 when the crash-after-publish fault fires."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    configure_logging(args.verbose)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        print("outbox relay: set DATABASE_URL to the database holding the outbox table", file=sys.stderr)
        return 2
    settings = RelaySettings(
        schema=args.schema,
        topic=args.topic,
        batch_size=args.batch_size,
        idle_interval=args.idle_interval,
        initial_backoff=args.initial_backoff,
        max_backoff=args.max_backoff,
        max_attempts=args.max_attempts,
        lock_ttl=args.lock_ttl,
        missing_topic_is_permanent=args.missing_topic_is_permanent,
    )
    registry = CollectorRegistry()
    metrics_url = "-"
    if args.metrics_port is not None:
        server, _thread = start_http_server(args.metrics_port, addr="127.0.0.1", registry=registry)
        metrics_url = f"http://127.0.0.1:{server.server_port}/metrics"
    publisher = EventPublisher(args.project)
    faults = RelayFaults(
        crash_after_publish=args.crash_after_publish,
        crash_after_claim=args.crash_after_claim,
        stall_after_claim=args.stall_after_claim,
    )
    relay = OutboxRelay(database_url, publisher, settings, RelayMetrics(registry), relay_id=args.relay_id, faults=faults)
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints every thread's stack to stderr
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"{READY_PREFIX} relay_id={relay.relay_id} metrics={metrics_url}", flush=True)
    try:
        relay.run(stop)
    except RelayCrashed as crash:
        _log.error("%s", crash)
        # A crash, not a shutdown: no settle, no flush, the leases stay until their TTL runs out.
        os._exit(70)
    relay.close()
    publisher.close()
    return 0


def _describe(error: Exception) -> str:
    """A gRPC error's status and details, or the error's text."""
    if isinstance(error, grpc.RpcError):
        return f"{error.code().name}: {error.details()}"  # type: ignore[attr-defined]
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
