"""The GCS stand-in over real HTTP: signed resumable uploads, preconditions, checksums, notifications.

The stand-in runs as a child process (``gcs_standin``); URLs come from the reference signer with
the upload service's exact signed headers (upstream.md §1.1). Each test writes its own object
names, so tests share one stand-in.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import google_crc32c
import httpx
import pytest

from fixtures.gcs.plugin import GcsStandin
from reference_impl.adapters.gcs_signer import SignedUrl, V4Signer

BUCKET = "lingo-conformance-raw"
CHUNK = 256 * 1024
FINALIZE_ATTRIBUTES = {
    "notificationConfig",
    "eventType",
    "payloadFormat",
    "bucketId",
    "objectId",
    "objectGeneration",
    "eventTime",
}
RESOURCE_FIELDS = {
    "kind", "id", "selfLink", "mediaLink", "name", "bucket", "generation", "metageneration", "contentType",
    "storageClass", "size", "md5Hash", "crc32c", "etag", "timeCreated", "updated", "timeStorageClassUpdated",
    "timeFinalized",
}  # fmt: skip


def _object_name() -> str:
    return f"raw_videos/{uuid.uuid4()}/{uuid.uuid4()}"


def _upload_headers(content_type: str = "video/mp4") -> dict[str, str]:
    """The headers the upload service signs and every client must send."""
    return {"x-goog-resumable": "start", "x-goog-if-generation-match": "0", "x-upload-content-type": content_type}


def _sign_start(signer: V4Signer, name: str, headers: Mapping[str, str], **kwargs: object) -> SignedUrl:
    return signer.sign(
        method="POST", bucket=BUCKET, object_name=name, expires_in=kwargs.pop("expires_in", timedelta(minutes=15)),
        headers=headers, **kwargs,
    )  # fmt: skip


def _error_code(response: httpx.Response) -> str:
    """``<Error><Code>`` of a GCS XML error body, or a note saying what came instead."""
    try:
        return ElementTree.fromstring(response.content).findtext("Code") or "<no Code element>"
    except ElementTree.ParseError:
        return f"<not an XML error body: {response.headers.get('content-type')}>"


def _start(signer: V4Signer, name: str, content_type: str = "video/mp4") -> str:
    headers = _upload_headers(content_type)
    response = httpx.post(_sign_start(signer, name, headers).url, headers=headers)
    assert response.status_code == 201, response.text
    return response.headers["location"]


def _upload_chunks(session: str, data: bytes, *, start: int = 0, chunk: int = CHUNK) -> httpx.Response:
    """Upload ``data[start:]`` in ``chunk``-sized requests, checking each intermediate 308."""
    offset = start
    while True:
        piece = data[offset : offset + chunk]
        last = offset + len(piece) == len(data)
        total = str(len(data)) if last else "*"
        response = httpx.put(
            session, content=piece, headers={"Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{total}"}
        )
        if last:
            return response
        assert response.status_code == 308, response.text
        assert response.headers["range"] == f"bytes=0-{offset + len(piece) - 1}"
        offset += len(piece)


def test_single_shot_upload(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name, data = _object_name(), b"single-shot video bytes"
    session = _start(gcs_signer, name)

    response = httpx.put(session, content=data)

    assert response.status_code == 200, response.text
    resource = response.json()
    assert RESOURCE_FIELDS <= resource.keys()
    assert (resource["bucket"], resource["name"], resource["size"]) == (BUCKET, name, str(len(data)))
    assert resource["contentType"] == "video/mp4"
    assert resource["id"] == f"{BUCKET}/{name}/{resource['generation']}"
    json_api = f"{gcs_standin.base_url}/storage/v1/b/{BUCKET}/o/{quote(name, safe='')}"
    assert httpx.get(json_api).json() == resource
    assert httpx.get(json_api, params={"alt": "media"}).content == data
    assert httpx.get(f"{gcs_standin.base_url}/{BUCKET}/{name}").content == data


def test_chunked_upload_reports_progress_then_finalizes(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name = _object_name()
    data = bytes(range(256)) * (2 * CHUNK // 256) + b"tail" * 250
    session = _start(gcs_signer, name)

    first = httpx.put(session, content=data[:CHUNK], headers={"Content-Range": f"bytes 0-{CHUNK - 1}/*"})
    status = httpx.put(session, headers={"Content-Range": "bytes */*"})
    final = _upload_chunks(session, data, start=CHUNK)

    assert (first.status_code, first.headers["range"]) == (308, f"bytes=0-{CHUNK - 1}")
    assert (status.status_code, status.headers["range"]) == (308, f"bytes=0-{CHUNK - 1}")
    assert final.status_code == 200, final.text
    assert final.json()["size"] == str(len(data))
    media = httpx.get(f"{gcs_standin.base_url}/storage/v1/b/{BUCKET}/o/{quote(name, safe='')}", params={"alt": "media"})
    assert media.content == data


def test_checksums_match_the_bytes(gcs_signer: V4Signer) -> None:
    data = uuid.uuid4().bytes * 40_000
    response = _upload_chunks(_start(gcs_signer, _object_name()), data)

    resource = response.json()
    assert base64.b64decode(resource["md5Hash"]) == hashlib.md5(data).digest()  # noqa: S324 - GCS's md5Hash
    assert base64.b64decode(resource["crc32c"]) == google_crc32c.Checksum(data).digest()


def test_url_signed_for_another_object_is_refused(gcs_signer: V4Signer) -> None:
    headers = _upload_headers()
    signed = _sign_start(gcs_signer, _object_name(), headers)
    other = _object_name()
    path, query = signed.url.split("?", 1)
    tampered = f"{path.rsplit('/raw_videos/', 1)[0]}/{other}?{query}"

    response = httpx.post(tampered, headers=headers)

    assert (response.status_code, _error_code(response)) == (403, "SignatureDoesNotMatch"), response.text


def test_other_content_type_than_signed_is_refused(gcs_signer: V4Signer) -> None:
    signed = _sign_start(gcs_signer, _object_name(), _upload_headers("video/mp4"))

    response = httpx.post(signed.url, headers=_upload_headers("video/webm"))

    assert (response.status_code, _error_code(response)) == (403, "SignatureDoesNotMatch"), response.text


def test_missing_signed_header_is_refused(gcs_signer: V4Signer) -> None:
    headers = _upload_headers()
    signed = _sign_start(gcs_signer, _object_name(), headers)
    without_precondition = {k: v for k, v in headers.items() if k != "x-goog-if-generation-match"}

    response = httpx.post(signed.url, headers=without_precondition)

    assert (response.status_code, _error_code(response)) == (403, "SignatureDoesNotMatch"), response.text
    assert "x-goog-if-generation-match" in response.text


def test_expired_url_is_refused(gcs_signer: V4Signer) -> None:
    headers = _upload_headers()
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    signed = _sign_start(gcs_signer, _object_name(), headers, now=an_hour_ago, expires_in=timedelta(minutes=15))

    response = httpx.post(signed.url, headers=headers)

    # GCS answers 400 ExpiredToken (not 403) for an expired V4 URL; see EXPIRED_STATUS in fixtures/gcs/verify.py.
    assert (response.status_code, _error_code(response)) == (400, "ExpiredToken"), response.text


def test_unsigned_write_is_refused(gcs_standin: GcsStandin) -> None:
    response = httpx.post(f"{gcs_standin.base_url}/{BUCKET}/{_object_name()}", headers=_upload_headers())

    assert (response.status_code, _error_code(response)) == (403, "AccessDenied"), response.text


def test_second_writer_gets_412_and_first_object_is_unchanged(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name = _object_name()
    # Both sessions start before either finishes: the precondition is checked at finalize.
    session_a, session_b = _start(gcs_signer, name), _start(gcs_signer, name)

    first = httpx.put(session_a, content=b"writer A")
    second = httpx.put(session_b, content=b"writer B")

    assert first.status_code == 200, first.text
    assert (second.status_code, _error_code(second)) == (412, "PreconditionFailed"), second.text
    metadata = httpx.get(f"{gcs_standin.base_url}/storage/v1/b/{BUCKET}/o/{quote(name, safe='')}").json()
    assert metadata["generation"] == first.json()["generation"]
    assert httpx.get(f"{gcs_standin.base_url}/{BUCKET}/{name}").content == b"writer A"
    finalized = [n for n in gcs_standin.notifications() if n["attributes"]["objectId"] == name]
    assert len(finalized) == 1


def test_finalize_notification_has_gcs_shape(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name = _object_name()
    resource = httpx.put(_start(gcs_signer, name), content=b"notify me").json()

    (notification,) = [n for n in gcs_standin.notifications() if n["attributes"]["objectId"] == name]

    attributes = notification["attributes"]
    assert set(attributes) == FINALIZE_ATTRIBUTES
    assert attributes["notificationConfig"] == f"projects/_/buckets/{BUCKET}/notificationConfigs/1"
    assert (attributes["eventType"], attributes["payloadFormat"]) == ("OBJECT_FINALIZE", "JSON_API_V1")
    assert (attributes["bucketId"], attributes["objectGeneration"]) == (BUCKET, resource["generation"])
    assert datetime.fromisoformat(attributes["eventTime"]).tzinfo is not None
    assert notification["data"] == resource
    assert isinstance(notification["data"]["size"], str) and isinstance(notification["data"]["generation"], str)


def test_overwrite_without_precondition_reports_overwrote_generation(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name, headers = _object_name(), {"x-goog-resumable": "start", "x-upload-content-type": "video/mp4"}
    generations = []
    for body in (b"one", b"two"):
        session = httpx.post(_sign_start(gcs_signer, name, headers).url, headers=headers).headers["location"]
        generations.append(httpx.put(session, content=body).json()["generation"])

    notes = [n["attributes"] for n in gcs_standin.notifications() if n["attributes"]["objectId"] == name]

    assert [n.get("overwroteGeneration") for n in notes] == [None, generations[0]]
    assert int(generations[1]) > int(generations[0])


def test_unknown_session_is_404(gcs_standin: GcsStandin) -> None:
    response = httpx.put(f"{gcs_standin.base_url}/{BUCKET}/{_object_name()}?upload_id=no-such-session", content=b"x")

    assert (response.status_code, _error_code(response)) == (404, "NoSuchUpload"), response.text


def test_session_expires_after_its_ttl(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    session = _start(gcs_signer, _object_name())

    with gcs_standin.clock_advanced(timedelta(days=7, seconds=1).total_seconds()):
        response = httpx.put(session, content=b"too late")

    assert response.status_code == 404, response.text


def test_chunk_leaving_a_gap_is_refused_and_session_survives(gcs_signer: V4Signer) -> None:
    data = b"\x01" * (2 * CHUNK)
    session = _start(gcs_signer, _object_name())

    gap = httpx.put(session, content=data[CHUNK:], headers={"Content-Range": f"bytes {CHUNK}-{2 * CHUNK - 1}/{2 * CHUNK}"})
    small = httpx.put(session, content=b"x" * 10, headers={"Content-Range": "bytes 0-9/*"})
    resumed = _upload_chunks(session, data)

    assert (gap.status_code, _error_code(gap)) == (400, "InvalidArgument"), gap.text
    assert (small.status_code, _error_code(small)) == (400, "InvalidArgument"), small.text
    assert resumed.status_code == 200, resumed.text


def test_resent_overlapping_bytes_are_ignored(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name, data = _object_name(), bytes(range(256)) * (3 * CHUNK // 256)
    session = _start(gcs_signer, name)
    httpx.put(session, content=data[:CHUNK], headers={"Content-Range": f"bytes 0-{CHUNK - 1}/*"})

    # A client that lost the 308 resends from 0; the persisted prefix is skipped.
    response = httpx.put(session, content=data, headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})

    assert response.status_code == 200, response.text
    assert httpx.get(f"{gcs_standin.base_url}/{BUCKET}/{name}").content == data


def test_cancelled_session_is_gone(gcs_signer: V4Signer) -> None:
    session = _start(gcs_signer, _object_name())

    cancelled = httpx.delete(session)
    after = httpx.put(session, content=b"x")

    assert (cancelled.status_code, after.status_code) == (499, 404)


@pytest.mark.parametrize("content_range", ["bytes 0-4/5", None])
def test_completed_session_returns_the_object_again(gcs_signer: V4Signer, content_range: str | None) -> None:
    session = _start(gcs_signer, _object_name())
    headers = {"Content-Range": content_range} if content_range else {}
    first = httpx.put(session, content=b"12345", headers=headers)

    again = httpx.put(session, headers={"Content-Range": "bytes */5"})

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()


def test_object_names_with_reserved_and_unicode_characters(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name = f"raw_videos/{uuid.uuid4()}/é &+=;~ file (1).mp4"
    response = httpx.put(_start(gcs_signer, name), content=b"odd name")

    assert response.status_code == 200, response.text
    assert response.json()["name"] == name
    assert httpx.get(f"{gcs_standin.base_url}/storage/v1/b/{BUCKET}/o/{quote(name, safe='')}").json()["name"] == name


def test_signed_extra_query_parameters_are_verified(gcs_signer: V4Signer) -> None:
    headers = _upload_headers()
    signed = _sign_start(gcs_signer, _object_name(), headers, query_params={"x-goog-meta-origin": "é app"})

    accepted = httpx.post(signed.url, headers=headers)
    tampered = httpx.post(signed.url.replace("%C3%A9%20app", "other"), headers=headers)

    assert accepted.status_code == 201, accepted.text
    assert (tampered.status_code, _error_code(tampered)) == (403, "SignatureDoesNotMatch"), tampered.text


def test_unsigned_content_type_decides_the_object_type(gcs_signer: V4Signer) -> None:
    """XML API: the object's type comes from ``Content-Type``; signing ``x-upload-content-type``
    (a JSON-API header, what upstream signs) does not bind it. Sign ``content-type`` to bind it."""
    headers = _upload_headers("video/mp4")
    signed = _sign_start(gcs_signer, _object_name(), headers)

    session = httpx.post(signed.url, headers={**headers, "Content-Type": "video/webm"})
    resource = httpx.put(session.headers["location"], content=b"x").json()

    assert resource["contentType"] == "video/webm"


def test_head_returns_object_headers_without_body(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name = _object_name()
    resource = httpx.put(_start(gcs_signer, name), content=b"head me").json()

    response = httpx.head(f"{gcs_standin.base_url}/{BUCKET}/{name}")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["x-goog-generation"] == resource["generation"]
    assert response.headers["x-goog-hash"] == f"crc32c={resource['crc32c']},md5={resource['md5Hash']}"


def test_url_not_signing_host_is_refused(gcs_signer: V4Signer) -> None:
    headers = _upload_headers()
    signed = _sign_start(gcs_signer, _object_name(), headers)
    without_host = signed.url.replace("X-Goog-SignedHeaders=host%3B", "X-Goog-SignedHeaders=")

    response = httpx.post(without_host, headers=headers)

    assert (response.status_code, _error_code(response)) == (400, "InvalidArgument"), response.text


def test_injected_503_changes_nothing_and_the_retry_succeeds(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name = _object_name()
    session = _start(gcs_signer, name)
    gcs_standin.inject_fault("PUT", status=503, object_prefix=name)

    failed = httpx.put(session, content=b"abc", headers={"Content-Range": "bytes 0-2/3"})
    status = httpx.put(session, headers={"Content-Range": "bytes */*"})
    retried = httpx.put(session, content=b"abc", headers={"Content-Range": "bytes 0-2/3"})

    assert (failed.status_code, _error_code(failed)) == (503, "ServiceUnavailable"), failed.text
    assert (status.status_code, "range" in status.headers) == (308, False)
    assert retried.status_code == 200, retried.text


def test_connection_lost_mid_chunk_keeps_a_prefix_to_resume_from(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> None:
    name, data = _object_name(), bytes(range(256)) * (3 * CHUNK // 256)
    session = _start(gcs_signer, name)
    gcs_standin.inject_fault("PUT", status=503, object_prefix=name, persist_bytes=CHUNK + 10)

    failed = httpx.put(session, content=data, headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
    status = httpx.put(session, headers={"Content-Range": "bytes */*"})
    resumed = _upload_chunks(session, data, start=int(status.headers["range"].split("-")[1]) + 1)

    assert failed.status_code == 503
    assert status.headers["range"] == f"bytes=0-{CHUNK - 1}"  # persisted in whole 256 KiB units
    assert resumed.status_code == 200, resumed.text
    assert httpx.get(f"{gcs_standin.base_url}/{BUCKET}/{name}").content == data
