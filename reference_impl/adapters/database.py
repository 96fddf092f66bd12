"""PostgreSQL connections for the reference: one pool per process, built in bootstrap."""

from __future__ import annotations

from psycopg_pool import ConnectionPool


def create_pool(database_url: str, *, min_size: int = 2, max_size: int = 20) -> ConnectionPool:
    """An opened pool; callers take connections with ``with pool.connection() as conn:``."""
    pool = ConnectionPool(database_url, min_size=min_size, max_size=max_size, open=False, name="reference")
    pool.open(wait=True, timeout=10)
    return pool
