"""Idempotency keys of catalog writes (table ``catalog.idempotency_keys``; seed 001 post-MVP).

``once`` runs a write at most once per (caller, key) within the TTL: under a transaction-scoped
advisory lock on the key, it either replays the stored answer or runs the write on the same
connection (the write's own transaction becomes a savepoint) and stores its answer, so the
effect and the record commit together and concurrent calls with one key have one effect.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import psycopg
from google.protobuf.message import Message
from psycopg_pool import ConnectionPool

from reference_impl import defects
from reference_impl.domain.errors import InvalidArgument

IDEMPOTENCY_KEY_REUSED = "ERROR_REASON_IDEMPOTENCY_KEY_REUSED"


class Borrowed:
    """A stand-in pool that hands out one connection already in a transaction."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """The borrowed connection (not returned anywhere on exit)."""
        yield self._conn


def digest(rpc: str, request: Message) -> str:
    """What a key is bound to: the RPC and the request's deterministic encoding."""
    return hashlib.sha256(rpc.encode() + b"\0" + request.SerializeToString(deterministic=True)).hexdigest()


def once(
    pool: ConnectionPool,
    *,
    caller: str,
    key: str,
    request_digest: str,
    response_type: type[Message],
    now: datetime,
    ttl: timedelta,
    run: Callable[[ConnectionPool | Borrowed], Message],
) -> Message:
    """The stored answer to ``key``, or ``run``'s answer, stored with the write it made.

    Raises:
        InvalidArgument: the key was used for another RPC or request within the TTL.
    """
    if defects.active("idempotency-ignores-keys"):
        return run(pool)
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{caller}|{key}",))
        row = conn.execute(
            "SELECT request_digest, response, created_at FROM catalog.idempotency_keys"
            " WHERE caller = %s AND idempotency_key = %s",
            (caller, key),
        ).fetchone()
        if row is not None and row[2] > now - ttl:
            if row[0] != request_digest:
                msg = "x-md-idempotency-key was used with another request; send a new key for a new request"
                raise InvalidArgument(IDEMPOTENCY_KEY_REUSED, msg)
            return response_type.FromString(row[1])
        response = run(Borrowed(conn))
        conn.execute(
            "INSERT INTO catalog.idempotency_keys (caller, idempotency_key, request_digest, response, created_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (caller, idempotency_key) DO UPDATE SET"
            " request_digest = excluded.request_digest, response = excluded.response, created_at = excluded.created_at",
            (caller, key, request_digest, response.SerializeToString(), now),
        )
        return response
