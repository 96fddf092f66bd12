"""Steps of the upload area (features/upload/)."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pytest
from pytest_bdd import given, parsers, then, when

from fixtures.data import MIB, TestFile, upload_request
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually
from steps.driver.upload import (
    CHUNK_QUANTUM,
    EXPIRY_TOLERANCE_MS,
    StorageResult,
    expiry_agrees,
    md5_base64,
    session_headers,
    signed_expiry_ms,
    signed_object,
    signed_url_parts,
)
from steps.quiescence import settled_video_events

EVENTS_TOPIC = "catalog.video.events"
UPLOADS_SUBSCRIPTION = "catalog.video-uploads.runner"
SIGNED_QUERY = ("X-Goog-Algorithm", "X-Goog-Credential", "X-Goog-Date", "X-Goog-Expires", "X-Goog-SignedHeaders", "X-Goog-Signature")


@dataclass(frozen=True)
class UploadUnderTest:
    """An upload session a scenario has reserved."""

    identity: Identity
    file: TestFile
    fields: dict
    video_id: str
    url: str
    expires_at_ms: int

    @property
    def bucket_and_object(self) -> tuple[str, str]:
        """The signed URL's bucket and object name."""
        return signed_object(self.url)


def stored(result: StorageResult) -> StorageResult:
    """``result``, insisting that storage stored the object (the scenario is not about refusals)."""
    assert result.status in (200, 201), f"storage answered {result.status} {result.error_code}; expected the object stored"
    return result


def reserve(driver: Driver, identity: Identity, run_id: str, file: TestFile, **overrides: object) -> UploadUnderTest:
    """Init an upload of ``file`` and insist that it succeeds."""
    fields = upload_request(
        run_id, size_bytes=len(file.data), content_type=file.content_type, content_md5_hex=file.md5_hex, **overrides
    )
    outcome = driver.init_upload(identity, **fields)
    assert outcome.ok, f"InitResumableUpload failed: {outcome.code} {outcome.reason} {outcome.message}"
    response = outcome.response
    return UploadUnderTest(identity, file, fields, response.video_id, response.resumable_init_url, response.expires_at_unixms)


def my_upload(driver: Driver, upload: UploadUnderTest):  # noqa: ANN201 - a MyUploadListItem
    """The user's list entry of the upload's video (asserting the call works and lists it)."""
    outcome = driver.list_my_uploads(upload.identity, page_size=100)
    assert outcome.ok, f"ListMyUploads failed: {outcome.code} {outcome.reason} {outcome.message}"
    items = [item for item in outcome.response.videos if item.video_id == upload.video_id]
    assert items, f"video {upload.video_id} is not among the user's uploads"
    return items[0]


# -- Given --------------------------------------------------------------------------------------


@given(
    parsers.parse('the user has initialised an upload of a new {mib:d} MiB "{content_type}" file'),
    target_fixture="upload",
)
def _(driver: Driver, caller: Identity, run_id: str, mib: int, content_type: str) -> UploadUnderTest:
    return reserve(driver, caller, run_id, TestFile.random(mib * MIB, content_type))


@given("the user has written the file through the session URL and the upload completed")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    stored = driver.upload_file(upload.url, upload.file.content_type, upload.file.data)
    assert stored.status in (200, 201), f"storage answered {stored.status} {stored.error_code}"
    eventually(lambda: my_upload(driver, upload).upload_status, until=lambda s: s == "completed", timeout=15)


@given("the user's file has been stored and the upload completed")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    stored(driver.store_file(upload.url, upload.file.content_type, upload.file.data))
    eventually(lambda: my_upload(driver, upload).upload_status, until=lambda s: s == "completed", timeout=15)


@given("other bytes than declared have been stored and the upload failed")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    other = TestFile.random(len(upload.file.data)).data
    stored(driver.store_file(upload.url, upload.file.content_type, other))
    eventually(lambda: my_upload(driver, upload).upload_status, until=lambda s: s == "failed", timeout=15)


@given(parsers.parse("every storage notification is delivered {copies:d} times"))
def _(driver: Driver, request: pytest.FixtureRequest, copies: int) -> None:
    request.addfinalizer(driver.clear_faults)
    driver.duplicate_deliveries(UPLOADS_SUBSCRIPTION, copies)


# -- When ---------------------------------------------------------------------------------------


