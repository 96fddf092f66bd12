"""One event observer per locust process, shared by its users, for end-to-end latencies.

Giving every simulated user subscriptions of its own would load the broker more than the target;
instead each process opens one driver that observes the target's output topics and keeps nothing
but the arrivals somebody waits for (``expect`` before the action, ``arrival`` after it).
"""

from __future__ import annotations

import threading
import time
import uuid

import gevent
from locust import events

from load._settings import Settings
from steps.driver import Driver
from steps.driver.events import ObservedEvent

_drivers: dict[str, Driver] = {}
_opening = threading.Lock()  # (gevent's, once locust has patched) two users must not both open one
_expected: dict[tuple[str, str, str], ObservedEvent | None] = {}


def observer(settings: Settings) -> Driver | None:
    """This process's observing driver for the target, or ``None`` when the target cannot be observed."""
    if "observe_events" not in settings.target.capabilities:
        return None
    key = settings.target.name
    with _opening:
        if key not in _drivers:
            driver = Driver(settings.target, f"load-{uuid.uuid4().hex[:8]}-", keep_events=False)
            driver.on_event(_arrived)
            _drivers[key] = driver
    return _drivers[key]


def expect(aggregate_id: str, event_type: str, user_id: str = "") -> None:
    """Keep the first ``event_type`` event of ``aggregate_id`` (and of ``user_id``, if given) from now on."""
    _expected[(aggregate_id, event_type, user_id)] = None


def forget(aggregate_id: str, event_type: str, user_id: str = "") -> None:
    """Stop waiting for an event ``expect`` asked for (its action failed)."""
    _expected.pop((aggregate_id, event_type, user_id), None)


def arrival(aggregate_id: str, event_type: str, timeout: float, user_id: str = "") -> ObservedEvent | None:
    """The expected event once it has arrived (``None`` after ``timeout`` seconds); forgets it."""
    key = (aggregate_id, event_type, user_id)
    deadline = time.monotonic() + timeout
    try:
        while _expected.get(key) is None and time.monotonic() < deadline:
            gevent.sleep(0.01)  # allowed: poll interval inside the deadline; steps.eventually would block the gevent hub
        return _expected.get(key)
    finally:
        _expected.pop(key, None)


def _arrived(event: ObservedEvent) -> None:
    aggregate, kind = event.attributes.get("aggregate_id", ""), event.event_type or ""
    for user_id in {"", getattr(event.payload, "user_id", "")}:
        key = (aggregate, kind, user_id)
        if key in _expected and _expected[key] is None:
            _expected[key] = event


@events.quitting.add_listener
def _close(**_kwargs) -> None:
    for driver in _drivers.values():
        driver.close()
    _drivers.clear()
