"""The outbox table of one schema (contracts/sql/outbox_inbox.sql.tmpl): enqueue, claim, fence, park.

Writers enqueue in their own business transaction, which also notifies the schema's channel
(``<schema>_outbox``, delivered at commit) so an idle relay wakes at once. Relays claim with ``FOR UPDATE SKIP LOCKED``
under a lease token and may only change rows they still hold: every mark, reschedule and park is
fenced by ``lock_token``, so a relay whose lease expired (and was taken over) changes nothing.
Only the oldest open event of an aggregate is claimable, which keeps at most one event per
aggregate in flight and lets a failed event block its successors (Pub/Sub ordering keys).
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from reference_impl import defects


@dataclass(frozen=True)
class NewEvent:
    """An event to enqueue: its Pub/Sub attributes travel in ``headers``."""

    event_id: uuid.UUID
    aggregate_type: str
    aggregate_id: uuid.UUID
    event_type: str
    payload: bytes
    headers: dict[str, str]
    available_at: datetime | None = None


@dataclass(frozen=True)
class ClaimedEvent:
    """An event a relay holds under its lease token."""

    event_id: uuid.UUID
    aggregate_id: uuid.UUID
    event_type: str
    payload: bytes
    headers: dict[str, str]
    delivery_attempts: int
    seq: int


@dataclass(frozen=True)
class FailedAttempt:
    """A failed publish to record: retry after ``retry_after``, or park when it is None.

    ``unpublishable``: parked because the broker refused the event for good, so it stops holding
    back its aggregate's successors.
    """

    event_id: uuid.UUID
    error: str
    retry_after: timedelta | None
    unpublishable: bool = False


class InjectedOutboxFailure(RuntimeError):
    """Raised where the fault switch refuses an outbox insert (its transaction then rolls back)."""


class OutboxInsertFaults:
    """Fault switch for the conformance suite: refuse the next outbox inserts of one aggregate.

    Proves that a change and its event commit together: a writer whose event cannot be recorded
    must not commit the change either. Armed only through the reference's fault route.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining: dict[uuid.UUID, int] = {}

    def fail_next(self, aggregate_id: uuid.UUID, count: int) -> None:
        """Refuse the next ``count`` inserts of ``aggregate_id``'s events (0 disarms)."""
        with self._lock:
            if count > 0:
                self._remaining[aggregate_id] = count
            else:
                self._remaining.pop(aggregate_id, None)

    def take(self, aggregate_id: uuid.UUID) -> bool:
        """True (and one use consumed) when this insert must be refused."""
        with self._lock:
            left = self._remaining.get(aggregate_id, 0)
            if left <= 0:
                return False
            self._remaining[aggregate_id] = left - 1
            return True


#: The process's switch; off unless the fault route arms it.
INSERT_FAULTS = OutboxInsertFaults()


