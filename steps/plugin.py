"""The suite's pytest plugin: ``--target``, feature collection, capability skips, run id, driver.

- ``pytest features/`` collects every ``.feature`` file directly (no binding modules to keep in
  sync); the step definitions come from the ``steps.*`` plugin modules.
- ``--target`` picks the deployment (see ``fixtures/targets.py``); a bad value stops the run at
  once with one line that says what to fix.
- ``@needs_<capability>`` tags skip a scenario, with the reason, on a target without it.
- Each Gherkin tag ``@B-xxx`` is a behaviour id from ``features/behaviours.yaml``.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fixtures.postgres import PostgresServer
from fixtures.process import Child
from fixtures.pubsub.plugin import PubsubEndpoint
from fixtures.reference import EMBEDDED_CAPABILITIES, reference_process, standins
from fixtures.targets import (
    ALTERNATIVE_NEEDS,
    CAPABILITIES,
    TargetConfig,
    TargetError,
    capabilities_meeting,
    resolve_target,
)
from steps.driver import Driver

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOURS_FILE = ROOT / "features" / "behaviours.yaml"
NEEDS_PREFIX = "needs_"

_TARGET_KEY = pytest.StashKey[TargetConfig | None]()
#: The embedded reference's process, once started (steps/interrupt.py watches it).
REFERENCE_CHILD = pytest.StashKey[Child]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--target`` and ``--targets-file``."""
    group = parser.getgroup("lingo", "Lingo conformance")
    group.addoption(
        "--target",
        default="reference",
        help="reference (default: start the embedded reference), a name from targets.toml, or grpc://HOST:PORT?...",
    )
    group.addoption(
        "--targets-file", default=str(ROOT / "targets.toml"), help="where named targets are described"
    )


def pytest_configure(config: pytest.Config) -> None:
    """Resolve the target once, and register the capability and behaviour-id markers."""
    for name in [*CAPABILITIES, *ALTERNATIVE_NEEDS]:
        config.addinivalue_line("markers", f"{NEEDS_PREFIX}{name}: the scenario needs a target that can {meaning(name)}")
    for behaviour_id, text in load_behaviours().items():
        config.addinivalue_line("markers", f"{behaviour_id}: {text}")
    try:
        target = resolve_target(config.getoption("--target"), Path(config.getoption("--targets-file")))
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_TARGET_KEY] = target


def target_name(config: pytest.Config) -> str:
    """The name of the run's target (``reference`` for the embedded one)."""
    target = config.stash[_TARGET_KEY]
    return "reference" if target is None else target.name


def load_behaviours(path: Path = BEHAVIOURS_FILE) -> dict[str, str]:
    """Behaviour ids and their one-line statements."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- collecting .feature files ------------------------------------------------------------------


class FeatureFile(pytest.Module):
    """A ``.feature`` file collected as a module whose tests are its scenarios."""

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"feature_{self.path.stem}")
        module.__file__ = str(self.path)
        module.__dict__["FEATURE"] = str(self.path)
        # pytest-bdd adds the scenario tests to the namespace that calls `scenarios`.
        exec("from pytest_bdd import scenarios\nscenarios(FEATURE)\n", module.__dict__)  # noqa: S102
        return module


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.feature`` files."""
    if file_path.suffix == ".feature":
        return FeatureFile.from_parent(parent, path=file_path)
    return None


# -- capabilities -------------------------------------------------------------------------------


def needed_capabilities(item: pytest.Item) -> set[str]:
    """The capabilities an item's ``@needs_*`` tags ask for."""
    return {m.name.removeprefix(NEEDS_PREFIX) for m in item.iter_markers() if m.name.startswith(NEEDS_PREFIX)}


def meaning(need: str) -> str:
    """What a target with the capability (or one of the alternatives) ``need`` can do."""
    return " or ".join(CAPABILITIES[name] for name in capabilities_meeting(need))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip, with the reason, a scenario needing what the target cannot do."""
    needed = needed_capabilities(item)
    if not needed:
        return
    target = item.config.stash[_TARGET_KEY]
    capabilities = EMBEDDED_CAPABILITIES if target is None else target.capabilities
    missing = sorted(need for need in needed if capabilities.isdisjoint(capabilities_meeting(need)))
    if missing:
        name = "reference" if target is None else target.name
        pytest.skip(
            f"target {name!r} lacks {', '.join(missing)}: add it to the target's capabilities if it can "
            f"({', '.join(meaning(m) for m in missing)})"
        )


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    """The target under test; the embedded reference (with every stand-in) is started on first use.

    Yields:
        TargetConfig: endpoints and capabilities.
    """
    configured = request.config.stash[_TARGET_KEY]
    if configured is not None:
        yield configured
        return
    postgres: PostgresServer = request.getfixturevalue("postgres")
    pubsub: PubsubEndpoint = request.getfixturevalue("pubsub_endpoint")
    project: str = request.getfixturevalue("pubsub_project")
    with standins(project, tmp_path_factory.mktemp("reference"), pubsub_host=pubsub.host, pubsub_admin=pubsub.admin) as env:
        with reference_process(postgres.create_database(), extra_env=env) as (child, started):
            if started.capabilities != EMBEDDED_CAPABILITIES:
                msg = (
                    f"the embedded reference offers {sorted(started.capabilities)}, but the suite expects "
                    f"{sorted(EMBEDDED_CAPABILITIES)}: update EMBEDDED_CAPABILITIES in fixtures/reference.py"
                )
                raise RuntimeError(msg)
            request.config.stash[REFERENCE_CHILD] = child
            yield started


@pytest.fixture(scope="session")
def run_id() -> str:
    """A prefix unique to this run for every object it creates (``ct-<8 hex>-``)."""
    return f"ct-{uuid.uuid4().hex[:8]}-"


@pytest.fixture(scope="session")
def driver(target: TargetConfig, run_id: str) -> Iterator[Driver]:
    """The driver for the target.

    Yields:
        Driver: reaches the target through its public surfaces.
    """
    session_driver = Driver(target, run_id)
    yield session_driver
    session_driver.close()
