"""The inbox table of one schema: what a consumer has received and processed, keyed by event id.

Recording the event id in the same transaction as the handler's writes makes redelivery a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NamedTuple

import psycopg
from psycopg import sql

from reference_impl import defects


class InboxEntry(NamedTuple):
    """One received event as the inbox records it."""

    event_id: uuid.UUID
    event_type: str
    aggregate_type: str | None
    aggregate_id: str | None
    payload: bytes


class InboxStore:
    """SQL of ``<schema>.inbox_events``."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._table = sql.Identifier(schema, "inbox_events")

    def _q(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(inbox=self._table)

    def receive(self, conn: psycopg.Connection, source_service: str, events: Sequence[InboxEntry]) -> set[uuid.UUID]:
        """Record the events as processed, in the handlers' transaction; the ids not processed before.

        One statement for the batch: a new event id is inserted processed; a known, unprocessed one
        (a failure was recorded) is marked processed; a processed one is left alone and not
        returned. The handlers run in the same transaction, so a failure takes the marks back with
        their writes. Every conflicting row is locked (in event id order, so two consumers cannot
        deadlock on them), which serialises two deliveries of one event handled at once: the second
        waits for the first's commit and skips. The event ids must be distinct.
        """
        if not events:
            return set()
        unprocessed = "true" if defects.active("inbox-no-dedupe") else "inbox.processed_at IS NULL"
        columns = list(zip(*events, strict=True))
        rows = conn.execute(
            self._q(
                "INSERT INTO {inbox} AS inbox (event_id, source_service, event_type, aggregate_type, aggregate_id,"
                " payload, processed_at)"
                " SELECT e.event_id, %s, e.event_type, e.aggregate_type, e.aggregate_id, e.payload, now()"
                " FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::bytea[])"
                " AS e(event_id, event_type, aggregate_type, aggregate_id, payload) ORDER BY e.event_id"
                " ON CONFLICT (event_id) DO UPDATE SET processed_at = now(), last_error = NULL"
                " WHERE " + unprocessed + " RETURNING event_id"
            ),
            (source_service, *(list(column) for column in columns)),
        ).fetchall()
        return {row[0] for row in rows}

    def record_error(self, conn: psycopg.Connection, event_id: uuid.UUID, error: str) -> None:
        """Remember why handling failed (in its own transaction: the handler's was rolled back)."""
        conn.execute(
            self._q("UPDATE {inbox} SET last_error = %s, processed_at = NULL WHERE event_id = %s"), (error, event_id)
        )
