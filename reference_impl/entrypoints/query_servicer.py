"""gRPC ``video.v1.CatalogQueryService``: reads of videos and of the caller's uploads.

Who sees what (contracts query.proto): a video that is not public (ready or published, visibility
public) is answered only to its owner and to internal services, NOT_FOUND to anyone else;
raw_file_reference only to those two. Single-video reads carry a weak ETag of the video's version
and honour ``x-md-if-none-match`` (FAILED_PRECONDITION ERROR_REASON_NOT_MODIFIED). Lists page by
keyset over (created_at, video_id) with tokens that name the last item returned, so a page
boundary never skips or repeats an item (upstream skips one; BEHAVIOURS C10); tokens are signed
and bound to the caller and the query.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import grpc
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from contracts.gen.video.v1 import query_pb2, query_pb2_grpc
from reference_impl import defects
from reference_impl.config import Settings
from reference_impl.domain.errors import FieldViolation, InvalidArgument, NotFound, PreconditionFailed
from reference_impl.domain.page_tokens import BadPageToken, ScopedPageTokens
from reference_impl.domain.video_events import rfc3339
from reference_impl.entrypoints.caller import Caller, grpc_caller, grpc_caller_id
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate

VIDEO_NOT_FOUND = "ERROR_REASON_VIDEO_NOT_FOUND"
VIDEO_ID_INVALID = "ERROR_REASON_VIDEO_ID_INVALID"
VIDEO_UPDATE_INVALID = "ERROR_REASON_VIDEO_UPDATE_INVALID"
PAGE_TOKEN_INVALID = "ERROR_REASON_PAGE_TOKEN_INVALID"
NOT_MODIFIED = "ERROR_REASON_NOT_MODIFIED"
IF_NONE_MATCH_HEADER = "x-md-if-none-match"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PUBLIC_STATUSES = ("ready", "published")


def page_size(requested: int) -> int:
    """Upstream's clamp, kept by the contract: ``<= 0`` → 20, ``> 100`` → 100."""
    return DEFAULT_PAGE_SIZE if requested <= 0 else min(requested, MAX_PAGE_SIZE)


def etag(version: int) -> str:
    """The weak ETag of a video at ``version``."""
    return 'W/"v1"' if defects.active("catalog-etag-ignores-version") else f'W/"v{version}"'


_VIDEO = """
SELECT v.*, v.status::text AS status, v.media_status::text AS media_status,
       v.analysis_status::text AS analysis_status,
       s.like_count, s.bookmark_count, s.watch_count, s.unique_watchers
  FROM catalog.videos v LEFT JOIN catalog.video_engagement_stats_projection s USING (video_id)
 WHERE v.video_id = %s
"""

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
       coalesce(u.error_code, '') AS upload_error_code,
       coalesce(v.visibility_status, 'private') AS visibility_status
  FROM catalog.videos v FULL OUTER JOIN catalog.uploads u ON u.video_id = v.video_id
 WHERE coalesce(v.upload_user_id, u.user_id) = %(user)s
"""

_PUBLIC = """
SELECT video_id, title, status::text AS status, media_status::text AS media_status,
       analysis_status::text AS analysis_status, created_at, updated_at, upload_user_id, visibility_status
  FROM catalog.videos
 WHERE status::text = ANY(%(statuses)s)
