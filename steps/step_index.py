"""Finds the step definitions that match a Gherkin step from an index, not by walking every fixture.

pytest-bdd 9.0.1 resolves every step it runs by walking every fixture name pytest knows and asking
pytest which definitions of that name the test sees, then trying each step definition's parser
(``find_fixturedefs_for_step``). That is over 300 names here, and the names that scenarios set as
``target_fixture`` keep one definition per test that set them (about 700 by the end of
``pytest features/``), so each walk grows with the run: 5.8 s of the test process's CPU per run of
``features/`` (1,503 steps), which this plugin brings to well under a second.

It replaces that function with the same question asked in two remembered parts:

- which step definitions a test sees depends only on its collector (step definitions are module-,
  package- or plugin-level fixtures, never per test), so they are listed once per collector, in
  pytest-bdd's own order;
- which of those match a step depends only on the step's keyword and text, so the answer is
  remembered per collector, keyword and text.

Every step definition is registered at import, before the first scenario runs, and a definition a
scenario injects for its own test is never a step definition, so neither part goes stale.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import step_function_context_registry

# The module, not the ``scenario`` function that pytest_bdd's package exports under the same name.
_bdd_scenario = importlib.import_module("pytest_bdd.scenario")


class StepIndex:
    """``find_fixturedefs_for_step`` for one session, from the two remembered parts above."""

    def __init__(self) -> None:
        self._visible: dict[str, list[tuple[Any, Any]]] = {}
        self._matching: dict[tuple[str, str, str], tuple[Any, ...]] = {}

    def find_fixturedefs_for_step(self, step: Any, fixturemanager: Any, node: Any) -> tuple[Any, ...]:
        where = node.parent.nodeid if node.parent is not None else node.nodeid
        key = (where, step.type, step.name)
        found = self._matching.get(key)
        if found is None:
            visible = self._visible.get(where)
            if visible is None:
                visible = self._visible[where] = list(_step_definitions(fixturemanager, node))
            found = self._matching[key] = tuple(
                fixturedef
                for fixturedef, context in visible
                if (context.type is None or context.type == step.type) and context.parser.is_matching(step.name)
            )
        return found


def _step_definitions(fixturemanager: Any, node: Any) -> Any:
    """(fixture definition, step context) of every step definition ``node`` sees, in pytest-bdd's order."""
    for name in get_fixture_names(fixturemanager=fixturemanager):
        for fixturedef in getfixturedefs(fixturemanager, name, node) or []:
            context = step_function_context_registry.get(fixturedef.func)
            if context is not None:
                yield fixturedef, context


_REPLACED = pytest.StashKey[Any]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REPLACED] = _bdd_scenario.find_fixturedefs_for_step
    _bdd_scenario.find_fixturedefs_for_step = StepIndex().find_fixturedefs_for_step


def pytest_unconfigure(config: pytest.Config) -> None:
    # Restores what this session replaced, so a session run inside another (pytester) hands back the outer one's.
    if _REPLACED in config.stash:
        _bdd_scenario.find_fixturedefs_for_step = config.stash[_REPLACED]
