"""contracts/errors.yaml against the reference: the Problem Details it sends are the table's, the
REST surface's own refusals (``http_refusals``) included, sent over real HTTP.

The docs site renders the table for partners; these checks keep the reference from drifting away
from what the table tells them (the gRPC side is pinned by the scenarios the Errors page links).
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from contracts.error_table import load_errors
from fixtures.tcp import tcp_listener
from reference_impl.bootstrap import serve_rest
from reference_impl.config import Settings
from reference_impl.domain import errors
from reference_impl.entrypoints.errors import WIRE, to_problem
from reference_impl.entrypoints.rest_app import create_app
from steps.driver import Identity

TABLE = load_errors()


def _instance(kind: type[errors.DomainError]) -> errors.DomainError:
    return kind("a-correlation-id") if issubclass(kind, errors.Internal) else kind("ERROR_REASON_X", "a message")


@pytest.mark.parametrize("kind", sorted(WIRE, key=lambda kind: kind.__name__), ids=lambda kind: kind.__name__)
def test_every_problem_type_the_reference_sends_starts_with_the_tables_base(kind: type[errors.DomainError]) -> None:
    status, body = to_problem(_instance(kind))
    _, http_status, slug = WIRE[kind]
    assert (status, body["type"]) == (http_status, TABLE["problem_base"] + slug)


def test_every_problem_type_the_table_names_is_one_the_reference_sends() -> None:
    sent = {(http_status, slug) for _code, http_status, slug in WIRE.values()}
    named = {(row["http"], row["problem"]) for row in TABLE["errors"] if row.get("problem")}
    assert named <= sent, f"the table names Problem types the reference never sends: {sorted(named - sent)}"


@pytest.fixture(scope="module")
def served_app() -> Iterator[str]:
    """The reference's REST app served as the reference serves it (no database: every
    refusal below comes before a use case runs), plus a route that fails unexpectedly; its base URL."""
    app = create_app(Settings(database_url="postgresql://unused/none"), CollectorRegistry(), pool=None)  # type: ignore[arg-type]

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError("an unexpected failure")

    listener = tcp_listener("127.0.0.1", 0)
    served = serve_rest(app, listener)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        served.stop(10)
        listener.close()


def _raw(base: str, request: bytes) -> httpx.Response:
    """Send bytes no HTTP client would, read the answer (the server closes the connection after it)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body)


def test_the_rest_surfaces_own_refusals_are_the_tables(served_app: str, caplog: pytest.LogCaptureFixture) -> None:
    caller = dict(Identity.of_user(str(uuid.uuid4())).grpc_metadata())
    with caplog.at_level(logging.CRITICAL), httpx.Client(base_url=served_app, timeout=10) as client:
        answers = [
            _raw(served_app, b"NOT HTTP AT ALL\r\n\r\n"),
            client.get("/no/such/path"),
            client.post("/api/v1/profile", headers=caller, json={}),
            client.patch("/api/v1/profile", headers={**caller, "Content-Type": "application/json"},
                         content=b"{" + b" " * 70_000 + b"}"),
            client.patch("/api/v1/profile", headers={**caller, "Content-Type": "text/plain"}, content=b"hello"),
            # Larger than one read, so the server holds an incomplete head over its limit.
            _raw(served_app, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n"),
            client.get("/boom"),
        ]
    seen = []
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
        body = answer.json()
        assert body["type"].startswith(TABLE["problem_base"]), body
        seen.append((answer.status_code, body["type"].removeprefix(TABLE["problem_base"]), body.get("reason")))
    assert seen == [(row["http"], row["problem"], row["reason"]) for row in TABLE["http_refusals"]]