"""


def _metadata(row: dict[str, Any], privileged: bool) -> query_pb2.VideoMetadata:
    return query_pb2.VideoMetadata(
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
        raw_file_reference=row["raw_file_reference"] if privileged else "",
        visibility_status=row["visibility_status"],
        published_at=rfc3339(row["publish_at"]) if row["publish_at"] else "",
    )


class QueryServicer(query_pb2_grpc.CatalogQueryServiceServicer):
    """Reads of the catalog."""

    def __init__(self, pool: ConnectionPool, settings: Settings) -> None:
        self._pool = pool
        self._services = settings.service_actors
        self._tokens = ScopedPageTokens(settings.page_token_key.encode())

    # -- single videos ------------------------------------------------------------------------

    def _video(self, video_id: str, context: grpc.ServicerContext) -> tuple[dict[str, Any], Caller, bool]:
        """The video as this caller may see it, who the caller is, and whether they see everything.

        Raises:
            NotFound: no such video, or one the caller may not see (the same answer, on purpose).
        """
        caller = grpc_caller(context, self._services, VIDEO_UPDATE_INVALID)
        with self._pool.connection() as conn:
            row = conn.cursor(row_factory=dict_row).execute(_VIDEO, (video_id,)).fetchone()
        if row is None:
            raise NotFound(VIDEO_NOT_FOUND, f"no video {video_id}")
        privileged = caller.service is not None or caller.user_id == row["upload_user_id"]
        if defects.active("catalog-reads-ignore-ownership"):
            privileged = True
        public = row["status"] in PUBLIC_STATUSES and row["visibility_status"] == "public"
        if not (public or privileged):
            raise NotFound(VIDEO_NOT_FOUND, f"no video {video_id}")
        return row, caller, privileged

    @staticmethod
    def _send_etag(context: grpc.ServicerContext, version: int) -> None:
        """Send the ETag; refuse with NOT_MODIFIED when the caller holds it already."""
        current = etag(version)
        context.send_initial_metadata((("etag", current),))
        held = dict(context.invocation_metadata()).get(IF_NONE_MATCH_HEADER)
        if held and (held.strip() == "*" or current in (tag.strip() for tag in held.split(","))):
            raise PreconditionFailed(NOT_MODIFIED, f"not modified: the video is still at {current}")

    @grpc_errors
    def GetVideoMetadata(  # noqa: N802 - the contract's RPC name
        self, request: query_pb2.GetVideoMetadataRequest, context: grpc.ServicerContext
    ) -> query_pb2.GetVideoMetadataResponse:
        """Any video, whatever its status, if the caller may see it; NOT_FOUND otherwise."""
        validate(request, VIDEO_ID_INVALID)
        row, _, privileged = self._video(request.video_id, context)
        self._send_etag(context, row["version"])
        return query_pb2.GetVideoMetadataResponse(metadata=_metadata(row, privileged))

    @grpc_errors
    def GetVideoDetail(  # noqa: N802 - the contract's RPC name
        self, request: query_pb2.GetVideoDetailRequest, context: grpc.ServicerContext
    ) -> query_pb2.GetVideoDetailResponse:
        """A ready or published video with the caller's like/bookmark flags and its stats."""
        validate(request, VIDEO_ID_INVALID)
        row, caller, privileged = self._video(request.video_id, context)
        if row["status"] not in PUBLIC_STATUSES:
            raise NotFound(VIDEO_NOT_FOUND, f"no ready or published video {request.video_id}")
        self._send_etag(context, row["version"])
        flags = None
        if caller.user_id is not None:
            with self._pool.connection() as conn:
                flags = conn.execute(
                    "SELECT has_liked, has_bookmarked FROM catalog.video_user_engagements_projection"
                    " WHERE user_id = %s AND video_id = %s",
                    (caller.user_id, request.video_id),
                ).fetchone()
        detail = query_pb2.VideoDetail(
            video_id=str(row["video_id"]),
            title=row["title"],
            status=row["status"],
            media_status=row["media_status"],
            analysis_status=row["analysis_status"],
            created_at=rfc3339(row["created_at"]),
            updated_at=rfc3339(row["updated_at"]),
            has_liked=bool(flags and flags[0]),
            has_bookmarked=bool(flags and flags[1]),
            like_count=row["like_count"] or 0,
            bookmark_count=row["bookmark_count"] or 0,
            watch_count=row["watch_count"] or 0,
            unique_watchers=row["unique_watchers"] or 0,
        )
        return query_pb2.GetVideoDetailResponse(detail=detail, metadata=_metadata(row, privileged))

    # -- lists --------------------------------------------------------------------------------

    def _page(self, query: str, params: dict[str, Any], request: Any, scope: str) -> tuple[list[dict[str, Any]], str]:
        """One page of ``query`` (newest first) after the request's token, and the token of the next."""
        if defects.active("catalog-page-token-unbound"):
            scope = ""
        try:
            after = self._tokens.read(request.page_token, scope)
            position = None if after is None else (datetime.fromisoformat(after[0]), uuid.UUID(after[1]))
        except (BadPageToken, ValueError, IndexError, TypeError) as exc:
            msg = "is not a token this service issued to this caller for this query; start again without page_token"
            raise InvalidArgument(PAGE_TOKEN_INVALID, f"page_token {msg}", (FieldViolation("page_token", msg),)) from exc
        limit = page_size(request.page_size)
        query = f"SELECT * FROM ({query}) listed WHERE true"
        if position is not None:
            query += " AND (created_at, video_id) < (%(after_at)s, %(after_id)s)"
            params["after_at"], params["after_id"] = position
        query += " ORDER BY created_at DESC, video_id DESC LIMIT %(limit)s"
        params["limit"] = limit + 1
        with self._pool.connection() as conn:
            rows = conn.cursor(row_factory=dict_row).execute(query, params).fetchall()
        page = rows[:limit]
        if len(rows) <= limit:
            return page, ""
        last = rows[limit] if defects.active("catalog-paging-skips-one") else page[-1]
        return page, self._tokens.issue(scope, [last["created_at"].isoformat(), str(last["video_id"])])

    @grpc_errors
    def ListUserPublicVideos(  # noqa: N802 - the contract's RPC name
        self, request: query_pb2.ListUserPublicVideosRequest, context: grpc.ServicerContext
    ) -> query_pb2.ListUserPublicVideosResponse:
        """Public videos (ready or published, visibility public), of one user when user_id is given."""
        validate(request, VIDEO_UPDATE_INVALID)
        caller = grpc_caller(context, self._services, VIDEO_UPDATE_INVALID)
        query, params = _PUBLIC, {"statuses": list(PUBLIC_STATUSES)}
        if not defects.active("catalog-public-list-ignores-visibility"):
            query += " AND visibility_status = 'public'"
            if request.user_id:
                try:
                    params["user"] = uuid.UUID(request.user_id)
                except ValueError as exc:
                    raise InvalidArgument(VIDEO_ID_INVALID, f"user_id must be a UUID, got {request.user_id!r}") from exc
                query += " AND upload_user_id = %(user)s"
        page, token = self._page(query, params, request, f"public|{caller.name}|{request.user_id}")
        return query_pb2.ListUserPublicVideosResponse(
            videos=[
                query_pb2.VideoListItem(
                    video_id=str(r["video_id"]),
                    title=r["title"],
                    status=r["status"],
                    media_status=r["media_status"],
                    analysis_status=r["analysis_status"],
                    created_at=rfc3339(r["created_at"]),
                    updated_at=rfc3339(r["updated_at"]),
                    uploader_id=str(r["upload_user_id"]),
                    visibility_status=r["visibility_status"],
                )
                for r in page
            ],
            next_page_token=token,
        )

    @grpc_errors
    def ListMyUploads(  # noqa: N802 - the contract's RPC name
        self, request: query_pb2.ListMyUploadsRequest, context: grpc.ServicerContext
    ) -> query_pb2.ListMyUploadsResponse:
        """The caller's uploads, newest first: sessions without a video too, with their upload status."""
        user_id = grpc_caller_id(context, VIDEO_UPDATE_INVALID)
        validate(request, VIDEO_UPDATE_INVALID)
        query = f"SELECT * FROM ({_MY_UPLOADS}) mine WHERE true"
        params: dict[str, Any] = {"user": user_id}
        statuses = sorted({s.strip().lower() for s in request.status_filter})
        stages = sorted({s.strip().lower() for s in request.stage_filter})
        if statuses:
            query += " AND status = ANY(%(statuses)s)"
            params["statuses"] = statuses
        if stages:
            query += " AND (media_status = ANY(%(stages)s) OR analysis_status = ANY(%(stages)s))"
            params["stages"] = stages
        page, token = self._page(query, params, request, f"mine|user:{user_id}|{','.join(statuses)}|{','.join(stages)}")
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
                    visibility_status=r["visibility_status"],
                )
                for r in page
            ],
            next_page_token=token,
        )
