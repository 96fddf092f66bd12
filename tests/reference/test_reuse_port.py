"""Several reference processes share their ports only when asked (``--reuse-port``).

With ``reuse_port`` the gRPC and REST listeners bind with ``SO_REUSEPORT``, so a second process
can join the first one's ports; without it a taken port is an error, never a silent second server.
"""

from __future__ import annotations

import pytest

from reference_impl.config import Settings
from reference_impl.entrypoints.grpc_server import create_server


def _grpc_port(settings: Settings) -> int:
    server, port, _ = create_server(settings, pool=None)  # type: ignore[arg-type] - binding needs no database
    server.stop(None)
    return port


def test_a_taken_grpc_port_is_an_error_without_reuse_port() -> None:
    first, port, _ = create_server(Settings(database_url=""), pool=None)  # type: ignore[arg-type]
    try:
        with pytest.raises(RuntimeError, match="(?i)bind"):
            _grpc_port(Settings(database_url="", grpc_port=port))
    finally:
        first.stop(None)


def test_reuse_port_lets_a_second_server_join_the_grpc_port() -> None:
    first, port, _ = create_server(Settings(database_url="", reuse_port=True), pool=None)  # type: ignore[arg-type]
    try:
        assert _grpc_port(Settings(database_url="", grpc_port=port, reuse_port=True)) == port
    finally:
        first.stop(None)


def test_reuse_port_reads_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINGO_REUSE_PORT", "1")
    assert Settings.from_env("").reuse_port
    monkeypatch.setenv("LINGO_REUSE_PORT", "0")
    assert not Settings.from_env("").reuse_port
