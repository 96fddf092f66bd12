"""Catalog lifecycle use cases (seed 001, upstream.md §1.3): register a video and move it through processing.

Every update locks the video row, checks ``expected_version`` against it (atomic with the write,
unlike upstream's read-then-write), applies the change, recomputes the overall status, bumps the
version, and — when a field consumers see changed — enqueues ``catalog.video.updated`` with only
those fields, then the milestone events of the change (``media_ready``, ``ai_enriched``,
``processing_failed``; ``visibility_changed`` for the visibility actions), all in one transaction.

Visibility actions (contracts lifecycle.proto): publish ready → published (public); reject
processing | ready | published → rejected (private); override the visibility of a ready or
published video. Anything else is ABORTED with ERROR_REASON_STATUS_TRANSITION_INVALID.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from reference_impl import defects
from reference_impl.adapters.outbox import OutboxStore
from reference_impl.domain import video_events
from reference_impl.domain.errors import Conflict, InvalidArgument, NotFound
from reference_impl.domain.video_status import STAGE_STATUSES, overall_status

VIDEO_NOT_FOUND = "ERROR_REASON_VIDEO_NOT_FOUND"
VIDEO_UPDATE_INVALID = "ERROR_REASON_VIDEO_UPDATE_INVALID"
STATUS_TRANSITION_INVALID = "ERROR_REASON_STATUS_TRANSITION_INVALID"
NO_EVENT = "00000000-0000-0000-0000-000000000000"
#: columns whose changes consumers see in catalog.video.updated (column → VideoUpdated field)
EVENT_FIELDS = {
    "title": "title",
    "description": "description",
    "status": "status",
    "media_status": "media_status",
    "analysis_status": "analysis_status",
    "duration_micros": "duration_micros",
    "thumbnail_url": "thumbnail_url",
    "hls_master_playlist": "hls_master_playlist",
    "difficulty": "difficulty",
    "summary": "summary",
    "tags": "tags",
    "raw_subtitle_url": "raw_subtitle_url",
    "visibility_status": "visibility_status",
    "publish_at": "published_at",
}
_OUTBOX = OutboxStore("catalog")


@dataclass(frozen=True)
class Revision:
    """What a change left: the video's new state and the event it produced (or the nil id)."""

    video_id: str
    status: str
    media_status: str
    analysis_status: str
    version: int
    updated_at: datetime
    event_id: str
    occurred_at: datetime
    visibility_status: str = "public"


Mutation = Callable[[dict[str, Any]], dict[str, Any]]
#: the further events of a change, given the row before and after it
Announcement = Callable[[dict[str, Any], dict[str, Any]], list[video_events.NewEvent]]


def register_upload(
    pool: ConnectionPool, *, uploader_id: str, title: str, description: str | None, raw_file_reference: str
) -> Revision:
    """Create a video in ``pending_upload`` at version 1 and enqueue ``catalog.video.created``."""
    with pool.connection() as conn, conn.transaction():
        row = conn.cursor(row_factory=dict_row).execute(
            "INSERT INTO catalog.videos (upload_user_id, title, description, raw_file_reference)"
            " VALUES (%s, %s, %s, %s) RETURNING *",
            (uploader_id, title, description, raw_file_reference),
        ).fetchone()
        assert row is not None
        event = video_events.video_created(
            video_id=row["video_id"],
            uploader_id=row["upload_user_id"],
            title=row["title"],
            description=row["description"],
            status=row["status"],
            media_status=row["media_status"],
            analysis_status=row["analysis_status"],
            version=row["version"],
            occurred_at=row["created_at"],
        )
        _OUTBOX.enqueue(conn, event)
    return _revision(row, str(event.event_id), row["created_at"])


