"""Known deviations per target, and the run's results bundle and score (DESIGN.md §5).

- ``fixtures/deviations/<target>.yaml`` lists scenarios a target is known to fail, each with a
  reason, a reference and an expiry date. Such a scenario runs as a strict xfail: if the target
  gets fixed the run fails with XPASS and says so; once the entry expires it fails like any other.
- Each run that runs scenarios writes ``results/<run-id>/``: ``summary.json`` (target with secrets
  redacted, score per area and per needed capability = passed / applicable), ``scenarios.json``
  (one entry per scenario: verdict, duration, skip reason, failure, deviation, the messages
  observed while a failed one ran) and ``junit.xml``. ``results/latest`` points at the last
  complete run; an interrupted run (Ctrl-C, SIGTERM, failed preflight) is marked incomplete and
  never replaces it. The format is described in ``steps/README.md``. The terminal shows the score.

    python -m steps.results diff A B    # scenarios whose verdict changed between two runs
"""

from __future__ import annotations

import argparse
import base64
import datetime
import fnmatch
import json
import os
import shutil
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.reference import EMBEDDED_CAPABILITIES
from fixtures.targets import TargetConfig, redact
from steps.plugin import (
    _TARGET_KEY,
    DRIVER_KEY,
    NEEDS_PREFIX,
    PREFLIGHT_FAILED_KEY,
    RESOLVED_TARGET_KEY,
    ROOT,
    RUN_ID_KEY,
    load_behaviours,
    new_run_id,
    target_name,
)

DEVIATIONS_DIR = ROOT / "fixtures" / "deviations"
AREAS = ("upload", "outbox", "projection", "profile", "catalog")


@dataclass(frozen=True)
class Deviation:
    """A scenario a target is known to fail."""

    scenario: str
    reason: str
    reference: str
    expires: datetime.date


def load_deviations(path: Path) -> list[Deviation]:
    """Read a deviations file; a missing file means none.

    Raises:
        pytest.UsageError: the file is not a list of entries with scenario, reason, reference, expires.
    """
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    keys = {"scenario", "reason", "reference", "expires"}
    deviations = []
    for number, entry in enumerate(entries if isinstance(entries, list) else [entries], start=1):
        if not isinstance(entry, dict) or set(entry) != keys or not isinstance(entry["expires"], datetime.date):
            msg = f"{path.name} entry {number}: give exactly {sorted(keys)}, with expires as a date (YYYY-MM-DD)"
            raise pytest.UsageError(msg)
        deviations.append(Deviation(**entry))
    return deviations


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--deviations-dir`` and ``--results-dir``."""
    group = parser.getgroup("lingo")
    group.addoption(
        "--deviations-dir", default=str(DEVIATIONS_DIR), help="where <target>.yaml known-deviation files live"
    )
    group.addoption("--results-dir", default=None, help="where run bundles go (default: results/ under the rootdir)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark scenarios with a live deviation entry as strict xfail (named targets only; a URL names none)."""
    name = target_name(config)
    if "://" in name:
        return
    deviations = load_deviations(Path(config.getoption("--deviations-dir")) / f"{name}.yaml")
    today = datetime.datetime.now(datetime.UTC).date()
    for item in items:
        for deviation in deviations:
            if fnmatch.fnmatch(item.nodeid, deviation.scenario) and deviation.expires >= today:
                reason = f"known deviation until {deviation.expires}: {deviation.reason} ({deviation.reference})"
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
                item.stash[_DEVIATION_KEY] = deviation
                break


