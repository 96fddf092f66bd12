"""Event pipeline: commits at a steady rate and measures commit → published → projected.

Each commit is a like by a fresh user of one video (MutateFavorite over gRPC): the profile service
commits it with its outbox row, publishes ``profile.engagement.added`` (observed on our own
subscription: ``observe_events``), and the catalog projects it into the video's like count (read
back through the public GetVideoMetadata). Entries, in milliseconds from the moment the commit was
sent: ``lag commit->published`` (the event's arrival), ``lag commit->projected`` (the first read
showing the like) and ``lag published->projected``. One such user runs per test (``fixed_count``),
at ``--pipeline-rate`` commits per second; each commit is followed in a greenlet of its own.
"""

from __future__ import annotations

import time
import uuid

import gevent
from gevent.pool import Group
from locust import tag, task

from load import _events
from load._users import LAG, CallFailed, LingoUser, make_video
from steps.driver import Identity

ADDED = "profile.engagement.added"
PATIENCE = 30.0
READ_INTERVAL = 0.02


class EventPipeline(LingoUser):
    """Commits likes at a steady rate and follows each one to the catalog's read side."""

    fixed_count = 1

    def on_start(self) -> None:
        """Find the observer and upload the video everybody likes."""
        super().on_start()
        self.followers = Group()
        self.observer = _events.observer(self.settings)
        self.video = make_video(self, self.identity)
        self.likes = 0
        self.next_commit = time.monotonic()

    def on_stop(self) -> None:
        """Stop following commits."""
        self.followers.kill()
        super().on_stop()

    def wait_time(self) -> float:
        """Keep the commit rate steady whatever each commit took."""
        self.next_commit = max(self.next_commit + 1 / self.settings.pipeline_rate, time.monotonic())
        return self.next_commit - time.monotonic()

    @tag("events")
    @task
    def commit(self) -> None:
        """Like the video as a fresh user, and follow the change in the background."""
        if self.video is None or self.observer is None:
            return
        liker = Identity.of_user(str(uuid.uuid4()))
        _events.expect(self.video, ADDED, liker.user_id)
        sent = time.time()
        outcome = self.call("grpc", "MutateFavorite", lambda: self.driver.mutate_favorite(liker, "grpc", self.video, "like", add=True))
        if outcome is None or not outcome.ok:
            _events.forget(self.video, ADDED, liker.user_id)
            return
        self.likes += 1
        self.followers.spawn(self._follow, liker.user_id, self.likes, sent)

    def _follow(self, liker: str, likes: int, sent: float) -> None:
        event = _events.arrival(self.video, ADDED, PATIENCE, liker)
        self.arrived("commit->published", event, sent, PATIENCE)
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            read = self.driver.get_video_metadata(self.identity, self.video)
            if read.ok and read.response.metadata.like_count >= likes:
                projected = time.time()
                self.record(LAG, "commit->projected", (projected - sent) * 1000)
                if event is not None:
                    self.record(LAG, "published->projected", max(projected - event.received_at, 0.0) * 1000)
                return
            gevent.sleep(READ_INTERVAL)  # allowed: poll interval inside the deadline; steps.eventually would block the gevent hub
        self.record(LAG, "commit->projected", PATIENCE * 1000, failure=CallFailed(f"like not shown within {PATIENCE:g} s"))
