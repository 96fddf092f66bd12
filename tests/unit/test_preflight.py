"""The preflight: a target missing what the selected scenarios need stops the run before any
scenario, with one line per problem (dead port, silent listener, missing topic, missing tables)."""

import socket
import threading
from collections.abc import Iterator

import pytest

from fixtures.postgres import PostgresServer
from fixtures.pubsub.plugin import PubsubEndpoint
from steps.preflight import contract_tables, needs_of

FEATURE = """
@upload
Feature: Preflight
  {tags}
  Scenario: one
    Given nothing
  {tags}
  Scenario: two
    Given nothing
"""
STEPS = """
from pytest_bdd import given
@given("nothing")
def _():
    pass
"""


def suite(pytester: pytest.Pytester, tags: str) -> pytest.Pytester:
    pytester.makefile(".feature", preflight=FEATURE.format(tags=tags))
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    pytester.makeini("[pytest]\nmarkers =\n    upload: area\n")
    return pytester


def problems(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("preflight: ")]


@pytest.fixture
def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A socket that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_a_dead_port_stops_the_run_with_one_line(pytester: pytest.Pytester, dead_port: int) -> None:
    result = suite(pytester, "@needs_grpc").runpytest(f"--target=grpc://127.0.0.1:{dead_port}?capabilities=grpc", "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert problems(result) == [
        f"preflight: catalog_grpc 127.0.0.1:{dead_port} does not answer (failed to connect to all addresses; "
        f"last error: UNKNOWN: ipv4:127.0.0.1:{dead_port}: Failed to connect to remote host: Connection refused): "
        "is the service running there?"
    ]
    result.assert_outcomes()


def test_a_silent_listener_stops_the_run_with_one_line(pytester: pytest.Pytester, silent_listener: int) -> None:
    result = suite(pytester, "@needs_grpc").runpytest(
        f"--target=grpc://127.0.0.1:{silent_listener}?capabilities=grpc,rest&rest=http://127.0.0.1:{silent_listener}",
        "-p", "no:locust",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert problems(result) == [
        f"preflight: catalog_grpc 127.0.0.1:{silent_listener} accepts connections but gives no gRPC answer within 3 s: "
        "is it a gRPC server (and does tls match)?"
    ]
    result.assert_outcomes()


def test_a_preflight_failure_is_an_incomplete_run(pytester: pytest.Pytester, dead_port: int) -> None:
    suite(pytester, "@needs_grpc").runpytest(f"--target=grpc://127.0.0.1:{dead_port}?capabilities=grpc", "-p", "no:locust")
    folders = [p for p in (pytester.path / "results").iterdir()]
    assert [p.name for p in folders if p.name == "latest"] == []
    assert '"complete": false' in (folders[0] / "summary.json").read_text()


def test_skipped_scenarios_need_nothing(pytester: pytest.Pytester, dead_port: int) -> None:
    result = suite(pytester, "@needs_rest").runpytest(f"--target=grpc://127.0.0.1:{dead_port}?capabilities=grpc", "-p", "no:locust")
    result.assert_outcomes(skipped=2)


def test_a_missing_topic_is_one_line(
    pytester: pytest.Pytester, pubsub_endpoint: PubsubEndpoint, silent_listener: int
) -> None:
    url = (f"grpc://127.0.0.1:{silent_listener}?pubsub={pubsub_endpoint.host}&project=no-such-project"
           "&capabilities=observe_events,publish_raw")
    result = suite(pytester, "@needs_observe_events @needs_publish_raw").runpytest(f"--target={url}", "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    section = "see README § Point it at your deployment"
    where = f"project no-such-project (emulator {pubsub_endpoint.host})"
    assert problems(result) == [
        f"preflight: topic catalog.video.events does not exist in {where} — create it, {section}",
        f"preflight: topic catalog.video-uploads.dlq does not exist in {where} — create it, {section}",
        f"preflight: topic catalog.video-uploads does not exist in {where} — create it, {section}",
        f"preflight: subscription catalog.video-uploads.runner (catalog uploads runner) does not exist in {where} — "
        f"create it, {section}",
    ]


def test_a_database_without_the_contract_tables_is_one_line(
    pytester: pytest.Pytester, postgres: PostgresServer, silent_listener: int
) -> None:
    dsn = postgres.create_database()
    result = suite(pytester, "@needs_database").runpytest(
        f"--target=grpc://127.0.0.1:{silent_listener}?capabilities=database&database={dsn}", "-p", "no:locust"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    [line] = problems(result)
    assert line.startswith("preflight: database lacks the contract's tables ['catalog.videos', ")


def test_the_needs_follow_the_scenarios_that_can_run() -> None:
    needs = needs_of(
        [({"profile"}, {"grpc", "observe_events"}), ({"upload"}, {"grpc", "faults"}), ({"projection"}, {"publish_raw"})],
        frozenset({"grpc", "observe_events", "publish_raw"}),
    )
    assert needs.capabilities == {"grpc", "observe_events", "publish_raw"}
    assert needs.observed_topics == ("profile.engagement.events",)
    assert needs.published_topics == ("catalog.video.events", "profile.engagement.events")
    assert "catalog.outbox_events" in contract_tables()
