"""`locust -f load/` as an operator runs it: bad options, a distributed run, a breached threshold.

Each test starts real locust processes (headless) against the embedded reference, over loopback.
Runs are short and small (a few users for seconds): they prove the machinery, not the target's speed.
"""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.process import forget_process_group, guard_process_group
from fixtures.targets import TargetConfig, target_url

ROOT = Path(__file__).parents[2]
RUN_TIMEOUT = 180
#: limits that hold on a busy machine: only errors and contract violations are tight
LOOSE_THRESHOLDS = """
[total]
error_rate = 0.02
contract_violations = 0

[entries."lag commit->published"]
error_rate = 0.0

[entries."lag upload->video.created"]
error_rate = 0.0
"""
#: one entry per user kind, and the event-lag entries
EXPECTED_ENTRIES = {
    ("grpc", "InitResumableUpload"),
    ("storage", "upload bytes"),
    ("lag", "upload->video.created"),
    ("grpc", "GetProfile"),
    ("rest", "GetProfile"),
    ("rest", "GetProfile anonymous"),
    ("grpc", "ListMyUploads"),
    ("lag", "commit->published"),
    ("lag", "commit->projected"),
    ("lag", "published->projected"),
}


def _locust(*args: str) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", "load/", *args]


@contextlib.contextmanager
def _locust_process(*args: str) -> Iterator[subprocess.Popen[str]]:
    """A locust process in a session of its own that the reaper knows, so a test run killed mid-way
    leaves none behind; killed at the end of the block if it is still running."""
    process = subprocess.Popen(  # noqa: S603 - our own load folder
        _locust(*args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    guard_process_group(process.pid)
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        forget_process_group(process.pid)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run locust to its end (or ``RUN_TIMEOUT``)."""
    with _locust_process(*args) as process:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stats(prefix: Path) -> dict[tuple[str, str], dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as rows:
        return {(row["Type"], row["Name"]): row for row in csv.DictReader(rows)}


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://127.0.0.1:8080", "a target URL looks like grpc://"),
        (f"grpc://127.0.0.1:{_free_port()}", "cannot reach the catalog gRPC endpoint"),
    ],
    ids=["wrong-scheme", "unreachable"],
)
def test_a_bad_target_ends_the_run_at_once_with_one_line(url: str, complaint: str) -> None:
    run = _run("--headless", "-u", "1", "-t", "30s", "--target-url", url)
    problems = [line for line in run.stderr.splitlines() if line.startswith("locust -f load/:")]
    assert run.returncode == 2, run.stderr
    assert len(problems) == 1 and complaint in problems[0], run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_a_master_and_two_workers_run_every_user_kind(target: TargetConfig, tmp_path: Path) -> None:
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(LOOSE_THRESHOLDS, encoding="utf-8")
    port = _free_port()
    worker_args = ("--worker", "--master-host", "127.0.0.1", "--master-port", str(port))
    with _locust_process(*worker_args) as first, _locust_process(*worker_args) as second:
        master = _run(
            "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port), "--expect-workers", "2",
            "--headless", "-u", "6", "-r", "6", "-t", "15s", "--pipeline-rate", "4", "--upload-bytes", "65536",
            "--target-url", target_url(target), "--thresholds", str(thresholds), "--csv", str(tmp_path / "run"),
            "--html", str(tmp_path / "run.html"),
        )
        workers = [first, second]
        worker_errors = [worker.communicate(timeout=60)[1] for worker in workers]
    log = master.stdout + master.stderr
    assert master.returncode == 0, log[-4000:]
    assert all(worker.returncode == 0 for worker in workers), worker_errors
    stats = _stats(tmp_path / "run")
    assert EXPECTED_ENTRIES <= stats.keys(), f"missing entries: {sorted(EXPECTED_ENTRIES - stats.keys())}"
    assert not [key for key in stats if key[0] == "contract"], "contract violations under load"
    assert int(stats[("lag", "commit->published")]["Request Count"]) >= 3
    assert "99%" in stats[("lag", "commit->published")] and "lag" in (tmp_path / "run.html").read_text()
    assert "all thresholds held" in log


def test_a_breached_threshold_fails_the_run_and_shows_in_the_table(target: TargetConfig, tmp_path: Path) -> None:
    thresholds = tmp_path / "impossible.toml"
    thresholds.write_text('[entries."grpc GetProfile"]\np50_ms = 0.001\n', encoding="utf-8")
    run = _run(
        "Viewer", "--headless", "-u", "2", "-r", "2", "-t", "3s", "--target-url", target_url(target),
        "--thresholds", str(thresholds),
    )
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    breached = [line for line in run.stdout.splitlines() if "BREACHED" in line]
    assert breached and breached[0].startswith("grpc GetProfile"), run.stdout[-3000:]
