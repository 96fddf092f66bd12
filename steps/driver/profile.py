"""Driver calls of the profile area: ``profile.v1.ProfileService`` over gRPC, and the same over REST.

Every call takes a ``surface`` (``"grpc"`` or ``"rest"``) and returns an ``Outcome`` that reads
the same either way: on success ``response`` is the RPC's response message (a REST body is parsed
into it, rejecting unknown members); on failure ``code`` is the gRPC status name (REST statuses
map to the same names, see ``HTTP_CODES``) and ``reason`` the ``ErrorInfo`` / Problem Details
reason. The REST side also checks what only REST has: Problem Details bodies and media type, and
``ETag`` = the quoted ``profileVersion``.

Requests are written in proto terms (snake_case fields, FieldMask paths relative to the profile
such as ``preferences.extra``); the gRPC side sends the paths in the form deployed ProfileServices
accept (``profile.preferences.extra`` for UpdateProfile, ``extra`` for UpdatePreferences), the REST
side derives the lowerCamelCase JSON and query forms from them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from google.protobuf import field_mask_pb2, json_format
from google.protobuf.message import Message

from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc
from contracts.schemas import violations as schema_violations
from steps.driver import checks
from steps.driver.base import DriverBase
from steps.driver.outcome import Identity, Outcome

SURFACES = ("grpc", "rest")
#: REST status → the gRPC status name an Outcome carries (the gateway mapping of upstream.md §1.5).
HTTP_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
PROBLEM_JSON = "application/problem+json"
KINDS = {"like": profile_pb2.FAVORITE_TYPE_LIKE, "bookmark": profile_pb2.FAVORITE_TYPE_BOOKMARK}
_SERVICE = "profile.v1.ProfileService"


class ProfileCalls(DriverBase):
    """The profile service's RPCs and routes."""

    # -- profile ----------------------------------------------------------------------------------

    def get_profile(self, identity: Identity, surface: str, *, user_id: str = "") -> Outcome:
        """Read the caller's profile (GetProfile / ``GET /api/v1/profile``)."""
        request = profile_pb2.GetProfileRequest(user_id=user_id)
        if surface == "grpc":
            return self._profile_rpc("GetProfile", request, identity)
        return self._rest(
            "GET", "/api/v1/profile", identity, profile_pb2.GetProfileResponse, wrap="profile", etag=True
        )

    def update_profile(
        self, identity: Identity, surface: str, profile: profile_pb2.Profile, *, mask: list[str] | None = None,
        expected_version: int | None = None, user_id: str = "",
    ) -> Outcome:
        """Create or change the profile (UpdateProfile / ``PATCH /api/v1/profile``).

        Args:
            identity: who calls.
            surface: ``grpc`` or ``rest``.
            profile: the values; without ``mask``, the fields it sets are the ones changed.
            mask: FieldMask paths (``display_name``, ``preferences.extra`` …) to change.
            expected_version: ``expected_profile_version`` on gRPC, ``If-Match`` on REST.
            user_id: the request's ``user_id`` (gRPC only; REST addresses the caller implicitly).
        """
        request = profile_pb2.UpdateProfileRequest(user_id=user_id, profile=profile)
        if mask is not None:
            request.update_mask.paths.extend(profile_mask_paths(mask))
        if expected_version is not None:
            request.expected_profile_version.value = expected_version
        if surface == "grpc":
            return self._profile_rpc("UpdateProfile", request, identity)
        return self._rest(
            "PATCH", "/api/v1/profile", identity, profile_pb2.UpdateProfileResponse, wrap="profile", etag=True,
            body=json_format.MessageToDict(profile), params=_mask_param(mask),
            headers=_if_match(expected_version),
        )

    def update_preferences(
        self, identity: Identity, surface: str, preferences: profile_pb2.Preferences, *,
        mask: list[str] | None = None, expected_version: int | None = None, user_id: str = "",
    ) -> Outcome:
        """Change preferences (UpdatePreferences / ``PATCH /api/v1/profile/preferences``)."""
        request = profile_pb2.UpdatePreferencesRequest(user_id=user_id, preferences=preferences)
        if mask is not None:
            request.update_mask.paths.extend(preference_mask_paths(mask))
        if expected_version is not None:
            request.expected_profile_version.value = expected_version
        if surface == "grpc":
            return self._profile_rpc("UpdatePreferences", request, identity)
        return self._rest(
            "PATCH", "/api/v1/profile/preferences", identity, profile_pb2.UpdatePreferencesResponse,
            wrap="profile", etag=True, body=json_format.MessageToDict(preferences), params=_mask_param(mask),
            headers=_if_match(expected_version),
        )

    # -- favourites -------------------------------------------------------------------------------

    def mutate_favorite(
        self, identity: Identity, surface: str, video_id: str, kind: str, *, add: bool, user_id: str | None = None
    ) -> Outcome:
        """Like/bookmark (``add``) or undo it (MutateFavorite / ``PUT|DELETE …/favorites/{video}/{kind}``)."""
        action = profile_pb2.FAVORITE_ACTION_ADD if add else profile_pb2.FAVORITE_ACTION_REMOVE
        if surface == "grpc":
            request = profile_pb2.MutateFavoriteRequest(
                user_id=user_id or "", video_id=video_id, favorite_type=KINDS[kind], action=action
            )
            return self._profile_rpc("MutateFavorite", request, identity)
        path = f"/api/v1/user/{_path_user(identity, user_id)}/favorites/{video_id}/{kind}"
        return self._rest("PUT" if add else "DELETE", path, identity, profile_pb2.MutateFavoriteResponse)

    def mark_engagement(self, surface: str, video_id: str) -> str:
        """A later change on the video's engagement stream: a fresh user likes and unlikes it.

        Its two events end the stream of the video's ordering key and leave every counter as it was.
        Returns the marker user's id (its events carry it as ``user_id``).
        """
        marker = Identity.of_user(str(uuid.uuid4()))
        for add in (True, False):
            outcome = self.mutate_favorite(marker, surface, video_id, "like", add=add)
            if not outcome.ok:
                msg = f"the marker like of video {video_id} failed: {outcome.code} {outcome.reason} {outcome.message!r}"
                raise AssertionError(msg)
        return marker.user_id or ""

    def batch_query_favorites(
        self, identity: Identity, surface: str, video_ids: list[str], *, include_stats: bool = True,
        user_id: str | None = None,
    ) -> Outcome:
        """States (and counters) of several videos (BatchQueryFavorite / ``POST …/favorites/batch-query``)."""
        request = profile_pb2.BatchQueryFavoriteRequest(
            user_id=user_id or "", video_ids=video_ids, include_stats=include_stats
        )
        if surface == "grpc":
            return self._profile_rpc("BatchQueryFavorite", request, identity)
        path = f"/api/v1/user/{_path_user(identity, user_id)}/favorites/batch-query"
        body = {"videoIds": video_ids, "includeStats": include_stats}
        return self._rest("POST", path, identity, profile_pb2.BatchQueryFavoriteResponse, body=body)

    def list_favorites(
        self, identity: Identity, surface: str, *, page_size: int = 0, page_token: str = "", user_id: str | None = None
    ) -> Outcome:
        """One page of favourites (ListFavorites / ``GET …/favorites``)."""
        if surface == "grpc":
            request = profile_pb2.ListFavoritesRequest(user_id=user_id or "", page_size=page_size, page_token=page_token)
            return self._profile_rpc("ListFavorites", request, identity)
        path = f"/api/v1/user/{_path_user(identity, user_id)}/favorites"
        return self._rest("GET", path, identity, profile_pb2.ListFavoritesResponse, params=_page(page_size, page_token))

    # -- watch progress ---------------------------------------------------------------------------

    def upsert_watch_progress(
        self, identity: Identity, surface: str, video_id: str, *, position_seconds: int, progress_ratio: float,
        total_watch_seconds: int, user_id: str | None = None,
    ) -> Outcome:
        """Report progress (UpsertWatchProgress / ``PUT …/watch-progress/{video}``)."""
        progress = profile_pb2.WatchProgress(
            position_seconds=position_seconds, progress_ratio=progress_ratio, total_watch_seconds=total_watch_seconds
        )
        if surface == "grpc":
            request = profile_pb2.UpsertWatchProgressRequest(user_id=user_id or "", video_id=video_id, progress=progress)
            return self._profile_rpc("UpsertWatchProgress", request, identity)
        path = f"/api/v1/user/{_path_user(identity, user_id)}/watch-progress/{video_id}"
        body = {
            "positionSeconds": str(position_seconds), "progressRatio": progress_ratio,
            "totalWatchSeconds": str(total_watch_seconds),
        }
        return self._rest("PUT", path, identity, profile_pb2.UpsertWatchProgressResponse, body=body)

    def list_watch_history(
        self, identity: Identity, surface: str, *, page_size: int = 0, page_token: str = "", user_id: str | None = None
    ) -> Outcome:
        """One page of watch history (ListWatchHistory / ``GET …/watch-history``)."""
        if surface == "grpc":
            request = profile_pb2.ListWatchHistoryRequest(user_id=user_id or "", page_size=page_size, page_token=page_token)
            return self._profile_rpc("ListWatchHistory", request, identity)
        path = f"/api/v1/user/{_path_user(identity, user_id)}/watch-history"
        return self._rest(
            "GET", path, identity, profile_pb2.ListWatchHistoryResponse, params=_page(page_size, page_token)
        )

    def purge_user_data(self, identity: Identity, surface: str, *, user_id: str | None = None) -> Outcome:
        """Remove the user's profile data (PurgeUserData / ``DELETE …/data``)."""
        if surface == "grpc":
            return self._profile_rpc("PurgeUserData", profile_pb2.PurgeUserDataRequest(user_id=user_id or ""), identity)
        path = f"/api/v1/user/{_path_user(identity, user_id)}/data"
        return self._rest("DELETE", path, identity, profile_pb2.PurgeUserDataResponse, expect=202)

    # -- walks ------------------------------------------------------------------------------------

    def walk_favorites(self, identity: Identity, surface: str, page_size: int) -> list[Outcome]:
        """Every page of the caller's favourites, following ``next_page_token`` to the end."""
        return self._walk(lambda token: self.list_favorites(identity, surface, page_size=page_size, page_token=token))

    def walk_watch_history(self, identity: Identity, surface: str, page_size: int) -> list[Outcome]:
        """Every page of the caller's watch history, following ``next_page_token`` to the end."""
        return self._walk(
            lambda token: self.list_watch_history(identity, surface, page_size=page_size, page_token=token)
        )

    def issued_favorites_token(self, identity: Identity, surface: str) -> str:
        """A genuine ``next_page_token`` of ``identity``'s favourites (liking two fresh videos for it)."""
        for _ in range(2):
            self.mutate_favorite(identity, surface, str(uuid.uuid4()), "like", add=True)
        page = self.list_favorites(identity, surface, page_size=1)
        if not page.ok or not page.response.next_page_token:
            msg = f"expected a first page of 1 with a next_page_token, received {page.code} {page.response}"
            raise checks.ContractViolation(page.operation, "no page token to reuse", msg)
        return page.response.next_page_token

    def _walk(self, list_page: Callable[[str], Outcome], limit: int = 100) -> list[Outcome]:
        pages = [list_page("")]
        while pages[-1].ok and pages[-1].response.next_page_token:
            if len(pages) >= limit:
                msg = f"still a next_page_token after {limit} pages; expected the list to end"
                raise checks.ContractViolation(pages[-1].operation, "paging does not end", msg)
            pages.append(list_page(pages[-1].response.next_page_token))
        return pages

    # -- plumbing ---------------------------------------------------------------------------------

    def _profile_rpc(self, method: str, request: Message, identity: Identity) -> Outcome:
        stub = profile_pb2_grpc.ProfileServiceStub(self._channel(self.target.profile_grpc))
        return self._unary(f"{_SERVICE}/{method}", getattr(stub, method), request, identity)

    def _rest(
        self, method: str, path: str, identity: Identity, response_type: type[Message], *, wrap: str | None = None,
        etag: bool = False, body: Any = None, params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None, expect: int | None = None,
    ) -> Outcome:
        operation = f"{method} {path}"
        self._declare("rest", operation)
        sent = {**(headers or {}), **self.identity_headers(identity)}
        response = self._rest_client().request(
            method, self.target.rest_url + path, json=body, params=params, headers=sent  # type: ignore[operator]
        )
        if response.is_success:
            outcome = Outcome(operation=operation, code="OK", response=_parse_success(
                operation, response, response_type, wrap=wrap, etag=etag, expect=expect
            ))
        else:
            outcome = _problem_outcome(operation, response)
        checks.run_all(outcome)
        return outcome