_DEVIATION_KEY = pytest.StashKey[Deviation]()
_ENTRY_KEY = pytest.StashKey[dict[str, Any]]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Keep a score sheet for this run, and send pytest's JUnit XML into the run's bundle.

    Under pytest-xdist the controller keeps the one bundle of the run; each worker (like a run
    without xdist) notes what the bundle needs on each scenario's reports, which reach the
    controller with them.
    """
    config.pluginmanager.register(ScenarioNotes(config), "lingo-scenario-notes")
    if hasattr(config, "workerinput"):
        return
    bundle = Bundle(config)
    config.pluginmanager.register(bundle, "lingo-results")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(WorkerPreflight(config), "lingo-worker-preflight")
    if not config.option.xmlpath:
        config.option.xmlpath = str(bundle.folder / "junit.xml")
        bundle.owns_junit = True


# -- the target, redacted --------------------------------------------------------------------


def describe_target(config: TargetConfig | None, name: str) -> dict[str, Any]:
    """The target as summary.json shows it: name, capabilities, endpoints, all redacted."""
    if config is None:
        return {"name": name, "capabilities": sorted(EMBEDDED_CAPABILITIES), "endpoints": {}}
    endpoints = {
        key: redact(str(value))
        for key in ("catalog_grpc", "profile_grpc", "rest_url", "pubsub_project", "pubsub_emulator_host",
                    "database_url", "storage_url", "faults_url")
        if (value := getattr(config, key))
    }
    return {
        "name": redact(name),
        "capabilities": sorted(config.capabilities),
        "endpoints": endpoints,
        "reference": config.reference,
        "allow_destructive": config.allows_destructive,
        "auth": config.auth,
    }


# -- the bundle ---------------------------------------------------------------------------------

AREAS_TAGS = set(AREAS)
_NOT_TAGS = {"parametrize", "usefixtures", "xfail", "skip", "skipif", "filterwarnings"}
MAX_OBSERVED = 50


def _rfc3339(moment: float) -> str:
    return datetime.datetime.fromtimestamp(moment, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


NOTES_ATTRIBUTE = "lingo_scenario"
#: Key of a worker's ``workeroutput`` holding the problems of a failed preflight.
PREFLIGHT_OUTPUT = "lingo_preflight_failed"


class ScenarioNotes:
    """Puts on each scenario's reports what its bundle entry needs (where the scenario runs).

    The notes are plain JSON, so they travel with the report from a pytest-xdist worker to the
    controller: the entry's fixed fields and, for a failure, the messages observed while it ran.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.marks: dict[str, int] = {}

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Note where the observed messages stand when a scenario starts."""
        driver = self.config.stash.get(DRIVER_KEY, None)
        self.marks[item.nodeid] = driver.observed_mark() if driver is not None else 0

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        """Attach the notes to each phase's report of a scenario."""
        report: pytest.TestReport = yield
        if item.path.suffix == ".feature":
            entry = item.stash.get(_ENTRY_KEY, None)
            if entry is None:
                entry = item.stash[_ENTRY_KEY] = _new_entry(item)
            notes: dict[str, Any] = {"entry": entry}
            if report.failed:
                notes["observed"] = self._observed(item)
            setattr(report, NOTES_ATTRIBUTE, notes)
        return report

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """(pytest-xdist worker) Hand a failed preflight's problems to the controller."""
        problems = self.config.stash.get(PREFLIGHT_FAILED_KEY, None)
        if problems and hasattr(self.config, "workeroutput"):
            self.config.workeroutput[PREFLIGHT_OUTPUT] = problems

    def _observed(self, item: pytest.Item) -> list[dict[str, Any]]:
        driver = self.config.stash.get(DRIVER_KEY, None)
        if driver is None:
            return []
        events = driver.observed_since(self.marks.get(item.nodeid, 0))[:MAX_OBSERVED]
        return [
            {
                "topic": e.topic,
                "message_id": e.message_id,
                "attributes": dict(e.attributes),
                "ordering_key": e.ordering_key,
                "publish_time": str(e.publish_time),
                "payload": e.payload_json() if e.payload is not None else base64.b64encode(e.data).decode(),
                "violations": list(e.violations),
            }
            for e in events
        ]


