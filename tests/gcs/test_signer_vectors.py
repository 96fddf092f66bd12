"""The reference V4 signer against Google's conformance vectors (``tests/vectors/gcs/``).

One case per vector, id = the vector's description. Each asserts the canonical request, the
string to sign and the full URL (signature included) byte for byte; POST-policy vectors assert the
form URL, every field (policy and signature included) and the decoded policy document.

The vectors describe client options (``hostname``, ``clientEndpoint``, ``emulatorHostname``,
``universeDomain``, ``urlStyle``, ``bucketBoundHostname``) that our signer folds into one
``endpoint`` plus ``url_style``; :func:`_endpoint_for` holds that mapping and the precedence the
vectors encode (hostname > client endpoint > emulator host > universe domain > default).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reference_impl.adapters.gcs_signer import ServiceAccountCredentials, V4Signer

VECTORS_DIR = Path(__file__).resolve().parent.parent / "vectors" / "gcs"
VECTORS = json.loads((VECTORS_DIR / "v4_signatures.json").read_text(encoding="utf-8"))
KEY_FILE = VECTORS_DIR / "test_service_account.not-a-test.json"

# This vector's expectedCanonicalRequest says /test-bucket/test-object, but its own
# expectedStringToSign hashes /test-object (the virtual-hosted URI), and its URL and signature match
# the latter. So the canonical-request field is a typo in the vector; we check URL and string to
# sign for it, and test_vector_typo_is_still_there fails the day the vector is corrected.
CANONICAL_REQUEST_TYPOS = {"Universe domain with virtual hosted style"}

_URL_STYLES = {
    None: "path",
    "PATH_STYLE": "path",
    "VIRTUAL_HOSTED_STYLE": "virtual-hosted",
    "BUCKET_BOUND_HOSTNAME": "bucket-bound",
}


@pytest.fixture(scope="module")
def signer() -> V4Signer:
    return V4Signer(ServiceAccountCredentials.from_file(KEY_FILE))


def _timestamp(vector: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(vector["timestamp"].replace("Z", "+00:00"))


def _endpoint_for(vector: dict[str, Any]) -> str:
    scheme = vector.get("scheme", "https")
    if vector.get("urlStyle") == "BUCKET_BOUND_HOSTNAME":
        host = vector["bucketBoundHostname"]
    elif "hostname" in vector:
        host = vector["hostname"]
    elif "clientEndpoint" in vector:
        host = vector["clientEndpoint"]
    elif "emulatorHostname" in vector:
        host = vector["emulatorHostname"]
    elif "universeDomain" in vector:
        host = f"storage.{vector['universeDomain']}"
    else:
        host = "storage.googleapis.com"
    return host if "://" in host else f"{scheme}://{host}"


@pytest.mark.parametrize("vector", [pytest.param(v, id=v["description"]) for v in VECTORS["signingV4Tests"]])
def test_signed_url_matches_vector(signer: V4Signer, vector: dict[str, Any]) -> None:
    signed = signer.sign(
        method=vector["method"],
        bucket=vector["bucket"],
        object_name=vector.get("object"),
        expires_in=vector["expiration"],
        headers=vector.get("headers"),
        query_params=vector.get("queryParameters"),
        now=_timestamp(vector),
        endpoint=_endpoint_for(vector),
        url_style=_URL_STYLES[vector.get("urlStyle")],
    )
    if vector["description"] not in CANONICAL_REQUEST_TYPOS:
        assert signed.canonical_request == vector["expectedCanonicalRequest"]
    assert signed.string_to_sign == vector["expectedStringToSign"]
    assert signed.url == vector["expectedUrl"]


@pytest.mark.parametrize("description", sorted(CANONICAL_REQUEST_TYPOS))
def test_vector_typo_is_still_there(description: str) -> None:
    """If this fails, the vector was fixed upstream: drop it from CANONICAL_REQUEST_TYPOS."""
    (vector,) = [v for v in VECTORS["signingV4Tests"] if v["description"] == description]
    stated = hashlib.sha256(vector["expectedCanonicalRequest"].encode()).hexdigest()
    assert stated != vector["expectedStringToSign"].rsplit("\n", 1)[1]


def _policy_conditions(raw: dict[str, Any] | None) -> list[Any]:
    conditions: list[Any] = []
    for name, value in (raw or {}).items():
        if name == "startsWith":
            conditions.append(["starts-with", *value])
        elif name == "contentLengthRange":
            conditions.append(["content-length-range", *value])
        else:
            msg = f"policy vector: unknown condition {name!r}; extend _policy_conditions"
            raise AssertionError(msg)
    return conditions


@pytest.mark.parametrize(
    "vector", [pytest.param(v, id=v["description"]) for v in VECTORS["postPolicyV4Tests"]]
)
def test_post_policy_matches_vector(signer: V4Signer, vector: dict[str, Any]) -> None:
    given, expected = vector["policyInput"], vector["policyOutput"]
    policy = signer.sign_post_policy(
        bucket=given["bucket"],
        object_name=given["object"],
        expires_in=given["expiration"],
        conditions=_policy_conditions(given.get("conditions")),
        fields=given.get("fields"),
        now=_timestamp(given),
        endpoint=_endpoint_for(given),
        url_style=_URL_STYLES[given.get("urlStyle")],
    )
    assert json.loads(base64.b64decode(policy.fields["policy"])) == json.loads(expected["expectedDecodedPolicy"])
    assert policy.url == expected["url"]
    assert dict(policy.fields) == expected["fields"]
