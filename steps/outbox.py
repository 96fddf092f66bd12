"""Steps of the outbox area (features/outbox/): committed changes, relays, broker faults, re-drive.

A scenario's state (its videos, the events it enqueued, its schema and relays) lives in the
``flow`` fixture, shared with steps/projection.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pytest_bdd import given, parsers, then, when

from steps.driver import Driver
from steps.eventually import eventually
from steps.driver.outbox import VIDEO_TOPIC, EventMessage, RelayProcess, video_event, watch_event

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
    metrics_before: dict[str, float] = field(default_factory=dict)
    watch: EventMessage | None = None

    @property
    def video(self) -> str:
        """The scenario's (first) video."""
        if not self.videos:
            self.videos.append(str(uuid.uuid4()))
        return self.videos[0]

    def user(self, who: str) -> str:
        """The id of ``the viewer`` / ``another viewer``."""
        return self.users.setdefault(who, str(uuid.uuid4()))

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


@given("the target's metrics so far")
def _(driver: Driver, flow: Flow) -> None:
    flow.metrics_before = driver.metrics()


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
    flow.committed_at = driver.commit_outbox_events(schema or flow.schema, messages, commit=rollback is None)  # type: ignore[arg-type]


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

    def probe() -> dict[str, list[int]]:
        return {video: logical_versions(driver, topic, video) for video in videos}

    eventually(
        probe,
        until=lambda seen: all(v == wanted for v in seen.values()),
        timeout=float(seconds),
        what=f"versions {wanted} of {len(videos)} video(s) arriving once each, in order, on {topic}",
    )


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
