"""Fixtures of the machinery tests."""

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2_grpc


@pytest.fixture(scope="module")
def answering_grpc() -> Iterator[str]:
    """``host:port`` of a gRPC server that answers health checks (so a run's preflight passes)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)
