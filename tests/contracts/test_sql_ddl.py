"""contracts/sql: the reference database DDL applies cleanly and idempotently, and keeps upstream's shape.

Against a real PostgreSQL (the session server from ``fixtures.postgres``, PostgreSQL 18 when
embedded) and, when a PostgreSQL server is installed on ``PATH`` (Debian's is 15), against that
one too. Checks: every script applies twice with an unchanged catalog of columns, indexes,
constraints and triggers; the outbox/inbox template gives identically shaped tables for
``catalog`` and ``profile``; its columns are upstream's plus the documented additions; upstream
lingo-utils' own queries run against it; the enum labels agree with the event schemas; unsafe
schema names are refused.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from contracts import schemas
from contracts.sql import SERVICE_SCHEMAS, migration_scripts, render_outbox_inbox

# upstream.md §2.1 / §3.1: lingo-utils v0.1.5 outbox_inbox_ddl.sql.tmpl, column by column.
UPSTREAM_OUTBOX_COLUMNS = [
    "event_id", "aggregate_type", "aggregate_id", "event_type", "payload", "headers", "occurred_at",
    "available_at", "published_at", "delivery_attempts", "last_error", "lock_token", "locked_at",
]  # fmt: skip
UPSTREAM_INBOX_COLUMNS = [
    "event_id", "source_service", "event_type", "aggregate_type", "aggregate_id", "payload",
    "received_at", "processed_at", "last_error",
]  # fmt: skip
OUR_OUTBOX_ADDITIONS = ["parked_at", "seq", "unpublishable"]


def _apply_all(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, script in migration_scripts():
            try:
                conn.execute(script)
            except psycopg.Error as exc:
                msg = f"contracts/sql script {name} failed on {conn.info.server_version}: {exc}"
                raise AssertionError(msg) from exc


def _snapshot(dsn: str, schemas_: tuple[str, ...] = SERVICE_SCHEMAS) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(dsn) as conn:
        names = list(schemas_)
        return {
            "columns": conn.execute(
                """select table_schema, table_name, ordinal_position, column_name, data_type, udt_name,
                          is_nullable, column_default, is_identity, identity_generation
                   from information_schema.columns where table_schema = any(%s)
                   order by 1, 2, 3""",
                (names,),
            ).fetchall(),
            "indexes": conn.execute(
                "select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname = any(%s) order by 1, 2, 3",
                (names,),
            ).fetchall(),
            "constraints": conn.execute(
                """select n.nspname, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                   from pg_constraint c join pg_namespace n on n.oid = c.connamespace
                   where n.nspname = any(%s) order by 1, 2, 3""",
                (names,),
            ).fetchall(),
            "triggers": conn.execute(
                """select event_object_schema, event_object_table, trigger_name, action_timing, event_manipulation
                   from information_schema.triggers where event_object_schema = any(%s) order by 1, 2, 3, 5""",
                (names,),
            ).fetchall(),
        }


@pytest.fixture
def migrated(fresh_database: str) -> str:
    """A fresh database with every script applied once."""
    _apply_all(fresh_database)
    return fresh_database


def test_scripts_apply_twice_without_changing_anything(migrated: str) -> None:
    first = _snapshot(migrated)
    assert first["columns"], "expected tables in the catalog and profile schemas after applying the scripts"
    _apply_all(migrated)
    second = _snapshot(migrated)
    for kind in first:
        assert first[kind] == second[kind], f"applying contracts/sql a second time changed the {kind}; every statement must be idempotent"


def test_every_expected_table_exists(migrated: str) -> None:
    expected = {
        ("catalog", t) for t in ("videos", "uploads", "video_user_engagements_projection", "video_engagement_stats_projection",
                                  "video_engagement_watchers", "idempotency_keys", "outbox_events", "inbox_events")
    } | {
        ("profile", t) for t in ("users", "engagements", "watch_logs", "videos_projection", "video_stats", "outbox_events", "inbox_events")
    }  # fmt: skip
    with psycopg.connect(migrated) as conn:
        found = set(conn.execute("select table_schema, table_name from information_schema.tables where table_schema = any(%s)", (list(SERVICE_SCHEMAS),)).fetchall())
    assert found == expected, f"missing {sorted(expected - found)}, unexpected {sorted(found - expected)}"


def _shape(snapshot: dict[str, list[tuple[Any, ...]]], schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """The outbox/inbox part of a snapshot with the schema name taken out, so two schemas compare."""
    tables = {"outbox_events", "inbox_events"}

    def neutral(value: Any) -> Any:
        return value.replace(f"{schema}.", "<schema>.").replace(f"{schema}_", "<schema>_") if isinstance(value, str) else value

    return {
        kind: sorted(tuple(neutral(v) for v in row[1:]) for row in rows if row[0] == schema and row[1].split(".")[-1] in tables)
        for kind, rows in snapshot.items()
    }


def test_template_gives_identical_tables_in_catalog_and_profile(migrated: str) -> None:
    snapshot = _snapshot(migrated)
    catalog, profile = _shape(snapshot, "catalog"), _shape(snapshot, "profile")
    assert catalog["columns"] and catalog["indexes"], "expected outbox/inbox columns and indexes in schema catalog"
    for kind in catalog:
        assert catalog[kind] == profile[kind], f"outbox/inbox {kind} differ between catalog and profile:\n{catalog[kind]}\n!=\n{profile[kind]}"


def test_template_renders_for_any_valid_schema_the_same_shape(fresh_database: str) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        for schema in ("catalog", "ct_other_service"):
            conn.execute(render_outbox_inbox(schema))
    snapshot = _snapshot(fresh_database, ("catalog", "ct_other_service"))
    assert _shape(snapshot, "catalog") == _shape(snapshot, "ct_other_service")


def test_columns_are_upstreams_plus_documented_additions(migrated: str) -> None:
    with psycopg.connect(migrated) as conn:
        rows = conn.execute(
            """select table_name, column_name, is_nullable, column_default, is_identity
               from information_schema.columns where table_schema = 'catalog' and table_name in ('outbox_events', 'inbox_events')
               order by table_name, ordinal_position"""
        ).fetchall()
    outbox = [r for r in rows if r[0] == "outbox_events"]
    inbox = [r[1] for r in rows if r[0] == "inbox_events"]
    assert [r[1] for r in outbox] == UPSTREAM_OUTBOX_COLUMNS + OUR_OUTBOX_ADDITIONS, (
        "outbox_events must keep upstream's columns in upstream's order, then only the additions documented in the template"
    )
    assert inbox == UPSTREAM_INBOX_COLUMNS, "inbox_events must have exactly upstream's columns"
    for _, column, nullable, default, identity in outbox[len(UPSTREAM_OUTBOX_COLUMNS) :]:
        assert nullable == "YES" or default is not None or identity == "YES", (
            f"addition {column} must be nullable or defaulted, or upstream INSERTs (which do not name it) fail"
        )


def test_upstream_lingo_utils_queries_run_against_the_template(migrated: str) -> None:
    """upstream.md §2.2, verbatim apart from whitespace: a real lingo-utils relay works on these tables."""
    event_id, aggregate_id, lock = uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())
    with psycopg.connect(migrated, autocommit=True) as conn:
        conn.execute("set search_path to catalog, public")
        inserted = conn.execute(
            """INSERT INTO outbox_events (event_id, aggregate_type, aggregate_id, event_type, payload, headers, available_at)
               VALUES (%s, %s, %s, %s, %s, %s, now())
               RETURNING event_id, aggregate_type, aggregate_id, event_type, payload, headers, occurred_at, available_at,
                         published_at, delivery_attempts, last_error""",
            (event_id, "video", aggregate_id, "catalog.video.created", b"\x0a\x01x", '{"schema_version": "v1"}'),
        ).fetchone()
        assert inserted is not None and inserted[9] == 0
        claimed = conn.execute(
            """WITH candidates AS (
                   SELECT o.event_id FROM outbox_events o
                   WHERE o.published_at IS NULL AND o.available_at <= now() AND (o.lock_token IS NULL OR o.locked_at <= %s)
                   ORDER BY o.available_at FOR UPDATE SKIP LOCKED LIMIT %s)
               UPDATE outbox_events AS o SET lock_token = %s, locked_at = now()
               FROM candidates WHERE o.event_id = candidates.event_id
               RETURNING o.event_id, o.lock_token, o.seq""",
            ("-infinity", 10, lock),
        ).fetchall()
        assert [(r[0], r[1]) for r in claimed] == [(event_id, lock)]
        assert claimed[0][2] is not None, "seq must be filled for an INSERT that does not name it"
        marked = conn.execute(
            """UPDATE outbox_events SET published_at = now(), delivery_attempts = delivery_attempts + 1,
                      last_error = NULL, lock_token = NULL, locked_at = NULL
               WHERE event_id = %s AND lock_token = %s""",
            (event_id, lock),
        )
        assert marked.rowcount == 1
        conn.execute(
            """INSERT INTO inbox_events (event_id, source_service, event_type, aggregate_type, aggregate_id, payload)
               VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING""",
            (event_id, "profile", "profile.engagement.added", "profile.engagement", str(aggregate_id), b"x"),
        )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE outbox_events SET delivery_attempts = -1 WHERE event_id = %s", (event_id,))


def test_videos_accept_any_uploader_and_defaults_hold(migrated: str) -> None:
    """No FK to auth.users: the reference creates videos for fresh random user ids."""
    with psycopg.connect(migrated, autocommit=True) as conn:
        row = conn.execute(
            """insert into catalog.videos (upload_user_id, title, raw_file_reference)
               values (%s, 'ct-run42 title', 'gs://b/raw_videos/u/v')
               returning status::text, media_status::text, analysis_status::text, version, visibility_status""",
            (uuid.uuid4(),),
        ).fetchone()
        assert row == ("pending_upload", "pending", "pending", 1, "public")
        before = conn.execute("select updated_at from catalog.videos").fetchone()
        conn.execute("update catalog.videos set title = 'renamed'")
        after = conn.execute("select updated_at from catalog.videos").fetchone()
        assert after[0] >= before[0], "the updated_at trigger must be installed"


def test_enum_labels_agree_with_the_event_schema(migrated: str) -> None:
    event = schemas.load_schema("video/v1/event")["$defs"]
    with psycopg.connect(migrated) as conn:
        for type_name, definition in (("video_status", "VideoStatus"), ("stage_status", "StageStatus")):
            labels = [r[0] for r in conn.execute(f"select unnest(enum_range(null::catalog.{type_name}))::text").fetchall()]
            assert labels == event[definition]["enum"], f"catalog.{type_name} labels {labels} differ from video/v1/event $defs/{definition}"


@pytest.mark.parametrize(
    "schema",
    ["Catalog", "cat-alog", "catalog; drop table x", "1catalog", "", "pg_catalog", "a" * 31, "catalog\n"],
)
def test_unsafe_schema_names_are_refused(schema: str) -> None:
    with pytest.raises(ValueError, match="schema name"):
        render_outbox_inbox(schema)


def test_migration_scripts_order() -> None:
    names = [name for name, _ in migration_scripts()]
    assert names == ["catalog.sql", "outbox_inbox.sql.tmpl[catalog]", "profile.sql", "outbox_inbox.sql.tmpl[profile]"]


# -- a second PostgreSQL major version -------------------------------------------------------------


@contextlib.contextmanager
def _server_from_path() -> Iterator[str]:
    """Start a throw-away server from the initdb/pg_ctl on PATH; yield its DSN (Unix socket only)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("no initdb/pg_ctl on PATH; install a PostgreSQL server (e.g. Debian's, 15) to check a second major version")
    root = Path(tempfile.mkdtemp(prefix="lingo-pg-path-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root; the data directory belongs to an unprivileged account instead.
        run_as = ["runuser", "-u", "nobody", "--"]
        os.chown(root, pwd.getpwnam("nobody").pw_uid, -1)
    data = root / "data"

    def run(*args: str | Path) -> None:
        done = subprocess.run([*run_as, *map(str, args)], capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            msg = f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            raise AssertionError(msg)

    try:
        run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "utf8", "--no-sync")
        run(pg_ctl, "-D", data, "-w", "-t", "30", "-l", root / "server.log", "-o", f"-h '' -k {root} -c fsync=off", "start")
        try:
            yield f"postgresql://postgres@/postgres?host={root}"
        finally:
            run(pg_ctl, "-D", data, "-w", "-m", "fast", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_scripts_apply_twice_on_the_postgres_on_path(postgres_dsn: str) -> None:
    with _server_from_path() as dsn:
        with psycopg.connect(dsn) as conn, psycopg.connect(postgres_dsn) as session_conn:
            versions = (conn.info.server_version // 10000, session_conn.info.server_version // 10000)
        _apply_all(dsn)
        first = _snapshot(dsn)
        _apply_all(dsn)
        assert _snapshot(dsn) == first, f"applying twice on PostgreSQL {versions[0]} changed the catalog"
    print(f"applied on PostgreSQL {versions[0]} (session server: {versions[1]})")
