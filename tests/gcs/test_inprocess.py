"""The stand-in served in-process (``serve_in_thread``): pluggable sink, injected clock, short session TTL.

Requests still go over loopback HTTP; what changes is that the test owns the app's collaborators.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from fixtures.gcs.app import StandinConfig
from fixtures.gcs.notify import Notification
from fixtures.gcs.plugin import serve_in_thread
from fixtures.gcs.store import Clock
from reference_impl.adapters.gcs_signer import ServiceAccountCredentials, V4Signer

BUCKET = "lingo-conformance-raw"
START = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
HEADERS = {"x-goog-resumable": "start", "x-goog-if-generation-match": "0", "x-upload-content-type": "video/webm"}


@pytest.fixture
def clock() -> Clock:
    return Clock(now=lambda: START)


@pytest.fixture
def sink() -> list[Notification]:
    return []


@pytest.fixture
def signer(gcs_service_account: Path, clock: Clock, sink: list[Notification]) -> Iterator[V4Signer]:
    credentials = ServiceAccountCredentials.from_file(gcs_service_account)
    config = StandinConfig(
        public_keys={credentials.client_email: credentials.public_key()},
        session_ttl=timedelta(minutes=10),
        sink=sink.append,
        clock=clock,
    )
    with serve_in_thread(config) as base_url:
        yield V4Signer(credentials, endpoint=base_url, clock=clock)


def _start(signer: V4Signer, name: str) -> str:
    signed = signer.sign(method="POST", bucket=BUCKET, object_name=name, expires_in=timedelta(minutes=15), headers=HEADERS)
    response = httpx.post(signed.url, headers=HEADERS)
    assert response.status_code == 201, response.text
    return response.headers["location"]


def test_sink_receives_notification_stamped_by_the_injected_clock(signer: V4Signer, sink: list[Notification]) -> None:
    name = f"raw_videos/{uuid.uuid4()}/{uuid.uuid4()}"

    resource = httpx.put(_start(signer, name), content=b"in-process").json()

    (notification,) = sink
    assert notification.attributes["eventTime"] == "2026-01-02T03:04:05.678901Z"
    assert notification.attributes["objectId"] == name
    assert notification.resource() == resource
    assert resource["timeCreated"] == "2026-01-02T03:04:05.678Z"
    assert resource["contentType"] == "video/webm"


def test_session_expires_at_its_configured_ttl(signer: V4Signer, clock: Clock) -> None:
    session = _start(signer, f"raw_videos/{uuid.uuid4()}/{uuid.uuid4()}")

    clock.advance(timedelta(minutes=9, seconds=59).total_seconds())
    still_open = httpx.put(session, headers={"Content-Range": "bytes */*"})
    clock.advance(1)
    expired = httpx.put(session, content=b"late")

    assert still_open.status_code == 308
    assert expired.status_code == 404, expired.text


def test_url_expires_on_the_stand_in_clock(signer: V4Signer, clock: Clock) -> None:
    signed = signer.sign(method="POST", bucket=BUCKET, object_name="x", expires_in=60, headers=HEADERS)

    clock.advance(59)
    valid = httpx.post(signed.url, headers=HEADERS)
    clock.advance(1)
    expired = httpx.post(signed.url, headers=HEADERS)

    assert valid.status_code == 201, valid.text
    assert expired.status_code == 400 and "<Code>ExpiredToken</Code>" in expired.text, expired.text
