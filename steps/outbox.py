"""Steps of the outbox area (features/outbox/): committed changes, relays, broker faults, re-drive.

A scenario's state (its videos, the events it enqueued, its schema and relays) lives in the
``flow`` fixture, shared with steps/projection.py.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when

from fixtures.data import registration_request
from steps.catalog import NIL_EVENT_ID, now
from steps.driver import Driver, Identity, Outcome
from steps.driver.outbox import ENGAGEMENT_TOPIC, VIDEO_TOPIC, EventMessage, RelayProcess, video_event, watch_event
from steps.eventually import eventually
from steps.quiescence import settled

REQUIRED_ATTRIBUTES = ("event_id", "event_type", "aggregate_type", "aggregate_id", "version", "occurred_at", "schema_version")


@dataclass
class Flow:
    """What one scenario made and saw."""

    run_id: str
    videos: list[str] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    enqueued: dict[tuple[str, int], EventMessage] = field(default_factory=dict)
    schema: str | None = None
    relays: dict[str, RelayProcess] = field(default_factory=dict)
    committed_at: float = 0.0
    last: EventMessage | None = None
    poison_event_id: str | None = None
    other_video: str | None = None
    base_time: datetime = field(default_factory=lambda: datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2))
    since: datetime | None = None
    snapshot: dict[str, dict] = field(default_factory=dict)
    outbox: str | None = None
    metrics_before: dict[str, float] = field(default_factory=dict)
    watch: EventMessage | None = None
    announced: dict[str, list[str]] = field(default_factory=dict)
    committed_versions: dict[str, set[int]] = field(default_factory=dict)

    @property
    def video(self) -> str:
        """The scenario's (first) video."""
        if not self.videos:
            self.videos.append(str(uuid.uuid4()))
        return self.videos[0]

    def user(self, who: str) -> str:
        """The id of ``the viewer`` / ``another viewer``."""
        return self.users.setdefault(who, str(uuid.uuid4()))

    def announce(self, video: str, event_id: str, version: int) -> None:
        """Record a successful change of ``video``: its version and the event it named (none: the nil UUID)."""
        self.committed_versions.setdefault(video, set()).add(version)
        if event_id != NIL_EVENT_ID:
            self.announced.setdefault(video, []).append(event_id)

    def at_minute(self, minute: int) -> datetime:
        """A time ``minute`` minutes after the scenario's base time."""
        return self.base_time + timedelta(minutes=minute)


@pytest.fixture
def flow(run_id: str) -> Flow:
    """The scenario's state."""
    return Flow(run_id=run_id)


def versions(text: str) -> list[int]:
    """``"1, 2, 3"`` → ``[1, 2, 3]``."""
    return [int(part) for part in text.replace(" and ", ",").split(",") if part.strip()]


def change_events(flow: Flow, video: str, version: int) -> EventMessage:
    """The event a change of ``video`` to ``version`` emits (created at 1, updated after)."""
    if version == 1:
        return video_event("catalog.video.created", video, 1, title=f"{flow.run_id}video")
    return video_event("catalog.video.updated", video, version, title=f"{flow.run_id}v{version}")


def logical_versions(driver: Driver, topic: str, video: str) -> list[int]:
    """Versions of the distinct events (by event_id) seen for ``video``, in first-arrival order."""
    seen: dict[str, int] = {}
    for event in driver.events(topic, aggregate_id=video):
        seen.setdefault(event.attributes["event_id"], int(event.attributes["version"]))
    return list(seen.values())


# -- Given --------------------------------------------------------------------------------------


@given(parsers.parse('the broker refuses every publish to "{topic}"'))
def _(driver: Driver, request: pytest.FixtureRequest, topic: str) -> None:
    request.addfinalizer(driver.clear_faults)
    driver.broker_admin().faults.fail_publishes(topic=topic)


@given("an outbox table rendered from the contract into a fresh schema")
def _(driver: Driver, flow: Flow, request: pytest.FixtureRequest) -> None:
    request.addfinalizer(driver.cleanup_outbox)
    flow.schema = driver.create_outbox_schema()


