"""The stand-in's OBJECT_FINALIZE notifications conform to the contract's GCS schemas.

Schemas: ``contracts/events/gcs/object_finalize.attributes.schema.json`` and
``contracts/events/gcs/object_resource.schema.json``, loaded through ``contracts.schemas``. If
the stand-in and the contract disagree, one of them is wrong about GCS: fix that one.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from contracts.schemas import violations
from fixtures.gcs.plugin import GcsStandin
from reference_impl.adapters.gcs_signer import V4Signer

BUCKET = "lingo-conformance-raw"


def _upload(signer: V4Signer, name: str, body: bytes, headers: dict[str, str]) -> dict[str, object]:
    signed = signer.sign(method="POST", bucket=BUCKET, object_name=name, expires_in=600, headers=headers)
    session = httpx.post(signed.url, headers=headers)
    assert session.status_code == 201, session.text
    response = httpx.put(session.headers["location"], content=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def notifications(gcs_signer: V4Signer, gcs_standin: GcsStandin) -> list[dict[str, object]]:
    """A first write, an overwrite (overwroteGeneration), and one with custom metadata."""
    name = f"raw_videos/{uuid.uuid4()}/{uuid.uuid4()}"
    plain = {"x-goog-resumable": "start", "x-upload-content-type": "video/mp4"}
    _upload(gcs_signer, name, b"first", plain)
    _upload(gcs_signer, name, b"second", plain)
    _upload(gcs_signer, f"{name}-meta", b"", {**plain, "x-goog-meta-title": "a title"})
    found = [n for n in gcs_standin.notifications() if str(n["attributes"]["objectId"]).startswith(name)]
    assert len(found) == 3, found
    assert "overwroteGeneration" in found[1]["attributes"]
    return found


@pytest.mark.parametrize("index", [0, 1, 2], ids=["first-write", "overwrite", "with-metadata"])
def test_attributes_match_schema(notifications: list[dict[str, object]], index: int) -> None:
    problems = violations("gcs/object_finalize.attributes", notifications[index]["attributes"])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("index", [0, 1, 2], ids=["first-write", "overwrite", "with-metadata"])
def test_data_matches_object_resource_schema(notifications: list[dict[str, object]], index: int) -> None:
    problems = violations("gcs/object_resource", notifications[index]["data"])
    assert not problems, "\n".join(problems)
