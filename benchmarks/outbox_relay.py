"""Benchmark: the outbox relay and the projection consumer, next to their SQL alone, in one run.

    python benchmarks/outbox_relay.py [--quick] [--events 20000] [--rates 500 2000] [--backlogs 10000 100000 1000000]
                                      [--parts relay apply lag backlog]

Starts PostgreSQL (``DATABASE_URL`` or an embedded one) and the Pub/Sub stand-in, then measures:

- **claim+mark SQL alone**: the relay's claim (SKIP LOCKED, lease, head-of-line per aggregate) and
  one fenced mark UPDATE per batch, in a loop, no broker: the ceiling the relay can reach;
- **relay, 1 and 2 processes**: ``python -m reference_impl.entrypoints.outbox_relay`` children on an
  idle table; ``--events`` rows across ``--aggregates`` aggregates are committed in one transaction,
  and the clock runs from that commit until every row is broker-acknowledged and marked;
- **projection apply, SQL alone**: the consumer's SQL as it runs it, batched: per ``--apply-batch``
  events one transaction holding one inbox statement (record + dedupe) and each event's guarded
  upsert (pipelined, as the consumer sends them); decoded beforehand, no broker, no threads;
- **projection apply, consumer**: the same events pulled by the profile videos consumer (batches of
  at most ``--apply-batch``), from the first message in to the last commit;
- **end-to-end lag** at each steady rate of ``--rates`` events/s for ``--lag-seconds`` (one relay, the
  profile videos consumer; the writer in its own process, as a client is): per event the writer's
  commit, the broker's publish time, the consumer's receipt and the commit of its batch (wall
  clock, one machine); p50/p99 of each stage, the rate the writer achieved, the rate applied and
  the consumer's mean batch;
- **backlog**: one relay, started once the table is loaded and vacuumed, draining the first
  ``--backlog-sample`` events of a pending table of each ``--backlogs`` size, and the claim query's
  plan (``OutboxStore.claim`` under EXPLAIN ANALYZE, rolled back).

Prints a table with events/s and the ratio to the SQL-alone figure. Not a test: numbers vary with
the machine; the ratios are the point.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from google.cloud import pubsub_v1  # noqa: E402
from prometheus_client import CollectorRegistry  # noqa: E402
from psycopg_pool import ConnectionPool  # noqa: E402

from fixtures.postgres import postgres_server  # noqa: E402
from fixtures.process import Child, start  # noqa: E402
from fixtures.pubsub.process import start_standin  # noqa: E402
from reference_impl.adapters.inbox import InboxEntry, InboxStore  # noqa: E402
from reference_impl.adapters.migrations import migrate  # noqa: E402
from reference_impl.adapters.outbox import OutboxStore  # noqa: E402
from reference_impl.entrypoints.inbox_consumer import ConsumerMetrics, InboxConsumer  # noqa: E402
from reference_impl.entrypoints.projection_consumers import identify_video_event  # noqa: E402
from reference_impl.service_layer import projections  # noqa: E402
from steps.driver.outbox import EventMessage, video_event  # noqa: E402

PROJECT = "bench"
PARTS = ("relay", "apply", "lag", "backlog")
TOPIC = "catalog.video.events"


def make_events(count: int, aggregates: int) -> list[EventMessage]:
    """``count`` events over ``aggregates`` videos: version 1 created, later ones updated, interleaved."""
    videos = [str(uuid.uuid4()) for _ in range(aggregates)]
    events = []
    for index in range(count):
        video, version = videos[index % aggregates], index // aggregates + 1
        kind = "catalog.video.created" if version == 1 else "catalog.video.updated"
        events.append(video_event(kind, video, version, title=f"t{version}"))
    return events


def insert(dsn: str, events: list[EventMessage]) -> float:
    """Commit the events' outbox rows in one transaction (COPY); returns the commit's monotonic time."""
    with psycopg.connect(dsn) as conn:
        with conn.cursor().copy(
            "COPY catalog.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, headers)"
            " FROM STDIN"
        ) as copy:
            for e in events:
                copy.write_row((e.event_id, "video", e.aggregate_id, e.event_type, e.data, json.dumps(e.attributes)))
        conn.commit()
    committed = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        # A bulk load right after TRUNCATE leaves the planner believing the table is empty until
        # autovacuum analyzes it; production tables grow gradually, so give the planner true stats.
        conn.execute("ANALYZE catalog.outbox_events")
    return committed


def reset(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE catalog.outbox_events, profile.inbox_events, profile.videos_projection")


def unpublished(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM catalog.outbox_events WHERE published_at IS NULL").fetchone()[0]


def sql_alone(dsn: str, events: list[EventMessage], batch: int) -> float:
    """Claim + mark in a loop without a broker; events/s."""
    reset(dsn)
    start = insert(dsn, events)
    store = OutboxStore("catalog")
    done = 0
    with psycopg.connect(dsn) as conn:
        while done < len(events):
            token = uuid.uuid4().hex
            with conn.transaction():
                claimed = store.claim(conn, lock_token=token, limit=batch, lock_ttl=timedelta(minutes=2))
            with conn.transaction():
                done += len(store.mark_published(conn, [e.event_id for e in claimed], lock_token=token))
    return len(events) / (time.monotonic() - start)


def start_relays(count: int, env: dict[str, str], batch: int, idle: float) -> list[Child]:
    """Start ``count`` relay processes (children the reaper stops should the benchmark be killed)."""
    argv = [sys.executable, "-m", "reference_impl.entrypoints.outbox_relay", "--schema", "catalog", "--topic", TOPIC,
            "--project", PROJECT, "--batch-size", str(batch), "--idle-interval", str(idle)]
    return [start("an outbox relay", argv, ready="outbox-relay ready", timeout=60, env=env) for _ in range(count)]


def stop(relays: list[Child]) -> None:
    for relay in relays:
        relay.stop(grace=10)


def relay_throughput(dsn: str, env: dict[str, str], events: list[EventMessage], relays: int, batch: int) -> float:
    """Events/s from one commit until every row is marked, with ``relays`` relay processes."""
    reset(dsn)
    running = start_relays(relays, env, batch, idle=0.01)
    try:
        start = insert(dsn, events)
        while unpublished(dsn):
            time.sleep(0.02)  # polling the benchmark's own progress, not a test wait
        return len(events) / (time.monotonic() - start)
    finally:
        stop(running)


def apply_sql_alone(dsn: str, events: list[EventMessage], batch: int) -> float:
    """The consumer's SQL alone, batched as it runs it: per ``batch`` events one transaction with
    one inbox statement and each event's upsert; no broker, no threads; events/s."""
    reset(dsn)
    inbox = InboxStore("profile")
    decoded = [identify_video_event(_Msg(e)) for e in events]
    start = time.monotonic()
    with psycopg.connect(dsn) as conn:
        for index in range(0, len(decoded), batch):
            part = decoded[index : index + batch]
            with conn.transaction():
                fresh = inbox.receive(conn, "catalog", [InboxEntry(e.event_id, e.event_type, e.aggregate_type,
                                                                   e.aggregate_id, e.data) for e in part])
                with conn.pipeline():  # as the consumer sends its handlers' statements
                    for event in part:
                        if event.event_id in fresh:
                            projections.handle_video_event(conn, event.decoded)  # type: ignore[arg-type]
    return len(events) / (time.monotonic() - start)