@when(
    parsers.parse('the caller initialises an upload of a valid {mib:d} MiB "{content_type}" file'),
    target_fixture="outcome",
)
def _(driver: Driver, caller: Identity, run_id: str, mib: int, content_type: str) -> Outcome:
    return driver.init_upload(caller, **upload_request(run_id, size_bytes=mib * MIB, content_type=content_type))


@when(parsers.parse("the user initialises an upload with {field} set to {value}"), target_fixture="outcome")
def _(driver: Driver, caller: Identity, run_id: str, field: str, value: str) -> Outcome:
    return driver.init_upload(caller, **upload_request(run_id, **{field: json.loads(value)}))


@when(
    parsers.parse('the user initialises an upload of a new {mib:d} MiB "{content_type}" file'),
    target_fixture="outcome",
)
def _(driver: Driver, caller: Identity, run_id: str, mib: int, content_type: str) -> Outcome:
    file = TestFile.random(mib * MIB, content_type)
    return driver.init_upload(
        caller, **upload_request(run_id, size_bytes=len(file.data), content_type=content_type, content_md5_hex=file.md5_hex)
    )


@when(parsers.parse('the user initialises an upload of the same file with the title "{title}"'), target_fixture="outcome")
def _(driver: Driver, upload: UploadUnderTest, title: str) -> Outcome:
    return driver.init_upload(upload.identity, **{**upload.fields, "title": title})


@when("the user initialises an upload of the same file", target_fixture="outcome")
def _(driver: Driver, upload: UploadUnderTest) -> Outcome:
    return driver.init_upload(upload.identity, **upload.fields)


@when("another signed-in user initialises an upload of the same content", target_fixture="outcome")
def _(driver: Driver, upload: UploadUnderTest) -> Outcome:
    return driver.init_upload(Identity.of_user(str(uuid.uuid4())), **upload.fields)


@when(parsers.parse("the user initialises an upload of the same new file {times:d} times at once"), target_fixture="outcomes")
def _(driver: Driver, caller: Identity, run_id: str, times: int) -> list[Outcome]:
    fields = upload_request(run_id)
    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(lambda _: driver.init_upload(caller, **fields), range(times)))


@when("the URL's expiry is less than 30 seconds away")
def _(driver: Driver, upload: UploadUnderTest, request: pytest.FixtureRequest) -> None:
    _advance(driver, request, upload.expires_at_ms / 1000 - time.time() - 20)


@when("the URL's lifetime has passed")
def _(driver: Driver, upload: UploadUnderTest, request: pytest.FixtureRequest) -> None:
    _advance(driver, request, upload.expires_at_ms / 1000 - time.time() + 5)


def _advance(driver: Driver, request: pytest.FixtureRequest, seconds: float) -> None:
    # The clocks are the target's, shared by every scenario: put them back when this one ends.
    request.addfinalizer(lambda: driver.advance_clocks(-seconds))
    driver.advance_clocks(seconds)


TAMPERING = {
    "as signed": lambda url, headers: (url, headers),
    "for another object": lambda url, headers: (url.replace("/raw_videos/", "/raw_videos/x", 1), headers),
    "with another content type": lambda url, headers: (url, {**headers, "x-upload-content-type": "video/webm"}),
    "without the generation precondition": lambda url, headers: (
        url,
        {k: v for k, v in headers.items() if k != "x-goog-if-generation-match"},
    ),
}


@when(parsers.parse("the client starts a session with the URL {how}"), target_fixture="storage_result")
def _(driver: Driver, upload: UploadUnderTest, how: str) -> StorageResult:
    url, headers = TAMPERING[how](upload.url, session_headers(upload.file.content_type))
    return driver.start_session(url, headers)[0]


@when(parsers.parse("the user writes the file through the session URL {how}"), target_fixture="storage_result")
def _(driver: Driver, upload: UploadUnderTest, how: str) -> StorageResult:
    chunk_size = {"in one request": None, "in chunks of 256 KiB": CHUNK_QUANTUM}[how]
    return driver.upload_file(upload.url, upload.file.content_type, upload.file.data, chunk_size=chunk_size)


@when("the user's file is stored through the session URL", target_fixture="storage_result")
def _(driver: Driver, upload: UploadUnderTest) -> StorageResult:
    return stored(driver.store_file(upload.url, upload.file.content_type, upload.file.data))


