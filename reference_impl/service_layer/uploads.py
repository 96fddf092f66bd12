"""Upload use cases (seed 004): reserve a resumable session, and complete it when storage says so.

``init_resumable_upload`` reserves one session per (user, content MD5) and hands out a V4-signed
URL for ``raw_videos/{user}/{video}``; ``apply_object_finalized`` runs in the uploads consumer's
transaction and turns a matching OBJECT_FINALIZE into a completed upload, a new video and its
``created`` + ``updated`` events, all in one commit.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg_pool import ConnectionPool

from reference_impl import defects
from reference_impl.adapters import uploads_repository as uploads
from reference_impl.adapters.gcs_signer import V4Signer
from reference_impl.adapters.outbox import OutboxStore
from reference_impl.domain import video_events
from reference_impl.domain.errors import Conflict
from reference_impl.domain.uploads import UPLOAD_ALREADY_COMPLETED

#: A stored URL is handed out again only while it has at least this long to live.
REUSE_MARGIN = timedelta(seconds=30)
MD5_MISMATCH = "MD5_MISMATCH"
_OUTBOX = OutboxStore("catalog")


@dataclass(frozen=True)
class InitUpload:
    """What the client declares about the file it will upload."""

    user_id: uuid.UUID
    size_bytes: int
    content_type: str
    content_md5_hex: str
    title: str
    description: str


@dataclass(frozen=True)
class ReservedUpload:
    """The session a client uploads through."""

    video_id: uuid.UUID
    url: str
    expires_at: datetime


def session_headers(content_type: str) -> dict[str, str]:
    """The headers a signed session URL binds; the client must send exactly these."""
    return {
        "x-goog-resumable": "start",
        "x-goog-if-generation-match": "0",
        "x-upload-content-type": content_type,
    }


def init_resumable_upload(
    pool: ConnectionPool,
    signer: V4Signer,
    command: InitUpload,
    *,
    bucket: str,
    ttl: timedelta,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReservedUpload:
    """Reserve (or find) the session for (user, md5) and return a URL valid for ``ttl``.

    Raises:
        Conflict: the file was uploaded already (reason ERROR_REASON_UPLOAD_ALREADY_COMPLETED).
    """
    content_type = command.content_type.strip().lower()
    md5 = command.content_md5_hex.lower()
    with pool.connection() as conn, conn.transaction():
        session = uploads.reserve(
            conn,
            new_video_id=uuid.uuid4(),
            distinct_per_call=defects.active("upload-new-session-per-call"),
            user_id=command.user_id,
            bucket=bucket,
            content_type=content_type,
            expected_size=command.size_bytes,
            content_md5=md5,
            title=command.title,
            description=command.description,
        )
        if session is None:
            msg = "this file was uploaded already; its video exists"
            raise Conflict(UPLOAD_ALREADY_COMPLETED, msg)
        now = clock()
        stored_url_valid = (
            session.signed_url is not None
            and session.signed_url_expires_at is not None
            and (session.signed_url_expires_at > now + REUSE_MARGIN or defects.active("upload-reuses-expiring-urls"))
        )
        if stored_url_valid:
            return ReservedUpload(session.video_id, session.signed_url, session.signed_url_expires_at)
        signed = signer.sign(
            method="POST",
            bucket=bucket,
            object_name=session.object_name,
            expires_in=ttl,
            headers=session_headers(content_type),
            now=now,
        )
        uploads.store_signed_url(conn, session.video_id, signed.url, signed.expires_at)
        return ReservedUpload(session.video_id, signed.url, signed.expires_at)


def apply_object_finalized(conn: psycopg.Connection, notification: bytes) -> str:
    """Handle one OBJECT_FINALIZE (JSON_API_V1 object resource) inside the consumer's transaction.

    Returns what happened, for logs: ``unknown-object``, ``already-completed``, ``md5-mismatch``
    or ``completed``.
    """
    resource = json.loads(notification)
    session = uploads.find_by_object(conn, resource["bucket"], resource["name"])
    if session is None:
        if defects.active("upload-rejects-unknown-objects"):
            msg = f"no upload session writes {resource['bucket']}/{resource['name']}"
            raise LookupError(msg)
        return "unknown-object"
    if session.status == "completed":
        return "already-completed"
    md5_hex = _md5_hex(resource.get("md5Hash"))
    if defects.active("upload-missing-md5-is-a-mismatch") and md5_hex is None:
        md5_hex = "absent"
    # Composite objects carry no md5Hash; that is no evidence of a mismatch.
    if md5_hex is not None and md5_hex != session.content_md5 and not defects.active("upload-ignores-md5-mismatch"):
        uploads.mark_failed(
            conn,
            session.video_id,
            error_code=MD5_MISMATCH,
            error_message=f"declared md5 {session.content_md5}, stored object has {md5_hex}",
        )
        return "md5-mismatch"
    uploads.mark_completed(
        conn,
        session.video_id,
        size=int(resource.get("size", 0)),
        generation=str(resource["generation"]),
        etag=resource.get("etag"),
        md5_hex=md5_hex,
        crc32c=resource.get("crc32c"),
    )
    raw_file_reference = f"gs://{resource['bucket']}/{resource['name']}"
    version, created_at, status, media, analysis = uploads.insert_video(conn, session, raw_file_reference)
    created = video_events.video_created(
        video_id=session.video_id,
        uploader_id=session.user_id,
        title=session.title,
        description=session.description,
        status=status,
        media_status=media,
        analysis_status=analysis,
        version=version,
        occurred_at=created_at,
    )
    version, updated_at = uploads.set_video_status(conn, session.video_id, "processing")
    updated = video_events.video_updated(
        video_id=session.video_id, version=version, occurred_at=updated_at, status="processing"
    )
    in_order = [updated, created] if defects.active("upload-events-out-of-order") else [created, updated]
    for event in in_order:
        _OUTBOX.enqueue(conn, event)
    return "completed"


def _md5_hex(md5_base64: str | None) -> str | None:
    if not md5_base64:
        return None
    try:
        return base64.b64decode(md5_base64, validate=True).hex()
    except (binascii.Error, ValueError):
        return "undecodable:" + md5_base64
