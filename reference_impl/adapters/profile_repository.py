"""SQL of the profile schema (contracts/sql/profile.sql): users, engagements, watch logs, stats.

Every function runs in the caller's transaction. Changes that race are decided by one statement
each — a version-guarded ``UPDATE``, an ``INSERT … ON CONFLICT`` that reports whether it flipped
anything — so no read-then-write window exists for two requests to slip through together.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

Row = dict[str, Any]
_INT64_MAX = 2**63 - 1

_PROJECTION_COLUMNS = """
    p.video_id AS p_video_id, p.title AS p_title, p.description AS p_description,
    p.duration_micros AS p_duration_micros, p.thumbnail_url AS p_thumbnail_url,
    p.hls_master_playlist AS p_hls_master_playlist, p.status AS p_status,
    p.visibility_status AS p_visibility_status, p.published_at AS p_published_at,
    p.version AS p_version, p.updated_at AS p_updated_at
"""


def _one(conn: psycopg.Connection, query: str, params: Any = None) -> Row | None:
    return conn.cursor(row_factory=dict_row).execute(query, params).fetchone()


def _all(conn: psycopg.Connection, query: str, params: Any = None) -> list[Row]:
    return conn.cursor(row_factory=dict_row).execute(query, params).fetchall()


# -- users --------------------------------------------------------------------------------------


def get_user(conn: psycopg.Connection, user_id: uuid.UUID) -> Row | None:
    """The profile row, or None."""
    return _one(conn, "SELECT * FROM profile.users WHERE user_id = %s", (user_id,))


def insert_user(
    conn: psycopg.Connection, user_id: uuid.UUID, display_name: str, avatar_url: str, preferences: dict
) -> Row | None:
    """Create the profile at version 1; None when one appeared meanwhile."""
    return _one(
        conn,
        "INSERT INTO profile.users (user_id, display_name, avatar_url, preferences_json) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (user_id) DO NOTHING RETURNING *",
        (user_id, display_name, avatar_url, Jsonb(preferences)),
    )


def update_user_at_version(
    conn: psycopg.Connection, user_id: uuid.UUID, version: int, display_name: str, avatar_url: str, preferences: dict
) -> Row | None:
    """Write the profile only if it is still at ``version`` (compare-and-set); None otherwise."""
    return _one(
        conn,
        "UPDATE profile.users SET display_name = %s, avatar_url = %s, preferences_json = %s,"
        " profile_version = profile_version + 1 WHERE user_id = %s AND profile_version = %s RETURNING *",
        (display_name, avatar_url, Jsonb(preferences), user_id, version),
    )


# -- engagements and stats ----------------------------------------------------------------------


def add_engagement(conn: psycopg.Connection, user_id: uuid.UUID, video_id: uuid.UUID, kind: str) -> bool:
    """Make the like/bookmark active; True only if it was not (a real flip)."""
    row = conn.execute(
        "INSERT INTO profile.engagements AS e (user_id, video_id, engagement_type) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id, video_id, engagement_type) DO UPDATE"
        " SET deleted_at = NULL, created_at = now() WHERE e.deleted_at IS NOT NULL RETURNING 1",
        (user_id, video_id, kind),
    ).fetchone()
    return row is not None


def remove_engagement(conn: psycopg.Connection, user_id: uuid.UUID, video_id: uuid.UUID, kind: str) -> bool:
    """Make the like/bookmark inactive; True only if it was active (a real flip)."""
    row = conn.execute(
        "UPDATE profile.engagements SET deleted_at = now()"
        " WHERE user_id = %s AND video_id = %s AND engagement_type = %s AND deleted_at IS NULL RETURNING 1",
        (user_id, video_id, kind),
    ).fetchone()
    return row is not None


def change_stats(
    conn: psycopg.Connection, video_id: uuid.UUID, *, likes: int = 0, bookmarks: int = 0, watchers: int = 0,
    seconds: int = 0,
) -> Row:
    """Add the deltas to the video's counters (floored at zero) and return the row."""
    row = _one(
        conn,
        "INSERT INTO profile.video_stats AS s (video_id, like_count, bookmark_count, unique_watchers,"
        " total_watch_seconds) VALUES (%(v)s, greatest(%(l)s, 0), greatest(%(b)s, 0), greatest(%(w)s, 0),"
        " greatest(%(t)s, 0))"
        " ON CONFLICT (video_id) DO UPDATE SET like_count = greatest(s.like_count + %(l)s, 0),"
        " bookmark_count = greatest(s.bookmark_count + %(b)s, 0),"
        " unique_watchers = greatest(s.unique_watchers + %(w)s, 0),"
        # Clients report int64 totals; their sum saturates instead of overflowing bigint.
        " total_watch_seconds = least(greatest(s.total_watch_seconds::numeric + %(t)s, 0), %(max)s)::bigint"
        " RETURNING *",
        {"v": video_id, "l": likes, "b": bookmarks, "w": watchers, "t": seconds, "max": _INT64_MAX},
    )
    assert row is not None
    return row


