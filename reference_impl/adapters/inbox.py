"""The inbox table of one schema: what a consumer has received and processed, keyed by event id.

Recording the event id in the same transaction as the handler's writes makes redelivery a no-op.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql

from reference_impl import defects


class InboxStore:
    """SQL of ``<schema>.inbox_events``."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._table = sql.Identifier(schema, "inbox_events")

    def _q(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(inbox=self._table)

    def receive(
        self,
        conn: psycopg.Connection,
        *,
        event_id: uuid.UUID,
        source_service: str,
        event_type: str,
        aggregate_type: str | None,
        aggregate_id: str | None,
        payload: bytes,
    ) -> bool:
        """Record the event (a no-op if known) and lock its row; True unless it was processed before."""
        conn.execute(
            self._q(
                "INSERT INTO {inbox} (event_id, source_service, event_type, aggregate_type, aggregate_id, payload)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING"
            ),
            (event_id, source_service, event_type, aggregate_type, aggregate_id, payload),
        )
        # FOR UPDATE serialises two deliveries of one event handled at once (a duplicate copy).
        row = conn.execute(
            self._q("SELECT processed_at FROM {inbox} WHERE event_id = %s FOR UPDATE"), (event_id,)
        ).fetchone()
        return row is not None and (row[0] is None or defects.active("inbox-no-dedupe"))

    def mark_processed(self, conn: psycopg.Connection, event_id: uuid.UUID) -> None:
        """Mark the event processed, in the handler's transaction."""
        conn.execute(self._q("UPDATE {inbox} SET processed_at = now(), last_error = NULL WHERE event_id = %s"), (event_id,))

    def record_error(self, conn: psycopg.Connection, event_id: uuid.UUID, error: str) -> None:
        """Remember why handling failed (in its own transaction: the handler's was rolled back)."""
        conn.execute(
            self._q("UPDATE {inbox} SET last_error = %s, processed_at = NULL WHERE event_id = %s"), (error, event_id)
        )
