"""``contracts/errors.yaml``, the error table: each ErrorReason with its gRPC code, its HTTP status and
Problem Details type over REST, and when it happens. The docs site renders it; the reference takes
its Problem type base from it, so the two cannot drift apart."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

ERRORS_FILE = "errors.yaml"
_CONTRACTS = Path(__file__).resolve().parent


def load_errors(contracts_dir: Path | None = None) -> dict[str, Any]:
    """The table of ``contracts_dir`` (this checkout's contracts when not given)."""
    return yaml.safe_load(((contracts_dir or _CONTRACTS) / ERRORS_FILE).read_text(encoding="utf-8"))


@functools.cache
def problem_base() -> str:
    """What every Problem Details ``type`` starts with: ``problem_base`` of this checkout's table."""
    return str(load_errors()["problem_base"])
