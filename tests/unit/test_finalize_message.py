"""The OBJECT_FINALIZE the driver publishes for a target without storage is Cloud Storage's own format."""

import json
import uuid

import pytest

from contracts.topology import load_topology
from steps.driver.upload import finalize_message, object_resource, signed_object

UPLOADS_TOPIC = "catalog.video-uploads"


@pytest.fixture
def resource() -> dict:
    name = f"raw_videos/{uuid.uuid4()}/{uuid.uuid4()}"
    return object_resource("lingo-media-uploads", name, b"\x00" * 1024, content_type="video/mp4", generation="1764460800123456")


def test_the_message_meets_the_uploads_topic_contract(resource: dict) -> None:
    data, attributes = finalize_message(resource)
    violations = load_topology().message_violations(UPLOADS_TOPIC, attributes, "", json.loads(data))
    assert violations == []


def test_the_attributes_name_the_object_and_generation_of_the_data(resource: dict) -> None:
    _, attributes = finalize_message(resource)
    assert (attributes["bucketId"], attributes["objectId"], attributes["objectGeneration"]) == (
        resource["bucket"], resource["name"], resource["generation"]
    )
    assert attributes["eventType"] == "OBJECT_FINALIZE" and attributes["payloadFormat"] == "JSON_API_V1"


def test_the_object_of_a_signed_url_is_read_from_its_path() -> None:
    url = "https://storage.googleapis.com/lingo-media-uploads/raw_videos/u/v?X-Goog-Signature=00"
    assert signed_object(url) == ("lingo-media-uploads", "raw_videos/u/v")