@given(parsers.parse("{count:d} relays of that schema claiming 1 event at a time"))
def _(driver: Driver, flow: Flow, count: int) -> None:
    for index in range(count):
        flow.relays[f"relay {index}"] = driver.start_relay(flow.schema, VIDEO_TOPIC, batch_size=1)


@given(parsers.parse('a relay of that schema publishing to "{topic}" that crashes after its first publish'))
def _(driver: Driver, flow: Flow, topic: str) -> None:
    flow.relays["crashing"] = driver.start_relay(flow.schema, topic, crash_after_publish=True)


@given("a relay of that schema that dies right after its first claim")
def _(driver: Driver, flow: Flow) -> None:
    flow.relays["crashing"] = driver.start_relay(flow.schema, VIDEO_TOPIC, crash_after_claim=True)


@given(parsers.parse("a relay of that schema that stalls for {seconds:d} seconds after claiming"))
def _(driver: Driver, flow: Flow, seconds: int) -> None:
    flow.relays["stalled"] = driver.start_relay(flow.schema, VIDEO_TOPIC, stall_after_claim=seconds)


@given(parsers.parse("a relay of that schema retrying after {initial:g} seconds, doubling up to {cap:g} seconds"))
def _(driver: Driver, flow: Flow, initial: float, cap: float) -> None:
    flow.relays["retrying"] = driver.start_relay(
        flow.schema, VIDEO_TOPIC, initial_backoff=initial, max_backoff=cap, max_attempts=100
    )


@given(parsers.parse("a relay of that schema that parks an event after {attempts:d} attempts"))
def _(driver: Driver, flow: Flow, attempts: int) -> None:
    flow.relays["parking"] = driver.start_relay(
        flow.schema, VIDEO_TOPIC, initial_backoff=0.1, max_backoff=0.2, max_attempts=attempts
    )


@given("a relay of that schema with the default retry settings")
def _(driver: Driver, flow: Flow) -> None:
    flow.relays["default"] = driver.start_relay(flow.schema, VIDEO_TOPIC)


@given("the target's metrics so far")
def _(driver: Driver, flow: Flow) -> None:
    flow.metrics_before = driver.metrics()


@given(parsers.parse('the service will refuse to record the next event of video "{name}"'))
def _(driver: Driver, videos: dict[str, str], name: str, request: pytest.FixtureRequest) -> None:
    request.addfinalizer(lambda: driver.fail_next_outbox_inserts(videos[name], 0))
    driver.fail_next_outbox_inserts(videos[name], 1)


@given("the service will refuse to record the next event of the video")
def _(driver: Driver, video: str, request: pytest.FixtureRequest) -> None:
    request.addfinalizer(lambda: driver.fail_next_outbox_inserts(video, 0))
    driver.fail_next_outbox_inserts(video, 1)


# -- When ---------------------------------------------------------------------------------------


@when(
    parsers.re(
        r'a change (?P<how>committed to|to) (?:the "(?P<schema>\w+)"|that) outbox enqueues versions? (?P<first>\d+)'
        r"(?: to (?P<last>\d+))? of (?P<whose>a video|the video|each of (?P<count>\d+) videos)(?P<rollback> and is rolled back)?$"
    )
)
def _(driver: Driver, flow: Flow, how: str, schema: str | None, first: str, last: str | None, whose: str,
      count: str | None, rollback: str | None) -> None:
    if whose == "a video" or count:
        fresh = [str(uuid.uuid4()) for _ in range(int(count or 1))]
        flow.videos.extend(fresh)
        videos = fresh
    else:
        videos = [flow.video]
    messages = []
    for version in range(int(first), int(last or first) + 1):
        for video in videos:
            message = change_events(flow, video, version)
            flow.enqueued[(video, version)] = message
            messages.append(message)
    flow.outbox = schema or flow.schema
    flow.committed_at = driver.commit_outbox_events(flow.outbox, messages, commit=rollback is None)  # type: ignore[arg-type]


