"""REST served by worker processes (``python -m reference_impl --rest-workers N``).

The workers, not the parent, hold the REST listening socket and answer on it, against the
parent's database; ``/metrics`` on the REST port still shows the parent's relays. A worker that
dies stops the reference with exit code 1 and says which; a stopped or killed reference leaves
no worker behind; a bad worker count, or workers with the parent-only test clock or fault
switches, is refused at start-up with one line and exit code 2.
"""

from __future__ import annotations

import contextlib
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from fixtures.postgres import PostgresServer
from fixtures.process import Child
from fixtures.pubsub.plugin import PubsubEndpoint
from fixtures.reference import reference_process, standins, without_parent_state
from fixtures.targets import TargetConfig
from reference_impl.__main__ import main
from steps.driver import Driver, Identity
from steps.eventually import eventually

WORKER_MODULE = "reference_impl.entrypoints.rest_workers"
#: How long a reference and its workers may take to be gone after a signal (tests/process's bound).
GONE_WITHIN = 10.0


@contextlib.contextmanager
def reference_with_workers(
    postgres: PostgresServer, pubsub_endpoint: PubsubEndpoint, workdir: Path, count: int
) -> Iterator[tuple[Child, TargetConfig]]:
    project = f"workers-{uuid.uuid4().hex[:8]}"
    with standins(project, workdir, pubsub_host=pubsub_endpoint.host) as env:
        with reference_process(postgres.create_database(), extra_env=without_parent_state(env), extra_args=("--rest-workers", str(count))) as found:
            yield found


def workers_of(pid: int) -> list[psutil.Process]:
    return [child for child in psutil.Process(pid).children() if WORKER_MODULE in " ".join(child.cmdline())]


def listening_on(port: int) -> set[int]:
    """Pids of the processes holding a socket that listens on ``port``."""
    holders = set()
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in process.net_connections("tcp")):
                holders.add(process.pid)
    return holders


def gone(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running (a zombie has exited and counts as gone)."""
    alive = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
    return alive


@pytest.fixture(scope="module")
def two_workers(postgres: PostgresServer, pubsub_endpoint: PubsubEndpoint, tmp_path_factory) -> Iterator[tuple[Child, TargetConfig]]:
    with reference_with_workers(postgres, pubsub_endpoint, tmp_path_factory.mktemp("workers"), 2) as found:
        yield found


def test_the_workers_not_the_parent_serve_rest_on_the_parents_database(two_workers) -> None:
    reference, target = two_workers
    workers = {worker.pid for worker in workers_of(reference.pid)}
    assert len(workers) == 2, workers
    rest_port = int((target.rest_url or "").rsplit(":", 1)[1])
    assert listening_on(rest_port) == workers, "only the workers may hold the REST listening socket"

    driver = Driver(target, "workers-")
    try:
        user, video = Identity.of_user(str(uuid.uuid4())), str(uuid.uuid4())
        liked = driver.mutate_favorite(user, "rest", video, "like", add=True)
        assert liked.ok, liked
        listed = driver.list_favorites(user, "grpc")  # the parent's gRPC server reads what a worker wrote
        assert listed.ok, listed
        assert [f.video_id for f in listed.response.favorites] == [video]
    finally:
        driver.close()


def test_metrics_on_the_rest_port_are_the_parents(two_workers) -> None:
    _reference, target = two_workers
    response = httpx.get(f"{target.rest_url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    # The relays run in the parent only; a worker showing its own registry would have none of these.
    assert "outbox_publish_success" in response.text, response.text[:2000]


def test_a_worker_that_dies_stops_the_reference(postgres: PostgresServer, pubsub_endpoint: PubsubEndpoint, tmp_path: Path) -> None:
    with reference_with_workers(postgres, pubsub_endpoint, tmp_path, 2) as (reference, _target):
        victim, other = workers_of(reference.pid)
        reference.death_reported = True  # its exit is this test's subject, not a failure of the fixture
        victim.kill()
        code = eventually(reference.exit_code, until=lambda code: code is not None, timeout=GONE_WITHIN,
                          what="the reference to exit after one of its REST workers died")
        assert code == 1, reference.tail()
        assert f"(pid {victim.pid}) exited with code -9" in reference.output, reference.tail()
        assert not gone([other.pid]), "the surviving worker must stop with the reference"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_stopped_reference_leaves_no_worker(
    postgres: PostgresServer, pubsub_endpoint: PubsubEndpoint, tmp_path: Path, sig: signal.Signals
) -> None:
    with reference_with_workers(postgres, pubsub_endpoint, tmp_path, 1) as (reference, _target):
        workers = [worker.pid for worker in workers_of(reference.pid)]
        assert workers
        reference.death_reported = True
        psutil.Process(reference.pid).send_signal(sig)
        eventually(lambda: gone(workers), until=lambda left: not left, timeout=GONE_WITHIN,
                   what=f"no REST worker left after {sig.name} to the reference")


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        (["--rest-workers", "-1"], {}, "'-1' is not a number of REST workers"),
        (["--rest-workers", "two"], {}, "'two' is not a number of REST workers"),
        (["--rest-workers", "65"], {}, "'65' is not a number of REST workers"),
        ([], {"LINGO_REST_WORKERS": "1.5"}, "LINGO_REST_WORKERS='1.5': expected a whole number 0..64"),
        (["--rest-workers", "2"], {"LINGO_TEST_CLOCK": "1"}, "cannot be combined with LINGO_TEST_CLOCK=1"),
        ([], {"LINGO_REST_WORKERS": "1", "LINGO_PUBSUB_FAULTS_URL": "http://127.0.0.1:1"},
         "cannot be combined with LINGO_PUBSUB_FAULTS_URL"),
    ],
    ids=["negative", "not-a-number", "too-many", "env-not-whole", "with-clock", "with-faults"],
)
def test_a_bad_worker_setting_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], env: dict[str, str], says: str
) -> None:
    for name in ("LINGO_REST_WORKERS", "LINGO_TEST_CLOCK", "LINGO_PUBSUB_FAULTS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's usage error
        code = exit_.code
    assert code == 2
    assert says in capsys.readouterr().err
