"""Every ``python -m …`` entry point: ``--help`` does nothing else, bad options are one line.

``--help`` must print usage and exit 0 without starting anything (``python -m fixtures.postgres
--help`` once started a PostgreSQL). A bad port, number or ``LINGO_*`` value must stop the tool
with exit code 2 and a one-line error — no traceback, no silent fallback to a random port.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ENTRY_POINTS = [
    "reference_impl",
    "reference_impl.entrypoints.outbox_relay",
    "reference_impl.entrypoints.rest_workers",
    "reference_impl.redrive",
    "fixtures.postgres",
    "fixtures.pubsub",
    "fixtures.gcs",
    "steps.inventory",
    "contracts.codegen",
    "contracts.compat",
]


def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``python -m args`` with a fresh TMPDIR; the result and what it left in that TMPDIR."""
    with tempfile.TemporaryDirectory(prefix="lingo-entry-") as tmpdir:
        environment = {**os.environ, "TMPDIR": tmpdir, **(env or {})}
        environment.pop("DATABASE_URL", None)
        completed = subprocess.run(  # noqa: S603 - our own modules
            [sys.executable, "-m", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout,
            check=False,
        )
        left = sorted(p.name for p in Path(tmpdir).iterdir() if not p.name.startswith("runtime-"))
    return completed, left


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_help_prints_usage_and_does_nothing_else(module: str) -> None:
    completed, left = run([module, "--help"])
    assert completed.returncode == 0, f"{module} --help exited {completed.returncode}:\n{completed.stderr[-2000:]}"
    assert completed.stdout.startswith("usage: "), f"{module} --help printed:\n{completed.stdout[:500]}"
    assert "ready" not in completed.stdout, f"{module} --help started something:\n{completed.stdout}"
    assert completed.stderr.strip() == "" or "Warning" in completed.stderr, f"{module} --help wrote to stderr:\n{completed.stderr}"
    assert left == [], f"{module} --help left {left} in the temp dir"


BAD_OPTIONS = [
    (["reference_impl", "--grpc-port", "99999"], {}),
    (["reference_impl", "--http-port", "abc"], {}),
    (["reference_impl"], {"LINGO_GRPC_PORT": "abc"}),
    (["reference_impl"], {"LINGO_HTTP_PORT": "70000"}),
    (["reference_impl", "--rest-workers", "-1"], {}),
    (["reference_impl"], {"LINGO_REST_WORKERS": "many"}),
    (["reference_impl"], {"LINGO_RELAY_INTERVAL": "soon"}),
    (["reference_impl.entrypoints.outbox_relay", "--schema", "s", "--topic", "t", "--batch-size", "0"], {}),
    (["reference_impl.entrypoints.outbox_relay", "--schema", "s", "--topic", "t", "--lock-ttl", "nan"], {}),
    (["reference_impl.entrypoints.outbox_relay", "--schema", "s", "--topic", "t", "--metrics-port", "-5"], {}),
    (["fixtures.pubsub", "--port", "65536"], {}),
    (["fixtures.pubsub", "--admin-port", "x"], {}),
    (["fixtures.gcs", "--port", "-1", "--service-account", "k.json"], {}),
    (["fixtures.gcs", "--session-ttl", "inf", "--service-account", "k.json"], {}),
]


@pytest.mark.parametrize(("args", "env"), BAD_OPTIONS, ids=[" ".join(a) + "".join(f" {k}={v}" for k, v in e.items()) for a, e in BAD_OPTIONS])
def test_a_bad_option_is_one_line_and_exit_code_2(args: list[str], env: dict[str, str]) -> None:
    completed, left = run(args, env)
    errors = [line for line in completed.stderr.splitlines() if line.strip() and "Warning" not in line and "user_runtime_dir" not in line]
    assert completed.returncode == 2, f"expected exit code 2, got {completed.returncode}; stderr:\n{completed.stderr[-2000:]}"
    assert "Traceback" not in completed.stderr, completed.stderr[-2000:]
    assert errors and ("error:" in errors[-1] or errors[-1].startswith("python -m ")), errors
    assert left == [], f"a refused start left {left} in the temp dir"
