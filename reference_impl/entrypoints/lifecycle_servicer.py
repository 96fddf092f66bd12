"""gRPC ``video.v1.CatalogLifecycleService``: the processing pipeline's writes to the catalog.

Every RPC first checks that an allow-listed internal service calls it, then — when the call
carries ``x-md-idempotency-key`` — runs at most once per key (contracts lifecycle.proto).
Unlike upstream, malformed values (a stage status outside the four, an ``emitted_at`` that is not
RFC 3339) are INVALID_ARGUMENT with a reason, not UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc
from google.protobuf.message import Message
from psycopg_pool import ConnectionPool

from contracts.gen.video.v1 import lifecycle_pb2, lifecycle_pb2_grpc
from reference_impl.adapters import idempotency
from reference_impl.adapters.clock import Clock
from reference_impl.config import Settings
from reference_impl.domain.errors import InvalidArgument
from reference_impl.domain.video_events import rfc3339
from reference_impl.entrypoints.caller import grpc_internal_caller
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate
from reference_impl.service_layer import lifecycle
from reference_impl.service_layer.lifecycle import VIDEO_UPDATE_INVALID, Revision

STAGES = {lifecycle_pb2.PROCESSING_STAGE_MEDIA: "media", lifecycle_pb2.PROCESSING_STAGE_ANALYSIS: "analysis"}
IDEMPOTENCY_KEY_HEADER = "x-md-idempotency-key"
_SERVICE = lifecycle_pb2.DESCRIPTOR.services_by_name["CatalogLifecycleService"]
Pool = ConnectionPool | idempotency.Borrowed


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
        visibility_status=revision.visibility_status,
    )


class LifecycleServicer(lifecycle_pb2_grpc.CatalogLifecycleServiceServicer):
    """Registers videos and records processing progress."""

    def __init__(self, pool: ConnectionPool, settings: Settings, clock: Clock) -> None:
        self._pool = pool
        self._settings = settings
        self._clock = clock

    def _serve(self, rpc: str, request: Message, context: grpc.ServicerContext, write: Callable[[Pool], Message]) -> Message:
        """Check the caller, then run ``write`` — once per idempotency key when the call names one."""
        caller = grpc_internal_caller(context, self._settings.service_actors)
        validate(request, VIDEO_UPDATE_INVALID)
        key = dict(context.invocation_metadata()).get(IDEMPOTENCY_KEY_HEADER)
        if not key:
            return write(self._pool)
        if len(key) > 128:
            raise InvalidArgument(VIDEO_UPDATE_INVALID, f"{IDEMPOTENCY_KEY_HEADER} is longer than 128 characters")
        output = _SERVICE.methods_by_name[rpc].output_type.name
        return idempotency.once(
            self._pool,
            caller=caller.name,
            key=key,
            request_digest=idempotency.digest(rpc, request),
            response_type=getattr(lifecycle_pb2, output),
            now=self._clock.now(),
            ttl=self._settings.idempotency_ttl,
            run=write,
        )

    @grpc_errors
    def RegisterUpload(self, request, context):  # noqa: ANN001, ANN201, N802
        """Create a video in pending_upload at version 1; emits catalog.video.created."""

        def write(pool: Pool) -> Message:
            revision = lifecycle.register_upload(
                pool,
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

        return self._serve("RegisterUpload", request, context, write)

    def _update(self, rpc: str, request, context, mutate: Callable[[], lifecycle.Mutation], announce=None):  # noqa: ANN001, ANN202
        """Serve an update RPC whose response is ``<rpc>Response(revision=...)``."""
        response_type = getattr(lifecycle_pb2, f"{rpc}Response")

        def write(pool: Pool) -> Message:
            revision = lifecycle.update_video(pool, request.video_id, _optional(request, "expected_version"), mutate(), announce)
            return response_type(revision=_revision(revision))

        return self._serve(rpc, request, context, write)

    @grpc_errors
    def UpdateOriginalMedia(self, request, context):  # noqa: ANN001, ANN201, N802
        """Record facts of the original file; consumers see no event for them."""
        changes = {
            field: getattr(request, field)
            for field in ("raw_file_size", "raw_resolution", "raw_bitrate")
            if request.HasField(field)
        }
        return self._update("UpdateOriginalMedia", request, context, lambda: lambda _row: changes)

    @grpc_errors
    def UpdateProcessingStatus(self, request, context):  # noqa: ANN001, ANN201, N802
        """Move one stage; stale, foreign or unexpected changes are ABORTED."""

        def mutation() -> lifecycle.Mutation:
            return lifecycle.stage_change(
                STAGES[request.stage],
                request.new_status,
                request.job_id,
                _emitted_at(request.emitted_at),
                _optional(request, "expected_status"),
                _optional(request, "error_message"),
            )

        return self._update("UpdateProcessingStatus", request, context, mutation)

    @grpc_errors
    def UpdateMediaInfo(self, request, context):  # noqa: ANN001, ANN201, N802
        """Record the media stage's artefacts (and optionally its status)."""
        fields = ("duration_micros", "encoded_resolution", "encoded_bitrate", "thumbnail_url", "hls_master_playlist")
        return self._update("UpdateMediaInfo", request, context, lambda: _stage_results(request, "media", fields))

    @grpc_errors
    def UpdateAIAttributes(self, request, context):  # noqa: ANN001, ANN201, N802
        """Record the analysis stage's results (and optionally its status)."""
        fields = ("difficulty", "summary", "raw_subtitle_url", "error_message")
        mutation = lambda: _stage_results(request, "analysis", fields, tags=list(request.tags))  # noqa: E731
        return self._update("UpdateAIAttributes", request, context, mutation)

    @grpc_errors
    def ArchiveVideo(self, request, context):  # noqa: ANN001, ANN201, N802
        """Archive the video and make it private; archiving twice is ABORTED."""
        return self._update("ArchiveVideo", request, context, lambda: lifecycle.archive(_optional(request, "reason")))

    @grpc_errors
    def PublishVideo(self, request, context):  # noqa: ANN001, ANN201, N802
        """Publish a ready video; emits visibility_changed beside updated."""
        return self._update("PublishVideo", request, context, lifecycle.publish, lifecycle.visibility_announcement(None))

    @grpc_errors
    def RejectVideo(self, request, context):  # noqa: ANN001, ANN201, N802
        """Reject a processing, ready or published video; emits visibility_changed beside updated."""
        return self._update(
            "RejectVideo", request, context, lambda: lifecycle.reject(request.reason),
            lifecycle.visibility_announcement(request.reason),
        )

    @grpc_errors
    def OverrideVisibility(self, request, context):  # noqa: ANN001, ANN201, N802
        """Set the visibility of a ready or published video; emits visibility_changed beside updated."""
        return self._update(
            "OverrideVisibility", request, context, lambda: lifecycle.override_visibility(request.visibility_status),
            lifecycle.visibility_announcement(_optional(request, "reason")),
        )


def _stage_results(request, stage: str, fields: tuple[str, ...], tags: list[str] | None = None) -> lifecycle.Mutation:  # noqa: ANN001
    """The mutation writing a stage's results, its job stamp and, when given, its new status (and the overall one)."""
    changes = {field: getattr(request, field) for field in fields if request.HasField(field)}
    if tags:
        changes["tags"] = tags
    changes |= {f"{stage}_job_id": request.job_id, f"{stage}_emitted_at": _emitted_at(request.emitted_at)}
    status_field = f"{stage}_status"
    latest = None
    if request.HasField(status_field):
        latest = changes[status_field] = lifecycle.stage_status(getattr(request, status_field), status_field)
    return lambda row: lifecycle.with_overall_status(row, changes, latest) if latest else changes
