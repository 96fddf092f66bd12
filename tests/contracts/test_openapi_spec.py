"""contracts/openapi/lingo.yaml: a valid OpenAPI 3.1 document that keeps the REST conventions it promises.

Beyond ``openapi-spec-validator``: every ``$ref`` resolves, operation ids are unique, every error
response is ``application/problem+json`` with the Problem schema, the statuses each kind of route
can produce are documented (401 everywhere, 403 on ``{userId}`` routes, ETag/If-Match/412 on profile
writes), pagination has the promised bounds, the mirrored components equal the JSON Schemas they
copy, and bodies built from the real protobuf messages (protojson) validate against the REST
schemas, so REST and gRPC use the same JSON names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contracts import schemas
from contracts.gen.profile.v1 import profile_pb2
from contracts.gen.video.v1 import upload_pb2

SPEC = schemas.load_openapi()
HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
OPERATIONS = [
    (path, method, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in HTTP_METHODS
]
OPERATION_IDS = [operation["operationId"] for _, _, operation in OPERATIONS]
VIDEO_ID = "0b7e3c52-8f0e-4f55-9b1a-3c3f7d1e2a10"
USER_ID = "5f1d9c8e-2b7a-4c3e-8d6f-1a2b3c4d5e6f"


def _resolve(ref: str) -> Any:
    assert ref.startswith("#/"), f"only local $refs are expected in lingo.yaml (it must stay self-contained), got {ref!r}"
    node: Any = SPEC
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"$ref {ref!r} does not resolve: no {part!r}"
        node = node[part]
    return node


def _deref(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = _resolve(node["$ref"])
    return node


def _parameters(path: str, operation: dict[str, Any]) -> list[dict[str, Any]]:
    shared = SPEC["paths"][path].get("parameters", [])
    return [_deref(p) for p in [*shared, *operation.get("parameters", [])]]


def _component_validator(component: str) -> Draft202012Validator:
    registry = Registry().with_resource("urn:lingo-openapi", Resource(contents=SPEC, specification=DRAFT202012))
    return Draft202012Validator(
        {"$ref": f"urn:lingo-openapi#/components/schemas/{component}"}, registry=registry, format_checker=schemas.format_checker()
    )


def _assert_matches(component: str, instance: Any) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in _component_validator(component).iter_errors(instance)]
    assert not errors, f"expected {instance!r} to match components/schemas/{component}:\n" + "\n".join(errors)


# -- document validity -----------------------------------------------------------------------


def test_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import validate  # noqa: PLC0415 - test extra

    assert SPEC["openapi"].startswith("3.1"), f"expected OpenAPI 3.1.x, got {SPEC['openapi']!r}"
    base = Path(schemas.__file__).with_name("openapi") / "lingo.yaml"
    validate(SPEC, base_uri=base.resolve().as_uri())


def test_every_ref_resolves() -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(SPEC)
    assert refs, "expected $refs in the document"
    for ref in refs:
        _resolve(ref)


def test_operation_ids_are_unique_and_every_operation_names_its_grpc_method() -> None:
    duplicates = sorted({i for i in OPERATION_IDS if OPERATION_IDS.count(i) > 1})
    assert not duplicates, f"operationId must be unique; duplicated: {duplicates}"
    missing = [i for (_, _, op), i in zip(OPERATIONS, OPERATION_IDS, strict=True) if not op.get("x-grpc-method")]
    assert not missing, f"operations without x-grpc-method (the gRPC method with the same semantics): {missing}"


def test_routes_are_the_gateway_surface() -> None:
    allowed = ("/api/v1/profile", "/api/v1/user/", "/api/v1/uploads")
    stray = [p for p in SPEC["paths"] if not p.startswith(allowed)]
    assert not stray, f"routes outside {allowed}: {stray}"
    expected = {
        "getProfile", "updateProfile", "updatePreferences", "listFavorites", "addFavorite", "removeFavorite",
        "batchQueryFavorites", "upsertWatchProgress", "listWatchHistory", "purgeUserData", "initResumableUpload",
    }  # fmt: skip
    assert set(OPERATION_IDS) == expected, f"operations differ from seed 003's REST list: missing {expected - set(OPERATION_IDS)}, extra {set(OPERATION_IDS) - expected}"


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_every_error_response_is_problem_details(path: str, method: str, operation: dict[str, Any]) -> None:
    for status, response in operation["responses"].items():
        if not status.startswith(("4", "5")):
            continue
        content = _deref(response).get("content", {})
        assert list(content) == ["application/problem+json"], (
            f"{method.upper()} {path} {status}: expected only application/problem+json, got {list(content)}"
        )
        schema = content["application/problem+json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}, f"{method.upper()} {path} {status}: schema must be the Problem component, got {schema}"


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_statuses_that_can_happen_are_documented(path: str, method: str, operation: dict[str, Any]) -> None:
    documented = set(operation["responses"])
    needed = {"400", "401"}  # every route reads the identity header; a malformed one is 400
    if "{userId}" in path:
        needed.add("403")
    if "If-Match" in {p["name"] for p in _parameters(path, operation)}:
        needed.add("412")
    if operation["operationId"] in ("getProfile", "updatePreferences"):
        needed.add("404")
    if operation["operationId"] == "initResumableUpload":
        needed.add("409")
    missing = sorted(needed - documented)
    assert not missing, f"{method.upper()} {path}: document {missing} (documented: {sorted(documented)})"
    assert SPEC["security"] == [{"gatewayUserinfo": []}] and "security" not in operation, "every operation needs the identity header"


def test_identity_header_is_the_gateway_userinfo() -> None:
    scheme = SPEC["components"]["securitySchemes"]["gatewayUserinfo"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-Apigateway-Api-Userinfo")


# -- profile concurrency -----------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", ["getProfile", "updateProfile", "updatePreferences"])
def test_profile_responses_carry_an_etag(operation_id: str) -> None:
    path, method, operation = next(o for o in OPERATIONS if o[2]["operationId"] == operation_id)
    for status in ("200", "201", "304"):
        if status in operation["responses"]:
            headers = _deref(operation["responses"][status]).get("headers", {})
            assert "ETag" in headers, f"{method.upper()} {path} {status}: add the ETag response header"
            assert _deref(headers["ETag"]).get("required") is True


@pytest.mark.parametrize("operation_id", ["updateProfile", "updatePreferences"])
def test_profile_updates_take_if_match(operation_id: str) -> None:
    path, _, operation = next(o for o in OPERATIONS if o[2]["operationId"] == operation_id)
    names = {p["name"]: p for p in _parameters(path, operation)}
    assert "If-Match" in names and names["If-Match"]["in"] == "header", f"{operation_id}: add the If-Match header parameter"
    assert "412" in operation["responses"]


def test_etag_is_the_quoted_profile_version() -> None:
    validator = _component_validator("ETag")
    assert validator.is_valid('"3"')
    assert not validator.is_valid("3"), "an entity tag is quoted (RFC 9110 §8.8.3)"
    assert not validator.is_valid('W/"3"'), "If-Match uses strong comparison, so the ETag is strong"


# -- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", ["listFavorites", "listWatchHistory"])
def test_lists_page_with_bounded_size_and_opaque_token(operation_id: str) -> None:
    path, _, operation = next(o for o in OPERATIONS if o[2]["operationId"] == operation_id)
    params = {p["name"]: p for p in _parameters(path, operation)}
    size = params["page_size"]["schema"]
    assert (size["type"], size["minimum"], size["maximum"], size["default"]) == ("integer", 1, 100, 20)
    assert params["page_token"]["schema"]["type"] == "string" and not params["page_token"]["required"]
    body = _deref(operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert "nextPageToken" in body["properties"], f"{operation_id}: the response must carry nextPageToken"


# -- mirrored components and protojson names -----------------------------------------------


def test_mirrored_components_equal_the_json_schemas() -> None:
    components = SPEC["components"]["schemas"]
    for name, expected in schemas.openapi_mirrored_components().items():
        assert name in components, f"components/schemas/{name} is missing; run `python -m contracts.schemas openapi-components` and paste the block"
        assert components[name] == expected, (
            f"components/schemas/{name} drifted from its JSON Schema in contracts/events (the source); "
            "replace the mirrored block of lingo.yaml with the output of `python -m contracts.schemas openapi-components`"
        )


def test_protojson_of_profile_messages_matches_the_rest_schemas() -> None:
    profile = profile_pb2.Profile(user_id=USER_ID, display_name="ct-run42 Ada", avatar_url="https://cdn.invalid/a.png", profile_version=3)
    profile.preferences.learning_goal = "B2 by summer"
    profile.preferences.daily_quota_minutes.value = 30
    profile.preferences.extra.update({"theme": "dark"})
    profile.created_at.FromJsonString("2025-10-30T12:00:00Z")
    profile.updated_at.FromJsonString("2025-10-30T12:05:00.250Z")
    _assert_matches("Profile", json_format.MessageToDict(profile))

    item = profile_pb2.FavoriteItem(video_id=VIDEO_ID, favorite_type=profile_pb2.FAVORITE_TYPE_LIKE, state=profile_pb2.FavoriteState(has_liked=True))
    item.created_at.FromJsonString("2025-10-30T12:00:00Z")
    item.video.video_id = VIDEO_ID
    item.video.title = "first words"
    item.video.version = 1761825600123456
    _assert_matches("ListFavoritesResponse", json_format.MessageToDict(profile_pb2.ListFavoritesResponse(favorites=[item], next_page_token="b2Zmc2V0OjIw")))

    progress = profile_pb2.WatchProgress(position_seconds=30, progress_ratio=0.5, total_watch_seconds=31)
    progress.last_watched_at.FromJsonString("2025-10-30T12:00:00Z")
    response = profile_pb2.UpsertWatchProgressResponse(progress=progress, stats=profile_pb2.VideoStats(like_count=1, unique_watchers=1))
    _assert_matches("UpsertWatchProgressResponse", json_format.MessageToDict(response))
    history = profile_pb2.ListWatchHistoryResponse(items=[profile_pb2.WatchHistoryEntry(video_id=VIDEO_ID, progress=progress)])
    _assert_matches("ListWatchHistoryResponse", json_format.MessageToDict(history))
    summaries = profile_pb2.BatchQueryFavoriteResponse(summaries=[profile_pb2.FavoriteSummary(video_id=VIDEO_ID, state=profile_pb2.FavoriteState())])
    _assert_matches("BatchQueryFavoritesResponse", json_format.MessageToDict(summaries))
    _assert_matches("PurgeUserDataResponse", json_format.MessageToDict(profile_pb2.PurgeUserDataResponse(purge_task_id="purge-1")))


def test_protojson_of_upload_messages_matches_the_rest_schemas() -> None:
    request = upload_pb2.InitResumableUploadRequest(
        size_bytes=1048576, content_type="video/mp4", content_md5_hex="d41d8cd98f00b204e9800998ecf8427e",
        duration_seconds=42, title="ct-run42 first words", description="a test upload",
    )  # fmt: skip
    _assert_matches("InitResumableUploadRequest", json_format.MessageToDict(request))
    _assert_matches("InitResumableUploadRequest", {**json_format.MessageToDict(request), "sizeBytes": 1048576})
    response = upload_pb2.InitResumableUploadResponse(
        video_id=VIDEO_ID, resumable_init_url="https://storage.googleapis.com/b/raw_videos/u/v?X-Goog-Signature=ab", expires_at_unixms=1761826500000
    )
    _assert_matches("InitResumableUploadResponse", json_format.MessageToDict(response))


@pytest.mark.parametrize(
    ("component", "instance"),
    [
        ("InitResumableUploadRequest", {"sizeBytes": "1", "contentType": "video/avi", "contentMd5Hex": "0" * 32, "durationSeconds": 1, "title": "t", "description": "d"}),
        ("InitResumableUploadRequest", {"sizeBytes": "1", "contentType": "video/mp4", "contentMd5Hex": "0" * 32, "durationSeconds": 301, "title": "t", "description": "d"}),
        ("InitResumableUploadRequest", {"size_bytes": "1", "contentType": "video/mp4", "contentMd5Hex": "0" * 32, "durationSeconds": 1, "title": "t", "description": "d"}),
        ("BatchQueryFavoritesRequest", {"videoIds": []}),
        ("BatchQueryFavoritesRequest", {"videoIds": [VIDEO_ID] * 101}),
        ("WatchProgressUpdate", {"positionSeconds": "-1", "progressRatio": 0.5}),
        ("WatchProgressUpdate", {"positionSeconds": "1", "progressRatio": 1.5}),
        ("ProfileUpdate", {}),
        ("PreferencesUpdate", {"dailyQuotaMinutes": -1}),
        ("Profile", {"userId": USER_ID, "displayName": "x", "profileVersion": 1, "createdAt": "2025-10-30T12:00:00Z", "updatedAt": "2025-10-30T12:00:00Z"}),
    ],
)
def test_invalid_bodies_are_rejected(component: str, instance: Any) -> None:
    assert not _component_validator(component).is_valid(instance), f"components/schemas/{component} should reject {instance!r}"


def test_problem_example_matches_the_problem_component() -> None:
    _assert_matches("Problem", {"type": "about:blank", "title": "Precondition Failed", "status": 412, "reason": "PROFILE_VERSION_CONFLICT"})


def test_schemathesis_can_generate_a_request_for_every_operation() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    hypothesis = pytest.importorskip("hypothesis")
    loaded = schemathesis.openapi.from_dict(schemas.load_openapi())
    labels = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        settings = hypothesis.settings(max_examples=1, phases=[hypothesis.Phase.generate], database=None, deadline=None)

        @settings
        @hypothesis.given(operation.as_strategy())
        def draw(case: Any) -> None:
            assert case.operation is operation

        draw()
        labels.append(operation.label)
    assert len(labels) == len(OPERATIONS), f"schemathesis saw {labels}, the document has {len(OPERATIONS)} operations"


def test_the_mirror_command_prints_the_block_as_committed(capsys: pytest.CaptureFixture[str]) -> None:
    assert schemas.main(["openapi-components"]) == 0
    printed = capsys.readouterr().out
    text = (Path(schemas.__file__).with_name("openapi") / "lingo.yaml").read_text(encoding="utf-8")
    marker = "    # ---- mirrored from contracts/events (do not edit here; see the note at the top) ----\n"
    assert marker in text, "lingo.yaml lost the marker line that starts the mirrored block"
    assert text.split(marker, 1)[1] == printed, "the mirrored block differs from `python -m contracts.schemas openapi-components`; paste its output"