class OutboxStore:
    """SQL of the outbox in schema ``schema``."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._table = sql.Identifier(schema, "outbox_events")

    @property
    def channel(self) -> str:
        """The LISTEN/NOTIFY channel that wakes this schema's relays when a writer commits: ``<schema>_outbox``."""
        return f"{self.schema}_outbox"

    def listen(self, conn: psycopg.Connection) -> None:
        """Subscribe ``conn`` to the channel (in the caller's transaction; effective once it commits)."""
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))

    def _q(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(outbox=self._table)

    def enqueue(self, conn: psycopg.Connection, event: NewEvent) -> None:
        """Insert ``event`` in the caller's open transaction."""
        if defects.active("outbox-event-outside-the-change"):
            with contextlib.suppress(InjectedOutboxFailure, psycopg.Error), conn.transaction():
                self._insert(conn, event)
            return
        self._insert(conn, event)

    def _insert(self, conn: psycopg.Connection, event: NewEvent) -> None:
        if INSERT_FAULTS.take(event.aggregate_id):
            msg = f"outbox insert of event {event.event_id} refused (fault injected by the conformance suite)"
            raise InjectedOutboxFailure(msg)
        # The notification goes out when (and only if) the writer's transaction commits, and wakes
        # the relays waiting on the channel; repeated in one transaction, it is delivered once.
        conn.execute(
            self._q(
                "WITH inserted AS (INSERT INTO {outbox} (event_id, aggregate_type, aggregate_id, event_type, payload,"
                " headers, available_at) VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, now())) RETURNING 1)"
                " SELECT pg_notify(%s, '') FROM inserted"
            ),
            (
                event.event_id,
                event.aggregate_type,
                event.aggregate_id,
                event.event_type,
                event.payload,
                json.dumps(event.headers),
                event.available_at,
                self.channel,
            ),
        )

    def claim(self, conn: psycopg.Connection, *, lock_token: str, limit: int, lock_ttl: timedelta) -> list[ClaimedEvent]:
        """Lease up to ``limit`` due events, each the oldest open event of its aggregate.

        A row whose lease is older than ``lock_ttl`` counts as free again: its relay is presumed dead.
        """
        query, params = self._claim_query(lock_token=lock_token, limit=limit, lock_ttl=lock_ttl)
        self._walk_in_order(conn)
        rows = conn.cursor(row_factory=dict_row).execute(query, params).fetchall()
        return sorted((ClaimedEvent(**row) for row in rows), key=lambda e: e.seq)

    def seconds_until_due(self, conn: psycopg.Connection, *, lock_ttl: timedelta) -> float | None:
        """Seconds until an open event becomes claimable by time alone, None when none will.

        That is the earliest future ``available_at`` of an unleased event (a retry's backoff, an
        event scheduled ahead) or the earliest expiry of a lease (its relay presumed dead). Events
        due now but behind an earlier event of their aggregate are not counted: the relay holding
        that event claims them once it has settled it. Both minima are walks of partial indexes.
        """
        row = conn.execute(
            self._q(
                "SELECT extract(epoch FROM least("
                " (SELECT min(available_at) FROM {outbox} WHERE published_at IS NULL AND available_at > now()"
                "   AND parked_at IS NULL AND lock_token IS NULL),"
                " (SELECT min(locked_at) FROM {outbox} WHERE published_at IS NULL AND lock_token IS NOT NULL) + %s"
                ") - now())"
            ),
            (lock_ttl,),
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def explain_claim(self, conn: psycopg.Connection, *, limit: int = 200, lock_ttl: timedelta = timedelta(seconds=10)) -> str:
        """The plan PostgreSQL chooses for the claim (``EXPLAIN``, not executed), one node a line."""
        query, params = self._claim_query(lock_token="explain", limit=limit, lock_ttl=lock_ttl)
        self._walk_in_order(conn)
        rows = conn.execute(sql.SQL("EXPLAIN ") + query, params).fetchall()
        return "\n".join(row[0] for row in rows)

    @staticmethod
    def _walk_in_order(conn: psycopg.Connection) -> None:
        """Make the claim walk the claim-order index and stop after its batch, whatever the statistics say.

        In steady state almost every row is published, so the statistics say "published_at IS NULL"
        matches nearly nothing; a burst of pending rows then looks empty to the planner, which would
        sort every due row or scan every open row once per candidate (minutes at 100k rows). With
        sorts and bitmap/sequential scans off for this transaction only, the ordered index walk that
        stops at ``LIMIT`` is the only plan left for the candidates, and the ordered index lookup on
        (aggregate_id, seq) the only one left for the head-of-line check (see ``_claim_query``).
        """
        conn.execute("SET LOCAL enable_sort = off")
        conn.execute("SET LOCAL enable_bitmapscan = off")
        conn.execute("SET LOCAL enable_seqscan = off")

    def _claim_query(self, *, lock_token: str, limit: int, lock_ttl: timedelta) -> tuple[sql.Composed, dict]:
        # Head of line: the candidate is its aggregate's oldest open event that can still be published.
        # Written as a correlated scalar subquery ordered by seq, not as NOT EXISTS: the planner
        # may turn NOT EXISTS into an anti join whose inner side scans every open row, but this
        # subquery runs per candidate, and its only sort-free plan is one probe of the
        # (aggregate_id, seq) index. The candidates' ids are handed over as an array, so the
        # UPDATE finds them by primary key rather than joining a CTE the planner thinks is one row.
        head_of_line = (
            "" if defects.active("relay-no-head-of-line") else
            "AND o.seq = (SELECT e.seq FROM {outbox} e WHERE e.aggregate_id = o.aggregate_id"
            " AND e.published_at IS NULL AND NOT e.unpublishable ORDER BY e.aggregate_id, e.seq LIMIT 1)"
        )
        stale = "false" if defects.active("relay-ignores-lock-ttl") else "o.locked_at <= now() - %(ttl)s"
        query = self._q(
            """
            UPDATE {outbox} AS o SET lock_token = %(token)s, locked_at = now()
            WHERE o.event_id = ANY (ARRAY(
                SELECT o.event_id FROM {outbox} o
                WHERE o.published_at IS NULL AND o.parked_at IS NULL AND o.available_at <= now()
                  AND (o.lock_token IS NULL OR STALE)
                  HEAD_OF_LINE
                ORDER BY o.seq
                FOR UPDATE SKIP LOCKED
                LIMIT %(limit)s
            ))
            RETURNING o.event_id, o.aggregate_id, o.event_type, o.payload, o.headers, o.delivery_attempts, o.seq
            """.replace("STALE", stale).replace("HEAD_OF_LINE", head_of_line)
        )
        return query, {"ttl": lock_ttl, "limit": limit, "token": lock_token}

    def renew(self, conn: psycopg.Connection, *, lock_token: str) -> int:
        """Renew the lease of every row still held under ``lock_token`` (the heartbeat); how many."""
        cursor = conn.execute(self._q("UPDATE {outbox} SET locked_at = now() WHERE lock_token = %s"), (lock_token,))
        return cursor.rowcount

    def mark_published(self, conn: psycopg.Connection, event_ids: list[uuid.UUID], *, lock_token: str) -> set[uuid.UUID]:
        """Mark events published; returns those still held under ``lock_token`` (the fenced ones are not)."""
        rows = conn.execute(
            self._q(
                "UPDATE {outbox} AS o SET published_at = now(), delivery_attempts = delivery_attempts + 1,"
                " last_error = NULL, lock_token = NULL, locked_at = NULL"
                " WHERE o.event_id = ANY(%s::uuid[]) AND (o.lock_token = %s OR %s)"
                " RETURNING o.event_id"
            ),
            (event_ids, lock_token, defects.active("relay-unfenced-settle")),
        ).fetchall()
        return {row[0] for row in rows}

    def settle_failures(
        self, conn: psycopg.Connection, failures: list[FailedAttempt], *, lock_token: str
    ) -> set[uuid.UUID]:
        """Record failed attempts in one statement: each event due again after its delay, or parked.

        Returns the events still held under ``lock_token`` (the fenced ones are left as they are).
        """
        if not failures:
            return set()
        rows = conn.execute(
            self._q(
                "UPDATE {outbox} AS o SET delivery_attempts = o.delivery_attempts + 1, last_error = t.error,"
                " available_at = CASE WHEN t.park THEN o.available_at ELSE now() + t.delay END,"
                " parked_at = CASE WHEN t.park THEN now() ELSE o.parked_at END,"
                " unpublishable = CASE WHEN t.park THEN t.unpublishable ELSE o.unpublishable END,"
                " lock_token = NULL, locked_at = NULL"
                " FROM unnest(%s::uuid[], %s::text[], %s::interval[], %s::boolean[], %s::boolean[])"
                " AS t(id, error, delay, park, unpublishable)"
                " WHERE o.event_id = t.id AND o.lock_token = %s RETURNING o.event_id"
            ),
            (
                [f.event_id for f in failures],
                [f.error for f in failures],
                [f.retry_after or timedelta(0) for f in failures],
                [f.retry_after is None for f in failures],
                [f.unpublishable for f in failures],
                lock_token,
            ),
        ).fetchall()
        return {row[0] for row in rows}

    def redrive(
        self,
        conn: psycopg.Connection,
        *,
        aggregate_id: uuid.UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        include_published: bool = False,
    ) -> int:
        """Make matching events due again now (parked ones unparked, attempts reset); returns how many.

        With ``include_published``, already published events are re-published too (their
        ``event_id`` stays, so consumers deduplicate them).
        """
        cursor = conn.execute(
            self._q(
                "UPDATE {outbox} SET parked_at = NULL, unpublishable = false, published_at = NULL, delivery_attempts = 0,"
                " available_at = now(), lock_token = NULL, locked_at = NULL"
                " WHERE (%(aggregate)s::uuid IS NULL OR aggregate_id = %(aggregate)s)"
                " AND (%(since)s::timestamptz IS NULL OR occurred_at >= %(since)s)"
                " AND (%(until)s::timestamptz IS NULL OR occurred_at < %(until)s)"
                " AND (parked_at IS NOT NULL OR (%(published)s AND published_at IS NOT NULL))"
            ),
            {"aggregate": aggregate_id, "since": since, "until": until, "published": include_published},
        )
        if cursor.rowcount:  # wakes idle relays when the caller commits, as a writer's insert does
            conn.execute("SELECT pg_notify(%s, '')", (self.channel,))
        return cursor.rowcount

    def counts(self, conn: psycopg.Connection) -> tuple[int, int]:
        """(backlog, parked): open events not parked, and parked events."""
        row = conn.execute(
            self._q(
                "SELECT count(*) FILTER (WHERE parked_at IS NULL), count(*) FILTER (WHERE parked_at IS NOT NULL)"
                " FROM {outbox} WHERE published_at IS NULL"
            )
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])
