"""The suite plugin seen from outside: capability skips and bad --target values."""

import pytest

FEATURE = """
Feature: Capabilities
  @needs_faults
  Scenario: breaking the broker
    Given nothing
  @needs_grpc
  Scenario: calling gRPC
    Given nothing
"""
STEPS = """
from pytest_bdd import given
@given("nothing")
def _():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".feature", capabilities=FEATURE)
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "my_steps"]')
    return pytester


def test_a_scenario_needing_a_missing_capability_is_skipped_with_the_reason(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--target=grpc://127.0.0.1:9?capabilities=grpc", "-rs", "-p", "no:locust")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*lacks faults: add it to the target's capabilities if it can*"])


def test_an_unknown_target_name_stops_the_run_with_one_line(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--target=prod", "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown --target 'prod': use `reference`, a name from targets.toml*"])


def test_a_malformed_targets_file_stops_the_run_with_one_line(suite: pytest.Pytester) -> None:
    suite.makefile(".toml", targets="[staging\n")
    result = suite.runpytest("--target=staging", "--targets-file=targets.toml", "-p", "no:locust")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: targets.toml is not valid TOML*fix that line or pass --targets-file=OTHER"])
