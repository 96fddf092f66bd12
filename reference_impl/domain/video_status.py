"""The overall status of a video, derived from its two processing stages (seed 001, upstream.md §1.3).

Stages (media, analysis) move through pending → processing → ready | failed. The overall status
follows from them, in this order of precedence:

1. the stage that just changed failed → ``failed``;
2. a stage is pending or processing and the video is not published → ``processing``;
3. both stages are ready → ``ready`` (a published video stays ``published``);
4. the video had failed and the latest change is not a failure → ``processing``;
5. otherwise unchanged.
"""

from __future__ import annotations

STAGE_STATUSES = ("pending", "processing", "ready", "failed")
UNFINISHED = {"pending", "processing"}


def overall_status(current: str, media: str, analysis: str, latest: str | None) -> str:
    """The video's status after a stage change whose new stage status is ``latest`` (None: no stage change)."""
    if latest == "failed":
        return "failed"
    if (media in UNFINISHED or analysis in UNFINISHED) and current != "published":
        return "processing"
    if media == "ready" and analysis == "ready":
        return "published" if current == "published" else "ready"
    if current == "failed" and latest is not None:
        return "processing"
    return current
