"""The driver package's imports run one way: each module imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parents[2] / "steps" / "driver"

#: Each module of steps/driver and the driver modules it may import (everything lower in the stack).
LAYERS = {
    "outcome": set(),
    "checks": {"outcome"},
    "events": set(),
    "base": {"outcome", "checks", "events"},
    "upload": {"outcome", "checks", "events", "base"},
    "catalog": {"outcome", "checks", "events", "base"},
    "profile": {"outcome", "checks", "events", "base"},
    "broker": {"outcome", "checks", "events", "base"},
    "outbox": {"outcome", "checks", "events", "base", "broker"},
}


def driver_imports(path: Path) -> set[str]:
    """The steps.driver submodules ``path`` imports (``from steps.driver import x`` counts as ``x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "steps.driver":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("steps.driver."):
                found.add(node.module.removeprefix("steps.driver.").split(".")[0])
            elif node.module.startswith("steps"):
                found.add(f"<{node.module}>")
        elif isinstance(node, ast.Import):
            found |= {f"<{a.name}>" for a in node.names if a.name.startswith("steps")}
    return found


def test_every_driver_module_has_a_layer() -> None:
    modules = {p.stem for p in DRIVER.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS), f"add new driver modules to LAYERS: {sorted(modules ^ set(LAYERS))}"


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_imports_only_lower_layers(module: str) -> None:
    imported = driver_imports(DRIVER / f"{module}.py")
    upward = imported - LAYERS[module]
    assert not upward, (
        f"steps/driver/{module}.py imports {sorted(upward)}; it may import only {sorted(LAYERS[module]) or 'none'}"
        " (the driver's imports run one way; steps and plugins import the driver, never the reverse)"
    )
