"""Browser: catalog reads — the detail of a video and the caller's uploads, page by page.

Entries: ``grpc GetVideoDetail`` and ``grpc ListMyUploads``. A target that does not implement
GetVideoDetail (UNIMPLEMENTED) is told once in the log, and the browser reads GetVideoMetadata
instead.
"""

from __future__ import annotations

import logging

from locust import between, tag, task

from fixtures.data import upload_request
from load._users import LingoUser, make_video

UPLOADS = 5
PAGE_SIZE = 2
MAX_PAGES = 10
_detail_unimplemented: list[bool] = []


class Browser(LingoUser):
    """A signed-in user with a few uploads, looking at its videos and listing its uploads."""

    weight = 3
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        """Start a few uploads (for paging) and complete one of them (for details)."""
        super().on_start()
        for _ in range(UPLOADS - 1):
            self.driver.init_upload(self.identity, **upload_request(self.run_id))
        self.video = make_video(self, self.identity)

    @tag("catalog")
    @task(2)
    def video_detail(self) -> None:
        """GetVideoDetail of the user's video (GetVideoMetadata where the target lacks it or the video is not ready)."""
        if self.video is None:
            return
        if _detail_unimplemented:
            self.call("grpc", "GetVideoMetadata", lambda: self.driver.get_video_metadata(self.identity, self.video))
            return
        outcome = self.call("grpc", "GetVideoDetail", lambda: self.driver.get_video_detail(self.identity, self.video))
        # GetVideoDetail serves only ready or published videos (B-C08); where no media pipeline makes
        # the user's upload ready it answers NOT_FOUND, like a target without the RPC.
        if outcome is not None and outcome.code in ("UNIMPLEMENTED", "NOT_FOUND") and not _detail_unimplemented:
            _detail_unimplemented.append(True)
            logging.warning("GetVideoDetail answers %s for the user's video; the Browser reads GetVideoMetadata instead", outcome.code)

    @tag("catalog")
    @task(1)
    def my_uploads(self) -> None:
        """Every page of ListMyUploads, PAGE_SIZE at a time."""
        token = ""
        for _ in range(MAX_PAGES):
            outcome = self.call(
                "grpc", "ListMyUploads",
                lambda: self.driver.list_my_uploads(self.identity, page_size=PAGE_SIZE, page_token=token),  # noqa: B023
            )
            if outcome is None or not outcome.ok or not outcome.response.next_page_token:
                return
            token = outcome.response.next_page_token
