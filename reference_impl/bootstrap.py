"""The one place that wires the reference service: settings in, running servers and workers out."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import grpc
import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from psycopg_pool import ConnectionPool

from contracts.topology import RetryPolicy
from fixtures.targets import TargetConfig, target_url
from fixtures.tcp import tcp_listener
from reference_impl import defects
from reference_impl.adapters.clock import Clock
from reference_impl.adapters.database import create_pool
from reference_impl.adapters.gcs_signer import ServiceAccountCredentials, V4Signer
from reference_impl.adapters.migrations import migrate
from reference_impl.adapters.pubsub import EventPublisher
from reference_impl.adapters.topology import provision
from reference_impl.config import Settings
from reference_impl.entrypoints.defect_switch import defect_switch_router
from reference_impl.entrypoints.grpc_server import create_server
from reference_impl.entrypoints.inbox_consumer import ConsumerMetrics, InboxConsumer
from reference_impl.entrypoints.outbox_relay import OutboxRelay, RelayMetrics, RelaySettings
from reference_impl.entrypoints.projection_consumers import (
    ProjectionFaults,
    engagement_projection_consumer,
    video_projection_consumer,
)
from reference_impl.entrypoints.read_models import read_model_router
from reference_impl.entrypoints.rest_app import create_app
from reference_impl.entrypoints.rest_limits import uvicorn_config
from reference_impl.entrypoints.rest_workers import RestWorkers
from reference_impl.entrypoints.uploads_consumer import uploads_consumer

_log = logging.getLogger(__name__)

#: schema whose outbox is relayed → topic it publishes to (contracts/pubsub.yaml producers)
RELAYED_OUTBOXES = {"catalog": "catalog.video.events", "profile": "profile.engagement.events"}


@dataclass
class InProcessRest:
    """The REST app served by uvicorn on a thread of this process (``rest_workers`` = 0)."""

    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, grace: float) -> None:
        self.server.should_exit = True
        self.thread.join(grace)


@dataclass
class Running:
    """The started reference: servers, background workers, and the target description a client needs."""

    grpc_server: grpc.Server
    rest: InProcessRest | RestWorkers
    target: TargetConfig
    pool: ConnectionPool
    registry: CollectorRegistry
    stop_workers: threading.Event = field(default_factory=threading.Event)
    workers: list[threading.Thread] = field(default_factory=list)
    relays: list[OutboxRelay] = field(default_factory=list)
    consumers: list[InboxConsumer] = field(default_factory=list)
    publisher: EventPublisher | None = None

    def stop(self, grace: float = 2.0) -> None:
        """Stop taking calls, let running ones finish within ``grace`` seconds, then close.

        Everything is told to stop first and waited for after, so the waits overlap: a SIGTERM'd
        reference is gone within seconds.
        """
        rest = threading.Thread(target=self.rest.stop, args=(grace,), name="rest-stop")
        rest.start()
        stopped = self.grpc_server.stop(grace)
        self.stop_workers.set()
        for consumer in self.consumers:
            consumer.stop(grace)
        _log.debug("consumers stopped")
        for worker in self.workers:
            worker.join(grace)
        for relay in self.relays:
            relay.close()
        _log.debug("relays stopped")
        if self.publisher is not None:
            self.publisher.close()
        rest.join()
        stopped.wait(grace)
        _log.debug("servers stopped")
        self.pool.close()


def start(settings: Settings, on_failure: Callable[[str], None] | None = None) -> Running:
    """Migrate, provision Pub/Sub, start gRPC, REST, relays and consumers; return once all serve.

    ``on_failure(message)`` hears of a part that stopped on its own afterwards (a REST worker
    process); the caller is expected to stop the reference.
    """
    if defects.enabled():
        _log.warning("seeded defects ON (this reference is broken on purpose): %s", sorted(defects.enabled()))
    if defects.switchable():
        _log.warning("seeded defects can be switched while running (PUT /_reference/defects)")
    migrate(settings.database_url)
    registry = CollectorRegistry()
    pool = create_pool(settings.database_url)

    clock = Clock()
    grpc_server, grpc_port, _ = create_server(settings, pool, _signer(settings), clock)
    grpc_server.start()
    # Fault switches exist only where the reference advertises `faults` (the suite's stand-ins).
    projection_faults = ProjectionFaults() if settings.pubsub_faults_url else None
    http_socket = tcp_listener(settings.host, settings.http_port, reuse_port=settings.reuse_port)
    http_port = http_socket.getsockname()[1]
    rest: InProcessRest | RestWorkers
    if settings.rest_workers:
        try:
            rest = RestWorkers.start(http_socket, settings.rest_workers, settings.database_url, registry,
                                     on_failure or (lambda message: _log.error("%s", message)))
        finally:
            http_socket.close()  # the workers hold it; this process accepts nothing on it
    else:
        app = create_app(settings, registry, pool, clock)
        app.include_router(read_model_router(pool, projection_faults))
        if defects.switchable():
            app.include_router(defect_switch_router())
        rest = serve_rest(app, http_socket)

    running = Running(grpc_server, rest, _describe(settings, grpc_port, http_port), pool, registry)
    if settings.pubsub_emulator_host:
        retry = RetryPolicy(*settings.pubsub_retry_seconds) if settings.pubsub_retry_seconds else None
        provision(settings.pubsub_project, retry_policy=retry)
    if settings.run_relays:
        _start_relays(settings, running)
    if settings.run_consumers and settings.pubsub_emulator_host:
        _start_consumers(settings, running, projection_faults)
    _log.info("reference ready at %s", target_url(running.target))
    return running


def _signer(settings: Settings) -> V4Signer | None:
    if not settings.gcs_service_account_file:
        return None
    credentials = ServiceAccountCredentials.from_file(settings.gcs_service_account_file)
    return V4Signer(credentials, endpoint=settings.storage_url)


def serve_rest(app: FastAPI, http_socket: socket.socket) -> InProcessRest:
    """Serve ``app`` on ``http_socket`` (``fixtures.tcp.tcp_listener``) with uvicorn, on a thread of
    this process, as the reference does; return once it serves."""
    http_server = uvicorn.Server(uvicorn_config(app, log_level="warning", lifespan="off"))
    http_thread = threading.Thread(target=http_server.run, kwargs={"sockets": [http_socket]}, name="http")
    http_thread.start()
    # uvicorn flips `started` once its sockets are serving; polled because it offers no event.
    while not http_server.started and http_thread.is_alive():
        http_thread.join(0.01)
    if not http_server.started:
        msg = "the REST server stopped during startup; see the log above"
        raise RuntimeError(msg)
    return InProcessRest(http_server, http_thread)


def _start_relays(settings: Settings, running: Running) -> None:
    running.publisher = EventPublisher(settings.pubsub_project)
    metrics = RelayMetrics(running.registry)
    for schema, topic in RELAYED_OUTBOXES.items():
        relay = OutboxRelay(
            settings.database_url,
            running.publisher,
            RelaySettings(schema=schema, topic=topic, idle_interval=settings.relay_interval),
            metrics,
            relay_id=f"{schema}-relay-{os.getpid()}",  # several reference processes may relay at once
        )
        running.relays.append(relay)
        worker = threading.Thread(target=relay.run, args=(running.stop_workers,), name=f"{schema}-relay", daemon=True)
        worker.start()
        running.workers.append(worker)


def _start_consumers(settings: Settings, running: Running, projection_faults: ProjectionFaults | None) -> None:
    metrics = ConsumerMetrics(running.registry)
    consumers = [
        uploads_consumer(running.pool, settings.pubsub_project, metrics),
        video_projection_consumer(running.pool, settings.pubsub_project, metrics, faults=projection_faults),
        engagement_projection_consumer(running.pool, settings.pubsub_project, metrics, faults=projection_faults),
    ]
    for consumer in consumers:
        consumer.start()
        running.consumers.append(consumer)


def _describe(settings: Settings, grpc_port: int, http_port: int) -> TargetConfig:
    capabilities = {"grpc", "rest", "database", "read_models"}
    if settings.pubsub_emulator_host:
        capabilities |= {"publish_raw", "observe_events"}
    if settings.pubsub_faults_url:
        capabilities.add("faults")
    if settings.gcs_service_account_file and settings.storage_url:
        capabilities.add("storage")
    if settings.test_clock:
        capabilities.add("clock")
    return TargetConfig(
        name="reference",
        reference=True,
        catalog_grpc=f"{settings.host}:{grpc_port}",
        profile_grpc=f"{settings.host}:{grpc_port}",
        rest_url=f"http://{settings.host}:{http_port}",
        pubsub_project=settings.pubsub_project,
        pubsub_emulator_host=settings.pubsub_emulator_host,
        database_url=settings.database_url,
        storage_url=settings.storage_url if "storage" in capabilities else None,
        faults_url=settings.pubsub_faults_url,
        capabilities=frozenset(capabilities),
    )
