"""A When step whose call fails fails there, with status and reason, unless the scenario is about it."""

import pytest

FEATURE = """
Feature: Writes
  Scenario: a write the scenario relies on fails
    When the user writes something that fails
    Then there is 1 thing

  Scenario: a scenario about the failure
    When the user writes something that fails
    Then the call fails with ABORTED and reason "ERROR_REASON_TAKEN"

  Scenario: one of several calls fails
    When the user writes something 3 times and the second fails
    Then there is 1 thing

  Scenario: a failed write followed by another before the stated outcome
    When the user writes something that fails
    And the user writes something that works
    Then the call succeeds

  Scenario: a write that works
    When the user writes something that works
    Then there is 1 thing
"""
STEPS = """
from pytest_bdd import parsers, then, when
from steps.driver import Outcome

FAILED = Outcome(operation="svc/Write", code="ABORTED", reason="ERROR_REASON_TAKEN", message="taken")

@when("the user writes something that fails", target_fixture="outcome")
def _():
    return FAILED

@when("the user writes something that works", target_fixture="outcome")
def _():
    return Outcome(operation="svc/Write", code="OK")

@when("the user writes something 3 times and the second fails", target_fixture="outcomes")
def _():
    return [Outcome(operation="svc/Write", code="OK"), FAILED, Outcome(operation="svc/Write", code="OK")]

@then("the call succeeds")
def _(outcome):
    assert outcome.ok

@then("there is 1 thing")
def _():
    pass

@then(parsers.parse('the call fails with {code} and reason "{reason}"'))
def _(outcome, code, reason):
    assert (outcome.code, outcome.reason) == (code, reason)
"""


def test_failed_writes_fail_at_the_when_step_unless_the_scenario_states_the_outcome(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", writes=FEATURE)
    pytester.makepyfile(my_steps=STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "steps.failed_writes", "my_steps"]')
    result = pytester.runpytest("--target=grpc://127.0.0.1:9?capabilities=grpc", "-p", "no:locust", "-rf")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines([
        "*_ test_a_write_the_scenario_relies_on_fails _*",
        "When 'the user writes something that fails': "
        "svc/Write failed with ABORTED ERROR_REASON_TAKEN ('taken'); the scenario expects it to work",
        "*_ test_one_of_several_calls_fails _*",
        "When 'the user writes something 3 times and the second fails': svc/Write failed with ABORTED*",
        "*_ test_a_failed_write_followed_by_another_before_the_stated_outcome _*",
        "When 'the user writes something that fails': svc/Write failed with ABORTED*",
    ])
