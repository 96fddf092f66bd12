"""REST routes of the profile service (contracts/openapi/lingo.yaml), over the same use cases as gRPC.

Each route runs the checks in the order the contract fixes — identity (401, then 400 for a bad
header), ownership of ``{userId}`` (403), request validation (415 for a body that is not JSON,
400) — then builds the ``profile.v1`` request message, checks it against the proto's limits as
gRPC does, and calls the service layer. Bodies are validated against the OpenAPI component
schemas themselves, so the document and the server cannot drift apart; their nesting is bounded
before they are parsed. Errors leave as Problem Details through the app's one handler.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import jsonschema_rs
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from google.protobuf.message import Message
from jsonschema import Draft202012Validator
from starlette.concurrency import run_in_threadpool

from contracts.gen.profile.v1 import profile_pb2
from contracts.schemas import fast_validator_for, format_checker, load_openapi
from reference_impl.domain import profile as rules
from reference_impl.domain.errors import FieldViolation, UnsupportedMediaType
from reference_impl.entrypoints.profile_servicer import caller_of
from reference_impl.entrypoints.rest_limits import problem
from reference_impl.entrypoints.validation import validate
from reference_impl.service_layer.profile import IfMatch, ProfileService

USERINFO = "x-apigateway-api-userinfo"
_ETAG = re.compile(r'^"([1-9][0-9]{0,18})"$')
_ENTITY_TAG = re.compile(r'^(W/)?"[\x21\x23-\x7e]*"$')
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_FAVORITE_TYPES = {"like": profile_pb2.FAVORITE_TYPE_LIKE, "bookmark": profile_pb2.FAVORITE_TYPE_BOOKMARK}
#: lowerCamelCase REST field paths → the service's field paths
_PROFILE_PATHS = {
    "displayName": "display_name",
    "avatarUrl": "avatar_url",
    "preferences": "preferences",
    "preferences.learningGoal": "preferences.learning_goal",
    "preferences.dailyQuotaMinutes": "preferences.daily_quota_minutes",
    "preferences.extra": "preferences.extra",
}
_PREFERENCE_PATHS = {"learningGoal": "learning_goal", "dailyQuotaMinutes": "daily_quota_minutes", "extra": "extra"}
#: Deepest nesting of arrays and objects a JSON body may have (the deepest valid one is far less).
MAX_JSON_DEPTH = 32
_JSON_MEDIA_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def profile_router(service: ProfileService) -> APIRouter:
    """The profile routes, served by ``service``."""
    router = APIRouter()

    @router.get("/api/v1/profile")
    async def get_profile(request: Request) -> Response:
        caller = _caller(request)
        if_none_match = _etag_header(request, "If-None-Match")
        response = await _call(service.get_profile, caller, profile_pb2.GetProfileRequest())
        etag = _etag(response.profile)
        if if_none_match and if_none_match == response.profile.profile_version:
            return Response(status_code=304, headers={"ETag": etag})
        return _json(response.profile, headers={"ETag": etag})

    @router.patch("/api/v1/profile")
    async def update_profile(request: Request) -> Response:
        caller = _caller(request)
        if_match = _etag_header(request, "If-Match")
        key = _idempotency_key(request)
        mask = _mask(request, _PROFILE_PATHS)
        body = await _body(request, "ProfileUpdate")
        message = profile_pb2.UpdateProfileRequest(idempotency_key=key)
        _parse(body, message.profile)
        message.update_mask.paths.extend(mask if mask is not None else _present(body, _PROFILE_PATHS))
        response, created = await _call(functools.partial(service.update_profile, if_match=_if_match(if_match)), caller, message)
        return _json(response.profile, status=201 if created else 200, headers={"ETag": _etag(response.profile)})

    @router.patch("/api/v1/profile/preferences")
    async def update_preferences(request: Request) -> Response:
        caller = _caller(request)
        if_match = _etag_header(request, "If-Match")
        key = _idempotency_key(request)
        mask = _mask(request, _PREFERENCE_PATHS)
        body = await _body(request, "PreferencesUpdate")
        message = profile_pb2.UpdatePreferencesRequest(idempotency_key=key)
        _parse(body, message.preferences)
        message.update_mask.paths.extend(mask if mask is not None else _present(body, _PREFERENCE_PATHS))
        response = await _call(functools.partial(service.update_preferences, if_match=_if_match(if_match)), caller, message)
        return _json(response.profile, headers={"ETag": _etag(response.profile)})

    @router.get("/api/v1/user/{user_id}/favorites")
    async def list_favorites(request: Request, user_id: str) -> Response:
        caller = _owner(request, user_id)
        size, token = _page(request)
        message = profile_pb2.ListFavoritesRequest(page_size=size, page_token=token)
        return _json(await _call(service.list_favorites, caller, message))

    @router.put("/api/v1/user/{user_id}/favorites/{video_id}/{favorite_type}")
    async def add_favorite(request: Request, user_id: str, video_id: str, favorite_type: str) -> Response:
        return await _mutate(request, user_id, video_id, favorite_type, profile_pb2.FAVORITE_ACTION_ADD)

    @router.delete("/api/v1/user/{user_id}/favorites/{video_id}/{favorite_type}")
    async def remove_favorite(request: Request, user_id: str, video_id: str, favorite_type: str) -> Response:
        return await _mutate(request, user_id, video_id, favorite_type, profile_pb2.FAVORITE_ACTION_REMOVE)

    async def _mutate(request: Request, user_id: str, video_id: str, favorite_type: str, action: int) -> Response:
        caller = _owner(request, user_id)
        violations = [*_uuid_violation("videoId", video_id)]
        if favorite_type not in _FAVORITE_TYPES:
            violations.append(FieldViolation("favoriteType", f"must be one of {sorted(_FAVORITE_TYPES)}, got {favorite_type!r}"))
        key = _idempotency_key(request)
        _raise_if(violations)
        message = profile_pb2.MutateFavoriteRequest(
            video_id=video_id, favorite_type=_FAVORITE_TYPES[favorite_type], action=action, idempotency_key=key
        )
        return _json(await _call(service.mutate_favorite, caller, message))

    @router.post("/api/v1/user/{user_id}/favorites/batch-query")
    async def batch_query(request: Request, user_id: str) -> Response:
        caller = _owner(request, user_id)
        body = await _body(request, "BatchQueryFavoritesRequest")
        message = profile_pb2.BatchQueryFavoriteRequest()
        _parse(body, message)
        return _json(await _call(service.batch_query_favorite, caller, message))

    @router.put("/api/v1/user/{user_id}/watch-progress/{video_id}")
    async def upsert_watch_progress(request: Request, user_id: str, video_id: str) -> Response:
        caller = _owner(request, user_id)
        _raise_if(_uuid_violation("videoId", video_id))
        key = _idempotency_key(request)
        body = await _body(request, "WatchProgressUpdate")
        message = profile_pb2.UpsertWatchProgressRequest(video_id=video_id, idempotency_key=key)
        _parse(body, message.progress)
        return _json(await _call(service.upsert_watch_progress, caller, message))

    @router.get("/api/v1/user/{user_id}/watch-history")
    async def list_watch_history(request: Request, user_id: str) -> Response:
        caller = _owner(request, user_id)
        size, token = _page(request)
        message = profile_pb2.ListWatchHistoryRequest(page_size=size, page_token=token)
        return _json(await _call(service.list_watch_history, caller, message))

    @router.delete("/api/v1/user/{user_id}/data")
    async def purge_user_data(request: Request, user_id: str) -> Response:
        caller = _owner(request, user_id)
        response = await _call(service.purge_user_data, caller, profile_pb2.PurgeUserDataRequest())
        return _json(response, status=202)

    _answer_other_methods_with_405(router)
    return router


_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE"})


def _answer_other_methods_with_405(router: APIRouter) -> None:
    """Answer methods a path does not support with 405 and an ``Allow`` listing all it does.

    Starlette's own 405 names only the methods of the first route matching the path, so a path
    served by two routes (GET and PATCH /api/v1/profile) would advertise half of what it allows.
    """
    allowed: dict[str, set[str]] = {}
    for route in router.routes:
        allowed.setdefault(route.path, set()).update(route.methods)  # type: ignore[attr-defined]
    for path, methods in allowed.items():
        router.add_api_route(
            path, _method_not_allowed(", ".join(sorted(methods))), methods=sorted(_METHODS - methods),
            include_in_schema=False,
        )


def _method_not_allowed(allow: str) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        body = problem(405, "method-not-allowed", f"{request.method} is not allowed here; allowed: {allow}")
        return JSONResponse(body, status_code=405, headers={"Allow": allow}, media_type="application/problem+json")

    return answer


# -- request parts ------------------------------------------------------------------------------


async def _call(use_case: Callable[[uuid.UUID, Message], Any], caller: uuid.UUID, message: Message) -> Any:
    """Check ``message`` against the proto's limits, then run the use case off the event loop."""
    validate(message, rules.REQUEST_INVALID)
    return await run_in_threadpool(use_case, caller, message)


