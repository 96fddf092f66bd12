"""The suite's pytest plugin: ``--target``, feature collection, capability skips, run id, driver.

- ``pytest features/`` collects every ``.feature`` file directly (no binding modules to keep in
  sync); the step definitions come from the ``steps.*`` plugin modules.
- ``--target`` picks the deployment (see ``fixtures/targets.py``); a bad value stops the run at
  once with one line that says what to fix.
- ``@needs_<capability>`` tags skip a scenario, with the reason, on a target without it; the driver
  fails a scenario that uses a surface its tags do not declare.
- ``@destructive`` scenarios run only on targets that allow them (``allow_destructive = true``).
- Each Gherkin tag ``@B-xxx`` is a behaviour id from ``features/behaviours.yaml``.
- Under pytest-xdist (``-n N``) the run keeps one run id (the controller's, so one results bundle);
  each worker prefixes what it creates with ``<run id>-<worker id>-``, so workers sharing a deployed
  target never touch each other's objects, and a deployed target is preflighted once. On the
  embedded reference each worker starts a reference of its own (with its own stand-ins): faults,
  the clock and ``@destructive`` writes act on the whole reference, so one shared by workers would
  let one scenario's fault reach another worker's scenario.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import fcntl
import functools
import json
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
from steps.preflight import Needs, needs_of, preflight

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOURS_FILE = ROOT / "features" / "behaviours.yaml"
NEEDS_PREFIX = "needs_"

_TARGET_KEY = pytest.StashKey[TargetConfig | None]()
_DECLARED_KEY = pytest.StashKey[frozenset[str] | None]()
RUN_ID_KEY = pytest.StashKey[str]()
DRIVER_KEY = pytest.StashKey[Driver]()
RESOLVED_TARGET_KEY = pytest.StashKey[TargetConfig]()
NEEDS_KEY = pytest.StashKey[Needs]()
PREFLIGHT_FAILED_KEY = pytest.StashKey[list[str]]()


def new_run_id() -> str:
    """A run id: ``ct-<UTC time>-<4 hex>`` (objects the run creates are prefixed with it and a dash)."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    return f"ct-{now}-{uuid.uuid4().hex[:4]}"
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
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKER_RUN_ID in workerinput:
        config.stash[RUN_ID_KEY] = workerinput[WORKER_RUN_ID]
    config.stash.setdefault(RUN_ID_KEY, new_run_id())
    if workerinput is None and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistController(config), "lingo-xdist-controller")


#: Key of ``workerinput`` carrying the controller's run id to each pytest-xdist worker.
WORKER_RUN_ID = "lingo_run_id"


class XdistController:
    """(pytest-xdist controller) Gives every worker the run's id."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: object) -> None:
        node.workerinput[WORKER_RUN_ID] = self.config.stash[RUN_ID_KEY]  # type: ignore[attr-defined]


def worker_id(config: pytest.Config) -> str | None:
    """The pytest-xdist worker id (``gw0``…) of this process, or None outside a worker."""
    workerinput = getattr(config, "workerinput", None)
    return None if workerinput is None else str(workerinput["workerid"])


def target_name(config: pytest.Config) -> str:
    """The name of the run's target (``reference`` for the embedded one)."""
    target = config.stash[_TARGET_KEY]
    return "reference" if target is None else target.name


