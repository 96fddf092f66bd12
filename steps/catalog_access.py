"""Catalog steps about access: who may call which RPC, visibility actions, and ETags on reads."""

from __future__ import annotations

import uuid

from pytest_bdd import given, parsers, then, when

from fixtures.data import lifecycle_fields
from steps.catalog import EVENTS_TOPIC, CatalogScene, bring_to, metadata, now, succeeded
from steps.driver import Driver, Identity, Outcome
from steps.eventually import eventually

ACTOR_TYPE, ACTOR_ID = "x-md-actor-type", "x-md-actor-id"


def reader(driver: Driver, catalog: CatalogScene, who: str) -> Identity:
    """The identity of a reader named in a step."""
    return {
        "the owner": lambda: catalog.owner,
        "the pipeline": lambda: driver.pipeline,
        "another user": lambda: Identity.of_user(str(uuid.uuid4())),
        "a caller with no identity": Identity.anonymous,
    }[who]()


def read(driver: Driver, catalog: CatalogScene, who: str, what: str, etag: str | None = None) -> Outcome:
    """``who`` reads the scene's video's metadata or detail."""
    call = driver.get_video_metadata if what == "metadata" else driver.get_video_detail
    outcome = call(reader(driver, catalog, who), catalog.video, if_none_match=etag)
    catalog.outcomes.append(outcome)
    return outcome


# -- Given --------------------------------------------------------------------------------------


@given("the pipeline has made the video ready")
def _(driver: Driver, video: str) -> None:
    bring_to(driver, video, "ready")


@given("the pipeline has made the video ready and published it")
def _(driver: Driver, video: str) -> None:
    bring_to(driver, video, "published")


@given("moderation has made the video private")
def _(driver: Driver, video: str) -> None:
    succeeded(driver.override_visibility(video, "private"))


@given(parsers.re(r"the video is (?P<status>pending_upload|processing|ready|published|failed|rejected|archived)$"))
def _(driver: Driver, video: str, catalog: CatalogScene, status: str) -> None:
    bring_to(driver, video, status)
    catalog.version_before = metadata(driver, video).version


# -- When ---------------------------------------------------------------------------------------


@when(parsers.parse("a caller with no identity calls {rpc} on the video"), target_fixture="outcome")
def _(driver: Driver, video: str, run_id: str, rpc: str) -> Outcome:
    return driver.call_lifecycle(Identity.anonymous(), rpc, **lifecycle_fields(rpc, video, run_id, now()))


@when(parsers.parse("the owner calls {rpc} on the video"), target_fixture="outcome")
def _(driver: Driver, video: str, run_id: str, catalog: CatalogScene, rpc: str) -> Outcome:
    return driver.call_lifecycle(catalog.owner, rpc, **lifecycle_fields(rpc, video, run_id, now()))


@when(parsers.parse('the service "{name}" calls {rpc} on the video'), target_fixture="outcome")
def _(driver: Driver, video: str, run_id: str, name: str, rpc: str) -> Outcome:
    stranger = Identity.of_service(((ACTOR_TYPE, "service"), (ACTOR_ID, name)))
    return driver.call_lifecycle(stranger, rpc, **lifecycle_fields(rpc, video, run_id, now()))


@when(
    parsers.re(r"(?P<who>the owner|the pipeline|another user|a caller with no identity) reads the video's (?P<what>metadata|detail)$"),
    target_fixture="outcome",
)
def _(driver: Driver, catalog: CatalogScene, who: str, what: str) -> Outcome:
    return read(driver, catalog, who, what)


@when(
    parsers.re(r"(?P<who>the owner|another user) reads the video's (?P<what>metadata|detail) again with the ETag received$"),
    target_fixture="outcome",
)
def _(driver: Driver, catalog: CatalogScene, who: str, what: str) -> Outcome:
    return read(driver, catalog, who, what, etag=succeeded(catalog.outcomes[-1]).headers.get("etag"))


@when(
    parsers.re(r"(?P<who>the owner) reads the video's (?P<what>metadata) again with the first ETag$"),
    target_fixture="outcome",
)
def _(driver: Driver, catalog: CatalogScene, who: str, what: str) -> Outcome:
    return read(driver, catalog, who, what, etag=catalog.outcomes[0].headers.get("etag"))


@when("a caller with no identity lists their uploads", target_fixture="outcome")
def _(driver: Driver) -> Outcome:
    return driver.list_my_uploads(Identity.anonymous())


