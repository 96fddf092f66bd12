"""Uploader: Init → the file's bytes → the catalog's ``catalog.video.created`` for it.

Entries: ``grpc InitResumableUpload`` (Init latency), ``storage upload bytes`` (or ``pubsub
OBJECT_FINALIZE`` without the storage capability; its sizes give the byte throughput) and
``lag upload->video.created`` (from storage's answer to the event's arrival; needs ``observe_events``).
"""

from __future__ import annotations

from locust import between, tag, task

from load import _events
from load._users import VIDEO_CREATED, LingoUser, upload_file

EVENT_PATIENCE = 30.0


class Uploader(LingoUser):
    """A signed-in user uploading fresh files one after another."""

    weight = 1
    wait_time = between(0.5, 1.5)

    @tag("upload")
    @task
    def upload(self) -> None:
        """Upload one file and wait for the catalog to announce its video."""
        watching = _events.observer(self.settings) is not None
        uploaded = upload_file(self, self.identity, self.settings.upload_bytes, record=True)
        if uploaded is None or not watching:
            return
        video_id, stored_at = uploaded
        event = _events.arrival(video_id, VIDEO_CREATED, EVENT_PATIENCE)
        self.arrived("upload->video.created", event, stored_at)
