"""Reference-only REST routes under ``/_reference/``: read-only views of the projections, fault switches.

The conformance suite reads projections the way a deployment serves them (catalog's
GetVideoDetail, the profile service's hydrated favourites) or from the contract's tables; it does
not use these read-model routes. They stay for a person inspecting the reference by hand (the
``read_models`` capability, which no deployment has).

- ``GET /_reference/read-models/profile/videos/{video_id}`` — the ``profile.videos_projection`` row.
- ``GET /_reference/read-models/catalog/engagement/{video_id}?user_id=`` — the stats row, and the
  user's flags and watcher row when ``user_id`` is given.
- ``POST /_reference/faults/projection-handlers`` ``{"fail_next": N, "event_type": "..."}`` — make
  the next N handler runs fail after their writes (only when the reference advertises ``faults``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

from reference_impl.entrypoints.projection_consumers import ProjectionFaults

PREFIX = "/_reference"


class HandlerFaultRequest(BaseModel):
    """Body of ``POST /_reference/faults/projection-handlers``."""

    fail_next: int
    event_type: str | None = None


def _json(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: (v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}


def _video_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise HTTPException(400, f"{text!r} is not a UUID video id") from None


def read_model_router(pool: ConnectionPool, faults: ProjectionFaults | None) -> APIRouter:
    """The routes; the fault route exists only when ``faults`` is given."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("/read-models/profile/videos/{video_id}")
    def profile_video(video_id: str) -> dict[str, Any]:
        with pool.connection() as conn:
            row = conn.cursor(row_factory=dict_row).execute(
                "SELECT video_id, title, description, duration_micros, thumbnail_url, hls_master_playlist, status,"
                " visibility_status, published_at, version FROM profile.videos_projection WHERE video_id = %s",
                (_video_id(video_id),),
            ).fetchone()
        if row is None:
            raise HTTPException(404, f"video {video_id} is not in profile.videos_projection")
        return _json(row)  # type: ignore[return-value]

    @router.get("/read-models/catalog/engagement/{video_id}")
    def catalog_engagement(video_id: str, user_id: str | None = None) -> dict[str, Any]:
        video = _video_id(video_id)
        with pool.connection() as conn:
            cursor = conn.cursor(row_factory=dict_row)
            stats = cursor.execute(
                "SELECT like_count, bookmark_count, watch_count, unique_watchers, first_watch_at, last_watch_at"
                " FROM catalog.video_engagement_stats_projection WHERE video_id = %s",
                (video,),
            ).fetchone()
            user = watcher = None
            if user_id is not None:
                user_uuid = _video_id(user_id)
                user = cursor.execute(
                    "SELECT has_liked, has_bookmarked, liked_occurred_at, bookmarked_occurred_at"
                    " FROM catalog.video_user_engagements_projection WHERE video_id = %s AND user_id = %s",
                    (video, user_uuid),
                ).fetchone()
                watcher = cursor.execute(
                    "SELECT first_watched_at, last_watched_at FROM catalog.video_engagement_watchers"
                    " WHERE video_id = %s AND user_id = %s",
                    (video, user_uuid),
                ).fetchone()
        return {"stats": _json(stats), "user": _json(user), "watcher": _json(watcher)}

    if faults is not None:

        @router.post("/faults/projection-handlers")
        def projection_handler_faults(body: HandlerFaultRequest) -> dict[str, Any]:
            faults.fail_next(body.fail_next, body.event_type)
            return {"ok": True}

    return router
