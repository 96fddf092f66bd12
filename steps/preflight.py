"""The preflight: before the first scenario, check that the target has what the selected ones need.

A deployed target is checked in at most ``BUDGET`` seconds (every check runs at once, each with its
own short deadline): each gRPC endpoint answers a health check (any gRPC status but UNAVAILABLE or
DEADLINE_EXCEEDED counts as an answer), the REST surface answers, the Pub/Sub project has the
topics the scenarios observe or publish to and the subscriptions of the target's consumers on the
topics it is fed through, and the database is reachable and has the contract's tables
(contracts/sql). Each problem is one line; the run stops before any scenario when there is one.

Which topics a run needs follows from the selected scenarios: ``OBSERVES`` and ``PUBLISHES`` name
the topics of each area. The driver subscribes to exactly those, and refuses to read a topic it
was not told to observe, so the tables stay true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from contracts.sql import migration_scripts
from contracts.topology import load_topology
from fixtures.targets import README_SECTION, TargetConfig, capabilities_meeting

#: Seconds the whole preflight may take, and each single check.
BUDGET = 10.0
CHECK_DEADLINE = 3.0

#: Topics a scenario of each area reads (when it needs ``observe_events``).
OBSERVES: dict[str, tuple[str, ...]] = {
    "upload": ("catalog.video.events", "catalog.video-uploads.dlq"),
    "catalog": ("catalog.video.events",),
    "profile": ("profile.engagement.events",),
    "outbox": ("catalog.video.events", "profile.engagement.events"),
    "projection": ("catalog.video.events.dlq", "profile.engagement.events.dlq"),
}
#: Topics a scenario of each area publishes to as their producers would (when it needs ``publish_raw``).
PUBLISHES: dict[str, tuple[str, ...]] = {
    "upload": ("catalog.video-uploads",),
    "profile": ("catalog.video.events",),
    "outbox": ("catalog.video.events", "profile.engagement.events"),
    "projection": ("catalog.video.events", "profile.engagement.events"),
}
_SUITE_CONSUMERS = ("conformance suite", "conformance suite / operators")


@dataclass(frozen=True)
class Needs:
    """What the selected scenarios need of the target."""

    capabilities: frozenset[str]
    observed_topics: tuple[str, ...]
    published_topics: tuple[str, ...]


def needs_of(scenarios: Iterable[tuple[set[str], set[str]]], available: frozenset[str]) -> Needs:
    """What scenarios (given as (areas, needed capabilities)) need, counting only those that can run."""
    capabilities: set[str] = set()
    observed: dict[str, None] = {}
    published: dict[str, None] = {}
    for areas, needs in scenarios:
        met = [available.intersection(capabilities_meeting(need)) for need in needs]
        if not all(met):
            continue  # skipped on this target: it needs nothing
        needed = set().union(*met)
        capabilities |= needed
        for area in sorted(areas):
            if "observe_events" in needed:
                observed.update(dict.fromkeys(OBSERVES.get(area, ())))
            if "publish_raw" in needed:
                published.update(dict.fromkeys(PUBLISHES.get(area, ())))
    return Needs(frozenset(capabilities), tuple(observed), tuple(published))


def preflight(target: TargetConfig, needs: Needs) -> list[str]:
    """One line per problem the target has with what the scenarios need; empty when it is ready."""
    checks: list[Callable[[], list[str]]] = []
    if "grpc" in needs.capabilities:
        for key in ("catalog_grpc", "profile_grpc"):
            address = getattr(target, key)
            if address and (key == "catalog_grpc" or address != target.catalog_grpc):
                checks.append(lambda key=key, address=address: _grpc_answers(key, address, target.tls))
    if "rest" in needs.capabilities and target.rest_url:
        checks.append(lambda: _rest_answers(target.rest_url))
    if needs.observed_topics or needs.published_topics:
        checks.append(lambda: _pubsub_has(target, needs))
    if "database" in needs.capabilities and target.database_url:
        checks.append(lambda: _database_has(target.database_url))
    if not checks:
        return []
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="preflight")
    futures = {pool.submit(check): check for check in checks}
    done, late = wait(futures, timeout=BUDGET)
    pool.shutdown(wait=False, cancel_futures=True)
    problems = []
    for future in futures:
        if future in late:
            problems.append(f"a preflight check did not finish within {BUDGET:g} s")
        elif future.exception() is not None:
            problems.append(f"preflight check failed: {type(future.exception()).__name__}: {future.exception()}")
        else:
            problems += future.result()
    return problems


def _grpc_answers(key: str, address: str, tls: bool) -> list[str]:
    channel = grpc.secure_channel(address, grpc.ssl_channel_credentials()) if tls else grpc.insecure_channel(address)
    try:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=CHECK_DEADLINE)
    except grpc.RpcError as error:
        code = error.code()  # type: ignore[attr-defined]
        if code == grpc.StatusCode.UNAVAILABLE:
            return [f"{key} {address} does not answer ({_first_line(error.details())}): is the service running there?"]  # type: ignore[attr-defined]
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return [f"{key} {address} accepts connections but gives no gRPC answer within {CHECK_DEADLINE:g} s: "
                    "is it a gRPC server (and does tls match)?"]
    finally:
        channel.close()
    return []


def _rest_answers(url: str) -> list[str]:
    try:
        httpx.get(url + "/", timeout=CHECK_DEADLINE)
    except httpx.TimeoutException:
        return [f"rest_url {url} gives no HTTP answer within {CHECK_DEADLINE:g} s"]
    except httpx.HTTPError as exc:
        return [f"rest_url {url} does not answer ({_first_line(str(exc))}): is the service running there?"]
    return []


def _pubsub_has(target: TargetConfig, needs: Needs) -> list[str]:
    from google.api_core import exceptions  # noqa: PLC0415 - heavy, only when Pub/Sub is needed

    from steps.driver.events import pubsub_clients  # noqa: PLC0415

    publisher, subscriber = pubsub_clients(target.pubsub_emulator_host)
    project = target.pubsub_project
    where = f"project {project}" + (f" (emulator {target.pubsub_emulator_host})" if target.pubsub_emulator_host else "")
    topology = load_topology()
    problems = []
    try:
        for topic in dict.fromkeys([*needs.observed_topics, *needs.published_topics]):
            try:
                publisher.get_topic(topic=publisher.topic_path(project, topic), timeout=CHECK_DEADLINE)
            except exceptions.NotFound:
                problems.append(f"topic {topic} does not exist in {where} — create it, {README_SECTION}")
        for topic in needs.published_topics:
            for subscription in topology.subscriptions_of(topic):
                if subscription.consumer in _SUITE_CONSUMERS:
                    continue
                try:
                    subscriber.get_subscription(
                        subscription=subscriber.subscription_path(project, subscription.name), timeout=CHECK_DEADLINE
                    )
                except exceptions.NotFound:
                    problems.append(
                        f"subscription {subscription.name} ({subscription.consumer}) does not exist in {where} — "
                        f"create it, {README_SECTION}"
                    )
    except (exceptions.GoogleAPICallError, exceptions.RetryError) as exc:
        problems.append(f"Pub/Sub {where} does not answer ({_first_line(str(exc))})")
    finally:
        subscriber.close()
        publisher.stop()
    return problems


_CREATE_TABLE = re.compile(r"create table if not exists ([a-z_${}]+)\.([a-z_]+)", re.IGNORECASE)


def contract_tables() -> list[str]:
    """``schema.table`` of every table the SQL contract (contracts/sql) defines."""
    tables = []
    for name, script in migration_scripts():
        schema = name.split("[", 1)[1].rstrip("]") if "[" in name else None
        for found_schema, table in _CREATE_TABLE.findall(script):
            tables.append(f"{schema or found_schema}.{table}")
    return list(dict.fromkeys(tables))


def _database_has(dsn: str) -> list[str]:
    import psycopg  # noqa: PLC0415

    try:
        with psycopg.connect(dsn, connect_timeout=int(CHECK_DEADLINE), autocommit=True) as conn:
            wanted = contract_tables()
            rows = conn.execute("SELECT t, to_regclass(t) IS NOT NULL FROM unnest(%s::text[]) AS t", (wanted,)).fetchall()
    except psycopg.Error as exc:
        return [f"database does not answer ({_first_line(str(exc))}): check database_url"]
    missing = [table for table, present in rows if not present]
    if missing:
        return [f"database lacks the contract's tables {missing} (contracts/sql): apply them or drop `database` "
                "from the target's capabilities"]
    return []


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "no detail"
