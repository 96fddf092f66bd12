"""Thresholds: limits a load run must stay within, read from a TOML file and checked at the end.

The file (``load/thresholds.toml`` by default)::

    [total]                      # the whole run
    error_rate = 0.01            # failed samples / all samples (contract violations included)
    contract_violations = 0      # samples under ``contract:<rule>`` entries

    [entries."grpc GetProfile"]  # one locust entry: "<type> <name>" as the report shows them
    p95_ms = 100
    p99_ms = 250
    error_rate = 0.01

This module knows nothing of locust: it takes the measured figures as plain ``Measured`` values, so
it can be tested alone. An entry without samples is shown as such and breaches nothing (a user class
left out with ``-T`` or a missing capability produces none).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

ENTRY_LIMITS = {"p50_ms", "p95_ms", "p99_ms", "error_rate"}
TOTAL_LIMITS = {"error_rate", "contract_violations", "p95_ms", "p99_ms"}
TOTAL = "total"


class ThresholdsError(ValueError):
    """The thresholds file cannot be used; the message says which line to fix."""


@dataclass(frozen=True)
class Measured:
    """What the run measured for one entry (or the total).

    Attributes:
        samples: number of samples.
        failures: failed samples.
        percentiles: ``p50_ms``/``p95_ms``/``p99_ms`` → milliseconds.
        contract_violations: samples recorded as contract violations (total only).
    """

    samples: int
    failures: int
    percentiles: dict[str, float]
    contract_violations: int = 0

    def value(self, limit: str) -> float:
        """The measured value a limit named ``limit`` is compared with."""
        if limit == "error_rate":
            return self.failures / self.samples if self.samples else 0.0
        if limit == "contract_violations":
            return float(self.contract_violations)
        return self.percentiles[limit]


@dataclass(frozen=True)
class Verdict:
    """One limit, what was measured, and whether it held."""

    entry: str
    limit: str
    allowed: float
    measured: float | None

    @property
    def breached(self) -> bool:
        """True when the measured value exceeds the limit."""
        return self.measured is not None and self.measured > self.allowed


def load(path: Path) -> dict[str, dict[str, float]]:
    """``entry`` (or ``total``) → ``limit`` → allowed value.

    Raises:
        ThresholdsError: not TOML, an unknown section or limit, or a value that is not a number.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"{path}: cannot read the thresholds ({exc})"
        raise ThresholdsError(msg) from exc
    unknown = sorted(document.keys() - {TOTAL, "entries"})
    if unknown:
        msg = f"{path}: unknown sections {unknown}; use [total] and [entries.\"<type> <name>\"]"
        raise ThresholdsError(msg)
    limits = {TOTAL: _limits(path, TOTAL, document.get(TOTAL, {}), TOTAL_LIMITS)}
    for entry, table in document.get("entries", {}).items():
        limits[entry] = _limits(path, entry, table, ENTRY_LIMITS)
    return limits


def _limits(path: Path, entry: str, table: object, known: set[str]) -> dict[str, float]:
    if not isinstance(table, dict):
        msg = f"{path}: [{entry}] must be a table of limits ({sorted(known)})"
        raise ThresholdsError(msg)
    unknown = sorted(table.keys() - known)
    if unknown:
        msg = f"{path}: [{entry}] has unknown limits {unknown}; the limits are {sorted(known)}"
        raise ThresholdsError(msg)
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = f"{path}: [{entry}] {name} must be a number, got {value!r}"
            raise ThresholdsError(msg)
    return {name: float(value) for name, value in table.items()}


def judge(limits: dict[str, dict[str, float]], measured: dict[str, Measured]) -> list[Verdict]:
    """Every limit against its measurement (``measured`` holds ``total`` and one item per entry)."""
    verdicts = []
    for entry, entry_limits in limits.items():
        figures = measured.get(entry)
        for limit, allowed in sorted(entry_limits.items()):
            value = figures.value(limit) if figures is not None and figures.samples else None
            verdicts.append(Verdict(entry, limit, allowed, value))
    return verdicts


def table(verdicts: list[Verdict]) -> str:
    """The verdicts as a fixed-width table, one line per limit."""
    rows = [("entry", "limit", "measured", "allowed", "")]
    for v in verdicts:
        status = "BREACHED" if v.breached else ("no samples" if v.measured is None else "ok")
        rows.append((v.entry, v.limit, "-" if v.measured is None else _number(v.limit, v.measured), _number(v.limit, v.allowed), status))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip() for row in rows
    )


def _number(limit: str, value: float) -> str:
    if limit == "error_rate":
        return f"{value:.2%}"
    if limit == "contract_violations":
        return f"{value:.0f}"
    return f"{value:.0f} ms"