@when(parsers.parse("a change committed to that outbox enqueues version 1 of a video carrying an attribute value of {size:d} bytes"))
def _(driver: Driver, flow: Flow, size: int) -> None:
    message = change_events(flow, flow.video, 1)
    message.attributes["note"] = "x" * size
    flow.enqueued[(flow.video, 1)] = message
    flow.committed_at = driver.commit_outbox_events(flow.schema, [message])  # type: ignore[arg-type]


@when(parsers.re(r"a change committed to that outbox records (?P<who>a viewer|another viewer) watching (?:a|the) video$"))
def _(driver: Driver, flow: Flow, who: str) -> None:
    message = watch_event(user_id=flow.user(who), video_id=flow.video, watched_at=datetime.now(UTC))
    if who == "a viewer":
        flow.watch = message
    driver.commit_outbox_events(flow.schema, [message])  # type: ignore[arg-type]


@when(parsers.parse('a relay of that schema publishing to "{topic}" starts with a lock TTL of {ttl:g} second'))
def _(driver: Driver, flow: Flow, topic: str, ttl: float) -> None:
    flow.relays["successor"] = driver.start_relay(flow.schema, topic, lock_ttl=ttl)


@when(parsers.parse("a relay of that schema starts with a lock TTL of {ttl:g} second"))
def _(driver: Driver, flow: Flow, ttl: float) -> None:
    flow.relays["successor"] = driver.start_relay(flow.schema, VIDEO_TOPIC, lock_ttl=ttl)


@when("a relay of that schema starts with the default lock TTL")
def _(driver: Driver, flow: Flow) -> None:
    flow.relays["successor"] = driver.start_relay(flow.schema, VIDEO_TOPIC)


@when("the broker accepts publishes again")
def _(driver: Driver) -> None:
    driver.clear_faults()


@when("an operator re-drives the video's events in that outbox")
def _(driver: Driver, flow: Flow) -> None:
    driver.redrive(flow.schema, aggregate_id=flow.video)  # type: ignore[arg-type]


# -- When: changes through the services' RPCs ---------------------------------------------------


def _succeeded(outcome: Outcome) -> Outcome:
    assert outcome.ok, f"{outcome.operation} failed: {outcome.code} {outcome.reason} {outcome.message}"
    return outcome


def _register(driver: Driver, flow: Flow, **fields: str) -> str:
    response = _succeeded(driver.register_upload(**registration_request(flow.run_id, **fields))).response
    flow.videos.append(response.video_id)
    flow.announce(response.video_id, response.event_id, response.version)
    return response.video_id


def _announce(flow: Flow, video: str, outcome: Outcome) -> None:
    revision = outcome.response.revision
    flow.announce(video, revision.event_id, revision.version)


def _report(driver: Driver, flow: Flow, video: str, stage: str, status: str, **fields: object) -> Outcome:
    return driver.update_processing_status(video, stage, new_status=status, job_id=f"{flow.run_id}{stage}",
                                           emitted_at=now(), **fields)


@when("the pipeline registers a video")
def _(driver: Driver, flow: Flow) -> None:
    _register(driver, flow)


@when(parsers.parse('the pipeline registers a video titled "{title}"'))
def _(driver: Driver, flow: Flow, title: str) -> None:
    _register(driver, flow, title=title)


@when(parsers.parse("the pipeline registers {count:d} videos"))
def _(driver: Driver, flow: Flow, count: int) -> None:
    for _ in range(count):
        _register(driver, flow)


@when(parsers.re(r'the pipeline reports the (?P<stage>media|analysis) stage "(?P<status>[a-z]+)"$'))
def _(driver: Driver, flow: Flow, stage: str, status: str) -> None:
    _announce(flow, flow.video, _succeeded(_report(driver, flow, flow.video, stage, status)))


@when(parsers.re(r'the pipeline reports each video\'s (?P<stage>media|analysis) stage "(?P<status>[a-z]+)", in turn$'))
def _(driver: Driver, flow: Flow, stage: str, status: str) -> None:
    for video in flow.videos:
        _announce(flow, video, _succeeded(_report(driver, flow, video, stage, status)))


