"""An httpx transport over geventhttpclient, the HTTP client of locust's FastHttpUser.

The driver builds and reads its REST and storage requests with httpx; under gevent, httpx's own
transport (httpcore) costs about ten times the CPU per call of geventhttpclient's C parser
(benchmarks/load_generator.py). Swapping only the transport keeps every driver call and check as
it is and lets one generator process drive the REST surface as fast as FastHttpUser would.
"""

from __future__ import annotations

import httpx
from geventhttpclient import HTTPClient

CONNECTIONS_PER_HOST = 16


class GeventTransport(httpx.BaseTransport):
    """Sends httpx requests through one keep-alive geventhttpclient pool per host."""

    def __init__(self, timeout: float = 30.0) -> None:
        self._timeout = timeout
        self._pools: dict[tuple[str, str, int], HTTPClient] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole answer."""
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.scheme, url.host, port)
        if key not in self._pools:
            self._pools[key] = HTTPClient(
                url.host, port, ssl=url.scheme == "https", concurrency=CONNECTIONS_PER_HOST,
                connection_timeout=self._timeout, network_timeout=self._timeout,
            )
        headers = {name: value for name, value in request.headers.items() if name.lower() != "host"}
        try:
            answer = self._pools[key].request(request.method, url.raw_path.decode("ascii"), body=request.read(), headers=headers)
            content = answer.read()
        except (OSError, TimeoutError) as exc:
            raise httpx.TransportError(f"{request.method} {url}: {exc}") from exc
        return httpx.Response(answer.status_code, headers=list(answer.items()), content=content, request=request)

    def close(self) -> None:
        """Close every pool."""
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