class WorkerPreflight:
    """(pytest-xdist controller) A worker whose preflight failed makes the run's bundle incomplete."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        problems = getattr(node, "workeroutput", {}).get(PREFLIGHT_OUTPUT, None)
        if problems:
            self.config.stash[PREFLIGHT_FAILED_KEY] = problems


class Bundle:
    """Records every scenario's verdict and writes ``results/<run-id>/`` at the end of the run."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.run_id = config.stash.setdefault(RUN_ID_KEY, new_run_id())
        given = config.getoption("--results-dir", None)
        self.root = Path(given) if given else config.rootpath / "results"
        self.folder = self.root / self.run_id
        self.owns_junit = False
        self.started = time.time()
        self.scenarios: dict[str, dict[str, Any]] = {}
        self.scores: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.interrupted_by: str | None = None
        self._previous_sigterm: Any = None

    # -- SIGTERM is an interruption like Ctrl-C -------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Turn SIGTERM into KeyboardInterrupt so the run ends as interrupted and says so."""
        try:
            self._previous_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)
        except ValueError:  # not the main thread (an in-process pytester run): leave signals alone
            self._previous_sigterm = None

    def _on_sigterm(self, signum: int, _frame: Any) -> None:
        self.interrupted_by = signal.Signals(signum).name
        raise KeyboardInterrupt

    # -- recording ------------------------------------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record each phase of a scenario into its entry (the notes come from ``ScenarioNotes``)."""
        notes = getattr(report, NOTES_ATTRIBUTE, None)
        if notes is not None:
            self._record(report, notes)

    def _record(self, report: pytest.TestReport, notes: dict[str, Any]) -> None:
        entry = self.scenarios.get(report.nodeid)
        if entry is None:
            entry = self.scenarios[report.nodeid] = dict(notes["entry"])
        entry["duration_s"] = round(entry["duration_s"] + report.duration, 3)
        verdict = _verdict(report)
        if verdict is None:
            return
        if report.when == "teardown" and entry["verdict"] not in (None, "passed"):
            return
        entry["verdict"] = verdict
        if verdict == "skipped" and isinstance(report.longrepr, tuple):
            entry["skip_reason"] = str(report.longrepr[2]).removeprefix("Skipped: ")
        if verdict in ("failed", "error"):
            entry["failure"] = redact(_first_lines(report.longreprtext))
            entry["observed_messages"] = notes.get("observed", [])
        if report.when != "teardown":
            self._count(entry["tags"], "failed" if verdict == "error" else verdict)

    def _count(self, tags: list[str], verdict: str) -> None:
        groups = [f"area:{a}" for a in AREAS if a in tags]
        groups += sorted(f"needs:{k.removeprefix(NEEDS_PREFIX)}" for k in tags if k.startswith(NEEDS_PREFIX))
        for group in [*groups, "all"]:
            self.scores[group][verdict] += 1

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Note a Ctrl-C (SIGTERM already noted itself)."""
        self.interrupted_by = self.interrupted_by or "SIGINT"

    # -- writing --------------------------------------------------------------------------------

    def groups(self) -> dict[str, dict[str, Any]]:
        """Counts per group with applicable and score."""
        return {
            group: {**{k: counts[k] for k in ("passed", "failed", "skipped", "xfailed", "xpassed")},
                    "applicable": _applicable(counts), "score": _score(counts)}
            for group, counts in sorted(self.scores.items())
        }

    def complete(self, exitstatus: int) -> bool:
        """Whether the run ran to its end (failures included) rather than being cut short."""
        return (
            self.interrupted_by is None
            and not self.config.stash.get(PREFLIGHT_FAILED_KEY, None)
            and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Write the bundle (after pytest's JUnit XML is written) and move ``latest`` if complete."""
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
        if not self.scenarios and not self.config.stash.get(PREFLIGHT_FAILED_KEY, None):
            if self.owns_junit:
                shutil.rmtree(self.folder, ignore_errors=True)
                _remove_if_empty(self.root)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        complete = self.complete(exitstatus)
        name = target_name(self.config)
        summary = {
            "run_id": self.run_id,
            "complete": complete,
            "started_at": _rfc3339(self.started),
            "finished_at": _rfc3339(time.time()),
            "target": describe_target(
                self.config.stash.get(RESOLVED_TARGET_KEY, None) or self.config.stash[_TARGET_KEY], name
            ),
            "groups": self.groups(),
        }
        if not complete:
            summary["interrupted_by"] = self.interrupted_by or ("preflight" if self.config.stash.get(PREFLIGHT_FAILED_KEY, None) else f"exit {exitstatus}")
        _write_json(self.folder / "scenarios.json", list(self.scenarios.values()))
        if not self.owns_junit and self.config.option.xmlpath and Path(self.config.option.xmlpath).exists():
            shutil.copyfile(self.config.option.xmlpath, self.folder / "junit.xml")
        # summary.json last: its presence says the bundle is whole.
        _write_json(self.folder / "summary.json", summary)
        if complete:
            _point_latest(self.root, self.run_id)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print the score and where the bundle is."""
        if not self.scenarios:
            return
        name = redact(target_name(self.config))
        terminalreporter.section(f"conformance of {name}")
        for group, row in self.groups().items():
            terminalreporter.write_line(
                f"{group:<30} {row['passed']:>4} / {row['applicable']:<4} conform"
                + (f", {row['xfailed']} known deviations" if row["xfailed"] else "")
                + (f", {row['skipped']} not applicable here" if row["skipped"] else "")
            )
        where = self.folder.relative_to(self.config.rootpath) if self.folder.is_relative_to(self.config.rootpath) else self.folder
        state = "" if (self.folder / "summary.json").exists() and _is_latest(self.root, self.run_id) else " (incomplete: results/latest unchanged)"
        terminalreporter.write_line(f"written to {where}/{state}")


def _new_entry(item: pytest.Item) -> dict[str, Any]:
    tags = list(dict.fromkeys(m.name for m in item.iter_markers() if m.name not in _NOT_TAGS))
    behaviours = load_behaviours()
    deviation = item.stash.get(_DEVIATION_KEY, None)
    feature = item.nodeid.split("::")[0]
    return {
        "nodeid": item.nodeid,
        "feature": feature,
        "name": _scenario_title(item),
        "area": next((t for t in tags if t in AREAS_TAGS), None),
        "tags": tags,
        "behaviours": [t for t in tags if t in behaviours],
        "verdict": None,
        "duration_s": 0.0,
        "skip_reason": None,
        "failure": None,
        "deviation": None if deviation is None else {
            "reason": deviation.reason, "reference": deviation.reference, "expires": deviation.expires.isoformat()
        },
        "observed_messages": [],
    }


def _scenario_title(item: pytest.Item) -> str:
    from pytest_bdd.scenario import scenario_wrapper_template_registry  # noqa: PLC0415 - pytest-bdd internals, one place

    template = scenario_wrapper_template_registry.get(getattr(item, "obj", None))
    return template.name if template is not None else item.name


def _verdict(report: pytest.TestReport) -> str | None:
    """The scenario's verdict as far as this phase tells, or ``None`` when it tells nothing."""
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.when == "call":
        return report.outcome
    if report.when == "setup":
        return {"skipped": "skipped", "failed": "error"}.get(report.outcome)
    return "error" if report.failed else None