@when(parsers.re(r'the pipeline reports the (?P<stage>media|analysis) stage "(?P<status>[a-z]+)" expecting it to be "(?P<expected>[a-z]+)", and is refused$'))
def _(driver: Driver, flow: Flow, stage: str, status: str, expected: str) -> None:
    outcome = _report(driver, flow, flow.video, stage, status, expected_status=expected)
    assert not outcome.ok, f"the report expecting {stage} {expected!r} was accepted: {outcome.response}"


@when(parsers.parse("the pipeline archives the video expecting version {version:d}, and is refused"))
def _(driver: Driver, flow: Flow, version: int) -> None:
    outcome = driver.archive_video(flow.video, expected_version=version)
    assert not outcome.ok, f"archiving expecting version {version} was accepted: {outcome.response}"


@when("the pipeline archives it")
def _(driver: Driver, flow: Flow) -> None:
    _announce(flow, flow.video, _succeeded(driver.archive_video(flow.video)))


@when("a media and an analysis report expecting version 1 race, and one wins")
def _(driver: Driver, flow: Flow) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda stage: _report(driver, flow, flow.video, stage, "processing", expected_version=1),
                                 ["media", "analysis"]))
    winners = [o for o in outcomes if o.ok]
    assert len(winners) == 1, f"expected exactly one of the racing reports to win, received {[(o.code, o.reason) for o in outcomes]}"
    _announce(flow, flow.video, winners[0])


@when(parsers.re(r"the viewer (?P<kind>like|bookmark)s the video through the profile service$"))
def _(driver: Driver, flow: Flow, kind: str) -> None:
    _succeeded(driver.mutate_favorite(Identity.of_user(flow.user("the viewer")), "grpc", flow.video, kind, add=True))


@when(parsers.re(r"(?P<who>the viewer|another viewer) reports watching half of the video$"))
def _(driver: Driver, flow: Flow, who: str) -> None:
    _succeeded(driver.upsert_watch_progress(Identity.of_user(flow.user(who)), "grpc", flow.video, position_seconds=30,
                                            progress_ratio=0.5, total_watch_seconds=30))


@when(parsers.re(r"within (?P<seconds>\d+) seconds the (?P<what>like|watch)'s event is published, and the broker delivers it (?P<times>\d+) more times$"))
def _(driver: Driver, flow: Flow, seconds: str, what: str, times: str) -> None:
    event_type = {"like": "profile.engagement.added", "watch": "profile.watch.progressed"}[what]
    published = eventually(lambda: driver.events(ENGAGEMENT_TOPIC, aggregate_id=flow.video, event_type=event_type),
                           until=lambda found: len(found) >= 1, timeout=float(seconds), what=f"the {what}'s {event_type}")
    for _ in range(int(times)):
        driver.publish_raw(ENGAGEMENT_TOPIC, published[0].data, dict(published[0].attributes), published[0].ordering_key)


# -- Then ---------------------------------------------------------------------------------------


@then(
    parsers.re(
        r'within (?P<seconds>\d+) seconds (?P<whose>the video\'s|each of the videos\') versions (?P<expected>[\d, ]+) '
        r'arrive on "(?P<topic>[^"]+)", each as one logical event$'
    )
)
def _(driver: Driver, flow: Flow, seconds: str, whose: str, expected: str, topic: str) -> None:
    wanted = versions(expected)
    videos = flow.videos if whose.startswith("each") else [flow.video]
    for video in videos:
        events = settled(
            lambda video=video: driver.events(topic, aggregate_id=video),
            at_least=len(wanted), mark=lambda video=video: _mark(driver, flow, video, max(wanted) + 1),
            timeout=float(seconds), what=f"versions {wanted} of video {video} on {topic}",
        )
        logical: dict[str, int] = {}
        for event in events:
            logical.setdefault(event.attributes["event_id"], int(event.attributes["version"]))
        assert list(logical.values()) == wanted, (
            f"video {video}: expected versions {wanted} once each, in order, on {topic}; received {list(logical.values())}"
        )


