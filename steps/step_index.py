"""Finds the step definitions that match a Gherkin step from an index, not by walking every fixture.

pytest-bdd 9.0.1 resolves every step it runs by walking every fixture name pytest knows and asking
pytest which definitions of that name the test sees, then trying each step definition's parser
(``find_fixturedefs_for_step``). That is over 300 names here, and the names that scenarios set as
``target_fixture`` keep one definition per test that set them (about 700 by the end of
``pytest features/``), so each walk grows with the run: 5.8 s of the test process's CPU per run of
``features/`` (1,503 steps), which this plugin brings to well under a second.

It replaces that function with the same question asked in two parts, remembered per session:

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
import weakref
from typing import Any

import pytest
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import step_function_context_registry

# The module, not the ``scenario`` function that pytest_bdd's package exports under the same name.
_bdd_scenario = importlib.import_module("pytest_bdd.scenario")


class _SessionIndex:
    """The two remembered parts for one session's fixture manager."""

    def __init__(self) -> None:
        self.visible: dict[str, list[tuple[Any, Any]]] = {}
        self.matching: dict[tuple[str, str, str], tuple[Any, ...]] = {}


#: One index per session: a session run inside another (pytester) may leave this plugin out and
#: still come through here, with collectors named like the outer session's or an earlier one's.
_INDEXES: weakref.WeakKeyDictionary[Any, _SessionIndex] = weakref.WeakKeyDictionary()


def find_fixturedefs_for_step(step: Any, fixturemanager: Any, node: Any) -> tuple[Any, ...]:
    """pytest-bdd's ``find_fixturedefs_for_step``, answered from the index of ``fixturemanager``'s session."""
    index = _INDEXES.get(fixturemanager)
    if index is None:
        index = _INDEXES[fixturemanager] = _SessionIndex()
    where = node.parent.nodeid if node.parent is not None else node.nodeid
    key = (where, step.type, step.name)
    found = index.matching.get(key)
    if found is None:
        visible = index.visible.get(where)
        if visible is None:
            visible = index.visible[where] = list(_step_definitions(fixturemanager, node))
        found = index.matching[key] = tuple(
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
    _bdd_scenario.find_fixturedefs_for_step = find_fixturedefs_for_step


def pytest_unconfigure(config: pytest.Config) -> None:
    # Restores what this session replaced, so a session run inside another (pytester) hands back the outer one's.
    if _REPLACED in config.stash:
        _bdd_scenario.find_fixturedefs_for_step = config.stash[_REPLACED]
