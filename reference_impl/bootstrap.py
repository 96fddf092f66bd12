"""The one place that wires the reference service: settings in, running servers out."""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

import grpc
import uvicorn
from prometheus_client import CollectorRegistry
from psycopg_pool import ConnectionPool

from fixtures.targets import TargetConfig, target_url
from reference_impl.adapters.database import create_pool
from reference_impl.adapters.migrations import migrate
from reference_impl.config import Settings
from reference_impl.entrypoints.grpc_server import create_server
from reference_impl.entrypoints.rest_app import create_app

_log = logging.getLogger(__name__)


@dataclass
class Running:
    """The started reference: its servers and the target description a client needs."""

    grpc_server: grpc.Server
    http_server: uvicorn.Server
    http_thread: threading.Thread
    target: TargetConfig
    pool: ConnectionPool

    def stop(self, grace: float = 5.0) -> None:
        """Stop taking calls, let running ones finish within ``grace`` seconds, then close."""
        self.http_server.should_exit = True
        stopped = self.grpc_server.stop(grace)
        self.http_thread.join(grace)
        stopped.wait(grace)
        self.pool.close()


def start(settings: Settings) -> Running:
    """Migrate the database, start gRPC and REST, and return once both accept connections."""
    migrate(settings.database_url)
    registry = CollectorRegistry()

    pool = create_pool(settings.database_url)
    grpc_server, grpc_port, _ = create_server(settings, pool)
    grpc_server.start()

    http_socket = socket.create_server((settings.host, settings.http_port))
    http_port = http_socket.getsockname()[1]
    app = create_app(settings, registry, pool)
    http_server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    http_thread = threading.Thread(target=http_server.run, kwargs={"sockets": [http_socket]}, name="http")
    http_thread.start()
    # uvicorn flips `started` once its sockets are serving; polled because it offers no event.
    while not http_server.started and http_thread.is_alive():
        http_thread.join(0.01)
    if not http_server.started:
        msg = "the REST server stopped during startup; see the log above"
        raise RuntimeError(msg)

    target = TargetConfig(
        name="reference",
        catalog_grpc=f"{settings.host}:{grpc_port}",
        profile_grpc=f"{settings.host}:{grpc_port}",
        rest_url=f"http://{settings.host}:{http_port}",
        pubsub_project=settings.pubsub_project,
        pubsub_emulator_host=settings.pubsub_emulator_host,
        database_url=None,
        capabilities=frozenset({"grpc", "rest"}),
    )
    _log.info("reference ready at %s", target_url(target))
    return Running(grpc_server, http_server, http_thread, target, pool)