@when("moderation publishes the video", target_fixture="outcome")
def _(driver: Driver, video: str) -> Outcome:
    return driver.publish_video(video)


@when(parsers.parse('moderation rejects the video for "{reason}"'), target_fixture="outcome")
def _(driver: Driver, video: str, reason: str) -> Outcome:
    return driver.reject_video(video, reason)


@when(parsers.parse('moderation overrides the video\'s visibility to "{visibility}"'), target_fixture="outcome")
def _(driver: Driver, video: str, visibility: str) -> Outcome:
    return driver.override_visibility(video, visibility)


# -- Then ---------------------------------------------------------------------------------------


@then("the video is still at version 1 and its owner has 1 video")
def _(driver: Driver, video: str, catalog: CatalogScene) -> None:
    assert metadata(driver, video).version == 1, "a refused call changed the video"
    uploads = succeeded(driver.list_my_uploads(catalog.owner, page_size=100)).response.videos
    assert [v.video_id for v in uploads] == [video], f"the owner's uploads changed: {[v.video_id for v in uploads]}"


@then(parsers.parse("the read {result}"))
def _(outcome: Outcome, catalog: CatalogScene, result: str) -> None:
    if result.startswith("fails with "):
        assert outcome.code == result.removeprefix("fails with "), f"expected {result}, received {outcome.code} {outcome.message!r}"
        return
    succeeded(outcome)
    if result == "succeeds":
        return
    seen = outcome.response.metadata.raw_file_reference
    if result == "succeeds with the raw file reference":
        assert seen, "the owner or an internal caller must see raw_file_reference"
    else:
        assert seen == "", f"raw_file_reference {seen!r} reached a caller who is neither the owner nor internal"


@then(parsers.parse('the video is "{status}" with visibility "{visibility}"'))
def _(driver: Driver, video: str, status: str, visibility: str) -> None:
    seen = metadata(driver, video)
    assert (seen.status, seen.visibility_status) == (status, visibility), (seen.status, seen.visibility_status)


@then(parsers.parse("the video is still {status} at the same version"))
def _(driver: Driver, video: str, catalog: CatalogScene, status: str) -> None:
    seen = metadata(driver, video)
    assert (seen.status, seen.version) == (status, catalog.version_before), (seen.status, seen.version)


@then(
    parsers.re(
        r'within (?P<seconds>\d+) seconds the video\'s "(?P<event_type>[^"]+)" says "(?P<before>[^"]+)" became '
        r'"(?P<after>[^"]+)" with visibility "(?P<visibility>[^"]+)"( for "(?P<reason>[^"]+)")?$'
    )
)
def _(driver: Driver, video: str, seconds: str, event_type: str, before: str, after: str, visibility: str, reason: str | None) -> None:
    events = eventually(
        lambda: driver.events(EVENTS_TOPIC, aggregate_id=video, event_type=event_type),
        timeout=int(seconds),
        what=f"{event_type} of {video}",
    )
    changed = events[-1].payload.visibility_changed
    seen = (changed.previous_status, changed.status, changed.visibility_status)
    assert seen == (before, after, visibility), seen
    assert events[-1].payload.WhichOneof("payload") == "visibility_changed"
    if reason is not None:
        assert changed.reason == reason, changed


@then(parsers.parse('the video\'s latest "catalog.video.updated" carries status "{status}"'))
def _(driver: Driver, video: str, status: str) -> None:
    events = driver.events(EVENTS_TOPIC, aggregate_id=video, event_type="catalog.video.updated")
    assert events, "no catalog.video.updated arrived before the visibility_changed of the same change"
    assert events[-1].payload.updated.status == status, events[-1].payload_json()


@then("the answer carries the same ETag")
def _(outcome: Outcome, catalog: CatalogScene) -> None:
    first = catalog.outcomes[-2].headers.get("etag")
    assert first and outcome.headers.get("etag") == first, (first, outcome.headers)


@then("both reads carry the same ETag")
def _(catalog: CatalogScene) -> None:
    tags = [succeeded(o).headers.get("etag") for o in catalog.outcomes]
    assert tags[0] and len(set(tags)) == 1, tags


@then(parsers.parse("the call succeeds with version {version:d} and an ETag other than the first"))
def _(outcome: Outcome, catalog: CatalogScene, version: int) -> None:
    succeeded(outcome)
    assert outcome.response.metadata.version == version, outcome.response.metadata
    assert outcome.headers.get("etag") not in (None, catalog.outcomes[0].headers.get("etag")), outcome.headers