def _first_lines(text: str, lines: int = 12) -> str:
    kept = [line for line in text.splitlines() if line.strip()]
    errors = [line for line in kept if line.startswith("E ")]
    return "\n".join((errors or kept)[:lines])


def _write_json(path: Path, document: Any) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _point_latest(root: Path, run_id: str) -> None:
    link = root / "latest"
    temporary = root / f".latest-{run_id}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(run_id, target_is_directory=True)
    os.replace(temporary, link)


def _is_latest(root: Path, run_id: str) -> bool:
    link = root / "latest"
    return link.is_symlink() and os.readlink(link) == run_id


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _applicable(counts: dict[str, int]) -> int:
    return counts["passed"] + counts["failed"] + counts["xfailed"] + counts["xpassed"]


def _score(counts: dict[str, int]) -> float | None:
    applicable = _applicable(counts)
    return round(counts["passed"] / applicable, 4) if applicable else None


# -- comparing two runs -------------------------------------------------------------------------


def load_verdicts(run: str, results: Path) -> dict[str, str]:
    """``nodeid`` → verdict of a run given as a folder or as a run id under ``results``."""
    folder = Path(run) if Path(run).is_dir() else results / run
    path = folder / "scenarios.json"
    if not path.exists():
        msg = f"{run}: no scenarios.json there; give a run folder or a run id under {results}"
        raise SystemExit(msg)
    return {entry["nodeid"]: entry["verdict"] for entry in json.loads(path.read_text(encoding="utf-8"))}


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """One line per scenario whose verdict changed (``-`` where a run did not have it)."""
    return [
        f"{nodeid}: {before.get(nodeid, '-')} -> {after.get(nodeid, '-')}"
        for nodeid in sorted(before.keys() | after.keys())
        if before.get(nodeid) != after.get(nodeid)
    ]


def main(argv: list[str] | None = None) -> int:
    """``diff A B``: the scenarios whose verdict changed from run A to run B."""
    parser = argparse.ArgumentParser(prog="python -m steps.results", description="compare two results bundles")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser("diff", help="list scenarios whose verdict changed from run A to run B")
    compare.add_argument("a", help="a run folder or run id (e.g. latest)")
    compare.add_argument("b", help="a run folder or run id")
    compare.add_argument("--results-dir", default=str(ROOT / "results"))
    args = parser.parse_args(argv)
    results = Path(args.results_dir)
    changed = diff(load_verdicts(args.a, results), load_verdicts(args.b, results))
    print("\n".join(changed) if changed else "no verdict changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
