"""The outbox claim after a bulk load: an ordered index walk and one index probe per candidate, whatever the statistics.

A table analyzed while empty and then loaded with 100k rows looks empty to the planner; the claim
must still walk its claim-order index and stop after its batch instead of sorting every due row.
A table analyzed while every row was published (an outbox's steady state) makes a burst of pending
rows look like none; the head-of-line check must still probe the (aggregate_id, seq) index once per
candidate instead of scanning every open row for each. The plans are asserted; the claims' times
are printed (never asserted).
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import psycopg

from reference_impl.adapters.migrations import migrate
from reference_impl.adapters.outbox import OutboxStore

ROWS = 100_000
AGGREGATES = 1_000


def bulk_load(conn: psycopg.Connection, rows: int) -> None:
    aggregates = [uuid.uuid4() for _ in range(AGGREGATES)]
    with conn.cursor().copy(
        "COPY catalog.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload) FROM STDIN"
    ) as copy:
        for index in range(rows):
            copy.write_row((uuid.uuid4(), "video", aggregates[index % AGGREGATES], "catalog.video.updated", b"x"))


def test_a_claim_after_a_bulk_load_walks_the_claim_order_index(fresh_database: str) -> None:
    migrate(fresh_database)
    store = OutboxStore("catalog")
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE catalog.outbox_events")  # statistics of an empty table
        bulk_load(conn, ROWS)
    with psycopg.connect(fresh_database) as conn:
        plan = store.explain_claim(conn, limit=200)
        conn.rollback()
        started = time.perf_counter()
        claimed = store.claim(conn, lock_token="bench", limit=200, lock_ttl=timedelta(seconds=10))
        elapsed = time.perf_counter() - started
        conn.rollback()
    print(f"claim of 200 out of {ROWS} rows loaded without ANALYZE: {elapsed * 1000:.0f} ms")
    assert len(claimed) == 200
    assert "claim_order_idx" in plan and "Sort" not in plan and "Seq Scan" not in plan and "Bitmap" not in plan, (
        f"the claim must walk the claim-order index and stop at its LIMIT; the plan is:\n{plan}"
    )


def test_a_burst_after_a_published_history_probes_the_aggregate_index_per_candidate(fresh_database: str) -> None:
    migrate(fresh_database)
    store = OutboxStore("catalog")
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        bulk_load(conn, 10_000)
        conn.execute("UPDATE catalog.outbox_events SET published_at = now()")
        conn.execute("ANALYZE catalog.outbox_events")  # statistics: no row is open
        conn.execute("TRUNCATE catalog.outbox_events")  # keeps those statistics
        bulk_load(conn, ROWS)
    with psycopg.connect(fresh_database) as conn:
        plan = store.explain_claim(conn, limit=200)
        conn.rollback()
        started = time.perf_counter()
        claimed = store.claim(conn, lock_token="bench", limit=200, lock_ttl=timedelta(seconds=10))
        elapsed = time.perf_counter() - started
        conn.rollback()
    print(f"claim of 200 out of {ROWS} rows after a published history: {elapsed * 1000:.0f} ms")
    assert len(claimed) == 200
    probe = plan.split("aggregate_open_idx", 1)[-1].splitlines()[1:2]
    assert "Join" not in plan and probe and "Index Cond: (aggregate_id = " in probe[0], (
        f"the head-of-line check must be one (aggregate_id, seq) index probe per candidate; the plan is:\n{plan}"
    )
