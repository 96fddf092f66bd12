"""The overall-status rule (reference_impl/domain/video_status.py)."""

import pytest

from reference_impl.domain.video_status import overall_status


@pytest.mark.parametrize(
    ("current", "media", "analysis", "latest", "expected"),
    [
        ("processing", "failed", "processing", "failed", "failed"),
        ("pending_upload", "processing", "pending", "processing", "processing"),
        ("processing", "ready", "processing", "ready", "processing"),
        ("processing", "ready", "ready", "ready", "ready"),
        ("published", "ready", "ready", "ready", "published"),
        ("published", "processing", "ready", "processing", "published"),
        ("failed", "failed", "ready", "ready", "processing"),  # upstream's rule 4, literally
        ("failed", "processing", "ready", "processing", "processing"),
        ("archived", "ready", "failed", None, "archived"),
    ],
)
def test_overall_status(current: str, media: str, analysis: str, latest: str | None, expected: str) -> None:
    assert overall_status(current, media, analysis, latest) == expected
