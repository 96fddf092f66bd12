"""No internals reach a client: an unexpected exception becomes INTERNAL / 500 with a correlation id.

The message a client sees is generic; the exception and its text go to the log under the same id,
so an operator can find them from a client's report.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent import futures

import grpc
import httpx
import pytest
from fastapi import FastAPI
from google.protobuf import empty_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from prometheus_client import CollectorRegistry

from fixtures.tcp import tcp_listener
from reference_impl.bootstrap import serve_rest
from reference_impl.config import Settings
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.rest_app import create_app

SECRET = "SELECT password FROM users -- psycopg.errors.UndefinedTable"
CORRELATION_ID = re.compile(r"^[0-9a-f]{32}$")


class Exploding:
    """A servicer whose method fails in a way no rule foresaw."""

    @grpc_errors
    def Boom(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:  # noqa: N802
        raise KeyError(SECRET)


@pytest.fixture
def exploding_channel() -> grpc.Channel:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.unary_unary_rpc_method_handler(
        Exploding().Boom, request_deserializer=empty_pb2.Empty.FromString, response_serializer=empty_pb2.Empty.SerializeToString
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Exploding", {"Boom": handler}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield channel
    channel.close()
    server.stop(None)


def test_grpc_answers_internal_with_a_correlation_id_and_logs_the_detail(
    exploding_channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    call = exploding_channel.unary_unary(
        "/test.Exploding/Boom", request_serializer=empty_pb2.Empty.SerializeToString, response_deserializer=empty_pb2.Empty.FromString
    )
    with caplog.at_level(logging.ERROR), pytest.raises(grpc.RpcError) as caught:
        call(empty_pb2.Empty(), timeout=10)

    error = caught.value
    assert error.code() == grpc.StatusCode.INTERNAL, error
    assert "SELECT" not in error.details() and "KeyError" not in error.details(), error.details()
    status = rpc_status.from_call(error)
    infos = [error_details_pb2.ErrorInfo() for d in status.details if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR)]
    requests = [error_details_pb2.RequestInfo() for d in status.details if d.Is(error_details_pb2.RequestInfo.DESCRIPTOR)]
    for detail in status.details:
        for holder in infos + requests:
            if detail.Is(holder.DESCRIPTOR):
                detail.Unpack(holder)
    assert infos and infos[0].reason == "INTERNAL", status
    correlation_id = requests[0].request_id
    assert CORRELATION_ID.match(correlation_id) and correlation_id in error.details()
    logged = [r for r in caplog.records if correlation_id in r.getMessage()]
    assert logged and SECRET in str(logged[0].exc_info[1]), "the log must hold the detail under the correlation id"


def test_rest_answers_500_problem_details_with_a_correlation_id_and_logs_the_detail(caplog: pytest.LogCaptureFixture) -> None:
    app: FastAPI = create_app(Settings(database_url="postgresql://unused/none"), CollectorRegistry(), pool=None)  # type: ignore[arg-type]

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError(SECRET)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://reference") as client:
            return await client.get("/boom")

    with caplog.at_level(logging.ERROR):
        response = asyncio.run(get())

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 500 and body["type"].endswith("/internal-error"), body
    assert "SELECT" not in response.text and "KeyError" not in response.text, response.text
    assert CORRELATION_ID.match(body["correlation_id"]) and body["correlation_id"] in body["detail"]
    logged = [r for r in caplog.records if body["correlation_id"] in r.getMessage()]
    assert logged and SECRET in str(logged[0].exc_info[1]), "the log must hold the detail under the correlation id"


def test_a_client_that_got_a_500_carries_on_over_http(caplog: pytest.LogCaptureFixture) -> None:
    # Served by uvicorn as the reference serves it: after a 500 the server closes the connection,
    # so the answer must say so, or the client's next request on it meets a reset.
    app: FastAPI = create_app(Settings(database_url="postgresql://unused/none"), CollectorRegistry(), pool=None)  # type: ignore[arg-type]

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError(SECRET)

    listener = tcp_listener("127.0.0.1", 0)
    served = serve_rest(app, listener)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with caplog.at_level(logging.CRITICAL), httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(20):
                failed = client.get("/boom")
                assert (failed.status_code, failed.headers.get("connection")) == (500, "close")
                assert client.get("/healthz").status_code == 200
    finally:
        served.stop(10)
        listener.close()
