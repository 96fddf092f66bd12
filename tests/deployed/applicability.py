"""A pytest plugin for the inner runs of the deployed-topology tests (inner_run.py): one verdict per scenario.

Loaded into the inner ``pytest features/`` run with ``-p applicability``; at the end it writes
``{nodeid: {"verdict": ..., "areas": [...], "needs": [...]}}`` to the file named by
``LINGO_APPLICABILITY_OUT``, so the outer test reads verdicts without parsing terminal output and
without touching the inner run's own results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

AREAS = ("upload", "outbox", "projection", "profile", "catalog")
NEEDS_PREFIX = "needs_"
_verdicts: dict[str, dict] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record each scenario's verdict once: its call, or its setup when that did not pass."""
    if not report.nodeid.split("::")[0].endswith(".feature"):
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        keywords = set(report.keywords)
        _verdicts[report.nodeid] = {
            "verdict": report.outcome,
            "areas": sorted(a for a in AREAS if a in keywords),
            "needs": sorted(k.removeprefix(NEEDS_PREFIX) for k in keywords if k.startswith(NEEDS_PREFIX)),
            "why": str(report.longrepr[-1]) if report.skipped and isinstance(report.longrepr, tuple) else "",
        }
    elif report.when == "teardown" and report.failed:
        _verdicts.setdefault(report.nodeid, {"areas": [], "needs": []})["verdict"] = "failed"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the verdicts where the outer test asked for them."""
    out = os.environ.get("LINGO_APPLICABILITY_OUT")
    if out:
        Path(out).write_text(json.dumps(_verdicts, indent=1, sort_keys=True), encoding="utf-8")
