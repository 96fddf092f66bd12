"""A When step whose call fails stops the scenario there, unless the scenario speaks of that failure.

A When step hands its ``Outcome`` (or a list of them) to the Then steps as ``outcome``,
``outcomes`` or ``pages``. When a scenario never looks at that outcome's status, a failed write surfaces much
later as a wrong count or a missing event, blaming the wrong thing. So after each When step this
plugin looks at the outcome the step just produced: a failed one fails the step at once, with the
status, reason and message, unless the scenario states how that call ends (``the call fails with …``, ``the call succeeds``,
``storage refuses it …``, ``the error names …``) before its next When step — then the scenario is
about that outcome and its Then says what was expected.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pytest_bdd.parser import Scenario, Step

from steps.driver import Outcome

#: The fixtures When steps hand their outcomes over in (``pages``: a walk through a listing).
OUTCOME_FIXTURES = ("outcome", "outcomes", "pages")
#: Step texts that state how a call ends: a scenario containing one is about its calls' outcome.
STATES_THE_OUTCOME = re.compile(r"\bthe call fails\b|\bfails? with\b|\bcalls? succeeds?\b|\brefuse|\bthe error\b|\bare refused\b")

_BEFORE = pytest.StashKey[dict[str, Any]]()


def _current(request: pytest.FixtureRequest, name: str) -> Any:
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        return None


def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Step) -> None:
    """Remember the outcomes before a When step, to tell the ones it produces."""
    if step.type == "when":
        request.node.stash[_BEFORE] = {name: _current(request, name) for name in OUTCOME_FIXTURES}


def pytest_bdd_after_step(request: pytest.FixtureRequest, scenario: Scenario, step: Step) -> None:
    """Fail a When step whose fresh outcome failed in a scenario that states no outcome."""
    if step.type != "when":
        return
    before = request.node.stash.get(_BEFORE, {})
    for name in OUTCOME_FIXTURES:
        value = _current(request, name)
        if value is None or value is before.get(name):
            continue
        failed = [o for o in (value if isinstance(value, list) else [value]) if isinstance(o, Outcome) and not o.ok]
        if failed and not states_the_outcome(scenario, step):
            first = failed[0]
            pytest.fail(
                f"When {step.name!r}: {first.operation} failed with {first.code} {first.reason or '(no reason)'}"
                f" ({first.message!r}); the scenario expects it to work"
                + (f" ({len(failed)} of the calls failed)" if len(failed) > 1 else ""),
                pytrace=False,
            )


def states_the_outcome(scenario: Scenario, step: Step) -> bool:
    """True when the scenario says how ``step``'s call ends: a step stating an outcome follows it
    before any other When step does (that one's outcome would be the one stated)."""
    steps = scenario.steps
    position = next((i for i, s in enumerate(steps) if s is step), -1)
    for later in steps[position + 1 :]:
        if STATES_THE_OUTCOME.search(later.name):
            return True
        if later.type == "when":
            return False
    return False
