"""Prints the fuzz campaign's case counts per method in the terminal summary."""

from __future__ import annotations

import pytest

from tests.fuzz import wire


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not wire.CASES:
        return
    terminalreporter.section("fuzz campaign: cases tried per method")
    for name, count in sorted(wire.CASES.items()):
        terminalreporter.write_line(f"{count:5d}  {name}")
    terminalreporter.write_line(f"{sum(wire.CASES.values()):5d}  in all")
