"""Steps of the catalog area (features/catalog/)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from pytest_bdd import given, parsers, then, when

from fixtures.data import registration_request
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually

EVENTS_TOPIC = "catalog.video.events"
ANYONE = Identity.anonymous()
#: the event id a revision carries when the change produced no event (upstream.md §1.3)
NIL_EVENT_ID = "00000000-0000-0000-0000-000000000000"


def metadata(driver: Driver, video_id: str):  # noqa: ANN201 - a VideoMetadata
    """The video's metadata, insisting the read works."""
    outcome = driver.get_video_metadata(ANYONE, video_id)
    assert outcome.ok, f"GetVideoMetadata failed: {outcome.code} {outcome.reason} {outcome.message}"
    return outcome.response.metadata


def now() -> str:
    """Now, RFC 3339 UTC, as a pipeline job stamps its reports."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def ready_video(driver: Driver, run_id: str) -> str:
    """A video the pipeline registered and finished both stages of (status ``ready``); its id."""
    registered = driver.register_upload(**registration_request(run_id))
    assert registered.ok, f"RegisterUpload failed: {registered.code} {registered.reason} {registered.message}"
    video = registered.response.video_id
    for stage in ("media", "analysis"):
        done = driver.update_processing_status(video, stage, new_status="ready", job_id=f"{run_id}{stage}", emitted_at=now())
        assert done.ok, f"UpdateProcessingStatus {stage} ready failed: {done.code} {done.reason} {done.message}"
    return video


# -- Given --------------------------------------------------------------------------------------


@given("a video registered by the pipeline", target_fixture="video")
def _(driver: Driver, run_id: str) -> str:
    outcome = driver.register_upload(**registration_request(run_id))
    assert outcome.ok, f"RegisterUpload failed: {outcome.code} {outcome.reason} {outcome.message}"
    return outcome.response.video_id


# -- When ---------------------------------------------------------------------------------------


@when(parsers.parse('the pipeline registers an upload titled "{title}"'), target_fixture="outcome")
def _(driver: Driver, run_id: str, title: str) -> Outcome:
    return driver.register_upload(**registration_request(run_id, title=title))


@when(parsers.parse("the pipeline registers an upload with {field} set to {value}"), target_fixture="outcome")
def _(driver: Driver, run_id: str, field: str, value: str) -> Outcome:
    return driver.register_upload(**registration_request(run_id, **{field: json.loads(value)}))


@when(parsers.parse('job "{job}" reports the {stage} stage "{status}"'), target_fixture="outcome")
def _(driver: Driver, video: str, job: str, stage: str, status: str) -> Outcome:
    return driver.update_processing_status(video, stage, new_status=status, job_id=job, emitted_at=now())


@when(parsers.parse('job "{job}" reports the {stage} stage "{status}" at "{emitted_at}"'), target_fixture="outcome")
def _(driver: Driver, video: str, job: str, stage: str, status: str, emitted_at: str) -> Outcome:
    return driver.update_processing_status(video, stage, new_status=status, job_id=job, emitted_at=emitted_at)


@when(
    parsers.parse('job "{job}" reports the {stage} stage "{status}" expecting it to be "{expected}"'),
    target_fixture="outcome",
)
def _(driver: Driver, video: str, job: str, stage: str, status: str, expected: str) -> Outcome:
    return driver.update_processing_status(
        video, stage, new_status=status, job_id=job, emitted_at=now(), expected_status=expected
    )


@when(parsers.parse("the pipeline archives the video expecting version {version:d}"), target_fixture="outcome")
def _(driver: Driver, video: str, version: int) -> Outcome:
    return driver.archive_video(video, expected_version=version)


@when("the pipeline archives the video", target_fixture="outcome")
def _(driver: Driver, video: str) -> Outcome:
    return driver.archive_video(video, reason="withdrawn by the conformance suite")


@when("the pipeline archives a video that does not exist", target_fixture="outcome")
def _(driver: Driver) -> Outcome:
    return driver.archive_video(str(uuid.uuid4()))


# -- Then ---------------------------------------------------------------------------------------


@then(parsers.parse('the new video is "{status}" with media "{media}" and analysis "{analysis}" at version {version:d}'))
def _(driver: Driver, outcome: Outcome, status: str, media: str, analysis: str, version: int) -> None:
    seen = metadata(driver, outcome.response.video_id)
    assert (seen.status, seen.media_status, seen.analysis_status, seen.version) == (status, media, analysis, version)


@then(parsers.parse('within {seconds:d} seconds "{event_type}" for the new video is published with title "{title}"'))
def _(driver: Driver, outcome: Outcome, seconds: int, event_type: str, title: str) -> None:
    video_id = outcome.response.video_id
    events = eventually(
        lambda: driver.events(EVENTS_TOPIC, aggregate_id=video_id, event_type=event_type),
        timeout=seconds,
        what=f"{event_type} of {video_id}",
    )
    assert events[0].payload.created.title == title
    assert events[0].attributes["event_id"] == outcome.response.event_id


@then(parsers.parse('the video is "{status}"'))
def _(driver: Driver, video: str, status: str) -> None:
    assert metadata(driver, video).status == status


@then(parsers.parse('the video is "{status}" at version {version:d}'))
def _(driver: Driver, video: str, status: str, version: int) -> None:
    seen = metadata(driver, video)
    assert (seen.status, seen.version) == (status, version)


@then(parsers.parse('the video\'s {stage} stage is "{status}"'))
def _(driver: Driver, video: str, stage: str, status: str) -> None:
    assert getattr(metadata(driver, video), f"{stage}_status") == status


@then(
    parsers.parse(
        'within {seconds:d} seconds the video\'s latest "{event_type}" carries exactly {first} "{first_value}"'
        ' and {second} "{second_value}"'
    )
)
def _(driver: Driver, video: str, seconds: int, event_type: str, first: str, first_value: str, second: str, second_value: str) -> None:
    events = eventually(
        lambda: driver.events(EVENTS_TOPIC, aggregate_id=video, event_type=event_type),
        timeout=seconds,
        what=f"{event_type} of {video}",
    )
    carried = {k: v for k, v in events[-1].payload_json()["updated"].items() if k not in ("videoId", "version", "occurredAt")}
    assert carried == {_camel(first): first_value, _camel(second): second_value}, carried


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@then("the call succeeds without announcing an event")
def _(outcome: Outcome) -> None:
    assert outcome.ok, f"expected OK, received {outcome.code} {outcome.reason} {outcome.message!r}"
    assert outcome.response.revision.event_id == NIL_EVENT_ID, outcome.response.revision


@when(
    parsers.parse('job "{job}" reports media results of {micros:d} µs with thumbnail "{thumbnail}", status "{status}"'),
    target_fixture="outcome",
)
def _(driver: Driver, video: str, job: str, micros: int, thumbnail: str, status: str) -> Outcome:
    outcome = driver.update_media_info(
        video, duration_micros=micros, thumbnail_url=thumbnail, media_status=status, job_id=job, emitted_at=now()
    )
    assert outcome.ok, outcome
    return outcome


@when(
    parsers.parse('job "{job}" reports analysis results of difficulty "{difficulty}" with tags "{tags}", status "{status}"'),
    target_fixture="outcome",
)
def _(driver: Driver, video: str, job: str, difficulty: str, tags: str, status: str) -> Outcome:
    outcome = driver.update_ai_attributes(
        video,
        difficulty=difficulty,
        tags=[t.strip() for t in tags.split(",")],
        analysis_status=status,
        job_id=job,
        emitted_at=now(),
    )
    assert outcome.ok, outcome
    return outcome


@then(
    parsers.parse(
        'the video\'s metadata shows {micros:d} µs, thumbnail "{thumbnail}", difficulty "{difficulty}" and tags "{tags}"'
    )
)
def _(driver: Driver, video: str, micros: int, thumbnail: str, difficulty: str, tags: str) -> None:
    seen = metadata(driver, video)
    expected = (micros, thumbnail, difficulty, [t.strip() for t in tags.split(",")])
    assert (seen.duration_micros, seen.thumbnail_url, seen.difficulty, list(seen.tags)) == expected, seen
