"""Poll with a deadline: the suite's only way to wait for something asynchronous.

Fixed sleeps are too long on a laptop and too short in CI; ``eventually`` asks again until the
probe's answer is accepted or the deadline passes, and then fails with the last answer it saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class NotYet(AssertionError):
    """The deadline passed before the probe's answer was accepted."""


def eventually(
    probe: Callable[[], T],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 5.0,
    interval: float = 0.05,
    what: str | None = None,
) -> T:
    """Call ``probe`` until ``until(answer)`` holds, and return that answer.

    A probe that raises ``AssertionError`` counts as "not yet" (so a probe may simply assert);
    any other exception propagates at once, because retrying would hide a real fault.

    Args:
        probe: asks the system once.
        until: accepts an answer; by default any truthy one.
        timeout: seconds before giving up.
        interval: seconds between two asks; the last ask happens at the deadline.
        what: a few words for the failure message ("the video is ready").

    Returns:
        The first accepted answer.

    Raises:
        NotYet: with the last answer or assertion seen, and how long and how often it asked.
    """
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        try:
            answer = probe()
        except AssertionError as exc:
            last = f"assertion: {exc}"
        else:
            if until(answer):
                return answer
            last = f"answer: {answer!r}"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            subject = what or getattr(probe, "__name__", "the probe")
            msg = f"{subject} did not happen within {timeout:g} s ({attempts} attempts); last {last}"
            raise NotYet(msg)
        time.sleep(min(interval, remaining))