def _mark(driver: Driver, flow: Flow, video: str, version: int):  # noqa: ANN202 - the marker predicate
    """Commit one more change of ``video`` to the scenario's outbox; its event ends the video's stream."""
    marker = change_events(flow, video, version)
    driver.commit_outbox_events(flow.outbox, [marker])  # type: ignore[arg-type]
    return lambda event: event.attributes.get("event_id") == marker.event_id


@then("every event of the video carries the seven required attributes and the video id as ordering key")
def _(driver: Driver, flow: Flow) -> None:
    for event in driver.events(VIDEO_TOPIC, aggregate_id=flow.video):
        missing = [name for name in REQUIRED_ATTRIBUTES if not event.attributes.get(name)]
        assert not missing, f"event {event.message_id} lacks attributes {missing}; it has {dict(event.attributes)}"
        assert event.ordering_key == flow.video, (
            f"event {event.message_id}: expected ordering key {flow.video} (the aggregate id), received {event.ordering_key!r}"
        )


def _row(driver: Driver, flow: Flow, version: int, schema: str | None = None) -> dict:
    event_id = flow.enqueued[(flow.video, version)].event_id
    rows = driver.outbox_rows(schema or flow.schema or "catalog", [event_id])
    assert event_id in rows, f"outbox row of version {version} ({event_id}) not found"
    return rows[event_id]


@then(parsers.parse("within {seconds:d} seconds the relay has recorded a failed attempt for version {version:d} of the video"))
def _(driver: Driver, flow: Flow, seconds: int, version: int) -> None:
    eventually(
        lambda: _row(driver, flow, version, "catalog"),
        until=lambda row: row["attempts"] >= 1 and bool(row["last_error"]) and not row["published"],
        timeout=seconds,
        what=f"a failed publish attempt of version {version} recorded in catalog.outbox_events",
    )


@then("nothing of the video has been published")
def _(driver: Driver, flow: Flow) -> None:
    seen = logical_versions(driver, VIDEO_TOPIC, flow.video)
    assert seen == [], f"while the broker refused publishes, versions {seen} of the video were observed"


@then(parsers.parse("within {seconds:d} seconds the crashed relay has exited"))
def _(flow: Flow, seconds: int) -> None:
    relay = flow.relays["crashing"]
    code = eventually(relay.exit_code, until=lambda c: c is not None, timeout=seconds, what="the crashing relay exits")
    assert code == 70, f"expected the crash-after-publish exit code 70, received {code}; output:\n{relay.log()}"


@then(parsers.parse('within {seconds:d} seconds the watch event arrives twice on "{topic}" with the same event_id'))
def _(driver: Driver, flow: Flow, seconds: int, topic: str) -> None:
    assert flow.watch is not None
    copies = eventually(
        lambda: [e for e in driver.events(topic, aggregate_id=flow.video) if e.attributes["event_id"] == flow.watch.event_id],
        until=lambda found: len(found) >= 2,
        timeout=seconds,
        what=f"a second copy of event {flow.watch.event_id} (re-published after the crash)",
    )
    assert len({c.message_id for c in copies}) == len(copies), "the copies should be separate publishes (new message ids)"


@then(parsers.parse("within {seconds:d} seconds version {version:d} of the video is claimed"))
def _(driver: Driver, flow: Flow, seconds: int, version: int) -> None:
    eventually(lambda: _row(driver, flow, version), until=lambda row: row["locked"], timeout=seconds,
               what=f"version {version} leased by a relay")


@then(parsers.parse("within {seconds:d} seconds the stalled relay reports {count:d} settle refused by the lease fence"))
def _(driver: Driver, flow: Flow, seconds: int, count: int) -> None:
    relay = flow.relays["stalled"]
    key = f'outbox_publish_fenced_total{{schema="{flow.schema}"}}'
    eventually(lambda: driver.relay_metrics(relay).get(key), until=lambda v: v == count, timeout=seconds,
               what=f"{key} == {count} on the stalled relay; its log:\n{relay.log()}")


