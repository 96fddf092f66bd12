"""fixtures/tcp.py: the listener the REST app and the GCS stand-in are served on sends without delay.

Without TCP_NODELAY on the accepted connection, a response written in two parts waits for the
client's delayed ACK (about 40 ms on loopback); asyncio sets the option only on connections of a
listener whose protocol is IPPROTO_TCP.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from fixtures.tcp import tcp_listener


async def _nodelay_of_an_accepted_connection(listener: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connection(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connection, sock=listener)
    async with server:
        _reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        try:
            return await asyncio.wait_for(accepted, timeout=10)
        finally:
            writer.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_connections_accepted_on_the_listener_are_sent_without_delay(host: str) -> None:
    listener = tcp_listener(host, 0)
    assert (listener.family, listener.proto) == (socket.AF_INET6 if ":" in host else socket.AF_INET, socket.IPPROTO_TCP)
    assert asyncio.run(_nodelay_of_an_accepted_connection(listener)) != 0


def test_two_listeners_share_a_port_only_when_asked() -> None:
    first = tcp_listener("127.0.0.1", 0, reuse_port=True)
    port = first.getsockname()[1]
    try:
        tcp_listener("127.0.0.1", port, reuse_port=True).close()
        with pytest.raises(OSError):
            tcp_listener("127.0.0.1", port)
    finally:
        first.close()