def _caller(request: Request) -> uuid.UUID:
    return caller_of(request.headers.getlist(USERINFO))


def _owner(request: Request, user_id: str) -> uuid.UUID:
    """The caller, who must be the ``{userId}`` of the path (403 otherwise, before any validation)."""
    caller = _caller(request)
    rules.check_owner(caller, user_id or "-")
    return caller


def _raise_if(violations: list[FieldViolation]) -> None:
    if violations:
        raise rules.invalid(rules.REQUEST_INVALID, *violations)


def _uuid_violation(field: str, value: str) -> list[FieldViolation]:
    if _UUID.match(value):
        return []
    return [FieldViolation(field, f"must be a lower-case hyphenated UUID, got {value!r}")]


def _etag_header(request: Request, name: str) -> int | None:
    """The profile version an ``If-Match`` / ``If-None-Match`` names; 0 for an entity tag naming none.

    Any well-formed entity tag that is not one of ours matches no version (RFC 9110 §13.1.1-2):
    for If-Match that means 412, for If-None-Match "serve normally". A value that is no entity
    tag at all is malformed (400).
    """
    value = request.headers.get(name)
    if value is None:
        return None
    value = value.strip()
    if not _ENTITY_TAG.match(value):
        msg = f'must be a strong ETag like "3" (the quoted profileVersion of a previous response), got {value!r}'
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation(name, msg))
    match = _ETAG.match(value)
    return int(match.group(1)) if match else 0


