"""End to end: the GCS stand-in publishes OBJECT_FINALIZE to a real Pub/Sub endpoint.

The stand-in runs with ``--notify-topic`` and publishes with the unmodified google-cloud-pubsub
client; a subscriber pulls the message and it must equal, attribute for attribute and byte for
byte, what the stand-in recorded. Brokers: Google's emulator (skipped with the reason when
``gcloud`` is missing) and our Pub/Sub stand-in; ``PUBSUB_EMULATOR_HOST``, when set, replaces both.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from google.cloud import pubsub_v1

from fixtures.gcs.plugin import start_standin, stop_standin
from fixtures.pubsub.process import start_google_emulator
from fixtures.pubsub.process import start_standin as start_pubsub_standin
from reference_impl.adapters.gcs_signer import ServiceAccountCredentials, V4Signer
from steps.eventually import eventually

PROJECT = "test"
BUCKET = "lingo-conformance-raw"
GIVEN = os.environ.get("PUBSUB_EMULATOR_HOST")
BROKERS = ["given"] if GIVEN else ["google-emulator", "pubsub-standin"]


@pytest.fixture(scope="module", params=BROKERS)
def pubsub_host(request: pytest.FixtureRequest) -> Iterator[str]:
    """``host:port`` of a Pub/Sub endpoint for this module."""
    if request.param == "given":
        yield GIVEN or ""
        return
    if request.param == "google-emulator":
        if shutil.which("gcloud") is None:
            pytest.skip("Google's Pub/Sub emulator needs gcloud on PATH (gcloud components install pubsub-emulator)")
        child, host = start_google_emulator(project=PROJECT)
    else:
        child, host, _admin = start_pubsub_standin()
    try:
        yield host
    finally:
        child.stop()


@pytest.fixture(scope="module")
def wired(pubsub_host: str, gcs_service_account: Path) -> Iterator[tuple[str, V4Signer, object]]:
    """A topic + subscription, and a GCS stand-in publishing to the topic: ``(subscription, signer, standin)``."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PUBSUB_EMULATOR_HOST", pubsub_host)  # read by our clients and inherited by the child
        suffix = uuid.uuid4().hex[:12]
        topic, subscription = f"projects/{PROJECT}/topics/gcs-{suffix}", f"projects/{PROJECT}/subscriptions/gcs-{suffix}"
        publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
        publisher.create_topic(name=topic)
        subscriber.create_subscription(name=subscription, topic=topic)
        standin = start_standin(gcs_service_account, notify_topic=topic)
        try:
            signer = V4Signer(ServiceAccountCredentials.from_file(gcs_service_account), endpoint=standin.base_url)
            yield subscription, signer, standin
        finally:
            stop_standin(standin)
            subscriber.delete_subscription(subscription=subscription)
            publisher.delete_topic(topic=topic)
            subscriber.close()
            publisher.stop()


def test_finalize_is_published_to_pubsub(wired: tuple[str, V4Signer, object]) -> None:
    subscription, signer, standin = wired
    name, headers = f"raw_videos/{uuid.uuid4()}/{uuid.uuid4()}", {"x-goog-resumable": "start", "x-goog-if-generation-match": "0"}
    signed = signer.sign(method="POST", bucket=BUCKET, object_name=name, expires_in=600, headers=headers)
    session = httpx.post(signed.url, headers={**headers, "Content-Type": "video/mp4"}).headers["location"]
    resource = httpx.put(session, content=b"bytes for pubsub").json()

    with pubsub_v1.SubscriberClient() as subscriber:
        def pull() -> list[object]:
            received = subscriber.pull(subscription=subscription, max_messages=10, timeout=5).received_messages
            if received:
                subscriber.acknowledge(subscription=subscription, ack_ids=[m.ack_id for m in received])
            return list(received)

        (message,) = eventually(pull, timeout=30, interval=0.2, what="the OBJECT_FINALIZE message is pulled")

    (recorded,) = [n for n in standin.notifications() if n["attributes"]["objectId"] == name]
    assert dict(message.message.attributes) == recorded["attributes"]
    assert json.loads(message.message.data) == resource == recorded["data"]
    assert message.message.attributes["eventType"] == "OBJECT_FINALIZE"