def load_behaviours(path: Path = BEHAVIOURS_FILE) -> dict[str, str]:
    """Behaviour ids and their one-line statements (a copy; the file is read once per process)."""
    return dict(_read_behaviours(path, path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _read_behaviours(path: Path, _mtime_ns: int) -> dict[str, str]:
    # Every scenario's results entry asks; parsing the YAML each time cost ~40 ms of CPU per scenario.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


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
    """Skip, with the reason, a scenario needing what the target cannot do; tell the driver what
    the scenario declares (it fails a scenario using an undeclared surface)."""
    needed = needed_capabilities(item)
    declared = frozenset(c for need in needed for c in capabilities_meeting(need))
    item.config.stash[_DECLARED_KEY] = declared if item.path.suffix == ".feature" else None
    target = item.config.stash[_TARGET_KEY]
    if target is not None and not target.allows_destructive and item.get_closest_marker("destructive"):
        pytest.skip(
            f"target {target.name!r} does not allow @destructive scenarios (they write into its own tables and "
            "reach its real consumers): set allow_destructive = true in its table if it may"
        )
    capabilities = EMBEDDED_CAPABILITIES if target is None else target.capabilities
    missing = sorted(need for need in needed if capabilities.isdisjoint(capabilities_meeting(need)))
    if missing:
        name = "reference" if target is None else target.name
        pytest.skip(
            f"target {name!r} lacks {', '.join(missing)}: add it to the target's capabilities if it can "
            f"({', '.join(meaning(m) for m in missing)})"
        )


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Outside a scenario the driver may use anything (fixtures' own cleanup)."""
    item.config.stash[_DECLARED_KEY] = None


# -- preflight ----------------------------------------------------------------------------------

AREAS = ("upload", "outbox", "projection", "profile", "catalog")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Work out what the selected scenarios need; on a deployed target, check it is there first."""
    config = session.config
    target = config.stash[_TARGET_KEY]
    available = EMBEDDED_CAPABILITIES if target is None else target.capabilities
    scenarios = []
    for item in session.items:
        if item.path.suffix != ".feature":
            continue
        if target is not None and not target.allows_destructive and item.get_closest_marker("destructive"):
            continue
        markers = {m.name for m in item.iter_markers()}
        scenarios.append(({a for a in AREAS if a in markers}, needed_capabilities(item)))
    needs = needs_of(scenarios, available)
    config.stash[NEEDS_KEY] = needs
    if target is None or not scenarios:
        return
    problems = preflight_once(config, target, needs)
    if problems:
        config.stash[PREFLIGHT_FAILED_KEY] = problems
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            if reporter is not None:
                reporter.write_line(f"preflight: {problem}", red=True)
        pytest.exit(f"preflight of {target.name}: {len(problems)} problem(s), no scenario ran", pytest.ExitCode.USAGE_ERROR)


def preflight_once(config: pytest.Config, target: TargetConfig, needs: Needs) -> list[str]:
    """``preflight`` of the target, once per run: pytest-xdist workers (which collect the same
    scenarios, hence the same needs) share the first worker's answer through their common temp root."""
    if worker_id(config) is None or not config.option.basetemp:
        return preflight(target, needs)
    answer = Path(config.option.basetemp).parent / "lingo-preflight.json"
    with answer.with_suffix(".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if answer.exists():
            return json.loads(answer.read_text(encoding="utf-8"))
        problems = preflight(target, needs)
        answer.write_text(json.dumps(problems), encoding="utf-8")
        return problems


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    """The target under test; the embedded reference (with every stand-in) is started on first use.

    Yields:
        TargetConfig: endpoints and capabilities.
    """
    configured = request.config.stash[_TARGET_KEY]
    if configured is not None:
        request.config.stash[RESOLVED_TARGET_KEY] = configured
        yield configured
        return
    pubsub: PubsubEndpoint = request.getfixturevalue("pubsub_endpoint")
    project: str = request.getfixturevalue("pubsub_project")
    workdir = tmp_path_factory.mktemp("reference")
    with contextlib.ExitStack() as stack:
        # The storage stand-in starts while PostgreSQL does (each waits on a child of its own).
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="standins") as pool:
            storage = pool.submit(
                stack.enter_context, standins(project, workdir, pubsub_host=pubsub.host, pubsub_admin=pubsub.admin)
            )
            try:
                postgres: PostgresServer = request.getfixturevalue("postgres")
            finally:
                env = storage.result()
        with reference_process(postgres.create_database(), extra_env=env) as (child, started):
            if started.capabilities != EMBEDDED_CAPABILITIES:
                msg = (
                    f"the embedded reference offers {sorted(started.capabilities)}, but the suite expects "
                    f"{sorted(EMBEDDED_CAPABILITIES)}: update EMBEDDED_CAPABILITIES in fixtures/reference.py"
                )
                raise RuntimeError(msg)
            request.config.stash[RESOLVED_TARGET_KEY] = started
            request.config.stash[REFERENCE_CHILD] = child
            yield started


@pytest.fixture(scope="session")
def run_id(request: pytest.FixtureRequest) -> str:
    """A prefix unique to this run for every object it creates (``ct-<UTC time>-<4 hex>-``; a
    pytest-xdist worker adds its id: ``ct-<UTC time>-<4 hex>-gw0-``)."""
    worker = worker_id(request.config)
    return request.config.stash[RUN_ID_KEY] + "-" + (f"{worker}-" if worker else "")


@pytest.fixture(scope="session")
def driver(request: pytest.FixtureRequest, target: TargetConfig, run_id: str) -> Iterator[Driver]:
    """The driver for the target.

    Yields:
        Driver: reaches the target through its public surfaces.
    """
    needs = request.config.stash.get(NEEDS_KEY, None)
    session_driver = Driver(target, run_id, observed_topics=None if needs is None else needs.observed_topics)
    session_driver.declared = lambda: request.config.stash.get(_DECLARED_KEY, None)  # type: ignore[method-assign]
    request.config.stash[DRIVER_KEY] = session_driver
    yield session_driver
    session_driver.close()

