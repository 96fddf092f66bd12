"""Driver calls of the upload area: the upload and query RPCs, and the client side of storage.

The storage half follows a signed session URL exactly as a mobile client does (XML resumable
upload: ``POST`` to start, ``PUT`` the bytes, in chunks or at once) and reports what storage said
(capability ``storage``). Where the suite may not write to the target's storage, ``store_file``
publishes what storage would then report instead: an ``OBJECT_FINALIZE`` in Cloud Storage's exact
format on the uploads topic (capability ``publish_raw``), so the catalog sees the same message.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx

from contracts.gen.video.v1 import upload_pb2, upload_pb2_grpc
from fixtures.gcs.store import StoredObject, checksums, rfc3339
from steps.driver.base import DriverBase
from steps.driver.outcome import Identity, Outcome

UPLOADS_TOPIC = "catalog.video-uploads"
#: Where Cloud Storage's JSON API lives (the selfLink / mediaLink of an object resource).
GCS_JSON_API = "https://www.googleapis.com"
#: How far a signed URL's expiry may lie from the ``expires_at_unixms`` beside it: Google's signers
#: round X-Goog-Date and the lifetime down to whole seconds, a second each.
EXPIRY_TOLERANCE_MS = 2000
#: Storage requires resumable chunks in multiples of 256 KiB (all but the last).
CHUNK_QUANTUM = 256 * 1024
#: Seconds for one upload request: a whole file may go in one.
UPLOAD_DEADLINE = 30.0


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
    """Upload and storage calls; mixed into ``Driver``."""

    def init_upload(self, identity: Identity, **fields: Any) -> Outcome:
        """Call ``UploadService.InitResumableUpload`` with the given request fields."""
        stub = upload_pb2_grpc.UploadServiceStub(self._channel(self.target.catalog_grpc))
        request = upload_pb2.InitResumableUploadRequest(**fields)
        return self._unary("video.v1.UploadService/InitResumableUpload", stub.InitResumableUpload, request, identity)

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
            response = self._storage().put(
                session, headers={"content-range": content_range}, content=chunk, timeout=UPLOAD_DEADLINE
            )
            result = _storage_result(response)
            if last or result.status != 308:
                return result
            offset = _committed_bytes(response)

    def advance_clocks(self, seconds: float) -> None:
        """Move the clocks of the service and of its storage by ``seconds`` (capability ``clock``)."""
        self._declare("clock", "moving the clocks")
        for url in (f"{self.target.rest_url}/_reference/clock/advance", f"{self.target.storage_url}/_standin/clock/advance"):
            self._http_client().post(url, params={"seconds": seconds}).raise_for_status()

    def stored_object(self, bucket: str, name: str) -> dict[str, Any] | None:
        """The JSON resource of a stored object, or None when there is none."""
        response = self._storage().get(f"{self.target.storage_url}/storage/v1/b/{bucket}/o/{quote(name, safe='')}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    # -- storing a file, whichever way the target allows -----------------------------------------

    def store_file(self, url: str, content_type: str, data: bytes, *, chunk_size: int | None = None,
                   reports: int = 1) -> StorageResult:
        """Store ``data`` as the object a session URL names, and have storage report it ``reports`` times.

        With capability ``storage`` the bytes go through the signed URL (storage then reports the
        object itself; further reports are copies of its OBJECT_FINALIZE, capability
        ``publish_raw``). Without it nothing can be written, so the object is reported as Cloud
        Storage would report it (``publish_raw``): the service under test sees the same message.
        """
        if "storage" in self.target.capabilities:
            stored = self.upload_file(url, content_type, data, chunk_size=chunk_size)
            if stored.resource is not None:
                for _ in range(reports - 1):
                    self.publish_object_report(stored.resource)
            return stored
        bucket, name = signed_object(url)
        resource = object_resource(bucket, name, data, content_type=content_type, generation=fresh_generation())
        for _ in range(reports):
            self.publish_object_report(resource)
        return StorageResult(200, resource=resource)

    # -- storage notifications ----------------------------------------------------------------

    def publish_finalize(
        self, bucket: str, name: str, *, generation: str, md5_base64: str | None, size: int, content_type: str = "video/mp4"
    ) -> str:
        """Publish an OBJECT_FINALIZE for ``bucket/name`` as Cloud Storage would (capability ``publish_raw``).

        ``md5_base64=None`` reports an object without an MD5 (composite objects have none).
        """
        resource = object_resource(bucket, name, b"\0" * size, content_type=content_type, generation=generation)
        if md5_base64 is None:
            del resource["md5Hash"]
        else:
            resource["md5Hash"] = md5_base64
        return self.publish_object_report(resource)

    def publish_object_report(self, resource: dict[str, Any]) -> str:
        """Publish the OBJECT_FINALIZE of one stored object resource to the uploads topic."""
        data, attributes = finalize_message(resource)
        return self.publish_raw(UPLOADS_TOPIC, data, attributes)

    def _storage(self) -> httpx.Client:
        self._declare("storage", "the signed upload URL")
        return self._http_client()


def signed_url_parts(url: str) -> tuple[str, str, dict[str, list[str]]]:
    """(host, path, query) of a signed URL."""
    parts = urlsplit(url)
    return parts.netloc, parts.path, parse_qs(parts.query)


def expiry_agrees(url: str, expires_at_ms: int) -> bool:
    """True when a signed URL expires when ``expires_at_ms`` says, within ``EXPIRY_TOLERANCE_MS``."""
    return abs(signed_expiry_ms(url) - expires_at_ms) <= EXPIRY_TOLERANCE_MS


def signed_expiry_ms(url: str) -> int:
    """When a V4-signed URL expires (``X-Goog-Date`` + ``X-Goog-Expires``), in ms since the epoch."""
    _, _, query = signed_url_parts(url)
    signed_at = calendar.timegm(time.strptime(query["X-Goog-Date"][0], "%Y%m%dT%H%M%SZ"))
    return (signed_at + int(query["X-Goog-Expires"][0])) * 1000


def md5_base64(data: bytes) -> str:
    """Base64 of the MD5 of ``data``, as storage reports it."""
    return checksums(data)[0]


def signed_object(url: str) -> tuple[str, str]:
    """The bucket and object name a path-style signed URL (``/<bucket>/<object>``) names."""
    bucket, _, name = unquote(urlsplit(url).path).lstrip("/").partition("/")
    return bucket, name


def fresh_generation() -> str:
    """A generation number as Cloud Storage assigns them (microseconds since the epoch, increasing)."""
    return str(time.time_ns() // 1000)


def object_resource(bucket: str, name: str, data: bytes, *, content_type: str, generation: str) -> dict[str, Any]:
    """The JSON API object resource Cloud Storage reports for ``data`` stored as ``bucket/name``."""
    stored = StoredObject(
        bucket=bucket, name=name, data=data, generation=int(generation), metageneration=1,
        content_type=content_type, md5_hash=md5_base64(data), crc32c=checksums(data)[1],
        time_created=datetime.now(UTC),
    )
    return stored.resource(GCS_JSON_API)


def finalize_message(resource: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """``(data, attributes)`` of the OBJECT_FINALIZE notification of one object resource."""
    attributes = {
        "notificationConfig": f"projects/_/buckets/{resource['bucket']}/notificationConfigs/1",
        "eventType": "OBJECT_FINALIZE",
        "payloadFormat": "JSON_API_V1",
        "bucketId": resource["bucket"],
        "objectId": resource["name"],
        "objectGeneration": resource["generation"],
        "eventTime": rfc3339(datetime.now(UTC), digits=6),
    }
    return json.dumps(resource, separators=(",", ":")).encode(), attributes


def _committed_bytes(response: httpx.Response) -> int:
    match = re.fullmatch(r"bytes=0-(\d+)", response.headers.get("range", ""))
    return int(match.group(1)) + 1 if match else 0


def _storage_result(response: httpx.Response) -> StorageResult:
    if response.status_code in (200, 201) and response.headers.get("content-type", "").startswith("application/json"):
        return StorageResult(response.status_code, resource=response.json())
    code = re.search(r"<Code>([^<]+)</Code>", response.text)
    return StorageResult(response.status_code, error_code=code.group(1) if code else None)
