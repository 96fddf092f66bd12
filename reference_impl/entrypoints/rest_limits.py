"""Limits of the REST surface that hold before any route runs: body size, header size, framework errors.

Every refusal leaves as RFC 9457 Problem Details, including the ones the HTTP server and the
framework would otherwise answer in their own words (a 400 for a malformed request, a 404 for an
unknown path, a 405): a client branches on ``type`` and ``status`` whatever refused it.
"""

from __future__ import annotations

import json
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from reference_impl.domain.errors import PayloadTooLarge
from reference_impl.entrypoints.errors import PROBLEM_BASE, to_problem

PROBLEM_JSON = "application/problem+json"
#: Largest request body: the biggest valid body (a profile with 16 KiB of extra) with room to spare.
MAX_BODY_BYTES = 65536
#: Largest request head (request line and every header): h11 refuses more with 431.
MAX_HEAD_BYTES = 16384
#: How long a refused connection is drained before it is closed anyway.
DRAIN_SECONDS = 2.0


def problem(status: int, slug: str, detail: str, **members: Any) -> dict[str, Any]:
    """A Problem Details body for a refusal that is no domain error (framework, server)."""
    return {
        "type": PROBLEM_BASE + slug,
        "title": slug.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        **members,
    }


class BodyLimit:
    """ASGI middleware: a body over ``limit`` bytes is 413, by ``Content-Length`` or as it streams in.

    The body (at most ``limit`` bytes) is read before the app runs and handed to it unchanged.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        too_large = not declared.isdigit() or int(declared) > self.limit
        chunks: list[bytes] = []
        size = 0
        more = not too_large
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.limit:
                too_large = True
                break
        if too_large:
            error = PayloadTooLarge("ERROR_REASON_PAYLOAD_TOO_LARGE", f"the request body must be at most {self.limit} bytes")
            status, body = to_problem(error, instance=scope.get("path"))
            await _send_json(send, status, body, close=True)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _send_json(send: Send, status: int, body: dict[str, Any], *, close: bool = False) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(payload)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering a request it cannot parse with Problem Details.

    A request head over ``MAX_HEAD_BYTES`` is 431 (h11's own hint), any other malformed request
    400; uvicorn itself sends ``text/plain`` 400 for both. Use with ``uvicorn_config``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._status_hint = 400
        self._draining = False
        next_event = self.conn.next_event

        def remembering_next_event() -> Any:
            try:
                return next_event()
            except h11.RemoteProtocolError as exc:
                self._status_hint = exc.error_status_hint
                raise

        self.conn.next_event = remembering_next_event  # type: ignore[method-assign]

    def send_400_response(self, msg: str) -> None:
        """Refuse the unparsable request (431 or 400) as Problem Details and close."""
        if self._status_hint == 431:
            status, phrase = 431, "Request Header Fields Too Large"
            body = problem(status, "request-header-fields-too-large", f"the request head must be at most {MAX_HEAD_BYTES} bytes")
        else:
            status, phrase = 400, "Bad Request"
            body = problem(status, "malformed-request", "the request is not valid HTTP/1.1")
        payload = json.dumps(body).encode()
        head = (
            f"HTTP/1.1 {status} {phrase}\r\ncontent-type: {PROBLEM_JSON}\r\n"
            f"content-length: {len(payload)}\r\nconnection: close\r\n\r\n"
        ).encode()
        self.transport.write(head + payload)
        # Closing now, with the rest of an oversized request unread, makes the kernel reset the
        # connection before the client reads the answer: end our side, drain theirs, then close.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._draining = True
        self.loop.call_later(DRAIN_SECONDS, self.transport.close)

    def data_received(self, data: bytes) -> None:
        """Pass data on, or drop it while draining a refused request."""
        if not self._draining:
            super().data_received(data)

    def eof_received(self) -> None:
        """Close once the client has finished a refused request; otherwise as uvicorn does."""
        if self._draining:
            self.transport.close()
        else:
            super().eof_received()


def uvicorn_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration every server of the REST app uses (limits and Problem Details included)."""
    return uvicorn.Config(
        app, http=ProblemH11Protocol, h11_max_incomplete_event_size=MAX_HEAD_BYTES, **options
    )
