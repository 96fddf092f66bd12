"""Every scenario names the surfaces it uses, so a target's capabilities decide what applies.

Statically: each scenario (or, for an outline, each of its Examples blocks) carries at least one
surface tag. At run time the driver fails a scenario that uses a surface it did not declare
(``DriverBase._declare``); the second test shows that guard at work.
"""

from pathlib import Path

import pytest
from gherkin.parser import Parser

FEATURES = Path(__file__).resolve().parents[2] / "features"
#: Tags that say how a scenario reaches the target.
SURFACES = {f"@needs_{c}" for c in ("grpc", "rest", "publish_raw", "observe_events", "database", "read_models", "storage")}


def unnamed_surfaces(features: Path) -> list[str]:
    """``file: scenario`` of every scenario (or Examples block) without a surface tag."""
    missing = []
    for path in sorted(features.rglob("*.feature")):
        feature = Parser().parse(path.read_text(encoding="utf-8"))["feature"]
        feature_tags = {t["name"] for t in feature["tags"]}
        for child in feature["children"]:
            scenario = child.get("scenario")
            if scenario is None:
                continue
            tags = feature_tags | {t["name"] for t in scenario["tags"]}
            blocks = [{t["name"] for t in e["tags"]} for e in scenario.get("examples", [])] or [set()]
            if any(not (tags | block) & SURFACES for block in blocks):
                missing.append(f"{path.relative_to(features)}: {scenario['name']}")
    return missing


def test_every_scenario_names_the_surfaces_it_uses() -> None:
    missing = unnamed_surfaces(FEATURES)
    assert not missing, f"tag these with the surfaces they use ({sorted(SURFACES)}):\n" + "\n".join(missing)


def test_an_outline_whose_examples_name_no_surface_is_found(tmp_path: Path) -> None:
    (tmp_path / "x.feature").write_text(
        "@profile\nFeature: F\n  Scenario Outline: S (<surface>)\n    Given <surface>\n"
        "    @needs_grpc\n    Examples:\n      | surface |\n      | gRPC |\n"
        "    Examples:\n      | surface |\n      | REST |\n"
    )
    assert unnamed_surfaces(tmp_path) == ["x.feature: S (<surface>)"]


GUARDED = """
Feature: Guard
  Scenario: calls gRPC without saying so
    When the scenario reserves an upload
"""
GUARDED_STEPS = """
from pytest_bdd import when
from steps.driver import Identity
@when("the scenario reserves an upload")
def _(driver):
    driver.init_upload(Identity.anonymous())
"""


def test_a_scenario_using_an_undeclared_surface_fails(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", guard=GUARDED)
    pytester.makepyfile(my_steps=GUARDED_STEPS)
    pytester.makeconftest('pytest_plugins = ["steps.plugin", "steps.results", "my_steps"]')
    result = pytester.runpytest("--target=grpc://127.0.0.1:9?capabilities=grpc", "-p", "no:locust")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*uses grpc (a gRPC call) but does not carry @needs_grpc*"])
