"""Steps of the catalog area (features/catalog/): the scene they share, and the lifecycle's basics.

``steps/catalog_access.py`` (who may call, visibility, ETags), ``steps/catalog_lists.py`` (lists
and paging) and ``steps/catalog_writes.py`` (idempotency keys, stage events) build on this module.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from fixtures.data import registration_request
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually

EVENTS_TOPIC = "catalog.video.events"
#: the event id a revision carries when the change produced no event (upstream.md §1.3)
NIL_EVENT_ID = "00000000-0000-0000-0000-000000000000"


def metadata(driver: Driver, video_id: str):  # noqa: ANN201 - a VideoMetadata
    """The video's metadata as the pipeline reads it, insisting the read works."""
    outcome = driver.get_video_metadata(driver.pipeline, video_id)
    assert outcome.ok, f"GetVideoMetadata failed: {outcome.code} {outcome.reason} {outcome.message}"
    return outcome.response.metadata


def now() -> str:
    """Now, RFC 3339 UTC, as a pipeline job stamps its reports."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class CatalogScene:
    """What a catalog scenario has made so far (one per scenario).

    Attributes:
        owner: the uploader of ``video``.
        video: the video the scenario is about.
        version_before: its version before the step under test.
        user: the user whose lists a scenario walks; ``videos`` are theirs, oldest first.
        by_status: the user's video per status name (listing scenarios).
        other: another user, with videos of their own.
        outcomes: answers of the calls under test, in order.
        request: the last request sent with an idempotency key, and ``key`` that key.
    """

    owner: Identity | None = None
    video: str = ""
    version_before: int = 0
    user: Identity | None = None
    videos: list[str] = field(default_factory=list)
    by_status: dict[str, str] = field(default_factory=dict)
    other: Identity | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    request: dict[str, Any] = field(default_factory=dict)
    key: str = ""


@pytest.fixture
def catalog() -> CatalogScene:
    """The scenario's catalog scene."""
    return CatalogScene()


def succeeded(outcome: Outcome) -> Outcome:
    """``outcome``, insisting it is OK."""
    assert outcome.ok, f"{outcome.operation} failed: {outcome.code} {outcome.reason} {outcome.message!r}"
    return outcome


def register(driver: Driver, request: dict[str, Any]) -> str:
    """Register a video as the pipeline; its id."""
    return succeeded(driver.register_upload(**request)).response.video_id


def report(driver: Driver, video_id: str, stage: str, status: str) -> Outcome:
    """The pipeline reports ``stage`` of the video as ``status``."""
    return succeeded(driver.update_processing_status(video_id, stage, new_status=status, job_id=f"job-{stage}", emitted_at=now()))


#: how the pipeline brings a registered video to a status (or a visibility) through the public RPCs
def bring_to(driver: Driver, video_id: str, status: str) -> None:
    """Move a freshly registered video to ``status`` (``unlisted``: ready with that visibility)."""
    if status in ("processing", "failed"):
        report(driver, video_id, "media", "processing" if status == "processing" else "failed")
    if status in ("ready", "published", "rejected", "unlisted"):
        report(driver, video_id, "media", "ready")
        report(driver, video_id, "analysis", "ready")
    if status == "published":
        succeeded(driver.publish_video(video_id))
    if status == "rejected":
        succeeded(driver.reject_video(video_id, "rejected by the conformance suite"))
    if status == "unlisted":
        succeeded(driver.override_visibility(video_id, "unlisted"))
    if status == "archived":
        succeeded(driver.archive_video(video_id, reason="archived by the conformance suite"))



def ready_video(driver: Driver, run_id: str) -> str:
    """A public video the pipeline registered and finished both stages of (status ``ready``); its id."""
    video = register(driver, registration_request(run_id))
    bring_to(driver, video, "ready")
    return video

# -- Given --------------------------------------------------------------------------------------


@given("a video registered by the pipeline", target_fixture="video")
def _(driver: Driver, run_id: str, catalog: CatalogScene) -> str:
    request = registration_request(run_id)
    catalog.owner = Identity.of_user(request["upload_user_id"])
    catalog.video = register(driver, request)
    return catalog.video


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
    return driver.update_media_info(
        video, duration_micros=micros, thumbnail_url=thumbnail, media_status=status, job_id=job, emitted_at=now()
    )


@when(
    parsers.parse('job "{job}" reports analysis results of difficulty "{difficulty}" with tags "{tags}", status "{status}"'),
    target_fixture="outcome",
)
def _(driver: Driver, video: str, job: str, difficulty: str, tags: str, status: str) -> Outcome:
    return driver.update_ai_attributes(
        video,
        difficulty=difficulty,
        tags=[t.strip() for t in tags.split(",")],
        analysis_status=status,
        job_id=job,
        emitted_at=now(),
    )


@then(
    parsers.parse(
        'the video\'s metadata shows {micros:d} µs, thumbnail "{thumbnail}", difficulty "{difficulty}" and tags "{tags}"'
    )
)
def _(driver: Driver, video: str, micros: int, thumbnail: str, difficulty: str, tags: str) -> None:
    seen = metadata(driver, video)
    expected = (micros, thumbnail, difficulty, [t.strip() for t in tags.split(",")])
    assert (seen.duration_micros, seen.thumbnail_url, seen.difficulty, list(seen.tags)) == expected, seen