@then(parsers.parse("version {version:d} of the video is published with {attempts:d} recorded delivery attempt"))
def _(driver: Driver, flow: Flow, version: int, attempts: int) -> None:
    row = _row(driver, flow, version)
    assert row["published"] and row["attempts"] == attempts, (
        f"expected version {version} published with {attempts} attempt(s) (the stalled relay's late mark fenced off), "
        f"received {row}"
    )


@then(parsers.parse("the relay retries version {version:d} after {delays}, recording each failure"))
def _(driver: Driver, flow: Flow, version: int, delays: str) -> None:
    expected = [float(d) for d in delays.removesuffix(" seconds").replace(" and ", ",").split(",")]
    slack = 0.35  # claim poll (20 ms) + a failed publish + the settle transaction, with room for a busy machine
    seen: dict[int, float] = {0: flow.committed_at}

    def probe() -> int:
        row = _row(driver, flow, version)
        if row["attempts"] not in seen:
            assert row["last_error"], f"attempt {row['attempts']} recorded no error: {row}"
            seen[row["attempts"]] = row["available_at"]
        return row["attempts"]

    eventually(probe, until=lambda n: n >= len(expected), timeout=sum(expected) + 5, interval=0.01,
               what=f"{len(expected)} failed attempts")
    gaps = [round(seen[n] - seen[n - 1], 3) for n in range(1, len(expected) + 1) if n in seen and n - 1 in seen]
    assert len(gaps) == len(expected), f"missed an attempt while polling; saw attempts {sorted(seen)}"
    wrong = [(i + 1, want, got) for i, (want, got) in enumerate(zip(expected, gaps, strict=True)) if not want <= got <= want + slack]
    assert not wrong, f"expected retry delays {expected} s (each within +{slack} s), received {gaps}; wrong (attempt, want, got): {wrong}"


@then(parsers.parse("within {seconds:d} seconds version {version:d} of the video is parked after {attempts:d} attempts"))
def _(driver: Driver, flow: Flow, seconds: int, version: int, attempts: int) -> None:
    row = eventually(lambda: _row(driver, flow, version), until=lambda r: r["parked"], timeout=seconds,
                     what=f"version {version} parked")
    assert row["attempts"] == attempts and not row["published"], f"expected {attempts} attempts and unpublished, received {row}"


@then(parsers.parse("within {seconds:d} seconds version {version:d} of the video is parked after 1 attempt, the broker's refusal recorded"))
def _(driver: Driver, flow: Flow, seconds: int, version: int) -> None:
    row = eventually(lambda: _row(driver, flow, version), until=lambda r: r["parked"] or r["attempts"] > 1,
                     timeout=seconds, what=f"version {version} parked")
    assert row["parked"] and row["attempts"] == 1 and not row["published"], (
        f"expected version {version} parked after its first refused attempt and unpublished, received {row}"
    )
    assert "INVALID_ARGUMENT" in (row["last_error"] or ""), f"expected the broker's refusal as the reason, received {row['last_error']!r}"


@then(parsers.parse("within {seconds:d} seconds the relay reports {count:d} parked event"))
def _(driver: Driver, flow: Flow, seconds: int, count: int) -> None:
    key = f'outbox_parked{{schema="{flow.schema}"}}'
    eventually(lambda: driver.relay_metrics(flow.relays["parking"]).get(key), until=lambda v: v == count,
               timeout=seconds, what=f"{key} == {count}")


@then(parsers.parse("version {version:d} of the video is still unpublished"))
def _(driver: Driver, flow: Flow, version: int) -> None:
    row = _row(driver, flow, version)
    assert not row["published"] and row["attempts"] == 0, f"version {version} should wait behind the parked one: {row}"
    assert logical_versions(driver, VIDEO_TOPIC, flow.video) == [], "nothing of the video should have been published yet"


