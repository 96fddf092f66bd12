"""How a run stops early: Ctrl-C is one line and exit code 130; a dead reference is one report.

- Ctrl-C (SIGINT) of ``pytest features/``: the scenario in progress is abandoned, fixtures are torn
  down (children stop, temp directories go), and the terminal gets exactly one more line,
  ``interrupted: N scenarios run, results not recorded as complete``; the exit code is 130, the
  shell's code for a run ended by SIGINT. The summary and traceback pytest would print are left
  out: an interrupt is not a fault. (The children run in sessions of their own, so the terminal's
  SIGINT reaches pytest only, and pytest stops them in order.)
- The embedded reference dying mid-run stops the run before the next scenario with its exit code
  and last output lines, instead of every later scenario failing on a refused connection.
"""

from __future__ import annotations

import sys

import pytest

from steps.plugin import REFERENCE_CHILD

#: Exit code of a run stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
INTERRUPTED_EXIT_CODE = 130
#: Exit code of a run stopped because the embedded reference died.
REFERENCE_DIED_EXIT_CODE = 3


class RunStops:
    """Counts finished scenarios and turns an interrupt into one line."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.finished = 0
        self.interrupted = False

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> None:
        child = item.config.stash.get(REFERENCE_CHILD, None)
        if child is not None and child.died():
            child.death_reported = True
            pytest.exit(
                f"the embedded reference died (exit code {child.exit_code()}); its last lines:\n{child.tail()}",
                returncode=REFERENCE_DIED_EXIT_CODE,
            )

    def pytest_runtest_logfinish(self) -> None:
        self.finished += 1

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if not isinstance(excinfo.value, KeyboardInterrupt) or isinstance(excinfo.value, pytest.Session.Interrupted):
            return  # pytest.exit(...) and collection errors pass through here too; they report themselves
        self.interrupted = True
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            self.config.pluginmanager.unregister(reporter)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.interrupted:
            sys.stderr.write(f"\ninterrupted: {self.finished} scenarios run, results not recorded as complete\n")
            session.exitstatus = INTERRUPTED_EXIT_CODE


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(RunStops(config), "lingo-run-stops")
