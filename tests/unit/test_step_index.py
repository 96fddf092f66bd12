"""steps/step_index.py finds the same step definitions pytest-bdd would, with the same scoping.

A step defined in the root conftest is overridden in one folder's conftest: the scenarios of that
folder run the override and the others the root's, however the index orders or remembers them.
Parsed steps get their arguments, a keyword only finds its own kind of step, and a step nobody
defined fails as pytest-bdd says it should.
"""

from __future__ import annotations

import pytest

ROOT_CONFTEST = """
pytest_plugins = ["steps.step_index"]

from pytest_bdd import given, parsers, then

@given("a value", target_fixture="value")
def root_value():
    return 1

@then(parsers.parse("the value is {expected:d}"))
def value_is(value, expected):
    assert value == expected

@given("the value is 5", target_fixture="value")
def a_given_that_reads_like_a_then():
    return 5
"""

OVERRIDE_CONFTEST = """
from pytest_bdd import given

@given("a value", target_fixture="value")
def overridden_value():
    return 2
"""


def _folder(pytester: pytest.Pytester, name: str, feature: str) -> None:
    folder = pytester.mkdir(name)
    (folder / f"{name}.feature").write_text(feature)
    (folder / f"test_{name}.py").write_text(f'from pytest_bdd import scenarios\nscenarios("{name}.feature")\n')


def test_each_folder_runs_the_step_definitions_it_sees(pytester: pytest.Pytester) -> None:
    # The folder without the override runs first, so an index that forgot where a test sits would
    # hand the overriding folder the root's definition only.
    pytester.makeconftest(ROOT_CONFTEST)
    scenario = "  Scenario: {n}\n    Given a value\n    Then the value is {value}\n"
    _folder(pytester, "b_overriding", "Feature: o\n" + "".join(scenario.format(n=n, value=2) for n in range(3)))
    (pytester.path / "b_overriding" / "conftest.py").write_text(OVERRIDE_CONFTEST)
    _folder(pytester, "a_plain", "Feature: p\n" + "".join(scenario.format(n=n, value=1) for n in range(3)))
    _folder(pytester, "keywords", "Feature: k\n  Scenario: k\n    Given the value is 5\n    Then the value is 5\n")
    _folder(pytester, "undefined", "Feature: u\n  Scenario: u\n    Given a value\n    Then nobody defined this\n")

    result = pytester.runpytest("-p", "no:xdist", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*StepDefinitionNotFoundError*nobody defined this*"])


def test_sessions_run_inside_this_one_keep_their_own_answers(pytester: pytest.Pytester) -> None:
    # This session loads the plugin; the inner ones do not, yet their lookups come through it, with
    # a collector named the same in both: each must see its own step definitions.
    folder = pytester.mkdir("same")
    for number, text in enumerate(("a first step", "a second step")):
        pytester.makeconftest(f'from pytest_bdd import given\n\n@given("{text}")\ndef step_{number}():\n    pass\n')
        # A feature file of its own each time: pytest-bdd keeps parsed features for the process.
        (folder / f"f{number}.feature").write_text(f"Feature: s\n  Scenario: s\n    Given {text}\n")
        (folder / "test_same.py").write_text(f'from pytest_bdd import scenarios\nscenarios("f{number}.feature")\n')
        pytester.runpytest("-p", "no:xdist", "-p", "no:cacheprovider").assert_outcomes(passed=1)