@when(parsers.parse("the user's file is stored and storage reports it {reports:d} times"), target_fixture="storage_result")
def _(driver: Driver, upload: UploadUnderTest, reports: int) -> StorageResult:
    return stored(driver.store_file(upload.url, upload.file.content_type, upload.file.data, reports=reports))


@when("other bytes than declared are stored through the session URL", target_fixture="storage_result")
def _(driver: Driver, upload: UploadUnderTest) -> StorageResult:
    other = TestFile.random(len(upload.file.data)).data
    return stored(driver.store_file(upload.url, upload.file.content_type, other))


@when("someone writes other bytes through the same session URL in one request", target_fixture="storage_result")
def _(driver: Driver, upload: UploadUnderTest) -> StorageResult:
    return driver.upload_file(upload.url, upload.file.content_type, TestFile.random(len(upload.file.data)).data)


@when("storage reports a new generation of the object with the declared MD5")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    bucket, name = upload.bucket_and_object
    generation = str(time.time_ns())
    driver.publish_finalize(bucket, name, generation=generation, md5_base64=md5_base64(upload.file.data), size=len(upload.file.data))


@when("storage reports the object stored without an MD5 hash")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    bucket, name = upload.bucket_and_object
    driver.publish_finalize(bucket, name, generation=str(time.time_ns()), md5_base64=None, size=len(upload.file.data))


@when("storage reports an object no upload session knows", target_fixture="counters_before")
def _(driver: Driver, run_id: str) -> dict[str, int]:
    before = driver.subscription_counters(UPLOADS_SUBSCRIPTION)
    name = f"raw_videos/{uuid.uuid4()}/{run_id}stray"
    driver.publish_finalize("unknown-bucket", name, generation="1", md5_base64=md5_base64(b"x"), size=1)
    return before


@when("storage reports an object in the user's folder that no upload session knows", target_fixture="stray_video")
def _(driver: Driver, upload: UploadUnderTest) -> str:
    bucket, _ = upload.bucket_and_object
    stray_video = str(uuid.uuid4())
    data = upload.file.data
    name = f"raw_videos/{upload.identity.user_id}/{stray_video}"
    driver.publish_finalize(bucket, name, generation="1", md5_base64=md5_base64(data), size=len(data))
    return stray_video


# -- Then ---------------------------------------------------------------------------------------


@then("the call succeeds")
def _(outcome: Outcome) -> None:
    assert outcome.ok, f"{outcome.operation}: expected OK, received {outcome.code} {outcome.reason} {outcome.message!r}"


@then("the video id is a UUID")
def _(outcome: Outcome) -> None:
    assert str(uuid.UUID(outcome.response.video_id)) == outcome.response.video_id.lower()


@then(parsers.parse('the session URL is V4-signed for the object "raw_videos/<user id>/<video id>"'))
def _(outcome: Outcome, caller: Identity) -> None:
    _, path, query = signed_url_parts(outcome.response.resumable_init_url)
    expected = f"/raw_videos/{caller.user_id}/{outcome.response.video_id}"
    assert path.endswith(expected), f"signed path {path!r} does not end with {expected!r}"
    assert query.get("X-Goog-Algorithm") == ["GOOG4-RSA-SHA256"], query.get("X-Goog-Algorithm")
    missing = [name for name in SIGNED_QUERY if name not in query]
    assert not missing, f"signed URL lacks {missing}"


@then(parsers.parse('the session URL binds the headers "{first}", "{second}" and "{third}"'))
def _(outcome: Outcome, first: str, second: str, third: str) -> None:
    _, _, query = signed_url_parts(outcome.response.resumable_init_url)
    signed = set(query["X-Goog-SignedHeaders"][0].split(";"))
    assert {first, second, third} <= signed, f"signed headers are {sorted(signed)}"


@then(parsers.parse("the session URL lives no longer than {seconds:d} seconds"))
def _(outcome: Outcome, seconds: int) -> None:
    url, expires_at_ms = outcome.response.resumable_init_url, outcome.response.expires_at_unixms
    _, _, query = signed_url_parts(url)
    signed_for = int(query["X-Goog-Expires"][0])
    assert signed_for <= seconds, f"the URL is signed for {signed_for} s (X-Goog-Expires); the contract allows {seconds} s"
    # Measured from the signing time the URL states, not from this machine's clock: a target on a test
    # clock signs by its own time.
    signed_at_ms = signed_expiry_ms(url) - signed_for * 1000
    lifetime = (expires_at_ms - signed_at_ms) / 1000
    assert lifetime <= seconds + EXPIRY_TOLERANCE_MS / 1000, (
        f"the response says the URL expires {lifetime:.0f} s after it was signed; the contract allows {seconds} s"
    )