def update_video(
    pool: ConnectionPool, video_id: str, expected_version: int | None, mutate: Mutation, announce: Announcement | None = None
) -> Revision:
    """Apply ``mutate`` (row → changed columns, may raise) to a locked video and record the change.

    ``announce`` names the events beside ``updated`` (default: the stage milestones).

    Raises:
        NotFound: no such video.
        Conflict: ``expected_version`` is not the current version, or ``mutate`` refused.
    """
    with pool.connection() as conn, conn.transaction():
        row = _locked(conn, video_id)
        version_checked = not defects.active("lifecycle-ignores-expected-version")
        if version_checked and expected_version is not None and row["version"] != expected_version:
            msg = f"version conflict: expected {expected_version}, the video is at {row['version']}"
            raise Conflict(VIDEO_UPDATE_INVALID, msg)
        changes = mutate(row)
        updated = _write(conn, video_id, changes)
        visible = {
            field: video_events.rfc3339(updated[column]) if isinstance(updated[column], datetime) else updated[column]
            for column, field in EVENT_FIELDS.items()
            if column in changes and updated[column] != row[column] and updated[column] not in (None, [])
        }
        if not visible:
            return _revision(updated, NO_EVENT, updated["updated_at"])
        event = video_events.video_updated(
            video_id=updated["video_id"], version=updated["version"], occurred_at=updated["updated_at"], **visible
        )
        _OUTBOX.enqueue(conn, event)
        further = (announce or _milestones)(row, updated)
        for milestone in further:
            _OUTBOX.enqueue(conn, milestone)
    return _revision(updated, str(event.event_id), updated["updated_at"])


def _milestones(before: dict[str, Any], after: dict[str, Any]) -> list[video_events.NewEvent]:
    if defects.active("lifecycle-no-stage-events"):
        return []
    return video_events.milestones(before, after)


def stage_change(
    stage: str, new_status: str, job_id: str, emitted_at: datetime, expected_status: str | None, error: str | None
) -> Mutation:
    """The mutation of UpdateProcessingStatus for ``stage`` (``media`` or ``analysis``)."""
    new_status = stage_status(new_status, "new_status")

    def mutate(row: dict[str, Any]) -> dict[str, Any]:
        current, stored_at, stored_job = row[f"{stage}_status"], row[f"{stage}_emitted_at"], row[f"{stage}_job_id"]
        if expected_status is not None and stage_status(expected_status, "expected_status") != current:
            raise Conflict(VIDEO_UPDATE_INVALID, f"stage status conflict: {stage} is {current}, not {expected_status}")
        if stored_at is not None and emitted_at < stored_at and not defects.active("lifecycle-accepts-stale-reports"):
            raise Conflict(VIDEO_UPDATE_INVALID, f"stale emitted_at: {stage} was last changed at {stored_at.isoformat()}")
        if stored_job is not None and job_id != stored_job and stored_at is not None and emitted_at <= stored_at:
            raise Conflict(VIDEO_UPDATE_INVALID, f"job_id conflict: {stage} belongs to job {stored_job}")
        changes: dict[str, Any] = {f"{stage}_status": new_status, f"{stage}_job_id": job_id, f"{stage}_emitted_at": emitted_at}
        if new_status == "failed" and error is not None:
            changes["error_message"] = error
        return with_overall_status(row, changes, latest=new_status)

    return mutate


def with_overall_status(row: dict[str, Any], changes: dict[str, Any], latest: str | None) -> dict[str, Any]:
    """``changes`` plus the overall status they lead to."""
    media = changes.get("media_status", row["media_status"])
    analysis = changes.get("analysis_status", row["analysis_status"])
    return {**changes, "status": overall_status(row["status"], media, analysis, latest)}


def archive(reason: str | None) -> Mutation:
    """The mutation of ArchiveVideo."""

    def mutate(row: dict[str, Any]) -> dict[str, Any]:
        if row["status"] == "archived":
            raise Conflict(VIDEO_UPDATE_INVALID, "status already applied: the video is archived")
        return {"status": "archived", "visibility_status": "private", "error_message": reason}

    return mutate