def _if_match(version: int | None) -> IfMatch | None:
    return None if version is None else IfMatch(version)


def _idempotency_key(request: Request) -> str:
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return ""
    if not _IDEMPOTENCY_KEY.match(value):
        msg = f"must be 1 to 255 printable ASCII characters without spaces, got {value!r}"
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("Idempotency-Key", msg))
    return value


def _mask(request: Request, paths: dict[str, str]) -> list[str] | None:
    value = request.query_params.get("updateMask")
    if value is None:
        return None
    names = value.split(",")
    unknown = [name for name in names if name not in paths]
    if unknown:
        msg = f"unknown field paths {unknown}; use a comma-separated list out of {sorted(paths)}"
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("updateMask", msg))
    return [paths[name] for name in names]


def _present(body: dict[str, Any], paths: dict[str, str]) -> list[str]:
    """Service paths of the members present in ``body`` (one level into ``preferences``)."""
    present = []
    for name, value in body.items():
        nested = isinstance(value, dict) and name == "preferences"
        members = [f"{name}.{inner}" for inner in value] if nested and value else [name]
        present += [paths[member] for member in members if member in paths]
    return present


def _page(request: Request) -> tuple[int, str]:
    violations = []
    size = 0
    raw_size = request.query_params.get("page_size")
    if raw_size is not None:
        try:
            size = int(raw_size)
        except ValueError:
            size = -1
        if not 1 <= size <= rules.MAX_PAGE_SIZE or not raw_size.isdigit():
            violations.append(FieldViolation("page_size", f"must be an integer 1..{rules.MAX_PAGE_SIZE}, got {raw_size!r}"))
    token = request.query_params.get("page_token")
    if token is not None and not 1 <= len(token) <= 1024:
        violations.append(FieldViolation("page_token", "must be the nextPageToken of the previous page (1..1024 characters)"))
    _raise_if(violations)
    return size, token or ""