def get_stats(conn: psycopg.Connection, video_ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    """Counters of the videos that have any."""
    rows = _all(conn, "SELECT * FROM profile.video_stats WHERE video_id = ANY(%s)", (video_ids,))
    return {row["video_id"]: row for row in rows}


def favorite_states(
    conn: psycopg.Connection, user_id: uuid.UUID, video_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, datetime]]:
    """For each video with an active like/bookmark of the user: kind → since when."""
    rows = _all(
        conn,
        "SELECT video_id, engagement_type, created_at FROM profile.engagements"
        " WHERE user_id = %s AND video_id = ANY(%s) AND deleted_at IS NULL",
        (user_id, video_ids),
    )
    states: dict[uuid.UUID, dict[str, datetime]] = {}
    for row in rows:
        states.setdefault(row["video_id"], {})[row["engagement_type"]] = row["created_at"]
    return states


def list_favorites(conn: psycopg.Connection, user_id: uuid.UUID, after: tuple | None, limit: int) -> list[Row]:
    """Active likes/bookmarks newest first, keyset-paged after ``(created_at, video_id, kind)``."""
    return _all(
        conn,
        f"SELECT e.video_id, e.engagement_type, e.created_at, e.updated_at, {_PROJECTION_COLUMNS}"
        " FROM profile.engagements e LEFT JOIN profile.videos_projection p ON p.video_id = e.video_id"
        " WHERE e.user_id = %(u)s AND e.deleted_at IS NULL"
        " AND (%(c)s::timestamptz IS NULL OR (e.created_at, e.video_id, e.engagement_type) < (%(c)s, %(v)s, %(k)s))"
        " ORDER BY e.created_at DESC, e.video_id DESC, e.engagement_type DESC LIMIT %(n)s",
        {"u": user_id, "c": after[0] if after else None, "v": after[1] if after else None,
         "k": after[2] if after else None, "n": limit},
    )


# -- watch logs ---------------------------------------------------------------------------------


def lock_watch_log(conn: psycopg.Connection, user_id: uuid.UUID, video_id: uuid.UUID) -> Row | None:
    """The (user, video) watch log locked for this transaction, or None when there is none yet.

    A first report inserts a placeholder row (total 0, nothing emitted) so that concurrent first
    reports queue on one row lock instead of both inserting.
    """
    inserted = conn.execute(
        "INSERT INTO profile.watch_logs (user_id, video_id, position_seconds, progress_ratio)"
        " VALUES (%s, %s, 0, 0) ON CONFLICT (user_id, video_id) DO NOTHING RETURNING 1",
        (user_id, video_id),
    ).fetchone()
    row = _one(
        conn, "SELECT * FROM profile.watch_logs WHERE user_id = %s AND video_id = %s FOR UPDATE", (user_id, video_id)
    )
    return None if inserted else row


def save_watch_log(
    conn: psycopg.Connection, user_id: uuid.UUID, video_id: uuid.UUID, *, position_seconds: int,
    progress_ratio: Decimal, total_watch_seconds: int, last_emitted_ratio: Decimal | None, retention: timedelta,
) -> Row:
    """Store one report (last watched now, expiry ``retention`` later) and return the row."""
    row = _one(
        conn,
        "UPDATE profile.watch_logs SET position_seconds = %s, progress_ratio = %s, total_watch_seconds = %s,"
        " last_emitted_ratio = %s, last_watched_at = now(), expires_at = now() + %s"
        " WHERE user_id = %s AND video_id = %s RETURNING *",
        (position_seconds, progress_ratio, total_watch_seconds, last_emitted_ratio, retention, user_id, video_id),
    )
    assert row is not None
    return row


def list_history(conn: psycopg.Connection, user_id: uuid.UUID, after: tuple | None, limit: int) -> list[Row]:
    """Watch logs most recently watched first, keyset-paged after ``(last_watched_at, video_id)``."""
    return _all(
        conn,
        f"SELECT w.*, {_PROJECTION_COLUMNS}"
        " FROM profile.watch_logs w LEFT JOIN profile.videos_projection p ON p.video_id = w.video_id"
        " WHERE w.user_id = %(u)s AND w.redacted_at IS NULL"
        " AND (%(t)s::timestamptz IS NULL OR (w.last_watched_at, w.video_id) < (%(t)s, %(v)s))"
        " ORDER BY w.last_watched_at DESC, w.video_id DESC LIMIT %(n)s",
        {"u": user_id, "t": after[0] if after else None, "v": after[1] if after else None, "n": limit},
    )


# -- purge --------------------------------------------------------------------------------------


def purge_user(conn: psycopg.Connection, user_id: uuid.UUID) -> tuple[list[Row], list[Row]]:
    """Delete the user's profile, engagements and watch logs.

    Returns:
        The active engagements and the watch logs that were deleted, so counters can be adjusted.
    """
    engagements = _all(
        conn,
        "DELETE FROM profile.engagements WHERE user_id = %s RETURNING video_id, engagement_type, deleted_at",
        (user_id,),
    )
    watch_logs = _all(
        conn,
        "DELETE FROM profile.watch_logs WHERE user_id = %s RETURNING video_id, total_watch_seconds, last_emitted_ratio",
        (user_id,),
    )
    conn.execute("DELETE FROM profile.users WHERE user_id = %s", (user_id,))
    return [e for e in engagements if e["deleted_at"] is None], watch_logs
