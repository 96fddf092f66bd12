"""Run feature areas against a target in a subprocess ``pytest`` and read one verdict per scenario.

The deployed-topology tests start a reference their own way, then hand its URL here: the inner run
loads the ``applicability`` plugin (beside this module), which writes the verdicts to a file, so the
outer test reads them without parsing terminal output or touching the inner run's results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A hang guard for a whole inner run (a full feature run takes about a minute and a half idle).
TIMEOUT_SECONDS = 1200


def run_features(paths: list[str], target: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, dict]]:
    """Run ``paths`` against ``target``; the completed run and ``{nodeid: {"verdict", "areas", "needs", ...}}``."""
    out = tmp_path / "verdicts.json"
    completed = subprocess.run(  # noqa: S603 - our own test run, fixed arguments
        [sys.executable, "-m", "pytest", *paths, f"--target={target}", "-p", "applicability",
         "-p", "no:cacheprovider", "-p", "no:lingo-scoreboard", f"--basetemp={tmp_path / 'inner'}",
         f"--results-dir={tmp_path / 'results'}", "-q", "--no-header", "-rN"],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
        env={**os.environ, "LINGO_APPLICABILITY_OUT": str(out),
             "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))},
    )
    assert out.exists(), f"the inner run wrote no verdicts (exit {completed.returncode}):\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    return completed, json.loads(out.read_text(encoding="utf-8"))
