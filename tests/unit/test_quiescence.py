"""``settled``: an "exactly N" check sees a duplicate that arrives after the N-th event."""

from __future__ import annotations

import threading

import pytest

from steps.eventually import NotYet
from steps.quiescence import settled


class Stream:
    """A topic of one ordering key: what has arrived so far, appended by a 'broker' thread."""

    def __init__(self) -> None:
        self.arrived: list[str] = []
        self._lock = threading.Lock()

    def deliver(self, *events: str) -> None:
        with self._lock:
            self.arrived.extend(events)

    def observe(self) -> list[str]:
        with self._lock:
            return list(self.arrived)


def test_a_late_duplicate_is_seen_before_the_marker() -> None:
    stream = Stream()
    stream.deliver("created")

    def mark():  # noqa: ANN202 - returns the marker predicate
        # In publish order, the late duplicate was published before the marker, so it arrives first.
        threading.Timer(0.05, stream.deliver, ("created", "marker")).start()
        return lambda event: event == "marker"

    events = settled(stream.observe, at_least=1, mark=mark, timeout=2, what="one created event")
    assert events == ["created", "created"]


def test_stopping_at_the_expected_count_would_have_missed_it() -> None:
    stream = Stream()
    stream.deliver("created")
    counted = stream.observe()  # what a count-only wait returns: the duplicate is still on its way
    stream.deliver("created")
    assert counted == ["created"] != stream.observe()


def test_the_marker_is_caused_only_after_the_expected_events_came() -> None:
    stream = Stream()
    marked = threading.Event()

    def mark():  # noqa: ANN202
        marked.set()
        stream.deliver("marker")
        return lambda event: event == "marker"

    threading.Timer(0.05, stream.deliver, ("created",)).start()
    assert settled(stream.observe, at_least=1, mark=mark, timeout=2, what="one created event") == ["created"]
    assert marked.is_set()


def test_a_marker_that_never_arrives_fails_with_what_was_awaited() -> None:
    stream = Stream()
    stream.deliver("created")
    with pytest.raises(NotYet, match="the marker change after one created event"):
        settled(stream.observe, at_least=1, mark=lambda: (lambda event: event == "marker"), timeout=0.1,
                what="one created event")