@then(parsers.parse('within {seconds:d} seconds the metrics show 1 more success for schema "{schema}" and the other relay metrics'))
def _(driver: Driver, flow: Flow, seconds: int, schema: str) -> None:
    label = f'{{schema="{schema}"}}'
    success = f"outbox_publish_success_total{label}"
    before = flow.metrics_before.get(success, 0.0)
    metrics = eventually(driver.metrics, until=lambda m: m.get(success, 0.0) >= before + 1, timeout=seconds,
                         what=f"{success} to grow from {before}")
    for name in ("outbox_publish_failure_total", "outbox_publish_latency_ms_count", "outbox_backlog", "outbox_parked"):
        assert f"{name}{label}" in metrics, f"metric {name}{label} is missing; the relay metrics are {sorted(k for k in metrics if k.startswith('outbox'))}"


@then(parsers.parse('within {seconds:d} seconds the metrics show the lag of subscription "{subscription}"'))
def _(driver: Driver, seconds: int, subscription: str) -> None:
    key = f'inbox_lag_seconds_count{{subscription="{subscription}"}}'
    eventually(lambda: driver.metrics().get(key, 0.0), until=lambda v: v >= 1, timeout=seconds, what=f"{key} >= 1")


@then(parsers.re(r'within (?P<seconds>\d+) seconds (?P<whose>the video\'s|each video\'s) events on "(?P<topic>[^"]+)" are those of its committed changes, in version order$'))
def _(driver: Driver, flow: Flow, seconds: str, whose: str, topic: str) -> None:
    videos = flow.videos if whose.startswith("each") else [flow.video]

    def logical(video: str) -> list[tuple[str, int, str]]:
        seen: dict[str, tuple[str, int, str]] = {}
        for event in driver.events(topic, aggregate_id=video):
            event_id = event.attributes["event_id"]
            seen.setdefault(event_id, (event_id, int(event.attributes["version"]), event.event_type or ""))
        return list(seen.values())

    seen = eventually(
        lambda: {video: logical(video) for video in videos},
        until=lambda got: all(flow.announced[v][-1] in {e[0] for e in got[v]} for v in videos),
        timeout=float(seconds),
        what=f"the last event each of {len(videos)} video(s) named in a response, on {topic}",
    )
    for video in videos:
        events = seen[video]
        named = [event_id for event_id, _, _ in events if event_id in flow.announced[video]]
        assert named == flow.announced[video], (
            f"video {video}: expected the events its changes named, {flow.announced[video]}, once each in that order; received {events}"
        )
        stray = [e for e in events if e[1] not in flow.committed_versions[video]]
        assert not stray, f"video {video}: events {stray} carry no version a committed change had ({sorted(flow.committed_versions[video])})"
        kinds = [(version, kind) for _, version, kind in events]
        assert len(kinds) == len(set(kinds)), f"video {video}: two events of one type at one version (a refused change leaked?): {events}"
        numbers = [version for _, version, _ in events]
        assert numbers == sorted(numbers), f"video {video}: events arrived out of version order: {events}"


@then(parsers.parse('within {seconds:d} seconds {count:d} event of the video arrives on "{topic}"'))
def _(driver: Driver, flow: Flow, seconds: int, count: int, topic: str) -> None:
    eventually(lambda: logical_versions(driver, topic, flow.video), until=lambda found: len(found) >= count,
               timeout=seconds, what=f"{count} logical event(s) of the video on {topic}")


@then(parsers.parse('within {seconds:d} seconds the outbox rows of the video\'s events are marked published in "{first}" and "{second}"'))
def _(driver: Driver, flow: Flow, seconds: int, first: str, second: str) -> None:
    event_ids = sorted({e.attributes["event_id"] for topic in (VIDEO_TOPIC, ENGAGEMENT_TOPIC)
                        for e in driver.events(topic, aggregate_id=flow.video)})

    def rows() -> dict[str, dict]:
        return {**driver.outbox_rows(first, event_ids), **driver.outbox_rows(second, event_ids)}

    found = eventually(rows, until=lambda got: len(got) == len(event_ids) and all(r["published"] for r in got.values()),
                       timeout=seconds, what=f"outbox rows of events {event_ids} in {first} and {second} marked published")
    wrong = {k: r for k, r in found.items() if r["parked"] or r["locked"] or r["attempts"] < 1}
    assert not wrong, f"published rows should be unlocked, not parked, with their delivery attempt recorded: {wrong}"
