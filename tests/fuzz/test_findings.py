"""Each input that once poisoned the pipeline, reached UNKNOWN/500 or was stored unbounded, replayed.

These are the findings of the hardening round (one test per finding, against the embedded
reference over its public surfaces): every one must now be a deliberate refusal — INVALID_ARGUMENT
naming the field, or the REST status and Problem Details the contract states — before anything
is written. The fuzz campaign (test_grpc_campaign.py) looks for the ones nobody has thought of.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest
from google.protobuf import json_format

from contracts.gen.profile.v1 import profile_pb2
from contracts.gen.video.v1 import lifecycle_pb2, query_pb2, upload_pb2
from fixtures.targets import TargetConfig
from steps.driver import encode_claims
from tests.fuzz import wire

USERINFO = "x-apigateway-api-userinfo"
PROBLEM_JSON = "application/problem+json"
VIDEO = "6f1c1f9e-3a43-4d5e-9a55-0c8d0f6b2a11"
VALID_UPLOAD = {
    "size_bytes": 1_048_576, "content_type": "video/mp4", "content_md5_hex": "9e107d9d372bb6826bd81d3542a419d6",
    "duration_seconds": 42, "title": "ct-title", "description": "ct-description",
}


@pytest.fixture(scope="module")
def reference(target: TargetConfig) -> TargetConfig:
    if not (target.catalog_grpc and target.profile_grpc and target.rest_url):
        pytest.skip("needs the target's gRPC and REST surfaces")
    return target


@pytest.fixture
def caller() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def http(reference: TargetConfig) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=reference.rest_url, timeout=30) as client:  # type: ignore[arg-type]
        yield client


def grpc_call(target: TargetConfig, name: str, request: object, metadata: list[tuple[str, str]]) -> wire.Answer:
    method, address = wire.METHODS[name]
    with grpc.insecure_channel(getattr(target, address), options=[("grpc.max_send_message_length", 64 << 20)]) as channel:
        return wire.call(channel, method, request, metadata)  # type: ignore[arg-type]


def as_service(target: TargetConfig) -> list[tuple[str, str]]:
    return list(target.service_metadata())


def as_caller(user: str) -> list[tuple[str, str]]:
    return [(USERINFO, encode_claims({"sub": user}))]


def assert_refused(answer: wire.Answer, field: str | None = None) -> None:
    assert answer.code == grpc.StatusCode.INVALID_ARGUMENT, f"expected INVALID_ARGUMENT, received {answer}"
    assert answer.reason, f"the refusal carries no ErrorInfo reason: {answer}"
    assert not wire.LEAK.search(answer.message), f"the refusal leaks internals: {answer.message}"
    if field is not None:
        fields = [v.field for d in answer.details for v in getattr(d, "field_violations", [])]
        assert field in fields, f"expected a violation of {field!r}, received {fields} ({answer.message})"


# -- gRPC: event loss by input -----------------------------------------------------------------


@pytest.mark.parametrize("size", [257, 1_100, 1_000_000])
def test_an_idempotency_key_that_cannot_be_a_pubsub_attribute_is_refused(reference: TargetConfig, caller: str, size: int) -> None:
    request = profile_pb2.MutateFavoriteRequest(
        video_id=VIDEO, favorite_type=profile_pb2.FAVORITE_TYPE_LIKE, action=profile_pb2.FAVORITE_ACTION_ADD,
        idempotency_key="k" * size,
    )
    assert_refused(grpc_call(reference, "profile.v1.ProfileService.MutateFavorite", request, as_caller(caller)), "idempotency_key")


def test_a_watch_report_with_a_2000_character_key_is_refused(reference: TargetConfig, caller: str) -> None:
    request = profile_pb2.UpsertWatchProgressRequest(
        video_id=VIDEO, progress=profile_pb2.WatchProgress(position_seconds=1, progress_ratio=0.5), idempotency_key="k" * 2000
    )
    answer = grpc_call(reference, "profile.v1.ProfileService.UpsertWatchProgress", request, as_caller(caller))
    assert_refused(answer, "idempotency_key")


# -- gRPC: NUL, deep JSON, UNKNOWN -------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_in_upload_text_is_refused_naming_the_field(reference: TargetConfig, caller: str, field: str) -> None:
    request = upload_pb2.InitResumableUploadRequest(**{**VALID_UPLOAD, field: "a\x00b"})
    answer = grpc_call(reference, "video.v1.UploadService.InitResumableUpload", request, as_caller(caller))
    assert_refused(answer, field)


def test_nul_in_a_registered_title_is_refused(reference: TargetConfig, caller: str) -> None:
    request = lifecycle_pb2.RegisterUploadRequest(upload_user_id=caller, title="a\x00b", raw_file_reference="raw/x")
    assert_refused(grpc_call(reference, "video.v1.CatalogLifecycleService.RegisterUpload", request, as_service(reference)), "title")


def test_nul_in_an_idempotency_key_is_refused(reference: TargetConfig, caller: str) -> None:
    request = profile_pb2.MutateFavoriteRequest(
        video_id=VIDEO, favorite_type=profile_pb2.FAVORITE_TYPE_LIKE, action=profile_pb2.FAVORITE_ACTION_ADD,
        idempotency_key="a\x00b",
    )
    assert_refused(grpc_call(reference, "profile.v1.ProfileService.MutateFavorite", request, as_caller(caller)), "idempotency_key")


@pytest.mark.parametrize("name", ["profile.v1.ProfileService.GetProfile", "video.v1.CatalogQueryService.ListMyUploads"])
def test_deep_json_in_the_identity_header_is_refused(reference: TargetConfig, name: str) -> None:
    header = base64.urlsafe_b64encode(b"[" * 1200 + b"]" * 1200).decode()
    request = wire.request_class(wire.METHODS[name][0])()
    assert_refused(grpc_call(reference, name, request, [(USERINFO, header)]))


def test_a_page_token_of_deep_json_is_refused(reference: TargetConfig, caller: str) -> None:
    token = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()
    request = query_pb2.ListMyUploadsRequest(page_token=token[:1024])
    assert_refused(grpc_call(reference, "video.v1.CatalogQueryService.ListMyUploads", request, as_caller(caller)), "page_token")
    deep = base64.urlsafe_b64encode(b"[" * 700 + b"]" * 700).decode()
    request = query_pb2.ListMyUploadsRequest(page_token=deep)
    assert_refused(grpc_call(reference, "video.v1.CatalogQueryService.ListMyUploads", request, as_caller(caller)))


def test_a_processing_report_without_a_stage_is_refused(reference: TargetConfig) -> None:
    """Found by the fuzz campaign: stage UNSPECIFIED passed ``defined_only`` and failed inside (INTERNAL)."""
    request = lifecycle_pb2.UpdateProcessingStatusRequest(
        video_id=VIDEO, new_status="ready", job_id="j", emitted_at="2026-01-01T00:00:00Z"
    )
    assert_refused(grpc_call(reference, "video.v1.CatalogLifecycleService.UpdateProcessingStatus", request, as_service(reference)), "stage")


# -- gRPC: no limits ---------------------------------------------------------------------------


def test_a_35_mb_title_is_refused(reference: TargetConfig, caller: str) -> None:
    request = lifecycle_pb2.RegisterUploadRequest(upload_user_id=caller, title="t" * 3_500_000, raw_file_reference="raw/x")
    assert_refused(grpc_call(reference, "video.v1.CatalogLifecycleService.RegisterUpload", request, as_service(reference)), "title")


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"display_name": "n" * 3_000_000}, "profile.display_name"),
        ({"display_name": "ok", "avatar_url": "javascript:alert(1)"}, "profile.avatar_url"),
        ({"display_name": "ok", "preferences": {"daily_quota_minutes": -5}}, "profile.preferences.daily_quota_minutes"),
    ],
    ids=["3-mb-display-name", "javascript-avatar", "negative-quota"],
)
def test_profile_values_outside_their_limits_are_refused(reference: TargetConfig, caller: str, profile: dict, field: str) -> None:
    request = json_format.ParseDict({"profile": profile}, profile_pb2.UpdateProfileRequest(), ignore_unknown_fields=False)
    assert_refused(grpc_call(reference, "profile.v1.ProfileService.UpdateProfile", request, as_caller(caller)), field)


def test_int64_max_watch_seconds_are_refused(reference: TargetConfig, caller: str) -> None:
    request = profile_pb2.UpsertWatchProgressRequest(
        video_id=VIDEO, progress=profile_pb2.WatchProgress(position_seconds=1, progress_ratio=0.5, total_watch_seconds=2**63 - 1)
    )
    answer = grpc_call(reference, "profile.v1.ProfileService.UpsertWatchProgress", request, as_caller(caller))
    assert_refused(answer, "progress.total_watch_seconds")


# -- identity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spell", [str.upper, lambda u: "{" + u + "}", lambda u: u.replace("-", ""), lambda u: f"urn:uuid:{u}", lambda _: str(uuid.UUID(int=0))],
    ids=["upper-case", "braces", "no-hyphens", "urn", "nil"],
)
def test_only_the_canonical_uuid_names_a_caller(reference: TargetConfig, caller: str, spell) -> None:  # noqa: ANN001
    metadata = [(USERINFO, encode_claims({"sub": spell(caller)}))]
    assert_refused(grpc_call(reference, "profile.v1.ProfileService.GetProfile", profile_pb2.GetProfileRequest(), metadata))


def test_a_duplicated_identity_header_is_refused_on_grpc(reference: TargetConfig, caller: str) -> None:
    metadata = as_caller(str(uuid.uuid4())) + as_caller(caller)
    assert_refused(grpc_call(reference, "profile.v1.ProfileService.GetProfile", profile_pb2.GetProfileRequest(), metadata))


def test_a_duplicated_identity_header_is_refused_on_rest(http: httpx.Client, caller: str) -> None:
    headers = [(USERINFO, encode_claims({"sub": str(uuid.uuid4())})), (USERINFO, encode_claims({"sub": caller}))]
    response = http.get("/api/v1/profile", headers=headers)
    assert_problem(response, 400)


# -- REST --------------------------------------------------------------------------------------


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, f"expected {status}, received {response.status_code}: {response.text[:500]}"
    assert response.headers.get("content-type", "").startswith(PROBLEM_JSON), response.headers.get("content-type")
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"], body
    assert not wire.LEAK.search(response.text), f"the problem leaks internals: {response.text[:500]}"
    return body


def rest_headers(user: str, **extra: str) -> dict[str, str]:
    return {USERINFO: encode_claims({"sub": user}), **extra}


def test_a_10_mb_body_is_refused_with_413(http: httpx.Client, caller: str) -> None:
    body = json.dumps({"displayName": "d" * 10_000_000, "preferences": {"extra": {"x": "e" * 10_000_000}}})
    response = http.patch("/api/v1/profile", content=body, headers=rest_headers(caller, **{"Content-Type": "application/json"}))
    assert_problem(response, 413)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_a_body_that_is_not_json_is_refused_with_415(http: httpx.Client, caller: str, content_type: str | None) -> None:
    headers = rest_headers(caller)
    if content_type:
        headers["Content-Type"] = content_type
    response = http.patch("/api/v1/profile", content=b'{"displayName": "ct"}', headers=headers)
    assert_problem(response, 415)


@pytest.mark.parametrize("depth", [2_000, 20_000])
def test_a_deeply_nested_body_is_refused_and_the_connection_stays_usable(http: httpx.Client, caller: str, depth: int) -> None:
    body = '{"preferences": {"extra": {"x": ' + "[" * depth + "]" * depth + "}}}"
    headers = rest_headers(caller, **{"Content-Type": "application/json"})
    assert_problem(http.patch("/api/v1/profile", content=body, headers=headers), 400)
    assert http.get("/api/v1/profile", headers=rest_headers(caller)).status_code == 404, "the next request on the connection"


@pytest.mark.parametrize("seconds", ["1e308", "nan", "inf"])
def test_the_reference_clock_refuses_absurd_steps(http: httpx.Client, seconds: str) -> None:
    assert_problem(http.post("/_reference/clock/advance", params={"seconds": seconds}), 400)


def test_a_200_kb_header_is_refused_with_431(reference: TargetConfig) -> None:
    host, port = httpx.URL(reference.rest_url).host, httpx.URL(reference.rest_url).port  # type: ignore[arg-type]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/profile HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200_000 + b"\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431"), head[:200]
    assert PROBLEM_JSON.encode() in head.lower(), head
    assert json.loads(body)["status"] == 431


def test_the_frameworks_own_refusals_are_problem_details(http: httpx.Client, caller: str) -> None:
    assert_problem(http.get("/api/v1/no-such-thing", headers=rest_headers(caller)), 404)
    assert_problem(http.post("/api/v1/profile", headers=rest_headers(caller)), 405)