def _path_user(identity: Identity, user_id: str | None) -> str:
    """The ``{userId}`` of a route: the one asked for, else the caller's own (any UUID when anonymous)."""
    return user_id or identity.user_id or str(uuid.uuid4())


def profile_mask_paths(mask: list[str]) -> list[str]:
    """UpdateProfile mask paths as ProfileService deployments accept them: rooted at the request's
    ``profile`` field (``profile.display_name``, ``profile.preferences.learning_goal``, as upstream reads them)."""
    return [path if path.startswith("profile.") else f"profile.{path}" for path in mask]


def preference_mask_paths(mask: list[str]) -> list[str]:
    """UpdatePreferences mask paths as deployments accept them: bare preference names (``learning_goal``)."""
    return [path.removeprefix("preferences.") for path in mask]


def _mask_param(mask: list[str] | None) -> dict[str, str] | None:
    if mask is None:
        return None
    return {"updateMask": field_mask_pb2.FieldMask(paths=mask).ToJsonString()}


def _if_match(expected_version: int | None) -> dict[str, str]:
    return {} if expected_version is None else {"If-Match": f'"{expected_version}"'}


def _page(page_size: int, page_token: str) -> dict[str, str]:
    params = {}
    if page_size:
        params["page_size"] = str(page_size)
    if page_token:
        params["page_token"] = page_token
    return params


