"""Steps of the projection area (features/projection/): events in, read models observed.

Events are published as their producers would (``publish_raw``); read models are read through the
public RPCs that serve them (``grpc``) and, where no RPC shows a column, through the projection
tables of contracts/sql (``database``). Scenario state lives in the ``flow`` fixture of steps/outbox.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when

from steps.catalog import ready_video
from steps.driver import Driver, Identity
from steps.eventually import eventually
from steps.outbox import Flow
from steps.driver.outbox import VIDEO_TOPIC, EventMessage, engagement_event, video_event, watch_event

_FIELDS = ("title", "description", "status")


def _publish(driver: Driver, flow: Flow, message: EventMessage) -> None:
    driver.publish_event(message)
    flow.last = message


def _shows(driver: Driver, flow: Flow, video: str, expected: dict[str, object]) -> dict | None:
    row = driver.profile_video(flow.user("the viewer"), video)
    assert row is not None, f"the profile service has no read model of video {video} yet"
    differing = {k: (v, row.get(k)) for k, v in expected.items() if row.get(k) != v}
    assert not differing, f"video {video}: (expected, shown) differ for {differing}; row {row}"
    return row


# -- Given --------------------------------------------------------------------------------------


@given(parsers.parse('a video the catalog created at version 1 with title "{title}"'))
def _(driver: Driver, flow: Flow, title: str) -> None:
    _publish(driver, flow, video_event("catalog.video.created", flow.video, 1, title=title))


@given("a viewer who bookmarked the video")
def _(driver: Driver, flow: Flow) -> None:
    _bookmark(driver, flow, flow.video)


@given("a viewer who bookmarked the video and another video")
def _(driver: Driver, flow: Flow) -> None:
    flow.other_video = str(uuid.uuid4())
    for video in (flow.video, flow.other_video):
        _bookmark(driver, flow, video)


def _bookmark(driver: Driver, flow: Flow, video: str) -> None:
    viewer = flow.user("the viewer")
    outcome = driver.mutate_favorite(Identity.of_user(viewer), "grpc", video, "bookmark", add=True)
    assert outcome.ok, f"the viewer's bookmark failed: {outcome.code} {outcome.reason} {outcome.message}"


@given("a ready catalog video and a viewer")
def _(driver: Driver, flow: Flow, run_id: str) -> None:
    flow.user("the viewer")
    flow.videos.append(ready_video(driver, run_id))


@given("the next projection handler run fails after its writes")
def _(driver: Driver, request: pytest.FixtureRequest) -> None:
    request.addfinalizer(lambda: driver.fail_next_projection_handlers(0))
    driver.fail_next_projection_handlers(1, "profile.watch.progressed")


@given("three videos with a history of created, updated and deleted events in the profile read model")
def _(driver: Driver, flow: Flow) -> None:
    flow.since = datetime.now(UTC) - timedelta(seconds=1)
    histories = [
        [("catalog.video.created", 1, {"title": "one"}), ("catalog.video.updated", 2, {"description": "d"})],
        [("catalog.video.created", 1, {"title": "two"}), ("catalog.video.updated", 3, {"status": "ready"}),
         ("catalog.video.updated", 2, {"title": "stale"})],
        [("catalog.video.created", 1, {"title": "three"}), ("catalog.video.deleted", 2, {})],
    ]
    for history in histories:
        video = str(uuid.uuid4())
        flow.videos.append(video)
        for event_type, version, fields in history:
            _publish(driver, flow, video_event(event_type, video, version, **fields))
    finals = {flow.videos[0]: 2, flow.videos[1]: 3, flow.videos[2]: 2}

    def snapshot() -> dict[str, dict]:
        return {video: driver.profile_video_row(video) for video in flow.videos}

    flow.snapshot = eventually(
        snapshot,
        until=lambda rows: all(rows[v] is not None and rows[v]["version"] == finals[v] for v in rows),
        timeout=10,
        what="the three videos at their final versions",
    )


# -- When ---------------------------------------------------------------------------------------


@when(parsers.re(r'the catalog publishes "(?P<event_type>[a-z._]+)" version (?P<version>\d+)(?: with (?P<field>\w+) "(?P<value>[^"]*)")?$'))
def _(driver: Driver, flow: Flow, event_type: str, version: str, field: str | None, value: str | None) -> None:
    fields = {field: value} if field else {}
    _publish(driver, flow, video_event(event_type, flow.video, int(version), **fields))


@when(parsers.parse('the catalog publishes another video created at version 1 with title "{title}"'))
def _(driver: Driver, flow: Flow, title: str) -> None:
    flow.other_video = flow.other_video or str(uuid.uuid4())
    driver.publish_event(video_event("catalog.video.created", flow.other_video, 1, title=title))


@when(parsers.parse("the same message is published {times:d} more times"))
def _(driver: Driver, flow: Flow, times: int) -> None:
    assert flow.last is not None
    for _ in range(times):
        driver.publish_event(flow.last)


@when(parsers.parse("the catalog publishes for the video a message with {defect}"))
def _(driver: Driver, flow: Flow, defect: str) -> None:
    message = video_event("catalog.video.updated", flow.video, 2, title="poison")
    attributes, data = dict(message.attributes), message.data
    if defect == 'schema_version "v99"':
        attributes["schema_version"] = "v99"
    elif defect == "a payload that is not a video.v1.Event":
        data = b"\xff\xff\xff\xff not protobuf"
    elif defect == "an event_id that is not a UUID":
        attributes["event_id"] = f"{flow.run_id}not-a-uuid-{uuid.uuid4().hex[:8]}"
    else:
        pytest.fail(f"unknown defect {defect!r}; add it to steps/projection.py")
    flow.poison_event_id = attributes["event_id"]
    driver.publish_bytes(VIDEO_TOPIC, data, attributes, flow.video)


@when(parsers.re(r"the viewer's (?P<kind>like|bookmark) of the video is (?P<action>added|removed) at minute (?P<minute>\d+)$"))
def _(driver: Driver, flow: Flow, kind: str, action: str, minute: str) -> None:
    message = engagement_event(action, kind, user_id=flow.user("the viewer"), video_id=flow.video,
                               occurred_at=flow.at_minute(int(minute)))
    _publish(driver, flow, message)


@when(parsers.re(r"(?P<who>the viewer|another viewer) watches the video at minute (?P<minute>\d+)$"))
def _(driver: Driver, flow: Flow, who: str, minute: str) -> None:
    _publish(driver, flow, watch_event(user_id=flow.user(who), video_id=flow.video, watched_at=flow.at_minute(int(minute))))


@when(parsers.parse('the operator rebuilds the "{name}" projection from a replay since before those events'))
def _(driver: Driver, flow: Flow, name: str) -> None:
    assert flow.since is not None
    driver.rebuild_projection(name, flow.since)


# -- Then ---------------------------------------------------------------------------------------


@then(parsers.re(r'within (?P<seconds>\d+) seconds the profile service shows the (?P<which>video|other video) with (?P<field>\w+) "(?P<value>[^"]*)" at version (?P<version>\d+)$'))
def _(driver: Driver, flow: Flow, seconds: str, which: str, field: str, value: str, version: str) -> None:
    video = flow.other_video if which == "other video" else flow.video
    eventually(lambda: _shows(driver, flow, video, {field: value, "version": int(version)}), timeout=float(seconds),
               what=f"the profile read model shows {field}={value!r} at version {version}")  # type: ignore[arg-type]


@then(parsers.re(r'the profile service shows the video with (?P<field>\w+) "(?P<value>[^"]*)" at version (?P<version>\d+)$'))
def _(driver: Driver, flow: Flow, field: str, value: str, version: str) -> None:
    _shows(driver, flow, flow.video, {field: value, "version": int(version)})


@then(parsers.parse('within {seconds:d} seconds the poison message is on "{dlq}" from "{subscription}"'))
def _(driver: Driver, flow: Flow, seconds: int, dlq: str, subscription: str) -> None:
    eventually(
        lambda: [
            e for e in driver.dead_letters(dlq)
            if e.attributes.get("event_id") == flow.poison_event_id
            and e.attributes.get("CloudPubSubDeadLetterSourceSubscription") == subscription
        ],
        timeout=seconds,
        what=f"poison message {flow.poison_event_id} dead-lettered from {subscription} to {dlq}",
    )


@then(parsers.parse("within {seconds:d} seconds the profile service shows the three videos exactly as before the rebuild"))
def _(driver: Driver, flow: Flow, seconds: int) -> None:
    eventually(
        lambda: {video: driver.profile_video_row(video) for video in flow.videos},
        until=lambda rows: rows == flow.snapshot,
        timeout=seconds,
        what=f"the rebuilt rows equal the rows before the rebuild {flow.snapshot}",
    )


def _engagement(driver: Driver, flow: Flow) -> dict:
    return driver.catalog_engagement(flow.video, flow.user("the viewer"))


@then(parsers.re(r"(?P<within>within (?P<seconds>\d+) seconds )?catalog shows the viewer has (?P<state>liked and bookmarked|bookmarked but not liked) the video$"))
def _(driver: Driver, flow: Flow, within: str | None, seconds: str | None, state: str) -> None:
    liked = state == "liked and bookmarked"

    def probe() -> dict:
        shown = _engagement(driver, flow)
        assert (shown["has_liked"], shown["has_bookmarked"]) == (liked, True), f"the viewer's flags: {shown}"
        return shown

    eventually(probe, timeout=float(seconds or 0), what=f"the viewer {state} the video")


@then(parsers.re(r"catalog shows the video with (?P<likes>\d+) likes? and (?P<bookmarks>\d+) bookmarks?$"))
def _(driver: Driver, flow: Flow, likes: str, bookmarks: str) -> None:
    shown = _engagement(driver, flow)
    assert (shown["like_count"], shown["bookmark_count"]) == (int(likes), int(bookmarks)), (
        f"expected {likes} likes and {bookmarks} bookmarks, catalog shows {shown}"
    )


@then(parsers.re(r"within (?P<seconds>\d+) seconds catalog shows the video with (?P<watches>\d+) watches by (?P<watchers>\d+) unique watchers$"))
def _(driver: Driver, flow: Flow, seconds: str, watches: str, watchers: str) -> None:
    def probe() -> tuple[int, int]:
        shown = _engagement(driver, flow)
        return shown["watch_count"], shown["unique_watchers"]

    expected = (int(watches), int(watchers))
    counted = eventually(probe, until=lambda got: got[1] >= expected[1], timeout=float(seconds),
                         what=f"{watchers} unique watchers counted")
    assert counted == expected, f"expected (watches, unique watchers) = {expected}, catalog shows {counted}"


@then(parsers.parse("catalog shows the video first watched at minute {first:d} and last watched at minute {last:d}"))
def _(driver: Driver, flow: Flow, first: int, last: int) -> None:
    shown = driver.catalog_watch_times(flow.video)
    assert shown == (flow.at_minute(first), flow.at_minute(last)), (
        f"expected first/last watch at minutes {first}/{last} ({flow.at_minute(first)}, {flow.at_minute(last)}), catalog shows {shown}"
    )