class _Msg:
    def __init__(self, event: EventMessage) -> None:
        self.data, self.attributes = event.data, event.attributes


class _TimedConsumer(InboxConsumer):
    """The videos consumer, noting when each event's batch committed (just before its ack)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.applied: dict[str, tuple[float, float, float]] = {}  # event id -> wall times: published, received, committed
        self.received: dict[str, float] = {}
        self.batches: list[int] = []

    def handle_batch(self, messages) -> None:  # noqa: ANN001
        now = time.time()
        for message in messages:
            self.received.setdefault(message.attributes.get("event_id", ""), now)
        super().handle_batch(messages)

    def _settle(self, decoded, outcomes) -> None:  # noqa: ANN001
        now = time.time()
        self.batches.append(len(decoded))
        for (message, event), outcome in zip(decoded, outcomes, strict=True):
            if outcome is True:
                key = str(event.event_id)
                self.applied[key] = (message.publish_time.timestamp(), self.received.get(key, now), now)
        super()._settle(decoded, outcomes)


def videos_consumer(dsn: str, subscription: str, max_batch: int) -> tuple[ConnectionPool, _TimedConsumer]:
    """The profile videos consumer as the reference builds it, on ``subscription``."""
    pool = ConnectionPool(dsn, min_size=2, max_size=4, open=True)
    consumer = _TimedConsumer(
        pool, subscription, schema="profile", source_service="catalog", identify=identify_video_event,
        handlers={t: lambda conn, ev: projections.handle_video_event(conn, ev.decoded) for t in projections.VIDEO_EVENT_TYPES},
        metrics=ConsumerMetrics(CollectorRegistry()), max_batch=max_batch,
    )
    return pool, consumer


def apply_consumer(dsn: str, events: list[EventMessage], batch: int) -> float:
    """Events/s through the profile videos consumer (messages published beforehand)."""
    reset(dsn)
    publisher = pubsub_v1.PublisherClient(
        publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
    )
    subscriber = pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(PROJECT, f"apply-{uuid.uuid4().hex[:6]}")
    subscription = subscriber.subscription_path(PROJECT, topic.rsplit("/", 1)[1] + "-sub")
    publisher.create_topic(name=topic)
    subscriber.create_subscription(request={"name": subscription, "topic": topic, "enable_message_ordering": True})
    futures = [publisher.publish(topic, e.data, ordering_key=e.aggregate_id, **e.attributes) for e in events]
    for future in futures:
        future.result(timeout=60)
    publisher.stop()
    pool, consumer = videos_consumer(dsn, subscription, batch)
    consumer.start()
    try:
        while len(consumer.applied) < len(events):
            time.sleep(0.01)  # polling the benchmark's own progress, not a test wait
        # From the first message in to the last commit: the stream's opening is not apply work.
        first = min(consumer.received.values())
        return len(events) / (max(at for _p, _r, at in consumer.applied.values()) - first)
    finally:
        consumer.stop()
        pool.close()
        subscriber.close()


@dataclass
class Lag:
    """One steady rate: what was offered and achieved, and the lag of each stage in milliseconds."""

    offered: int
    committed: int
    commit_rate: float  # events/s the writer achieved
    publish_rate: float  # events/s from the first commit to the last (applied) event published
    applied: int
    apply_rate: float  # events/s from the first commit to the last event applied
    mean_batch: float
    stages: dict[str, tuple[float, float]]  # stage -> (p50, p99)

    @property
    def complete(self) -> bool:
        return self.applied >= self.committed


LAG_STAGES = ("commit->published", "published->received", "received->applied", "commit->applied")


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def write_steadily(dsn: str, rows: list[tuple], rate: int) -> tuple[dict[str, float], float]:
    """Commit outbox ``rows`` at ``rate`` rows/s, a transaction every 20 ms; per event id the wall
    time of its commit, and the seconds the writing took."""
    committed: dict[str, float] = {}
    tick, per_tick = 0.02, max(1, int(rate * 0.02))
    with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
        start = time.monotonic()
        for index in range(0, len(rows), per_tick):
            chunk = rows[index : index + per_tick]
            cursor.executemany(
                "INSERT INTO catalog.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload,"
                " headers) VALUES (%s, 'video', %s, %s, %s, %s)",
                chunk,
            )
            conn.commit()
            at = time.time()
            committed.update((row[0], at) for row in chunk)
            pause = start + (index // per_tick + 1) * tick - time.monotonic()
            if pause > 0:
                time.sleep(pause)  # pacing the load generator
        return committed, time.monotonic() - start


def end_to_end_lag(dsn: str, env: dict[str, str], rate: int, seconds: float, aggregates: int, batch: int) -> Lag:
    """Lag per stage at a steady ``rate`` through one relay and the profile videos consumer.

    Times are wall clock on this one machine: the writer's commit, the broker's publish time (set
    when the relay's publish is accepted), the consumer's commit of the batch holding the event.
    """
    reset(dsn)
    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path(PROJECT, f"lag-{uuid.uuid4().hex[:6]}")
    subscriber.create_subscription(
        request={"name": subscription, "topic": f"projects/{PROJECT}/topics/{TOPIC}", "enable_message_ordering": True}
    )
    pool, consumer = videos_consumer(dsn, subscription, batch)
    consumer.start()
    running = start_relays(1, env, batch=200, idle=0.005)
    events = make_events(int(rate * seconds), aggregates)
    rows = [(e.event_id, e.aggregate_id, e.event_type, e.data, json.dumps(e.attributes)) for e in events]
    try:
        # The writer is a client of the service, so it runs in its own process, as in a deployment:
        # here it would share the consumer's GIL.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
            committed, commit_seconds = child.submit(write_steadily, dsn, rows, rate).result()
        deadline = time.monotonic() + 30
        while len(consumer.applied) < len(events) and time.monotonic() < deadline:
            time.sleep(0.01)  # polling the benchmark's own progress, not a test wait
    finally:
        stop(running)
        consumer.stop()
        pool.close()
        subscriber.close()
    applied = {k: v for k, v in consumer.applied.items() if k in committed}
    first_commit = min(committed.values())
    last_applied = max((at for _p, _r, at in applied.values()), default=first_commit)
    last_published = max((p for p, _r, _a in applied.values()), default=first_commit)
    stages = {
        "commit->published": _percentiles([(p - committed[k]) * 1000 for k, (p, _r, _a) in applied.items()]),
        "published->received": _percentiles([(r - p) * 1000 for p, r, _a in applied.values()]),
        "received->applied": _percentiles([(a - r) * 1000 for _p, r, a in applied.values()]),
        "commit->applied": _percentiles([(a - committed[k]) * 1000 for k, (_p, _r, a) in applied.items()]),
    }
    return Lag(
        offered=rate, committed=len(committed), commit_rate=len(committed) / commit_seconds,
        publish_rate=len(applied) / max(1e-9, last_published - first_commit), applied=len(applied),
        apply_rate=len(applied) / max(1e-9, last_applied - first_commit),
        mean_batch=statistics.fmean(consumer.batches) if consumer.batches else 0.0, stages=stages,
    )


def backlog_throughput(dsn: str, env: dict[str, str], backlog: int, sample: int, aggregates: int, batch: int) -> float:
    """Events/s of one relay draining the first ``sample`` events of a ``backlog``-row pending table.

    The backlog is loaded and vacuumed before the relay starts, and progress is read from the
    sample's own seq range: a count over the whole table, polled, or autovacuum's first visit to a
    freshly loaded table would cost more the larger the backlog, and be charged to the relay.
    """
    reset(dsn)
    insert(dsn, make_events(backlog, aggregates))
    with psycopg.connect(dsn, autocommit=True) as conn:
        # A backlog builds up over minutes or hours, during which autovacuum visits the table.
        conn.execute("VACUUM catalog.outbox_events")
        last = conn.execute(
            "SELECT seq FROM catalog.outbox_events WHERE published_at IS NULL AND parked_at IS NULL"
            " ORDER BY seq OFFSET %s LIMIT 1", (min(sample, backlog) - 1,)
        ).fetchone()[0]
    running = start_relays(1, env, batch, idle=0.01)
    start = time.monotonic()
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while conn.execute(
                "SELECT EXISTS (SELECT 1 FROM catalog.outbox_events WHERE seq <= %s AND published_at IS NULL)", (last,)
            ).fetchone()[0]:
                time.sleep(0.02)  # polling the benchmark's own progress, not a test wait
        return min(sample, backlog) / (time.monotonic() - start)
    finally:
        stop(running)


class _ExplainingConnection:
    """Wraps a connection so ``OutboxStore.claim`` runs under EXPLAIN ANALYZE: the plan of the real query."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn, self.plan = conn, []

    def cursor(self, **_kwargs: object) -> _ExplainingConnection:
        return self

    def execute(self, query: sql.Composable | str, params: dict[str, object] | None = None) -> _ExplainingConnection:
        if params is None:  # the claim's planner settings (SET LOCAL), run as they are
            self._conn.execute(query)
            return self
        rows = self._conn.execute(sql.SQL("EXPLAIN (ANALYZE, COSTS OFF) ") + query, params).fetchall()
        self.plan = [row[0] for row in rows]
        return self

    def fetchall(self) -> list[dict[str, object]]:
        return []


def claim_plan(dsn: str, batch: int) -> list[str]:
    """The claim query's plan on the table as it stands (run and rolled back)."""
    with psycopg.connect(dsn) as conn:
        explaining = _ExplainingConnection(conn)
        OutboxStore("catalog").claim(explaining, lock_token=uuid.uuid4().hex, limit=batch,  # type: ignore[arg-type]
                                     lock_ttl=timedelta(minutes=2))
        conn.rollback()
    return explaining.plan


@dataclass
class Results:
    """Every figure of one run; ``lag`` per rate, ``backlog`` events/s per size."""

    sql: float = 0.0
    relays: dict[int, float] = field(default_factory=dict)
    apply_sql: float = 0.0
    apply: float = 0.0
    lag: dict[int, Lag] = field(default_factory=dict)
    backlog: dict[int, float] = field(default_factory=dict)
    plan: list[str] = field(default_factory=list)


def progress(what: str) -> None:
    print(f"... {what}", file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    """The options; ``--quick`` shrinks every size for ``python -m benchmarks``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--aggregates", type=int, default=1000)
    p.add_argument("--batch", type=int, default=200, help="relay batch size")
    p.add_argument("--apply-events", type=int, default=5000)
    p.add_argument("--apply-batch", type=int, default=100,
                   help="the consumer's largest batch (one transaction), and the batch of its SQL alone")
    p.add_argument("--rates", type=int, nargs="+", default=[500, 2000], help="steady rates for the lag table")
    p.add_argument("--lag-seconds", type=float, default=10.0)
    p.add_argument("--backlogs", type=int, nargs="*", default=[10_000, 100_000, 1_000_000],
                   help="pending backlog sizes for the backlog table (none: skip it)")
    p.add_argument("--backlog-sample", type=int, default=10000, help="events drained per backlog size")
    p.add_argument("--relays", type=int, nargs="+", default=[1, 2], help="relay process counts to measure")
    p.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                   help="measure only these parts (default: all; 'relay' includes the SQL alone)")
    p.add_argument("--quick", action="store_true",
                   help="small defaults: 5k events, 2k applied, 4 s per rate, backlogs 10k/100k, 1 relay")
    return p


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse ``argv``; ``--quick`` changes the defaults, so options given beside it still win."""
    p = parser()
    if p.parse_args(argv).quick:
        p.set_defaults(events=5000, apply_events=2000, lag_seconds=4.0, backlogs=[10_000, 100_000],
                       backlog_sample=5000, relays=[1])
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> Results:
    """Start PostgreSQL and the stand-in, measure everything, stop them."""
    results = Results()
    child, host, _admin = start_standin()
    previous = os.environ.get("PUBSUB_EMULATOR_HOST")
    os.environ["PUBSUB_EMULATOR_HOST"] = host
    env = {**os.environ, "LINGO_PUBSUB_PROJECT": PROJECT}
    try:
        with postgres_server() as server:
            dsn = server.create_database()
            env["DATABASE_URL"] = dsn
            migrate(dsn)
            pubsub_v1.PublisherClient().create_topic(name=f"projects/{PROJECT}/topics/{TOPIC}")
            if "relay" in args.parts:
                progress("claim+mark SQL alone")
                results.sql = sql_alone(dsn, make_events(args.events, args.aggregates), args.batch)
                progress(f"claim+mark SQL alone: {results.sql:,.0f} events/s")
            for relays in args.relays if "relay" in args.parts else ():
                progress(f"relay x{relays}")
                results.relays[relays] = relay_throughput(
                    dsn, env, make_events(args.events, args.aggregates), relays, args.batch
                )
                progress(f"relay x{relays}: {results.relays[relays]:,.0f} events/s")
            if "apply" in args.parts:
                progress("apply")
                results.apply_sql = apply_sql_alone(dsn, make_events(args.apply_events, args.aggregates), args.apply_batch)
                results.apply = apply_consumer(dsn, make_events(args.apply_events, args.aggregates), args.apply_batch)
            for rate in args.rates if "lag" in args.parts else ():
                progress(f"end-to-end lag at {rate}/s")
                results.lag[rate] = end_to_end_lag(dsn, env, rate, args.lag_seconds, args.aggregates,
                                                   args.apply_batch)
            for size in args.backlogs if "backlog" in args.parts else ():
                progress(f"backlog {size:,}")
                results.backlog[size] = backlog_throughput(
                    dsn, env, size, args.backlog_sample, args.aggregates, args.batch
                )
                progress(f"backlog {size:,}: {results.backlog[size]:,.0f} events/s")
            if results.backlog:
                # The plan on the largest backlog, refilled: the drain above left it partly published.
                reset(dsn)
                insert(dsn, make_events(max(args.backlogs), args.aggregates))
                results.plan = claim_plan(dsn, args.batch)
    finally:
        child.stop()
        # Later runs in this process (python -m benchmarks) must not find the stopped stand-in.
        if previous is None:
            os.environ.pop("PUBSUB_EMULATOR_HOST", None)
        else:
            os.environ["PUBSUB_EMULATOR_HOST"] = previous
    return results


def report(args: argparse.Namespace, results: Results) -> None:
    """Print the tables of one run."""
    rows = []
    if results.sql:
        rows += [("claim+mark SQL alone", results.sql, 1.0)]
        rows += [(f"relay x{n} (commit -> acked + marked)", v, v / results.sql) for n, v in results.relays.items()]
    if results.apply_sql:
        rows += [(f"apply SQL alone (batches of {args.apply_batch})", results.apply_sql, 1.0),
                 ("apply via the consumer", results.apply, results.apply / results.apply_sql)]
    print(f"\n{'measure':44} {'events/s':>10} {'ratio':>7}")
    for name, value, ratio in rows:
        print(f"{name:44} {value:10,.0f} {ratio:7.2f}")
    if results.lag:
        print(f"\nend-to-end lag, 1 relay + the videos consumer, {args.lag_seconds:g} s per rate, p50 / p99 ms")
        print(f"{'offered/s':>9} {'committed/s':>11} {'published/s':>11} {'applied/s':>9} {'applied':>13} {'batch':>5} "
              + " ".join(f"{stage:>19}" for stage in LAG_STAGES))
        for rate, lag in results.lag.items():
            cells = " ".join(f"{p50:>9.1f}/{p99:>9.1f}" for p50, p99 in (lag.stages[s] for s in LAG_STAGES))
            print(f"{rate:>9} {lag.commit_rate:>11,.0f} {lag.publish_rate:>11,.0f} {lag.apply_rate:>9,.0f} "
                  f"{lag.applied:>6}/{lag.committed:<6} "
                  f"{lag.mean_batch:>5.1f} {cells}")
    if results.backlog:
        first = next(iter(results.backlog.values()))
        print(f"\nrelay x1 draining the first {args.backlog_sample:,} events of a pending backlog")
        print(f"{'backlog rows':>12} {'events/s':>10} {'vs first':>9}")
        for size, rate in results.backlog.items():
            print(f"{size:>12,} {rate:>10,.0f} {rate / first:>9.2f}")
        print(f"\nclaim plan at {max(results.backlog):,} pending rows (EXPLAIN ANALYZE, rolled back):")
        print("\n".join(f"  {line}" for line in results.plan))


def main() -> int:
    args = options()
    report(args, run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
