"""Nothing outlives its parent: SIGKILL, SIGTERM and SIGINT of a running run or reference leave no process
and no temp directory behind, and the clean stops say one line.

Each case starts the real command in a session of its own, with a fresh ``TMPDIR`` and a marker in
its environment that every descendant inherits (the embedded PostgreSQL too), waits until the
whole tree is up, signals the top process only, and then polls — with a deadline — until no
process carries the marker and ``TMPDIR`` is empty.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from steps.eventually import eventually

ROOT = Path(__file__).resolve().parents[2]
#: How long the tree may take to disappear after its parent went (the issue's bound).
GONE_WITHIN = 10.0
MARKER = "LINGO_ORPHAN_PROBE"


def marked_processes(marker: str) -> list[str]:
    """``pid command`` of every live process whose environment carries ``MARKER=marker``."""
    found = []
    needle = f"{MARKER}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().split(") ", 1)[1].startswith("Z"):
                continue  # a zombie has exited; only its parent's wait is missing
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name} {command}")
        except OSError:
            continue
    return found


@dataclass
class Run:
    """A command started for a test: its process, marker, temp dir and output file."""

    process: subprocess.Popen[bytes]
    marker: str
    tmpdir: Path
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def left_over(self) -> dict[str, list[str]]:
        # runtime-<uid>: the embedded PostgreSQL wheel's runtime directory, made at import and
        # shared by every server of the machine; not a temp directory of one run.
        entries = sorted(p.name for p in self.tmpdir.iterdir() if not p.name.startswith("runtime-"))
        return {"processes": marked_processes(self.marker), "temp entries": entries}


def _sigint_as_in_a_terminal() -> None:
    # A background job of a non-interactive shell (how CI may start us) ignores SIGINT, and an
    # ignored signal is inherited: Python would then never raise KeyboardInterrupt. A user's
    # terminal delivers Ctrl-C, so the run under test gets SIGINT's default back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def launch() -> Iterator:
    """Start a command with a marker and a fresh TMPDIR; kill whatever is left at the end.

    The directories live in the system temp dir, not pytest's: run as root, the embedded
    PostgreSQL runs as a user of its own that must reach its data directory, and pytest's
    temp root is private to root.
    """
    runs: list[Run] = []
    tmp_path = Path(tempfile.mkdtemp(prefix="lingo-orphan-probe-"))
    tmp_path.chmod(0o755)

    def start(argv: list[str]) -> Run:
        marker = uuid.uuid4().hex
        tmpdir = tmp_path / f"tmp-{len(runs)}"
        tmpdir.mkdir()
        output = tmp_path / f"output-{len(runs)}.txt"
        env = {**os.environ, MARKER: marker, "TMPDIR": str(tmpdir)}
        for name in ("DATABASE_URL", "PUBSUB_EMULATOR_HOST", "LINGO_STORAGE_URL", "STORAGE_EMULATOR_HOST"):
            env.pop(name, None)
        with output.open("wb") as sink:
            process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,  # noqa: S603
                                       start_new_session=True, preexec_fn=_sigint_as_in_a_terminal)
        run = Run(process, marker, tmpdir, output)
        runs.append(run)
        return run

    yield start
    for run in runs:
        if run.process.poll() is None:
            run.process.kill()
        for line in marked_processes(run.marker):
            with_pid = int(line.split()[0])
            try:
                os.kill(with_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    shutil.rmtree(tmp_path, ignore_errors=True)


def wait_until_up(run: Run, ready: str, timeout: float = 120.0) -> None:
    """Wait for ``ready`` (a regular expression) in the output; the tree must then include PostgreSQL."""
    eventually(lambda: re.search(ready, run.text()) or run.process.poll() is not None, timeout=timeout, interval=0.2,
               what=f"{ready!r} in the output")
    assert run.process.poll() is None, f"it exited with {run.process.returncode} before it was up:\n{run.text()[-3000:]}"
    # The embedded PostgreSQL must be among the tree, or the test proves nothing about it.
    assert any("postgres" in line for line in marked_processes(run.marker)), marked_processes(run.marker)


def assert_nothing_left(run: Run) -> None:
    eventually(run.left_over, until=lambda left: not left["processes"] and not left["temp entries"],
               timeout=GONE_WITHIN, interval=0.2, what="no process and no temp directory left")


REFERENCE = [sys.executable, "-m", "reference_impl", "--grpc-port", "0", "--http-port", "0"]
#: The progress mark of the run's first scenario: the reference (and its PostgreSQL) is up.
FIRST_SCENARIO_DONE = r"\.feature [.sFEx]"
#: The upload area (~5 s of scenarios), so the run is still going when the signal comes: one feature
#: file now ends within a second.
FEATURES = [sys.executable, "-m", "pytest", "features/upload/", "-p", "no:cacheprovider",
            "-p", "no:randomly", "-o", "addopts="]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_reference_leaves_nothing(launch, sig: signal.Signals) -> None:
    run = launch(REFERENCE)
    wait_until_up(run, "lingo-reference ready: ")
    started = time.monotonic()
    run.process.send_signal(sig)
    code = run.process.wait(GONE_WITHIN)  # the stop's time is printed (a figure, not an assertion)
    print(f"python -m reference_impl exited {code} {time.monotonic() - started:.2f} s after {sig.name}")
    if sig == signal.SIGTERM:
        assert code == 0, f"SIGTERM must stop the reference cleanly; it exited {code}:\n{run.text()[-3000:]}"
    assert_nothing_left(run)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_feature_run_leaves_nothing(launch, sig: signal.Signals, tmp_path: Path) -> None:
    run = launch([*FEATURES, f"--basetemp={tmp_path / 'basetemp'}"])
    wait_until_up(run, FIRST_SCENARIO_DONE)
    run.process.send_signal(sig)
    run.process.wait(GONE_WITHIN)
    assert_nothing_left(run)


def test_ctrl_c_of_a_feature_run_is_one_line_and_exit_code_130(launch, tmp_path: Path) -> None:
    run = launch([*FEATURES, f"--basetemp={tmp_path / 'basetemp'}"])
    wait_until_up(run, FIRST_SCENARIO_DONE)
    before = run.text()
    run.process.send_signal(signal.SIGINT)
    code = run.process.wait(60)
    after = run.text()[len(before):].strip().splitlines()
    assert code == 130, f"expected exit code 130, got {code}; output:\n{run.text()[-3000:]}"
    # Progress dots of scenarios finishing meanwhile may precede it on the same line.
    assert len(after) <= 2 and after[-1].startswith("interrupted: ") and after[-1].endswith(
        " scenarios run, results not recorded as complete"), f"expected one line after Ctrl-C, got:\n" + "\n".join(after)
    assert_nothing_left(run)


def test_a_reference_dying_mid_run_is_reported_once_with_its_last_lines(launch, tmp_path: Path) -> None:
    run = launch([*FEATURES, f"--basetemp={tmp_path / 'basetemp'}"])
    wait_until_up(run, FIRST_SCENARIO_DONE)
    reference = [line for line in marked_processes(run.marker) if " -m reference_impl " in line]
    assert reference, marked_processes(run.marker)
    os.kill(int(reference[0].split()[0]), signal.SIGKILL)
    code = run.process.wait(120)
    text = run.text()
    assert code == 3, f"expected exit code 3 (the reference died), got {code}:\n{text[-3000:]}"
    assert text.count("the embedded reference died") == 1, text[-3000:]
    assert_nothing_left(run)
