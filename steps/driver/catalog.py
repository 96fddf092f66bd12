"""Driver calls of the catalog lifecycle (the processing pipeline's writes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.gen.video.v1 import lifecycle_pb2, lifecycle_pb2_grpc
from steps.driver.base import DriverBase
from steps.driver.outcome import Identity, Outcome

STAGES = {"media": lifecycle_pb2.PROCESSING_STAGE_MEDIA, "analysis": lifecycle_pb2.PROCESSING_STAGE_ANALYSIS}
_PIPELINE = Identity.anonymous()  # lifecycle RPCs are service-to-service; no end-user identity


class CatalogCalls(DriverBase):
    """CatalogLifecycleService calls; mixed into ``Driver``."""

    def _lifecycle(self, method: str, request: Any) -> Outcome:
        stub = lifecycle_pb2_grpc.CatalogLifecycleServiceStub(self._channel(self.target.catalog_grpc))
        return self._unary(f"video.v1.CatalogLifecycleService/{method}", getattr(stub, method), request, _PIPELINE)

    def register_upload(self, **fields: Any) -> Outcome:
        """``RegisterUpload``."""
        return self._lifecycle("RegisterUpload", lifecycle_pb2.RegisterUploadRequest(**fields))

    def update_processing_status(self, video_id: str, stage: str, **fields: Any) -> Outcome:
        """``UpdateProcessingStatus`` of ``stage`` (``media`` or ``analysis``)."""
        request = lifecycle_pb2.UpdateProcessingStatusRequest(video_id=video_id, stage=STAGES[stage], **fields)
        return self._lifecycle("UpdateProcessingStatus", request)

    def update_media_info(self, video_id: str, **fields: Any) -> Outcome:
        """``UpdateMediaInfo``."""
        return self._lifecycle("UpdateMediaInfo", lifecycle_pb2.UpdateMediaInfoRequest(video_id=video_id, **fields))

    def update_ai_attributes(self, video_id: str, **fields: Any) -> Outcome:
        """``UpdateAIAttributes``."""
        return self._lifecycle("UpdateAIAttributes", lifecycle_pb2.UpdateAIAttributesRequest(video_id=video_id, **fields))

    def archive_video(self, video_id: str, **fields: Any) -> Outcome:
        """``ArchiveVideo``."""
        return self._lifecycle("ArchiveVideo", lifecycle_pb2.ArchiveVideoRequest(video_id=video_id, **fields))

    def mark_video(self, video_id: str) -> str:
        """A later, harmless change on the video whose event ends its stream; returns that event's id.

        Changes only ``hls_master_playlist`` (to a run-prefixed marker), through UpdateMediaInfo of a job
        of its own, so it announces a ``catalog.video.updated`` on the video's ordering key.
        """
        marker = f"{self.run_id}marker-{uuid.uuid4().hex[:8]}/master.m3u8"
        outcome = self.update_media_info(
            video_id, hls_master_playlist=marker, job_id=f"{self.run_id}marker",
            emitted_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        if not outcome.ok or not outcome.response.revision.event_id.strip("0-"):
            msg = (f"UpdateMediaInfo of video {video_id} answered {outcome.code} {outcome.reason} {outcome.message!r}"
                   f" {outcome.response}; expected a revision with an event id (the marker change)")
            raise AssertionError(msg)
        return outcome.response.revision.event_id
