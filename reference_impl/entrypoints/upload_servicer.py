"""gRPC ``video.v1.UploadService``: identity, contract validation, then the upload use case."""

from __future__ import annotations

import uuid
from datetime import timedelta

import grpc
from psycopg_pool import ConnectionPool

from contracts.gen.video.v1 import upload_pb2, upload_pb2_grpc
from reference_impl import defects
from reference_impl.adapters.clock import Clock
from reference_impl.adapters.gcs_signer import V4Signer
from reference_impl.config import ALLOWED_CONTENT_TYPES, Settings
from reference_impl.domain.uploads import UPLOAD_INVALID, check_upload_policy
from reference_impl.entrypoints.caller import grpc_caller_id
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate
from reference_impl.service_layer.uploads import InitUpload, init_resumable_upload


class UploadServicer(upload_pb2_grpc.UploadServiceServicer):
    """Reserves upload sessions (seed 004)."""

    def __init__(self, settings: Settings, pool: ConnectionPool, signer: V4Signer | None, clock: Clock) -> None:
        self._settings = settings
        self._pool = pool
        self._signer = signer
        self._clock = clock

    @grpc_errors
    def InitResumableUpload(  # noqa: N802 - the contract's RPC name
        self, request: upload_pb2.InitResumableUploadRequest, context: grpc.ServicerContext
    ) -> upload_pb2.InitResumableUploadResponse:
        """Check who calls and what they declare, then reserve or reuse the session."""
        if defects.active("upload-accepts-anonymous-callers"):
            user_id = uuid.uuid4()
        else:
            user_id = grpc_caller_id(context, UPLOAD_INVALID)
        if not defects.active("upload-skips-contract-validation"):
            validate(request, UPLOAD_INVALID)
        check_upload_policy(
            content_type=request.content_type,
            size_bytes=request.size_bytes,
            allowed_content_types=ALLOWED_CONTENT_TYPES,
            max_upload_bytes=self._settings.max_upload_bytes,
        )
        if self._signer is None:
            context.abort(
                grpc.StatusCode.UNAVAILABLE,
                "no signing key configured: set LINGO_GCS_SERVICE_ACCOUNT to a service-account JSON",
            )
        reserved = init_resumable_upload(
            self._pool,
            self._signer,
            InitUpload(
                user_id=user_id,
                size_bytes=request.size_bytes,
                content_type=request.content_type,
                content_md5_hex=request.content_md5_hex,
                title=request.title,
                description=request.description,
            ),
            bucket=self._settings.gcs_bucket,
            ttl=timedelta(days=7) if defects.active("upload-long-lived-urls") else self._settings.signed_url_ttl,
            clock=self._clock.now,
        )
        return upload_pb2.InitResumableUploadResponse(
            video_id=str(reserved.video_id),
            resumable_init_url=reserved.url,
            expires_at_unixms=int(reserved.expires_at.timestamp() * 1000),
        )
