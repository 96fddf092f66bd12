"""Cross-cutting contract checks, run by the driver on every outcome so steps never repeat them.

A check is a function registered with ``@check``; it raises ``ContractViolation`` (operation,
title, message with what was expected and what came) or returns quietly.

Checking is on by default; ``unchecked()`` turns it off for the calls made inside it (in the
current thread or greenlet only), so a load run can sample checks instead of paying for every one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from steps.driver.outcome import Outcome


class ContractViolation(AssertionError):
    """The target answered in a way the contract forbids, whatever the scenario asked."""

    def __init__(self, operation: str, title: str, message: str) -> None:
        super().__init__(f"{operation}: {title}\n{message}")
        self.operation = operation
        self.title = title
        #: the rule broken: the registered check's name, else the title as a slug
        self.rule = "-".join(title.lower().split())


Check = Callable[["Outcome"], None]
CHECKS: dict[str, Check] = {}

#: Status codes a service returns on purpose; each must say why in an ErrorInfo reason (X01).
APPLICATION_ERRORS = frozenset(
    {"INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "ABORTED", "FAILED_PRECONDITION",
     "ALREADY_EXISTS", "OUT_OF_RANGE"}
)


def check(function: Check) -> Check:
    """Register ``function`` as a check under its name; a name may be registered once."""
    if function.__name__ in CHECKS:
        msg = f"a check named {function.__name__!r} is already registered"
        raise ValueError(msg)
    CHECKS[function.__name__] = function
    return function


_checking: ContextVar[bool] = ContextVar("contract_checking", default=True)


def enabled() -> bool:
    """Whether contract checks run for calls made here (see ``unchecked``)."""
    return _checking.get()


@contextlib.contextmanager
def unchecked() -> Iterator[None]:
    """Skip the contract checks of the calls made inside the block (this context only)."""
    token = _checking.set(False)
    try:
        yield
    finally:
        _checking.reset(token)


def run_all(outcome: Outcome) -> None:
    """Run every registered check on ``outcome`` (none inside ``unchecked()``)."""
    if not _checking.get():
        return
    for name, run in CHECKS.items():
        try:
            run(outcome)
        except ContractViolation as violation:
            violation.rule = name
            raise


@check
def application_errors_carry_a_reason(outcome: Outcome) -> None:
    """An application error names its cause as a ``google.rpc.ErrorInfo`` reason (BEHAVIOURS X01)."""
    if outcome.code in APPLICATION_ERRORS and not outcome.reason:
        raise ContractViolation(
            outcome.operation,
            "error without a reason",
            f"Received: {outcome.code} {outcome.message!r} with no ErrorInfo detail\n"
            "Expected: a google.rpc.ErrorInfo detail whose reason is an ErrorReason name",
        )
