"""Driver calls of the upload area: the upload and query RPCs, and the client side of storage.

The storage half follows a signed session URL exactly as a mobile client does (XML resumable
upload: ``POST`` to start, ``PUT`` the bytes, in chunks or at once) and reports what storage said.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from contracts.gen.video.v1 import query_pb2, query_pb2_grpc, upload_pb2, upload_pb2_grpc
from steps.driver.base import DriverBase
from steps.driver.outcome import Identity, Outcome

UPLOADS_TOPIC = "catalog.video-uploads"
#: Storage requires resumable chunks in multiples of 256 KiB (all but the last).
CHUNK_QUANTUM = 256 * 1024


def session_headers(content_type: str) -> dict[str, str]:
    """The headers a session URL from InitResumableUpload binds (upstream.md §1.1); sent unchanged."""
    return {"x-goog-resumable": "start", "x-goog-if-generation-match": "0", "x-upload-content-type": content_type}


@dataclass(frozen=True)
class StorageResult:
    """What storage answered to the last request of an upload.

    Attributes:
        status: HTTP status (201 session started, 200 stored, 308 incomplete, 403, 412 …).
        error_code: the ``<Code>`` of an XML error body, if any.
        resource: the stored object's JSON resource after a completed upload.
    """

    status: int
    error_code: str | None = None
    resource: dict[str, Any] | None = None


class UploadCalls(DriverBase):
    """Upload and query calls; mixed into ``Driver``."""

    def init_upload(self, identity: Identity, **fields: Any) -> Outcome:
        """Call ``UploadService.InitResumableUpload`` with the given request fields."""
        stub = upload_pb2_grpc.UploadServiceStub(self._channel(self.target.catalog_grpc))
        request = upload_pb2.InitResumableUploadRequest(**fields)
        return self._unary("video.v1.UploadService/InitResumableUpload", stub.InitResumableUpload, request, identity)

    def list_my_uploads(self, identity: Identity, **fields: Any) -> Outcome:
        """Call ``CatalogQueryService.ListMyUploads``."""
        stub = query_pb2_grpc.CatalogQueryServiceStub(self._channel(self.target.catalog_grpc))
        request = query_pb2.ListMyUploadsRequest(**fields)
        return self._unary("video.v1.CatalogQueryService/ListMyUploads", stub.ListMyUploads, request, identity)

    def get_video_metadata(self, identity: Identity, video_id: str) -> Outcome:
        """Call ``CatalogQueryService.GetVideoMetadata``."""
        stub = query_pb2_grpc.CatalogQueryServiceStub(self._channel(self.target.catalog_grpc))
        request = query_pb2.GetVideoMetadataRequest(video_id=video_id)
        return self._unary("video.v1.CatalogQueryService/GetVideoMetadata", stub.GetVideoMetadata, request, identity)

    def get_video_detail(self, identity: Identity, video_id: str) -> Outcome:
        """Call ``CatalogQueryService.GetVideoDetail``."""
        stub = query_pb2_grpc.CatalogQueryServiceStub(self._channel(self.target.catalog_grpc))
        request = query_pb2.GetVideoDetailRequest(video_id=video_id)
        return self._unary("video.v1.CatalogQueryService/GetVideoDetail", stub.GetVideoDetail, request, identity)

    # -- storage ------------------------------------------------------------------------------

    def start_session(self, url: str, headers: dict[str, str]) -> tuple[StorageResult, str | None]:
        """``POST`` the signed URL with ``headers``; returns storage's answer and the session URI."""
        response = self._storage().post(url, headers=headers, content=b"")
        return _storage_result(response), response.headers.get("location")

    def upload_file(self, url: str, content_type: str, data: bytes, *, chunk_size: int | None = None) -> StorageResult:
        """Upload ``data`` through a signed session URL; the result of the last request."""
        started, session = self.start_session(url, session_headers(content_type))
        if started.status != 201 or session is None:
            return started
        return self.put_bytes(session, data, chunk_size=chunk_size)

    def put_bytes(self, session: str, data: bytes, *, chunk_size: int | None = None) -> StorageResult:
        """Send ``data`` to an open session, whole or in chunks of ``chunk_size`` bytes."""
        total = len(data)
        size = chunk_size or max(total, 1)
        if chunk_size and chunk_size % CHUNK_QUANTUM:
            msg = f"chunk_size must be a multiple of {CHUNK_QUANTUM} bytes, got {chunk_size}"
            raise ValueError(msg)
        offset = 0
        while True:
            chunk = data[offset : offset + size]
            last = offset + len(chunk) >= total
            end = offset + len(chunk) - 1
            content_range = f"bytes {offset}-{end}/{total if last else '*'}" if chunk else f"bytes */{total}"
            response = self._storage().put(session, headers={"content-range": content_range}, content=chunk)
            result = _storage_result(response)
            if last or result.status != 308:
                return result
            offset = _committed_bytes(response)

    def advance_clocks(self, seconds: float) -> None:
        """Move the clocks of the service and of its storage by ``seconds`` (capability ``clock``)."""
        for url in (f"{self.target.rest_url}/_reference/clock/advance", f"{self.target.storage_url}/_standin/clock/advance"):
            self._storage().post(url, params={"seconds": seconds}).raise_for_status()

    def stored_object(self, bucket: str, name: str) -> dict[str, Any] | None:
        """The JSON resource of a stored object, or None when there is none."""
        response = self._storage().get(f"{self.target.storage_url}/storage/v1/b/{bucket}/o/{quote(name, safe='')}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    # -- storage notifications ----------------------------------------------------------------

    def publish_finalize(self, bucket: str, name: str, *, generation: str, md5_base64: str | None, size: int) -> str:
        """Publish an OBJECT_FINALIZE for ``bucket/name`` as Cloud Storage would (capability ``publish_raw``)."""
        resource: dict[str, Any] = {
            "kind": "storage#object",
            "id": f"{bucket}/{name}/{generation}",
            "name": name,
            "bucket": bucket,
            "generation": generation,
            "metageneration": "1",
            "contentType": "video/mp4",
            "size": str(size),
            "storageClass": "STANDARD",
            "timeCreated": "2026-01-01T00:00:00.000Z",
            "updated": "2026-01-01T00:00:00.000Z",
        }
        if md5_base64 is not None:
            resource["md5Hash"] = md5_base64
        attributes = {
            "notificationConfig": f"projects/_/buckets/{bucket}/notificationConfigs/1",
            "eventType": "OBJECT_FINALIZE",
            "payloadFormat": "JSON_API_V1",
            "bucketId": bucket,
            "objectId": name,
            "objectGeneration": generation,
            "eventTime": "2026-01-01T00:00:00.000000Z",
        }
        return self.publish_raw(UPLOADS_TOPIC, json.dumps(resource).encode(), attributes)

    def _storage(self) -> httpx.Client:
        if self._http is None:
            self._http = self._new_http(30)
        return self._http


def signed_url_parts(url: str) -> tuple[str, str, dict[str, list[str]]]:
    """(host, path, query) of a signed URL."""
    parts = urlsplit(url)
    return parts.netloc, parts.path, parse_qs(parts.query)


def md5_base64(data: bytes) -> str:
    """Base64 of the MD5 of ``data``, as storage reports it."""
    import hashlib  # noqa: PLC0415

    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - storage's checksum


def _committed_bytes(response: httpx.Response) -> int:
    match = re.fullmatch(r"bytes=0-(\d+)", response.headers.get("range", ""))
    return int(match.group(1)) + 1 if match else 0


def _storage_result(response: httpx.Response) -> StorageResult:
    if response.status_code in (200, 201) and response.headers.get("content-type", "").startswith("application/json"):
        return StorageResult(response.status_code, resource=response.json())
    code = re.search(r"<Code>([^<]+)</Code>", response.text)
    return StorageResult(response.status_code, error_code=code.group(1) if code else None)