def _reject_constant(name: str) -> None:
    msg = f"{name} is not JSON"
    raise ValueError(msg)


async def _body(request: Request, component: str) -> dict[str, Any]:
    """The JSON body, valid against the OpenAPI component ``component``."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not _JSON_MEDIA_TYPE.match(media_type):
        msg = f"the body must be application/json, got {media_type[:80] or 'no Content-Type'}"
        raise UnsupportedMediaType("ERROR_REASON_UNSUPPORTED_MEDIA_TYPE", msg)
    raw = await request.body()
    if (depth := _nesting(raw)) > MAX_JSON_DEPTH:
        msg = f"must be a JSON document nested at most {MAX_JSON_DEPTH} levels deep, got {depth}"
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("body", msg))
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"must be a JSON document matching {component}; it does not parse ({str(exc)[:200]})"
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("body", msg)) from exc
    judge = _fast_validator(component)
    if not judge.is_valid(body):
        errors = sorted(_validator(component).iter_errors(body), key=lambda e: list(e.absolute_path))
        # jsonschema explains; where only the judge refuses (a pattern's ``$`` before a final newline), its words.
        _raise_if([_violation(error) for error in errors] or [
            FieldViolation(".".join(map(str, error.instance_path)) or "body", error.message)
            for error in judge.iter_errors(body)
        ])
    return body


def _nesting(raw: bytes) -> int:
    """The deepest nesting of ``[`` / ``{`` outside strings, counted without parsing (no recursion)."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _component_schema(component: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{component}", "components": load_openapi()["components"]}


@functools.cache
def _validator(component: str) -> Draft202012Validator:
    """Explains why a body is refused (readable messages, the JSON path of each problem)."""
    return Draft202012Validator(_component_schema(component), format_checker=format_checker())


@functools.cache
def _fast_validator(component: str) -> jsonschema_rs.Validator:
    """Judges each body (jsonschema-rs: microseconds instead of a fraction of a millisecond)."""
    return fast_validator_for(_component_schema(component))


def _violation(error: Any) -> FieldViolation:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = sorted(name for name in error.instance if name not in known)
        path = ".".join(filter(None, [path, extra[0] if extra else ""]))
        return FieldViolation(path or "body", f"unknown member(s) {extra}; the body accepts only {sorted(known)}")
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        path = ".".join(filter(None, [path, missing[0] if missing else ""]))
        return FieldViolation(path or "body", "is required")
    return FieldViolation(path or "body", error.message)


def _parse(body: dict[str, Any], message: Message) -> None:
    try:
        json_format.ParseDict(body, message)
    except json_format.ParseError as exc:
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("body", str(exc))) from exc


# -- responses ----------------------------------------------------------------------------------


def _etag(profile: profile_pb2.Profile) -> str:
    return f'"{profile.profile_version}"'


def _json(message: Message, *, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    body = json_format.MessageToDict(message, always_print_fields_with_no_presence=True)
    if body.get("nextPageToken") == "":
        del body["nextPageToken"]
    return JSONResponse(body, status_code=status, headers=headers)