def publish() -> Mutation:
    """The mutation of PublishVideo: ready → published, public, published now."""

    def mutate(row: dict[str, Any]) -> dict[str, Any]:
        if row["status"] != "ready" and not defects.active("visibility-publishes-any-status"):
            raise Conflict(STATUS_TRANSITION_INVALID, f"only a ready video can be published; this one is {row['status']}")
        return {"status": "published", "visibility_status": "public", "publish_at": datetime.now(UTC)}

    return mutate


def reject(reason: str) -> Mutation:
    """The mutation of RejectVideo: processing | ready | published → rejected, private."""

    def mutate(row: dict[str, Any]) -> dict[str, Any]:
        if row["status"] not in ("processing", "ready", "published"):
            msg = f"only a processing, ready or published video can be rejected; this one is {row['status']}"
            raise Conflict(STATUS_TRANSITION_INVALID, msg)
        return {"status": "rejected", "visibility_status": "private", "error_message": reason}

    return mutate


def override_visibility(visibility: str) -> Mutation:
    """The mutation of OverrideVisibility: another visibility for a ready or published video."""

    def mutate(row: dict[str, Any]) -> dict[str, Any]:
        if row["status"] not in ("ready", "published"):
            msg = f"only a ready or published video's visibility can be overridden; this one is {row['status']}"
            raise Conflict(STATUS_TRANSITION_INVALID, msg)
        if row["visibility_status"] == visibility:
            raise Conflict(STATUS_TRANSITION_INVALID, f"the video is {visibility} already")
        return {"visibility_status": visibility}

    return mutate


def visibility_announcement(reason: str | None) -> Announcement:
    """A visibility action's events beside ``updated``: ``visibility_changed`` (and any stage milestone)."""

    def announce(before: dict[str, Any], after: dict[str, Any]) -> list[video_events.NewEvent]:
        return [video_events.visibility_changed(before, after, reason)]

    return announce


def stage_status(value: str, field: str) -> str:
    """A stage status as stored (lower case), or ``InvalidArgument`` naming ``field``."""
    normalized = value.strip().lower()
    if normalized not in STAGE_STATUSES:
        raise InvalidArgument(VIDEO_UPDATE_INVALID, f"{field} must be one of {list(STAGE_STATUSES)}, got {value!r}")
    return normalized


def _locked(conn: psycopg.Connection, video_id: str) -> dict[str, Any]:
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT *, status::text AS status, media_status::text AS media_status,"
        " analysis_status::text AS analysis_status FROM catalog.videos WHERE video_id = %s FOR UPDATE",
        (video_id,),
    ).fetchone()
    if row is None:
        raise NotFound(VIDEO_NOT_FOUND, f"no video {video_id}")
    return row


def _write(conn: psycopg.Connection, video_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    assignments = [sql.SQL("version = version + 1")]
    for column in changes:
        cast = {"status": "catalog.video_status", "media_status": "catalog.stage_status",
                "analysis_status": "catalog.stage_status"}.get(column)
        value = sql.Placeholder(column) if cast is None else sql.SQL("{}::{}").format(sql.Placeholder(column), sql.SQL(cast))
        assignments.append(sql.SQL("{} = {}").format(sql.Identifier(column), value))
    statement = sql.SQL(
        "UPDATE catalog.videos SET {} WHERE video_id = {} RETURNING *, status::text AS status,"
        " media_status::text AS media_status, analysis_status::text AS analysis_status"
    ).format(sql.SQL(", ").join(assignments), sql.Placeholder("video_id"))
    row = conn.cursor(row_factory=dict_row).execute(statement, {**changes, "video_id": video_id}).fetchone()
    assert row is not None
    return row


def _revision(row: dict[str, Any], event_id: str, occurred_at: datetime) -> Revision:
    return Revision(
        video_id=str(row["video_id"]),
        status=row["status"],
        media_status=row["media_status"],
        analysis_status=row["analysis_status"],
        version=row["version"],
        updated_at=row["updated_at"],
        event_id=event_id,
        occurred_at=occurred_at,
        visibility_status=row["visibility_status"],
    )