def _parse_success(
    operation: str, response: httpx.Response, response_type: type[Message], *, wrap: str | None, etag: bool,
    expect: int | None,
) -> Message:
    if expect is not None and response.status_code != expect:
        raise checks.ContractViolation(
            operation, "unexpected success status", f"Received: {response.status_code}\nExpected: {expect}"
        )
    message = response_type()
    target = getattr(message, wrap) if wrap else message
    try:
        json_format.Parse(response.content, target)
    except json_format.ParseError as exc:
        raise checks.ContractViolation(
            operation, "body is not the documented message",
            f"Received: {response.text[:500]}\nExpected: protojson of {target.DESCRIPTOR.full_name} ({exc})",
        ) from exc
    if etag and checks.enabled():
        expected = f'"{target.profile_version}"'
        if response.headers.get("ETag") != expected:
            raise checks.ContractViolation(
                operation, "ETag is not the quoted profile version",
                f"Received: ETag {response.headers.get('ETag')!r}\nExpected: {expected}",
            )
    return message


def _problem_outcome(operation: str, response: httpx.Response) -> Outcome:
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        found = ["body is not JSON"]
    else:
        found = schema_violations("problem_details", problem) if checks.enabled() else []
    if media_type != PROBLEM_JSON or found:
        raise checks.ContractViolation(
            operation, "REST error is not RFC 9457 Problem Details",
            f"Received: {response.status_code} {media_type!r} {response.text[:500]!r}\n"
            f"Expected: {PROBLEM_JSON} matching contracts/events/problem_details.schema.json ({'; '.join(found)})",
        )
    errors = problem.get("errors") or []
    return Outcome(
        operation=operation,
        code=HTTP_CODES.get(response.status_code, f"HTTP_{response.status_code}"),
        reason=problem.get("reason"),
        message=problem.get("detail", ""),
        violations=tuple(f"{e.get('field')}: {e.get('detail')}" for e in errors),
    )



def profile_message(values: dict[str, str]) -> profile_pb2.Profile:
    """A ``Profile`` from ``field path → text`` (``preferences.extra`` as JSON, the quota as a number)."""
    profile = profile_pb2.Profile()
    for path, text in values.items():
        if path == "preferences.extra":
            profile.preferences.extra.update(json.loads(text))
        elif path == "preferences.daily_quota_minutes":
            profile.preferences.daily_quota_minutes.value = int(text)
        elif path.startswith("preferences."):
            setattr(profile.preferences, path.removeprefix("preferences."), text)
        else:
            setattr(profile, path, text)
    return profile


def profile_values(profile: profile_pb2.Profile) -> dict[str, Any]:
    """The caller-settable fields of ``profile`` as ``field path → value`` (the inverse of ``profile_message``)."""
    preferences = profile.preferences
    return {
        "display_name": profile.display_name,
        "avatar_url": profile.avatar_url,
        "preferences.learning_goal": preferences.learning_goal,
        "preferences.daily_quota_minutes": (
            preferences.daily_quota_minutes.value if preferences.HasField("daily_quota_minutes") else None
        ),
        "preferences.extra": json_format.MessageToDict(preferences.extra) if preferences.HasField("extra") else None,
    }
