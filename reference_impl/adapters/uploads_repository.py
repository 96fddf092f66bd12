"""SQL of upload sessions (``catalog.uploads``) and of the videos an upload creates (``catalog.videos``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row


@dataclass(frozen=True)
class UploadSession:
    """One row of ``catalog.uploads``."""

    video_id: uuid.UUID
    user_id: uuid.UUID
    bucket: str
    object_name: str
    content_type: str | None
    content_md5: str
    title: str
    description: str
    status: str
    signed_url: str | None
    signed_url_expires_at: datetime | None
    error_code: str | None


_COLUMNS = (
    "video_id, user_id, bucket, object_name, content_type, content_md5, title, description, status,"
    " signed_url, signed_url_expires_at, error_code"
)


def reserve(
    conn: psycopg.Connection,
    *,
    new_video_id: uuid.UUID,
    user_id: uuid.UUID,
    bucket: str,
    content_type: str,
    expected_size: int,
    content_md5: str,
    title: str,
    description: str,
    distinct_per_call: bool = False,
) -> UploadSession | None:
    """Insert a session for (user, md5), or refresh the one that exists; lock it until commit.

    A completed session is left alone and ``None`` comes back. Concurrent callers for one
    (user, md5) queue on the row lock, so they all get the same video id and object.
    """
    row = conn.cursor(row_factory=dict_row).execute(
        f"""
        INSERT INTO catalog.uploads (video_id, user_id, bucket, object_name, content_type, expected_size,
                                     content_md5, title, description, status)
        VALUES (%(video_id)s, %(user_id)s, %(bucket)s, %(object_name)s, %(content_type)s, %(size)s,
                %(md5)s, %(title)s, %(description)s, 'uploading')
        ON CONFLICT (user_id, content_md5) DO UPDATE
           SET title = excluded.title, description = excluded.description, content_type = excluded.content_type,
               expected_size = excluded.expected_size, status = 'uploading'
         WHERE catalog.uploads.status <> 'completed'
        RETURNING {_COLUMNS}
        """,  # noqa: S608 - column list is a constant
        {
            "video_id": new_video_id,
            "user_id": user_id,
            "bucket": bucket,
            "object_name": f"raw_videos/{user_id}/{new_video_id}",
            "content_type": content_type,
            "size": expected_size,
            # The seeded defect "upload-new-session-per-call" makes every call's key unique.
            "md5": content_md5 if not distinct_per_call else new_video_id.hex,
            "title": title,
            "description": description,
        },
    ).fetchone()
    return UploadSession(**row) if row else None


def store_signed_url(conn: psycopg.Connection, video_id: uuid.UUID, url: str, expires_at: datetime) -> None:
    """Remember the URL handed out, so a repeated call within its lifetime gets the same one."""
    conn.execute(
        "UPDATE catalog.uploads SET signed_url = %s, signed_url_expires_at = %s WHERE video_id = %s",
        (url, expires_at, video_id),
    )


def find_by_object(conn: psycopg.Connection, bucket: str, object_name: str) -> UploadSession | None:
    """The session writing ``bucket/object_name``, locked until commit."""
    row = conn.cursor(row_factory=dict_row).execute(
        f"SELECT {_COLUMNS} FROM catalog.uploads WHERE bucket = %s AND object_name = %s FOR UPDATE",  # noqa: S608
        (bucket, object_name),
    ).fetchone()
    return UploadSession(**row) if row else None


def mark_failed(conn: psycopg.Connection, video_id: uuid.UUID, *, error_code: str, error_message: str) -> None:
    """The upload cannot complete as stored; a new Init may retry it."""
    conn.execute(
        "UPDATE catalog.uploads SET status = 'failed', error_code = %s, error_message = %s WHERE video_id = %s",
        (error_code, error_message, video_id),
    )


def mark_completed(
    conn: psycopg.Connection,
    video_id: uuid.UUID,
    *,
    size: int,
    generation: str,
    etag: str | None,
    md5_hex: str | None,
    crc32c: str | None,
) -> None:
    """Record the stored object's facts and close the session."""
    conn.execute(
        "UPDATE catalog.uploads SET status = 'completed', size_bytes = %s, gcs_generation = %s, gcs_etag = %s,"
        " md5_hash = %s, crc32c = %s, error_code = NULL, error_message = NULL WHERE video_id = %s",
        (size, generation, etag, md5_hex, crc32c, video_id),
    )


def insert_video(
    conn: psycopg.Connection, session: UploadSession, raw_file_reference: str
) -> tuple[int, datetime, str, str, str]:
    """Create the video of a completed upload; returns (version, created_at, status, media, analysis)."""
    row = conn.execute(
        "INSERT INTO catalog.videos (video_id, upload_user_id, title, description, raw_file_reference)"
        " VALUES (%s, %s, %s, %s, %s)"
        " RETURNING version, created_at, status::text, media_status::text, analysis_status::text",
        (session.video_id, session.user_id, session.title, session.description, raw_file_reference),
    ).fetchone()
    assert row is not None
    return row


def set_video_status(conn: psycopg.Connection, video_id: uuid.UUID, status: str) -> tuple[int, datetime]:
    """Move a video to ``status``; returns its new (version, updated_at)."""
    row = conn.execute(
        "UPDATE catalog.videos SET status = %s::catalog.video_status, version = version + 1"
        " WHERE video_id = %s RETURNING version, updated_at",
        (status, video_id),
    ).fetchone()
    assert row is not None
    return row