@then("the session URL expires when the response says, in the future")
def _(outcome: Outcome) -> None:
    url, expires_at_ms = outcome.response.resumable_init_url, outcome.response.expires_at_unixms
    assert expiry_agrees(url, expires_at_ms), (
        f"URL expires at {signed_expiry_ms(url)} ms, response says {expires_at_ms} ms "
        f"(more than {EXPIRY_TOLERANCE_MS} ms apart)"
    )
    assert outcome.response.expires_at_unixms > time.time() * 1000


@then("the video id is the one reserved before")
def _(outcome: Outcome, upload: UploadUnderTest) -> None:
    assert outcome.ok, f"expected OK, received {outcome.code} {outcome.reason} {outcome.message!r}"
    assert outcome.response.video_id == upload.video_id


@then("the video id differs from the one reserved before")
def _(outcome: Outcome, upload: UploadUnderTest) -> None:
    assert outcome.response.video_id != upload.video_id


@then("the session URL is the one handed out before")
def _(outcome: Outcome, upload: UploadUnderTest) -> None:
    assert outcome.response.resumable_init_url == upload.url


@then("the session URL is a fresh one that expires later", target_fixture="upload")
def _(outcome: Outcome, upload: UploadUnderTest) -> UploadUnderTest:
    assert outcome.ok, f"expected OK, received {outcome.code} {outcome.reason} {outcome.message!r}"
    assert outcome.response.resumable_init_url != upload.url
    assert outcome.response.expires_at_unixms > upload.expires_at_ms
    return replace(upload, url=outcome.response.resumable_init_url, expires_at_ms=outcome.response.expires_at_unixms)


@then(parsers.parse('the user\'s upload of that video is titled "{title}"'))
def _(driver: Driver, upload: UploadUnderTest, title: str) -> None:
    assert my_upload(driver, upload).title == title


@then(parsers.parse("all {times:d} calls succeed with the same video id"))
def _(outcomes: list[Outcome], times: int) -> None:
    assert [o.code for o in outcomes] == ["OK"] * times
    assert len({o.response.video_id for o in outcomes}) == 1, sorted({o.response.video_id for o in outcomes})


@then(parsers.parse("the user has exactly {count:d} upload"))
@then(parsers.parse("the user has exactly {count:d} uploads"))
def _(driver: Driver, caller: Identity, count: int) -> None:
    outcome = driver.list_my_uploads(caller, page_size=100)
    assert outcome.ok and len(outcome.response.videos) == count, outcome


@then("storage stores the object with the file's MD5 and size")
def _(storage_result: StorageResult, upload: UploadUnderTest) -> None:
    assert storage_result.status in (200, 201), f"storage answered {storage_result.status} {storage_result.error_code}"
    assert storage_result.resource["md5Hash"] == md5_base64(upload.file.data)
    assert storage_result.resource["size"] == str(len(upload.file.data))


@then(parsers.parse('within {seconds:d} seconds the user\'s upload is "{upload_status}" with a video in status "{status}"'))
def _(driver: Driver, upload: UploadUnderTest, seconds: int, upload_status: str, status: str) -> None:
    eventually(
        lambda: my_upload(driver, upload),
        until=lambda item: (item.upload_status, item.status) == (upload_status, status),
        timeout=seconds,
        what=f"upload {upload.video_id} is {upload_status} with a {status} video",
    )
    metadata = driver.get_video_metadata(upload.identity, upload.video_id)
    assert metadata.ok and metadata.response.metadata.status == status, metadata


@then(parsers.parse('within {seconds:d} seconds the user\'s upload is "{upload_status}" with error "{error_code}"'))
def _(driver: Driver, upload: UploadUnderTest, seconds: int, upload_status: str, error_code: str) -> None:
    eventually(
        lambda: my_upload(driver, upload),
        until=lambda item: (item.upload_status, item.upload_error_code) == (upload_status, error_code),
        timeout=seconds,
        what=f"upload {upload.video_id} is {upload_status} with {error_code}",
    )


