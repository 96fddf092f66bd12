"""Catalog steps about writes: idempotency keys on lifecycle calls, and the stage milestone events."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from pytest_bdd import parsers, then, when

from fixtures.data import registration_request
from steps.catalog import EVENTS_TOPIC, CatalogScene, succeeded
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually


def fresh_key(run_id: str, name: str) -> str:
    """An idempotency key unique to this scenario, recognisable by its step name."""
    return f"{run_id}{uuid.uuid4().hex[:8]}-{name}"


def register_with_key(driver: Driver, catalog: CatalogScene, request: dict, key: str) -> Outcome:
    """RegisterUpload with ``key``; remembered in the scene."""
    catalog.owner = Identity.of_user(request["upload_user_id"])
    catalog.request, catalog.key = request, key
    outcome = driver.register_upload(idempotency_key=key, **request)
    catalog.outcomes.append(outcome)
    return outcome


# -- When ---------------------------------------------------------------------------------------


@when(parsers.parse('the pipeline registers an upload with idempotency key "{name}"'), target_fixture="outcome")
def _(driver: Driver, run_id: str, catalog: CatalogScene, name: str) -> Outcome:
    return register_with_key(driver, catalog, registration_request(run_id), fresh_key(run_id, name))


@when("the pipeline repeats that registration with the same key", target_fixture="outcome")
def _(driver: Driver, catalog: CatalogScene) -> Outcome:
    return register_with_key(driver, catalog, catalog.request, catalog.key)


@when("the pipeline registers another upload for the same uploader with the same key", target_fixture="outcome")
def _(driver: Driver, catalog: CatalogScene) -> Outcome:
    other = {**catalog.request, "title": catalog.request["title"] + " (another)"}
    outcome = driver.register_upload(idempotency_key=catalog.key, **other)
    catalog.outcomes.append(outcome)
    return outcome


@when(parsers.parse('the pipeline archives the video with idempotency key "{name}"'), target_fixture="outcome")
def _(driver: Driver, run_id: str, video: str, catalog: CatalogScene, name: str) -> Outcome:
    catalog.key = catalog.key or fresh_key(run_id, name)
    outcome = driver.archive_video(video, idempotency_key=catalog.key, reason="archived once")
    catalog.outcomes.append(outcome)
    return outcome


@when(
    parsers.parse('the pipeline sends the same registration with idempotency key "{name}" {times:d} times at once'),
    target_fixture="outcome",
)
def _(driver: Driver, run_id: str, catalog: CatalogScene, name: str, times: int) -> Outcome:
    request, key = registration_request(run_id), fresh_key(run_id, name)
    catalog.owner, catalog.request, catalog.key = Identity.of_user(request["upload_user_id"]), request, key
    with ThreadPoolExecutor(max_workers=times) as pool:
        catalog.outcomes = list(pool.map(lambda _: driver.register_upload(idempotency_key=key, **request), range(times)))
    return catalog.outcomes[-1]


@when(parsers.parse("the service's clock moves {seconds:d} seconds forward"))
def _(driver: Driver, request: pytest.FixtureRequest, seconds: int) -> None:
    # The clocks are the target's, shared by every scenario: put them back when this one ends.
    request.addfinalizer(lambda: driver.advance_clocks(-seconds))
    driver.advance_clocks(seconds)


# -- Then ---------------------------------------------------------------------------------------


@then("both answers are the same")
def _(catalog: CatalogScene) -> None:
    first, second = (succeeded(o).response for o in catalog.outcomes[-2:])
    assert first == second, f"the replay answered\n{second}\ninstead of the first answer\n{first}"


@then(parsers.parse("all {times:d} answers are the same"))
def _(catalog: CatalogScene, times: int) -> None:
    answers = [succeeded(o).response.SerializeToString(deterministic=True) for o in catalog.outcomes]
    assert len(answers) == times and len(set(answers)) == 1, f"{len(set(answers))} different answers to one key"


@then("the answers name different videos")
def _(catalog: CatalogScene) -> None:
    first, second = (succeeded(o).response.video_id for o in catalog.outcomes[-2:])
    assert first != second, "a key older than its 24 hours still replayed the first answer"


@then(parsers.parse("the uploader has exactly {count:d} video"))
@then(parsers.parse("the uploader has exactly {count:d} videos"))
def _(driver: Driver, catalog: CatalogScene, count: int) -> None:
    videos = succeeded(driver.list_my_uploads(catalog.owner, page_size=100)).response.videos
    assert len(videos) == count, f"expected {count} videos of the uploader, found {len(videos)}"


def _stage_events(driver: Driver, video: str, event_type: str) -> list:
    return driver.events(EVENTS_TOPIC, aggregate_id=video, event_type=event_type)


@then(
    parsers.parse(
        'within {seconds:d} seconds the video has 1 "{event_type}" at the version of that change, with {name} "{value}"'
    )
)
def _(driver: Driver, video: str, outcome: Outcome, seconds: int, event_type: str, name: str, value: str) -> None:
    events = eventually(lambda: _stage_events(driver, video, event_type), timeout=seconds, what=f"{event_type} of {video}")
    assert len(events) == 1, f"{len(events)} {event_type} events for one change"
    event = events[0]
    payload = getattr(event.payload, event.payload.WhichOneof("payload"))
    revision = succeeded(outcome).response.revision
    assert (payload.version, getattr(payload, name)) == (revision.version, value), event.payload_json()
    updated = _stage_events(driver, video, "catalog.video.updated")
    assert any(u.payload.updated.version == revision.version for u in updated), (
        f"no catalog.video.updated of version {revision.version} beside {event_type}"
    )


@then(parsers.parse('within {seconds:d} seconds the video\'s "catalog.video.updated" for that last change has arrived'))
def _(driver: Driver, video: str, outcome: Outcome, seconds: int) -> None:
    version = succeeded(outcome).response.revision.version
    eventually(
        lambda: [e for e in _stage_events(driver, video, "catalog.video.updated") if e.payload.updated.version == version],
        timeout=seconds,
        what=f"catalog.video.updated of {video} at version {version}",
    )


@then(parsers.parse('the video has exactly {count:d} "{event_type}"'))
def _(driver: Driver, video: str, count: int, event_type: str) -> None:
    events = _stage_events(driver, video, event_type)
    assert len(events) == count, f"{len(events)} {event_type} events, expected {count}"
