"""The reference's clock: wall time, optionally moved forward by a test (capability ``clock``).

Only expiry decisions read it (signed-URL reuse); database timestamps stay on the server's clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """UTC now, plus an offset a test may advance."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current time as the service sees it."""
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock by ``seconds`` (negative moves it back)."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)
