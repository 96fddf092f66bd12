"""gRPC ``video.v1.UploadService``: identity, contract validation, then the upload use case."""

from __future__ import annotations

import grpc

from contracts.gen.video.v1 import upload_pb2, upload_pb2_grpc
from reference_impl.config import ALLOWED_CONTENT_TYPES, Settings
from reference_impl.domain.uploads import UPLOAD_INVALID, check_upload_policy
from reference_impl.entrypoints.caller import grpc_caller_id
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate


class UploadServicer(upload_pb2_grpc.UploadServiceServicer):
    """Reserves upload sessions (seed 004)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @grpc_errors
    def InitResumableUpload(  # noqa: N802 - the contract's RPC name
        self, request: upload_pb2.InitResumableUploadRequest, context: grpc.ServicerContext
    ) -> upload_pb2.InitResumableUploadResponse:
        """Check who calls and what they declare; reserving the session is not built yet."""
        grpc_caller_id(context, UPLOAD_INVALID)
        validate(request, UPLOAD_INVALID)
        check_upload_policy(
            content_type=request.content_type,
            size_bytes=request.size_bytes,
            allowed_content_types=ALLOWED_CONTENT_TYPES,
            max_upload_bytes=self._settings.max_upload_bytes,
        )
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "reserving an upload session is not implemented yet")
