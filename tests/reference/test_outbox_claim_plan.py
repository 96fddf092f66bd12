"""The outbox claim after a bulk load into an emptied table: an ordered index walk, whatever the statistics.

A table analyzed while empty and then loaded with 100k rows looks empty to the planner; the claim
must still walk its claim-order index and stop after its batch instead of sorting every due row.
The plan is asserted; the claim's time is printed (never asserted).
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


def test_a_claim_after_a_bulk_load_walks_the_claim_order_index(fresh_database: str) -> None:
    migrate(fresh_database)
    store = OutboxStore("catalog")
    aggregates = [uuid.uuid4() for _ in range(AGGREGATES)]
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE catalog.outbox_events")  # statistics of an empty table
        with conn.cursor().copy(
            "COPY catalog.outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload) FROM STDIN"
        ) as copy:
            for index in range(ROWS):
                copy.write_row((uuid.uuid4(), "video", aggregates[index % AGGREGATES], "catalog.video.updated", b"x"))
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
