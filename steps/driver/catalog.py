"""Driver calls of the catalog over gRPC: the lifecycle (internal writers) and the query service.

Lifecycle calls present the target's service identity unless a step names another caller; the
metadata keys of the contract's additions (``x-md-idempotency-key``, ``x-md-if-none-match``) are
passed here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from contracts.gen.video.v1 import lifecycle_pb2, lifecycle_pb2_grpc, query_pb2, query_pb2_grpc
from steps.driver.base import DriverBase
from steps.driver.outcome import Identity, Outcome

STAGES = {"media": lifecycle_pb2.PROCESSING_STAGE_MEDIA, "analysis": lifecycle_pb2.PROCESSING_STAGE_ANALYSIS}
IDEMPOTENCY_KEY = "x-md-idempotency-key"
IF_NONE_MATCH = "x-md-if-none-match"


class CatalogCalls(DriverBase):
    """CatalogLifecycleService and CatalogQueryService calls; mixed into ``Driver``."""

    @property
    def pipeline(self) -> Identity:
        """The internal service identity the target accepts on its lifecycle RPCs."""
        return Identity.of_service(self.target.service_metadata())

    def lifecycle(
        self, method: str, request: Message, *, identity: Identity | None = None, idempotency_key: str | None = None
    ) -> Outcome:
        """Call ``CatalogLifecycleService.<method>`` as ``identity`` (default: the pipeline)."""
        stub = lifecycle_pb2_grpc.CatalogLifecycleServiceStub(self._channel(self.target.catalog_grpc))
        extra = ((IDEMPOTENCY_KEY, idempotency_key),) if idempotency_key else ()
        caller = self.pipeline if identity is None else identity
        return self._unary(f"video.v1.CatalogLifecycleService/{method}", getattr(stub, method), request, caller, extra)

    def call_lifecycle(self, identity: Identity, rpc: str, **fields: Any) -> Outcome:
        """``CatalogLifecycleService.<rpc>`` with a request of ``fields``, as ``identity``."""
        return self.lifecycle(rpc, getattr(lifecycle_pb2, f"{rpc}Request")(**fields), identity=identity)

    def register_upload(self, *, idempotency_key: str | None = None, **fields: Any) -> Outcome:
        """``RegisterUpload``."""
        request = lifecycle_pb2.RegisterUploadRequest(**fields)
        return self.lifecycle("RegisterUpload", request, idempotency_key=idempotency_key)

    def update_processing_status(self, video_id: str, stage: str, **fields: Any) -> Outcome:
        """``UpdateProcessingStatus`` of ``stage`` (``media`` or ``analysis``)."""
        request = lifecycle_pb2.UpdateProcessingStatusRequest(video_id=video_id, stage=STAGES[stage], **fields)
        return self.lifecycle("UpdateProcessingStatus", request)

    def update_media_info(self, video_id: str, **fields: Any) -> Outcome:
        """``UpdateMediaInfo``."""
        return self.lifecycle("UpdateMediaInfo", lifecycle_pb2.UpdateMediaInfoRequest(video_id=video_id, **fields))

    def update_ai_attributes(self, video_id: str, **fields: Any) -> Outcome:
        """``UpdateAIAttributes``."""
        return self.lifecycle("UpdateAIAttributes", lifecycle_pb2.UpdateAIAttributesRequest(video_id=video_id, **fields))

    def archive_video(self, video_id: str, *, idempotency_key: str | None = None, **fields: Any) -> Outcome:
        """``ArchiveVideo``."""
        request = lifecycle_pb2.ArchiveVideoRequest(video_id=video_id, **fields)
        return self.lifecycle("ArchiveVideo", request, idempotency_key=idempotency_key)

    def publish_video(self, video_id: str, **fields: Any) -> Outcome:
        """``PublishVideo`` (an addition over upstream)."""
        return self.lifecycle("PublishVideo", lifecycle_pb2.PublishVideoRequest(video_id=video_id, **fields))

    def reject_video(self, video_id: str, reason: str, **fields: Any) -> Outcome:
        """``RejectVideo`` (an addition over upstream)."""
        return self.lifecycle("RejectVideo", lifecycle_pb2.RejectVideoRequest(video_id=video_id, reason=reason, **fields))

    def override_visibility(self, video_id: str, visibility_status: str, **fields: Any) -> Outcome:
        """``OverrideVisibility`` (an addition over upstream)."""
        request = lifecycle_pb2.OverrideVisibilityRequest(
            video_id=video_id, visibility_status=visibility_status, **fields
        )
        return self.lifecycle("OverrideVisibility", request)

    # -- queries ------------------------------------------------------------------------------

    def _query(self, method: str, request: Message, identity: Identity, if_none_match: str | None = None) -> Outcome:
        stub = query_pb2_grpc.CatalogQueryServiceStub(self._channel(self.target.catalog_grpc))
        extra = ((IF_NONE_MATCH, if_none_match),) if if_none_match else ()
        return self._unary(f"video.v1.CatalogQueryService/{method}", getattr(stub, method), request, identity, extra)

    def get_video_metadata(self, identity: Identity, video_id: str, *, if_none_match: str | None = None) -> Outcome:
        """``GetVideoMetadata``; ``if_none_match`` is an ETag the caller holds."""
        request = query_pb2.GetVideoMetadataRequest(video_id=video_id)
        return self._query("GetVideoMetadata", request, identity, if_none_match)

    def get_video_detail(self, identity: Identity, video_id: str, *, if_none_match: str | None = None) -> Outcome:
        """``GetVideoDetail``; ``if_none_match`` is an ETag the caller holds."""
        return self._query("GetVideoDetail", query_pb2.GetVideoDetailRequest(video_id=video_id), identity, if_none_match)

    def list_user_public_videos(self, identity: Identity, **fields: Any) -> Outcome:
        """``ListUserPublicVideos``."""
        return self._query("ListUserPublicVideos", query_pb2.ListUserPublicVideosRequest(**fields), identity)

    def list_my_uploads(self, identity: Identity, **fields: Any) -> Outcome:
        """``ListMyUploads``."""
        return self._query("ListMyUploads", query_pb2.ListMyUploadsRequest(**fields), identity)
