"""pytest plugin of the seeded-defect matrix's run: one session, one reference, defects switched per scenario.

``tests/meta/test_seeded_defects.py`` starts one pytest with this plugin (``-p tests.meta.switched_defects``)
and ``--seeded-defects-plan=FILE``, a JSON object mapping a scenario's node id to the defects whose
fragments name it. Every other collected test is deselected. Each planned scenario runs, per defect
naming it, twice in a row:

- ``[…-control-<defect>]``: with no defect on, which must pass: it shows the shared reference, as
  the earlier runs left it, lets the scenario pass just before the defect goes on, so a failure of
  the next run is the defect's doing and not left-over state;
- ``[…-<defect>]``: with that defect on, in the reference (switched over its reference-only route,
  which it serves when started with ``LINGO_DEFECTS_SWITCHABLE=1``) and in ``LINGO_DEFECTS`` of every
  process the scenario starts (relays, operator tools). It is switched off again after the scenario,
  whether it passed or not.

Before each run the driver forgets the messages it observed so far: a message an earlier run's
defect published without the attributes that say whose it is would otherwise count against every
later scenario reading that topic (the driver cannot tell it is not theirs). What the reference
itself keeps from earlier runs is what the controls are for. Under pytest-xdist each worker has a
reference of its own, and a control and its defect run stay on one worker, in order.

Each run records ``scenario`` (the planned node id), ``seeded_defect`` and ``control`` as JUnit
properties, which the matrix reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PLAN_KEY = pytest.StashKey[dict[str, list[str]]]()
FIXTURE = "seeded_defect_run"


@dataclass(frozen=True)
class SeededRun:
    """One run of a planned scenario: with ``defect`` on, or (``control``) with none on just before."""

    defect: str
    control: bool

    @property
    def id(self) -> str:
        """The part of the node id this run adds."""
        return f"control-{self.defect}" if self.control else self.defect


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--seeded-defects-plan``."""
    parser.addoption("--seeded-defects-plan", required=True, help="JSON: scenario node id -> defects naming it")


def pytest_configure(config: pytest.Config) -> None:
    """Read the plan once."""
    config.stash[PLAN_KEY] = json.loads(Path(config.getoption("--seeded-defects-plan")).read_text(encoding="utf-8"))


@pytest.hookimpl(trylast=True)  # after the scenario outlines' own parametrization: its id comes last
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize a planned scenario by its control and defect runs (all its examples' defects;
    ``pytest_collection_modifyitems`` keeps those the plan names for each example)."""
    function = metafunc.definition.nodeid
    named = sorted({
        defect for node, defects in metafunc.config.stash[PLAN_KEY].items()
        if node.split("[", 1)[0] == function for defect in defects
    })
    if named:
        runs = [SeededRun(defect, control) for defect in named for control in (True, False)]
        metafunc.parametrize(FIXTURE, runs, ids=[run.id for run in runs], indirect=True)


def planned_scenario(item: pytest.Item, run: SeededRun) -> str:
    """The node id the plan gives the scenario ``item`` runs (``item``'s without this plugin's part)."""
    suffix = f"{run.id}]"
    if not item.nodeid.endswith(suffix):
        msg = f"{item.nodeid}: expected the seeded-defect run's id {run.id!r} last in its parameters"
        raise pytest.UsageError(msg)
    stem = item.nodeid[: -len(suffix)]
    return stem[:-1] if stem.endswith("[") else stem[:-1] + "]"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook turns the groups into node id suffixes
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the planned runs only, in collection order (each control right before its defect run);
    under pytest-xdist (``--dist loadgroup``) a control and its defect run go to one worker, in that order."""
    plan = config.stash[PLAN_KEY]
    groups = {
        (scenario, defect): f"run-{index}"
        for index, (scenario, defect) in enumerate(sorted((s, d) for s, defects in plan.items() for d in defects))
    }
    kept, dropped = [], []
    for item in items:
        run = item.callspec.params.get(FIXTURE) if hasattr(item, "callspec") else None
        scenario = planned_scenario(item, run) if isinstance(run, SeededRun) else None
        if scenario is not None and run is not None and run.defect in plan.get(scenario, ()):
            item.user_properties += [("scenario", scenario), ("seeded_defect", run.defect), ("control", str(run.control))]
            item.add_marker(pytest.mark.xdist_group(groups[scenario, run.defect]))
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


@pytest.fixture(autouse=True)
def seeded_defect_run(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Switch the run's defect on (nothing for its control) for the scenario, and off after it."""
    run: SeededRun | None = getattr(request, "param", None)
    if run is None:
        yield
        return
    driver = request.getfixturevalue("driver")  # the reference starts (if not yet) before LINGO_DEFECTS is set
    on = [] if run.control else [run.defect]
    driver.forget_observed_events()  # the driver's memory of earlier runs' messages is not the reference's state
    monkeypatch.setenv("LINGO_DEFECTS", ",".join(on))  # processes the scenario starts, e.g. relays
    driver.switch_seeded_defects(on)
    try:
        yield
    finally:
        driver.switch_seeded_defects([])