@then(parsers.parse('the video\'s raw file reference is "gs://<bucket>/raw_videos/<user id>/<video id>"'))
def _(driver: Driver, upload: UploadUnderTest) -> None:
    bucket, name = upload.bucket_and_object
    metadata = driver.get_video_metadata(upload.identity, upload.video_id)
    assert metadata.response.metadata.raw_file_reference == f"gs://{bucket}/{name}"
    assert name == f"raw_videos/{upload.identity.user_id}/{upload.video_id}"


def _logical(events: list) -> list:
    """Each logical event once, in arrival order (at least once: a redelivered copy shares its event_id)."""
    unique = {}
    for event in events:
        unique.setdefault(event.attributes["event_id"], event)
    return list(unique.values())


@then(parsers.parse('within {seconds:d} seconds the video\'s events are exactly "{first}" then "{second}"'))
def _(driver: Driver, upload: UploadUnderTest, first: str, second: str, seconds: int) -> None:
    events = _logical(settled_video_events(driver, upload.video_id, at_least=2, seconds=seconds))
    assert [e.event_type for e in events] == [first, second], [e.event_type for e in events]
    assert [int(e.attributes["version"]) for e in events] == sorted(int(e.attributes["version"]) for e in events)
    assert all(e.ordering_key == upload.video_id for e in events)


@then(parsers.parse(
    'after a later change of the video, its events before that change\'s are exactly "{first}" then "{second}"'
))
def _(driver: Driver, upload: UploadUnderTest, first: str, second: str) -> None:
    events = _logical(settled_video_events(driver, upload.video_id, at_least=2, seconds=15))
    assert [e.event_type for e in events] == [first, second], f"events before the later change: {events}"


@then("the video does not exist")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    outcome = driver.get_video_metadata(upload.identity, upload.video_id)
    assert (outcome.code, outcome.reason) == ("NOT_FOUND", "ERROR_REASON_VIDEO_NOT_FOUND"), outcome


@then(parsers.parse('storage refuses it with {status:d} "{error_code}"'))
def _(storage_result: StorageResult, status: int, error_code: str) -> None:
    assert (storage_result.status, storage_result.error_code) == (status, error_code), storage_result


@then("the client can start a session with the new URL")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    started, session = driver.start_session(upload.url, session_headers(upload.file.content_type))
    assert started.status == 201 and session, started


@then("storage still holds the first file")
def _(driver: Driver, upload: UploadUnderTest) -> None:
    stored = driver.stored_object(*upload.bucket_and_object)
    assert stored is not None and stored["md5Hash"] == md5_base64(upload.file.data), stored


@then(parsers.parse("within {seconds:d} seconds every copy of the notification has been acknowledged"))
def _(driver: Driver, seconds: int) -> None:
    eventually(
        lambda: driver.subscription_counters(UPLOADS_SUBSCRIPTION),
        until=lambda c: c["backlog"] == 0 and c["outstanding"] == 0,
        timeout=seconds,
        what="the uploads subscription settles",
    )


@then(parsers.parse("within {seconds:d} seconds that notification is acknowledged without a retry"))
def _(driver: Driver, counters_before: dict[str, int], seconds: int) -> None:
    counters = eventually(
        lambda: driver.subscription_counters(UPLOADS_SUBSCRIPTION),
        until=lambda c: c["acked"] > counters_before["acked"] and c["backlog"] == 0 and c["outstanding"] == 0,
        timeout=seconds,
        what="the stray notification is acknowledged",
    )
    retried = {k: counters[k] - counters_before[k] for k in ("nacked", "expired", "dead_lettered")}
    assert retried == {"nacked": 0, "expired": 0, "dead_lettered": 0}, retried


@then("the stray object created no video and no upload")
def _(driver: Driver, upload: UploadUnderTest, stray_video: str) -> None:
    metadata = driver.get_video_metadata(upload.identity, stray_video)
    assert (metadata.code, metadata.reason) == ("NOT_FOUND", "ERROR_REASON_VIDEO_NOT_FOUND"), metadata
    uploads = driver.list_my_uploads(upload.identity, page_size=100)
    assert uploads.ok, uploads
    assert [item.video_id for item in uploads.response.videos] == [upload.video_id], uploads.response.videos
    assert driver.events(EVENTS_TOPIC, aggregate_id=stray_video) == []
