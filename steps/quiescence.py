"""Wait until an aggregate's event stream has settled, so "exactly N" means exactly N.

Counting events until the expected number has arrived stops too early: a late duplicate (a
second ``created`` from a redelivered notification, say) arrives after the check has passed.
Waiting "a while longer" is a fixed sleep in disguise. Instead, ``settled`` causes one more change
on the same aggregate (a *marker*) and waits for its event: a topic delivers one ordering key's
messages in publish order, so everything published before the marker has been delivered by the
time the marker is. The marker's own events are then left out of the answer. This works the same
on a real deployment: the marker is an ordinary public write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from steps.driver import Driver
from steps.driver.events import ObservedEvent
from steps.eventually import eventually

E = TypeVar("E")
VIDEO_EVENTS_TOPIC = "catalog.video.events"


def settled(
    observe: Callable[[], list[E]],
    *,
    at_least: int,
    mark: Callable[[], Callable[[E], bool]],
    timeout: float,
    what: str,
) -> list[E]:
    """Every event ``observe`` sees once the stream has settled, the marker's left out.

    Args:
        observe: the events of one aggregate (one ordering key) seen so far, in arrival order.
        at_least: how many events the scenario expects; the marker is caused only after they came,
            so it cannot overtake an event that is still on its way through the service.
        mark: causes the later change on the same aggregate and returns a predicate that
            recognises its event(s); the marker is complete when one of them has arrived.
        timeout: seconds for each of the two waits.
        what: the events waited for, for the failure message.
    """
    eventually(observe, until=lambda found: len(found) >= at_least, timeout=timeout, what=what)
    is_marker = mark()
    events = eventually(
        observe, until=lambda found: any(is_marker(e) for e in found), timeout=timeout,
        what=f"the marker change after {what} (the stream's end)",
    )
    return [e for e in events if not is_marker(e)]


def settled_video_events(driver: Driver, video_id: str, *, at_least: int, seconds: float) -> list[ObservedEvent]:
    """The video's events on catalog.video.events once settled; the marker is a later catalog change."""
    def mark() -> Callable[[ObservedEvent], bool]:
        marker_event_id = driver.mark_video(video_id)
        return lambda event: event.attributes.get("event_id") == marker_event_id

    return settled(lambda: driver.events(VIDEO_EVENTS_TOPIC, aggregate_id=video_id), at_least=at_least, mark=mark,
                   timeout=seconds, what=f"{at_least} events of video {video_id}")
