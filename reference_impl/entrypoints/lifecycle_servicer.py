"""gRPC ``video.v1.CatalogLifecycleService``: the processing pipeline's writes to the catalog.

Unlike upstream, malformed values (a stage status outside the four, an ``emitted_at`` that is not
RFC 3339) are INVALID_ARGUMENT with a reason, not UNKNOWN.
"""

from __future__ import annotations

from datetime import datetime

from psycopg_pool import ConnectionPool

from contracts.gen.video.v1 import lifecycle_pb2, lifecycle_pb2_grpc
from reference_impl.domain.errors import InvalidArgument
from reference_impl.domain.video_events import rfc3339
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate
from reference_impl.service_layer import lifecycle
from reference_impl.service_layer.lifecycle import VIDEO_UPDATE_INVALID, Revision

STAGES = {lifecycle_pb2.PROCESSING_STAGE_MEDIA: "media", lifecycle_pb2.PROCESSING_STAGE_ANALYSIS: "analysis"}


def _emitted_at(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidArgument(VIDEO_UPDATE_INVALID, f"emitted_at must be RFC 3339, got {value!r}") from exc
    if moment.tzinfo is None:
        raise InvalidArgument(VIDEO_UPDATE_INVALID, f"emitted_at must carry a time zone, got {value!r}")
    return moment


def _optional(request, field: str):  # noqa: ANN001, ANN202 - any proto3 message with optional fields
    return getattr(request, field) if request.HasField(field) else None


def _revision(revision: Revision) -> lifecycle_pb2.VideoRevision:
    return lifecycle_pb2.VideoRevision(
        video_id=revision.video_id,
        status=revision.status,
        media_status=revision.media_status,
        analysis_status=revision.analysis_status,
        version=revision.version,
        updated_at=rfc3339(revision.updated_at),
        event_id=revision.event_id,
        occurred_at=rfc3339(revision.occurred_at),
    )


class LifecycleServicer(lifecycle_pb2_grpc.CatalogLifecycleServiceServicer):
    """Registers videos and records processing progress."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    @grpc_errors
    def RegisterUpload(self, request, context):  # noqa: ANN001, ANN201, N802
        """Create a video in pending_upload at version 1; emits catalog.video.created."""
        validate(request, VIDEO_UPDATE_INVALID)
        revision = lifecycle.register_upload(
            self._pool,
            uploader_id=request.upload_user_id,
            title=request.title,
            description=_optional(request, "description"),
            raw_file_reference=request.raw_file_reference,
        )
        return lifecycle_pb2.RegisterUploadResponse(
            video_id=revision.video_id,
            status=revision.status,
            media_status=revision.media_status,
            analysis_status=revision.analysis_status,
            created_at=rfc3339(revision.occurred_at),
            event_id=revision.event_id,
            version=revision.version,
            occurred_at=rfc3339(revision.occurred_at),
        )

    @grpc_errors
    def UpdateOriginalMedia(self, request, context):  # noqa: ANN001, ANN201, N802
        """Record facts of the original file; consumers see no event for them."""
        validate(request, VIDEO_UPDATE_INVALID)
        changes = {
            column: _optional(request, field)
            for column, field in (("raw_file_size", "raw_file_size"), ("raw_resolution", "raw_resolution"),
                                  ("raw_bitrate", "raw_bitrate"))
            if request.HasField(field)
        }
        revision = lifecycle.update_video(
            self._pool, request.video_id, _optional(request, "expected_version"), lambda _row: changes
        )
        return lifecycle_pb2.UpdateOriginalMediaResponse(revision=_revision(revision))

    @grpc_errors
    def UpdateProcessingStatus(self, request, context):  # noqa: ANN001, ANN201, N802
        """Move one stage; stale, foreign or unexpected changes are ABORTED."""
        validate(request, VIDEO_UPDATE_INVALID)
        mutate = lifecycle.stage_change(
            STAGES[request.stage],
            request.new_status,
            request.job_id,
            _emitted_at(request.emitted_at),
            _optional(request, "expected_status"),
            _optional(request, "error_message"),
        )
        revision = lifecycle.update_video(self._pool, request.video_id, _optional(request, "expected_version"), mutate)
        return lifecycle_pb2.UpdateProcessingStatusResponse(revision=_revision(revision))

    @grpc_errors
    def UpdateMediaInfo(self, request, context):  # noqa: ANN001, ANN201, N802
        """Record the media stage's artefacts (and optionally its status)."""
        fields = ("duration_micros", "encoded_resolution", "encoded_bitrate", "thumbnail_url", "hls_master_playlist")
        revision = self._record_stage_results(request, "media", fields)
        return lifecycle_pb2.UpdateMediaInfoResponse(revision=_revision(revision))

    @grpc_errors
    def UpdateAIAttributes(self, request, context):  # noqa: ANN001, ANN201, N802
        """Record the analysis stage's results (and optionally its status)."""
        fields = ("difficulty", "summary", "raw_subtitle_url", "error_message")
        revision = self._record_stage_results(request, "analysis", fields, tags=list(request.tags))
        return lifecycle_pb2.UpdateAIAttributesResponse(revision=_revision(revision))

    def _record_stage_results(self, request, stage: str, fields: tuple[str, ...], tags: list[str] | None = None) -> Revision:  # noqa: ANN001
        """Write a stage's results, its job stamp and, when given, its new status (and the overall one)."""
        validate(request, VIDEO_UPDATE_INVALID)
        changes = {field: getattr(request, field) for field in fields if request.HasField(field)}
        if tags:
            changes["tags"] = tags
        changes |= {f"{stage}_job_id": request.job_id, f"{stage}_emitted_at": _emitted_at(request.emitted_at)}
        status_field = f"{stage}_status"
        latest = None
        if request.HasField(status_field):
            latest = changes[status_field] = lifecycle.stage_status(getattr(request, status_field), status_field)
        return lifecycle.update_video(
            self._pool,
            request.video_id,
            _optional(request, "expected_version"),
            lambda row: lifecycle.with_overall_status(row, changes, latest) if latest else changes,
        )

    @grpc_errors
    def ArchiveVideo(self, request, context):  # noqa: ANN001, ANN201, N802
        """Archive the video and make it private; archiving twice is ABORTED."""
        validate(request, VIDEO_UPDATE_INVALID)
        revision = lifecycle.update_video(
            self._pool, request.video_id, _optional(request, "expected_version"), lifecycle.archive(_optional(request, "reason"))
        )
        return lifecycle_pb2.ArchiveVideoResponse(revision=_revision(revision))
