"""Known deviations per target, and the run's conformance score (DESIGN.md §5).

- ``fixtures/deviations/<target>.yaml`` lists scenarios a target is known to fail, each with a
  reason, a reference and an expiry date. Such a scenario runs as a strict xfail: if the target
  gets fixed the run fails with XPASS and says so; once the entry expires it fails like any other.
- After a run, ``results/summary.json`` holds the score per area and per needed capability
  (passed / applicable, where skipped scenarios are not applicable), and the terminal shows it.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from steps.plugin import NEEDS_PREFIX, ROOT, target_name

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
    """Register ``--deviations-dir``."""
    parser.getgroup("lingo").addoption(
        "--deviations-dir", default=str(DEVIATIONS_DIR), help="where <target>.yaml known-deviation files live"
    )


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


def pytest_configure(config: pytest.Config) -> None:
    """Keep a score sheet for this run."""
    config.pluginmanager.register(Scoreboard(config), "lingo-scoreboard")


class Scoreboard:
    """Counts scenario verdicts per area and capability, and reports them at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scores: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count each scenario once, under its area and each capability it needs."""
        if not report.nodeid.split("::")[0].endswith(".feature"):
            return
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            verdict = "xfailed" if hasattr(report, "wasxfail") and report.outcome == "skipped" else report.outcome
            keywords = set(report.keywords)
            groups = [f"area:{a}" for a in AREAS if a in keywords]
            groups += [f"needs:{k.removeprefix(NEEDS_PREFIX)}" for k in keywords if k.startswith(NEEDS_PREFIX)]
            for group in [*groups, "all"]:
                self.scores[group][verdict] += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print the score and write results/summary.json."""
        if not self.scores:
            return
        summary = {
            "target": target_name(self.config),
            "groups": {
                group: {**counts, "applicable": _applicable(counts), "score": _score(counts)}
                for group, counts in sorted(self.scores.items())
            },
        }
        out = self.config.rootpath / "results" / "summary.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        terminalreporter.section(f"conformance of {summary['target']}")
        for group, row in summary["groups"].items():
            terminalreporter.write_line(
                f"{group:<24} {row.get('passed', 0):>4} / {row['applicable']:<4} conform"
                + (f", {row['xfailed']} known deviations" if row.get("xfailed") else "")
                + (f", {row['skipped']} not applicable here" if row.get("skipped") else "")
            )
        terminalreporter.write_line(f"written to {out.relative_to(self.config.rootpath)}")


def _applicable(counts: dict[str, int]) -> int:
    return counts["passed"] + counts["failed"] + counts["xfailed"]


def _score(counts: dict[str, int]) -> float | None:
    applicable = _applicable(counts)
    return round(counts["passed"] / applicable, 4) if applicable else None
