"""Apply the contract's DDL (contracts/sql) to the reference database.

The scripts are idempotent; an advisory lock keeps several processes starting at once (a relay
next to a server, say) from racing each other.
"""

from __future__ import annotations

import psycopg

from contracts.sql import migration_scripts

_LOCK_KEY = 0x6C696E676F  # "lingo"


def migrate(database_url: str) -> list[str]:
    """Apply every script in order and return their names."""
    applied = []
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        for name, script in migration_scripts():
            conn.execute(script)
            applied.append(name)
    return applied
