"""gRPC ``video.v1.CatalogQueryService``: reads of videos and of the caller's uploads.

Lists page with keyset tokens over (created_at, video_id) that name the last item returned, so a
page boundary never skips or repeats an item (upstream skips one; BEHAVIOURS C10).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

import grpc
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from contracts.gen.video.v1 import query_pb2, query_pb2_grpc
from reference_impl.domain.errors import FieldViolation, InvalidArgument, NotFound
from reference_impl.domain.video_events import rfc3339
from reference_impl.entrypoints.caller import grpc_caller_id
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate

VIDEO_NOT_FOUND = "ERROR_REASON_VIDEO_NOT_FOUND"
VIDEO_ID_INVALID = "ERROR_REASON_VIDEO_ID_INVALID"
VIDEO_UPDATE_INVALID = "ERROR_REASON_VIDEO_UPDATE_INVALID"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(requested: int) -> int:
    """Upstream's clamp: ``<= 0`` → 20, ``> 100`` → 100."""
    return DEFAULT_PAGE_SIZE if requested <= 0 else min(requested, MAX_PAGE_SIZE)


def encode_token(created_at: datetime, video_id: uuid.UUID) -> str:
    """Opaque token naming the last item of a page."""
    raw = json.dumps({"created_at": created_at.isoformat(), "video_id": str(video_id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[datetime, uuid.UUID] | None:
    """The position a token names; ``None`` for the first page."""
    if not token:
        return None
    try:
        fields = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return datetime.fromisoformat(fields["created_at"]), uuid.UUID(fields["video_id"])
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
        msg = "is not a next_page_token of this list; pass one back unchanged"
        raise InvalidArgument(VIDEO_UPDATE_INVALID, f"invalid page_token: {msg}", (FieldViolation("page_token", msg),)) from exc


_MY_UPLOADS = """
SELECT coalesce(v.video_id, u.video_id) AS video_id,
       coalesce(v.title, u.title) AS title,
       coalesce(v.status::text, CASE u.status WHEN 'failed' THEN 'failed' ELSE 'pending_upload' END) AS status,
       coalesce(v.media_status::text, 'pending') AS media_status,
       coalesce(v.analysis_status::text, 'pending') AS analysis_status,
       coalesce(v.version, 0) AS version,
       coalesce(u.created_at, v.created_at) AS created_at,
       greatest(v.updated_at, u.updated_at) AS updated_at,
       coalesce(u.status, '') AS upload_status,
       coalesce(u.error_code, '') AS upload_error_code
  FROM catalog.videos v FULL OUTER JOIN catalog.uploads u ON u.video_id = v.video_id
 WHERE coalesce(v.upload_user_id, u.user_id) = %(user)s
"""


class QueryServicer(query_pb2_grpc.CatalogQueryServiceServicer):
    """Reads of the catalog."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    @grpc_errors
    def GetVideoMetadata(  # noqa: N802 - the contract's RPC name
        self, request: query_pb2.GetVideoMetadataRequest, context: grpc.ServicerContext
    ) -> query_pb2.GetVideoMetadataResponse:
        """Any video, whatever its status; NOT_FOUND when there is none."""
        validate(request, VIDEO_ID_INVALID)
        with self._pool.connection() as conn:
            row = conn.cursor(row_factory=dict_row).execute(
                """
                SELECT v.status::text AS status, v.media_status::text AS media_status,
                       v.analysis_status::text AS analysis_status, v.duration_micros, v.encoded_resolution,
                       v.encoded_bitrate, v.thumbnail_url, v.hls_master_playlist, v.difficulty, v.summary, v.tags,
                       v.raw_subtitle_url, v.updated_at, v.version, v.raw_file_reference,
                       s.like_count, s.bookmark_count, s.watch_count
                  FROM catalog.videos v LEFT JOIN catalog.video_engagement_stats_projection s USING (video_id)
                 WHERE v.video_id = %s
                """,
                (request.video_id,),
            ).fetchone()
        if row is None:
            raise NotFound(VIDEO_NOT_FOUND, f"no video {request.video_id}")
        return query_pb2.GetVideoMetadataResponse(
            metadata=query_pb2.VideoMetadata(
                status=row["status"],
                media_status=row["media_status"],
                analysis_status=row["analysis_status"],
                duration_micros=row["duration_micros"] or 0,
                encoded_resolution=row["encoded_resolution"] or "",
                encoded_bitrate=row["encoded_bitrate"] or 0,
                thumbnail_url=row["thumbnail_url"] or "",
                hls_master_playlist=row["hls_master_playlist"] or "",
                difficulty=row["difficulty"] or "",
                summary=row["summary"] or "",
                tags=row["tags"] or [],
                raw_subtitle_url=row["raw_subtitle_url"] or "",
                updated_at=rfc3339(row["updated_at"]),
                version=row["version"],
                like_count=row["like_count"] or 0,
                bookmark_count=row["bookmark_count"] or 0,
                watch_count=row["watch_count"] or 0,
                raw_file_reference=row["raw_file_reference"],
            )
        )

    @grpc_errors
    def ListMyUploads(  # noqa: N802 - the contract's RPC name
        self, request: query_pb2.ListMyUploadsRequest, context: grpc.ServicerContext
    ) -> query_pb2.ListMyUploadsResponse:
        """The caller's uploads, newest first: sessions without a video too, with their upload status."""
        user_id = grpc_caller_id(context, VIDEO_UPDATE_INVALID)
        validate(request, VIDEO_UPDATE_INVALID)
        after = decode_token(request.page_token)
        limit = page_size(request.page_size)
        query = f"SELECT * FROM ({_MY_UPLOADS}) mine WHERE true"
        params: dict = {"user": user_id, "limit": limit + 1}
        if request.status_filter:
            query += " AND status = ANY(%(statuses)s)"
            params["statuses"] = sorted({s.strip().lower() for s in request.status_filter})
        if request.stage_filter:
            query += " AND (media_status = ANY(%(stages)s) OR analysis_status = ANY(%(stages)s))"
            params["stages"] = sorted({s.strip().lower() for s in request.stage_filter})
        if after is not None:
            query += " AND (created_at, video_id) < (%(after_at)s, %(after_id)s)"
            params["after_at"], params["after_id"] = after
        query += " ORDER BY created_at DESC, video_id DESC LIMIT %(limit)s"
        with self._pool.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(query, params).fetchall()
        page, more = rows[:limit], len(rows) > limit
        return query_pb2.ListMyUploadsResponse(
            videos=[
                query_pb2.MyUploadListItem(
                    video_id=str(r["video_id"]),
                    title=r["title"],
                    status=r["status"],
                    media_status=r["media_status"],
                    analysis_status=r["analysis_status"],
                    version=r["version"],
                    created_at=rfc3339(r["created_at"]),
                    updated_at=rfc3339(r["updated_at"]),
                    upload_status=r["upload_status"],
                    upload_error_code=r["upload_error_code"],
                )
                for r in page
            ],
            next_page_token=encode_token(page[-1]["created_at"], page[-1]["video_id"]) if more else "",
        )
