"""PostgreSQL DDL of the reference database: catalog and profile schemas plus per-schema outbox/inbox.

Files here:

* ``catalog.sql`` - schema ``catalog`` as upstream lingo-services-catalog creates it (minus the
  ``auth.users`` foreign key; the file says why).
* ``profile.sql`` - schema ``profile`` as upstream lingo-services-profile creates it.
* ``outbox_inbox.sql.tmpl`` - ``outbox_events`` / ``inbox_events`` for one schema, a
  ``string.Template`` with ``${schema}``; upstream's columns plus our relay's additions.

Every script is idempotent, so the reference applies :func:`migration_scripts` at every start.
Nothing is read at import time.

Example::

    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, script in migration_scripts():
            conn.execute(script)
"""

from __future__ import annotations

import re
import string
from importlib import resources

__all__ = ["SERVICE_SCHEMAS", "migration_scripts", "read_script", "render_outbox_inbox"]

SERVICE_SCHEMAS = ("catalog", "profile")
"""Schemas of the reference database, in apply order; each gets the outbox/inbox tables."""

# A plain lower-case identifier: it is pasted unquoted into DDL, so nothing that would need
# quoting (or could break out of an identifier) is accepted; 63 bytes is PostgreSQL's NAMEDATALEN - 1.
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Index names are "<schema>_outbox_events_aggregate_open_idx" (the longest suffix, 33 characters);
# PostgreSQL silently truncates names past 63 bytes, which could make two schemas' indexes collide.
_LONGEST_INDEX_SUFFIX = len("_outbox_events_aggregate_open_idx")


def read_script(name: str) -> str:
    """The text of ``contracts/sql/<name>`` (e.g. ``"catalog.sql"``)."""
    return (resources.files(__package__) / name).read_text(encoding="utf-8")


def render_outbox_inbox(schema: str) -> str:
    """The outbox/inbox DDL for ``schema``.

    Args:
        schema: a plain lower-case PostgreSQL identifier, e.g. ``"catalog"``.

    Raises:
        ValueError: ``schema`` is not such an identifier, starts with ``pg_``, or is so long that
            the derived index names would be truncated.
    """
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
        msg = (
            f"schema name {schema!r} is not a plain lower-case identifier: expected the whole name to match {_SCHEMA_NAME.pattern} "
            "(letters, digits, underscore; it is inserted unquoted into the DDL)"
        )
        raise ValueError(msg)
    if schema.startswith("pg_"):
        msg = f"schema name {schema!r} starts with 'pg_', which PostgreSQL reserves for system schemas; choose another name"
        raise ValueError(msg)
    if len(schema) + _LONGEST_INDEX_SUFFIX > 63:
        msg = (
            f"schema name {schema!r} is {len(schema)} characters; at most {63 - _LONGEST_INDEX_SUFFIX} fit, "
            "because index names are prefixed with it and PostgreSQL truncates identifiers past 63 bytes"
        )
        raise ValueError(msg)
    return string.Template(read_script("outbox_inbox.sql.tmpl")).substitute(schema=schema)


def migration_scripts() -> list[tuple[str, str]]:
    """Every script of the reference database as ``(name, sql)``, in apply order.

    Order: catalog DDL, catalog outbox/inbox, profile DDL, profile outbox/inbox. Each script is
    idempotent and may contain several statements (run it with a simple-protocol ``execute``
    without parameters).
    """
    scripts: list[tuple[str, str]] = []
    for schema in SERVICE_SCHEMAS:
        scripts.append((f"{schema}.sql", read_script(f"{schema}.sql")))
        scripts.append((f"outbox_inbox.sql.tmpl[{schema}]", render_outbox_inbox(schema)))
    return scripts
