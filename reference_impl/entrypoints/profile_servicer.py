"""gRPC ``profile.v1.ProfileService``: the caller's identity, the contract's rules, then the use case.

Every RPC decodes the gateway header first (UNAUTHENTICATED / INVALID_ARGUMENT), checks that the
request's ``user_id``, if any, is the caller's (PERMISSION_DENIED), then the request against the
proto's ``buf.validate`` limits (INVALID_ARGUMENT) — all before anything is written.
"""

from __future__ import annotations

import uuid

import grpc

from google.protobuf.message import Message

from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc
from reference_impl.domain.errors import InvalidArgument, Unauthenticated
from reference_impl.domain.identity import (
    USERINFO_HEADER,
    BadUserInfo,
    MissingUserInfo,
    single_header,
    user_id_from_userinfo,
)
from reference_impl.domain.profile import REQUEST_INVALID, USER_INFO_INVALID, USER_INFO_MISSING, check_owner
from reference_impl.entrypoints.caller import grpc_values
from reference_impl.entrypoints.errors import grpc_errors
from reference_impl.entrypoints.validation import validate
from reference_impl.service_layer.profile import ProfileService


def caller_of(userinfo: list[str]) -> uuid.UUID:
    """The caller's user id from the header's values, with the profile service's reasons."""
    try:
        return user_id_from_userinfo(single_header(userinfo))
    except MissingUserInfo as exc:
        raise Unauthenticated(USER_INFO_MISSING, f"user metadata required: send the {USERINFO_HEADER} header") from exc
    except BadUserInfo as exc:
        raise InvalidArgument(USER_INFO_INVALID, f"invalid user metadata in {USERINFO_HEADER}: {exc}") from exc


def _caller(context: grpc.ServicerContext, request: Message) -> uuid.UUID:
    """The caller, who must be the request's ``user_id`` if it names one, of a valid request."""
    caller = caller_of(grpc_values(context, USERINFO_HEADER))
    check_owner(caller, getattr(request, "user_id", ""))
    validate(request, REQUEST_INVALID)
    return caller


class ProfileServicer(profile_pb2_grpc.ProfileServiceServicer):
    """Profile, favourites, watch history and purge (seed 003) over gRPC."""

    def __init__(self, service: ProfileService) -> None:
        self._service = service

    @grpc_errors
    def GetProfile(self, request: profile_pb2.GetProfileRequest, context: grpc.ServicerContext) -> profile_pb2.GetProfileResponse:  # noqa: N802
        """The caller's profile."""
        return self._service.get_profile(_caller(context, request), request)

    @grpc_errors
    def UpdateProfile(  # noqa: N802
        self, request: profile_pb2.UpdateProfileRequest, context: grpc.ServicerContext
    ) -> profile_pb2.UpdateProfileResponse:
        """Create or change the caller's profile."""
        response, _ = self._service.update_profile(_caller(context, request), request)
        return response

    @grpc_errors
    def UpdatePreferences(  # noqa: N802
        self, request: profile_pb2.UpdatePreferencesRequest, context: grpc.ServicerContext
    ) -> profile_pb2.UpdatePreferencesResponse:
        """Change the caller's preferences."""
        return self._service.update_preferences(_caller(context, request), request)

    @grpc_errors
    def MutateFavorite(  # noqa: N802
        self, request: profile_pb2.MutateFavoriteRequest, context: grpc.ServicerContext
    ) -> profile_pb2.MutateFavoriteResponse:
        """Like/bookmark a video or undo it."""
        return self._service.mutate_favorite(_caller(context, request), request)

    @grpc_errors
    def BatchQueryFavorite(  # noqa: N802
        self, request: profile_pb2.BatchQueryFavoriteRequest, context: grpc.ServicerContext
    ) -> profile_pb2.BatchQueryFavoriteResponse:
        """Favourite states (and counters) of several videos."""
        return self._service.batch_query_favorite(_caller(context, request), request)

    @grpc_errors
    def ListFavorites(  # noqa: N802
        self, request: profile_pb2.ListFavoritesRequest, context: grpc.ServicerContext
    ) -> profile_pb2.ListFavoritesResponse:
        """One page of likes and bookmarks."""
        return self._service.list_favorites(_caller(context, request), request)

    @grpc_errors
    def UpsertWatchProgress(  # noqa: N802
        self, request: profile_pb2.UpsertWatchProgressRequest, context: grpc.ServicerContext
    ) -> profile_pb2.UpsertWatchProgressResponse:
        """Record watch progress."""
        return self._service.upsert_watch_progress(_caller(context, request), request)

    @grpc_errors
    def ListWatchHistory(  # noqa: N802
        self, request: profile_pb2.ListWatchHistoryRequest, context: grpc.ServicerContext
    ) -> profile_pb2.ListWatchHistoryResponse:
        """One page of watch history."""
        return self._service.list_watch_history(_caller(context, request), request)

    @grpc_errors
    def PurgeUserData(  # noqa: N802
        self, request: profile_pb2.PurgeUserDataRequest, context: grpc.ServicerContext
    ) -> profile_pb2.PurgeUserDataResponse:
        """Remove all of the caller's profile data."""
        return self._service.purge_user_data(_caller(context, request), request)
