"""The signer's API as the upload service uses it: expiry, returned headers, local endpoints, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reference_impl.adapters.gcs_signer import MAX_EXPIRES_SECONDS, ServiceAccountCredentials, V4Signer

KEY_FILE = Path(__file__).resolve().parent.parent / "vectors" / "gcs" / "test_service_account.not-a-test.json"
NOW = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)
UPLOAD_HEADERS = {"x-goog-resumable": "start", "x-goog-if-generation-match": "0", "x-upload-content-type": "video/mp4"}


@pytest.fixture(scope="module")
def signer() -> V4Signer:
    return V4Signer(ServiceAccountCredentials.from_file(KEY_FILE), clock=lambda: NOW)


def test_upload_url_as_upstream_signs_it(signer: V4Signer) -> None:
    signed = signer.sign(
        method="POST", bucket="media-uploads-dev", object_name="raw_videos/u/v",
        expires_in=timedelta(minutes=15), headers=UPLOAD_HEADERS, endpoint="http://127.0.0.1:4443",
    )  # fmt: skip

    assert signed.url.startswith("http://127.0.0.1:4443/media-uploads-dev/raw_videos/u/v?X-Goog-Algorithm=GOOG4-RSA-SHA256&")
    assert "X-Goog-SignedHeaders=host%3Bx-goog-if-generation-match%3Bx-goog-resumable%3Bx-upload-content-type&" in signed.url
    assert "\nhost:127.0.0.1\n" in signed.canonical_request  # port not signed, as Google's vectors do
    assert signed.expires_at == NOW + timedelta(minutes=15)
    assert signed.headers == UPLOAD_HEADERS
    assert signed.method == "POST"


def test_default_endpoint_is_google(signer: V4Signer) -> None:
    signed = signer.sign(method="GET", bucket="b", object_name="o", expires_in=10)

    assert signed.url.startswith("https://storage.googleapis.com/b/o?")


@pytest.mark.parametrize("expires_in", [0, MAX_EXPIRES_SECONDS + 1, timedelta(days=8)])
def test_expiry_outside_gcs_limits_is_refused(signer: V4Signer, expires_in: object) -> None:
    with pytest.raises(ValueError, match="expires_in: expected 1..604800 seconds"):
        signer.sign(method="GET", bucket="b", object_name="o", expires_in=expires_in)  # type: ignore[arg-type]


def test_naive_time_is_refused(signer: V4Signer) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.sign(method="GET", bucket="b", object_name="o", expires_in=10, now=datetime(2026, 1, 1))  # noqa: DTZ001


def test_key_without_private_key_is_refused() -> None:
    with pytest.raises(ValueError, match="missing \\['private_key'\\]"):
        ServiceAccountCredentials.from_info({"client_email": "x@y.iam.gserviceaccount.com"})
