"""The operator tool ``python -m reference_impl.redrive``: which outbox events it makes due again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from reference_impl import redrive
from reference_impl.adapters.migrations import migrate
from reference_impl.adapters.outbox import NewEvent, OutboxStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def database(fresh_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    migrate(fresh_database)
    monkeypatch.setenv("DATABASE_URL", fresh_database)
    yield fresh_database


def add(database: str, aggregate: uuid.UUID, minute: int, *, parked: bool, published: bool) -> uuid.UUID:
    event_id = uuid.uuid4()
    with psycopg.connect(database) as conn:
        OutboxStore("catalog").enqueue(
            conn, NewEvent(event_id, "video", aggregate, "catalog.video.updated", b"x", {"event_id": str(event_id)})
        )
        conn.execute(
            "UPDATE catalog.outbox_events SET occurred_at = %s, parked_at = CASE WHEN %s THEN now() END,"
            " published_at = CASE WHEN %s THEN now() END, delivery_attempts = 3 WHERE event_id = %s",
            (T0 + timedelta(minutes=minute), parked, published, event_id),
        )
    return event_id


def due(database: str) -> set[uuid.UUID]:
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT event_id FROM catalog.outbox_events WHERE published_at IS NULL AND parked_at IS NULL"
            " AND delivery_attempts = 0"
        ).fetchall()
    return {r[0] for r in rows}


def test_an_aggregate_s_parked_events_are_made_due(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    parked_a = add(database, a, 1, parked=True, published=False)
    add(database, a, 2, parked=False, published=True)
    add(database, b, 3, parked=True, published=False)
    assert redrive.main(["--schema", "catalog", "--aggregate", str(a)]) == 0
    assert "re-drove 1 events" in capsys.readouterr().out
    assert due(database) == {parked_a}


def test_a_time_range_with_published_events_included(database: str) -> None:
    a = uuid.uuid4()
    add(database, a, 1, parked=False, published=True)
    inside = {add(database, a, 5, parked=False, published=True), add(database, a, 6, parked=True, published=False)}
    add(database, a, 10, parked=True, published=False)
    argv = ["--schema", "catalog", "--since", "2026-01-01T00:05:00Z", "--until", "2026-01-01T00:10:00Z"]
    assert redrive.main([*argv, "--include-published"]) == 0
    assert due(database) == inside


def test_a_selection_is_required_and_times_need_an_offset(database: str) -> None:
    with pytest.raises(SystemExit):
        redrive.main(["--schema", "catalog"])
    with pytest.raises(SystemExit):
        redrive.main(["--schema", "catalog", "--since", "2026-01-01T00:00:00"])
