"""The results bundle: one folder per run, ``latest`` only for complete runs, and ``diff``."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from steps.results import diff, main, redact

FEATURE = """
@upload
Feature: Bundle
  @needs_grpc @B-U01
  Scenario: it conforms
    Given nothing
  @needs_faults
  Scenario: it needs faults
    Given nothing
  Scenario: it breaks
    Given nothing
    Then it is wrong
"""
STEPS = """
import os, time
from pathlib import Path
from pytest_bdd import given, then
@given("nothing")
def _():
    pass
@then("it is wrong")
def _():
    if os.environ.get("HANG_IN"):
        Path(os.environ["HANG_IN"]).write_text("started")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.05)
    assert False, "the target's bug"
"""
DSN = "postgresql://tester:s3cret@db.example/lingo"


@pytest.fixture
def target(answering_grpc: str) -> str:
    """A target that passes the preflight, with a DSN password to keep secret."""
    return f"--target=grpc://{answering_grpc}?capabilities=grpc&database={DSN}"


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".feature", bundle=FEATURE)
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    pytester.makeini("[pytest]\nmarkers =\n    upload: area\n")
    return pytester


def bundle_of(root: Path) -> Path:
    return root / "results" / os.readlink(root / "results" / "latest")


def test_a_run_writes_its_own_bundle_and_becomes_latest(suite: pytest.Pytester, target: str) -> None:
    suite.runpytest(target, "-p", "no:locust").assert_outcomes(passed=1, skipped=1, failed=1)
    folder = bundle_of(suite.path)
    assert folder.name.startswith("ct-")
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["complete"] is True
    assert summary["run_id"] == folder.name
    assert summary["groups"]["all"] == {
        "passed": 1, "failed": 1, "skipped": 1, "xfailed": 0, "xpassed": 0, "applicable": 2, "score": 0.5
    }
    assert summary["target"]["endpoints"]["database_url"] == "postgresql://tester:***@db.example/lingo"
    scenarios = {s["name"]: s for s in json.loads((folder / "scenarios.json").read_text())}
    assert scenarios["it conforms"]["verdict"] == "passed"
    assert scenarios["it conforms"]["behaviours"] == ["B-U01"]
    assert scenarios["it conforms"]["area"] == "upload"
    assert scenarios["it needs faults"]["verdict"] == "skipped"
    assert "lacks faults" in scenarios["it needs faults"]["skip_reason"]
    assert scenarios["it breaks"]["verdict"] == "failed"
    assert "the target's bug" in scenarios["it breaks"]["failure"]
    assert "<testsuite" in (folder / "junit.xml").read_text()
    text = "".join(p.read_text() for p in folder.iterdir())
    assert "s3cret" not in text


def test_an_xdist_run_keeps_one_bundle_with_every_workers_scenarios(suite: pytest.Pytester, target: str) -> None:
    suite.runpytest_subprocess(target, "-p", "no:locust", "-n", "2").assert_outcomes(passed=1, skipped=1, failed=1)
    folder = bundle_of(suite.path)
    assert sorted(p.name for p in (suite.path / "results").iterdir()) == [folder.name, "latest"]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["complete"] is True
    assert summary["groups"]["all"] == {
        "passed": 1, "failed": 1, "skipped": 1, "xfailed": 0, "xpassed": 0, "applicable": 2, "score": 0.5
    }
    scenarios = {s["name"]: s for s in json.loads((folder / "scenarios.json").read_text())}
    assert scenarios["it conforms"]["behaviours"] == ["B-U01"]
    assert "lacks faults" in scenarios["it needs faults"]["skip_reason"]
    assert "the target's bug" in scenarios["it breaks"]["failure"]
    assert "<testsuite" in (folder / "junit.xml").read_text()


def test_two_runs_keep_two_bundles(suite: pytest.Pytester, target: str) -> None:
    suite.runpytest(target, "-p", "no:locust")
    first = bundle_of(suite.path)
    suite.runpytest(target, "-p", "no:locust")
    second = bundle_of(suite.path)
    assert first != second
    assert (first / "summary.json").exists()


def test_a_run_interrupted_with_sigterm_leaves_latest_unchanged(suite: pytest.Pytester, target: str) -> None:
    suite.runpytest(target, "-p", "no:locust")
    before = os.readlink(suite.path / "results" / "latest")
    started = suite.path / "started"
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pytest", target, "-p", "no:locust", "-p", "no:cacheprovider"],
        cwd=suite.path, env={**os.environ, "HANG_IN": str(started)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert started.exists(), child.communicate()[0]
    child.send_signal(signal.SIGTERM)
    output, _ = child.communicate(timeout=30)
    assert child.returncode == pytest.ExitCode.INTERRUPTED, output
    assert os.readlink(suite.path / "results" / "latest") == before
    interrupted = [p for p in (suite.path / "results").iterdir() if p.name not in {before, "latest"}]
    assert len(interrupted) == 1
    summary = json.loads((interrupted[0] / "summary.json").read_text())
    assert summary["complete"] is False
    assert summary["interrupted_by"] == "SIGTERM"


def test_a_run_without_scenarios_leaves_no_bundle(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_it():\n    pass\n")
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results"]')
    pytester.runpytest("-p", "no:locust").assert_outcomes(passed=1)
    assert not (pytester.path / "results").exists()


def test_diff_lists_the_scenarios_whose_verdict_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for run, verdicts in {"a": ["passed", "failed", "passed"], "b": ["passed", "passed", "skipped"]}.items():
        (tmp_path / run).mkdir()
        entries = [{"nodeid": f"f.feature::s{i}", "verdict": v} for i, v in enumerate(verdicts)]
        (tmp_path / run / "scenarios.json").write_text(json.dumps(entries))
    assert main(["diff", "a", "b", "--results-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["f.feature::s1: failed -> passed", "f.feature::s2: passed -> skipped"]
    assert diff({"x": "passed"}, {}) == ["x: passed -> -"]


def test_secrets_are_redacted() -> None:
    assert redact("postgresql://u:pw@h/db host=h password=pw authorization: Bearer abc.def") == (
        "postgresql://u:***@h/db host=h password=*** authorization: Bearer ***"
    )
