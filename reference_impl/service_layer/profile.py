"""Profile use cases (seed 003 §5), shared by the gRPC servicer and the REST router.

Requests and responses are the contract's ``profile.v1`` messages; the caller is the user id the
entrypoint decoded from the gateway header. Each use case is one transaction: business rows and
the outbox rows of the events they cause commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
from google.protobuf import json_format, struct_pb2
from psycopg_pool import ConnectionPool

from contracts.gen.profile.v1 import profile_pb2
from reference_impl.adapters import profile_repository as repo
from reference_impl.adapters.outbox import OutboxStore
from reference_impl.config import Settings
from reference_impl.domain import profile as rules
from reference_impl.domain import profile_events
from reference_impl.domain.errors import Conflict, FieldViolation, NotFound, PreconditionFailed

T = TypeVar("T")

KINDS = {profile_pb2.FAVORITE_TYPE_LIKE: "like", profile_pb2.FAVORITE_TYPE_BOOKMARK: "bookmark"}
FAVORITE_TYPES = {kind: number for number, kind in KINDS.items()}
#: How often a profile write retries its compare-and-set when another writer got in between and
#: the caller asked for no particular version. Each retry means someone else committed, so a
#: handful is plenty; beyond that the caller gets ABORTED and may retry.
_CAS_ATTEMPTS = 8


@dataclass(frozen=True)
class ProfileSettings:
    """Knobs of the profile service.

    Attributes:
        watch_retention: how long a watch-history entry is kept after the last report (``expires_at``).
        page_token_key: key that makes page tokens tamper-evident; keep it stable across instances
            so a token from one instance works on another.
    """

    watch_retention: timedelta = timedelta(days=30)
    page_token_key: bytes = b"lingo-reference-page-tokens"

    @classmethod
    def from_settings(cls, settings: Settings) -> ProfileSettings:
        """The profile part of the reference's settings."""
        return cls(watch_retention=settings.watch_retention, page_token_key=settings.page_token_key.encode())


class IfMatch:
    """A REST ``If-Match`` precondition: like ``expected_profile_version`` but failing with 412."""

    def __init__(self, version: int) -> None:
        self.version = version


class ProfileService:
    """The profile use cases over one connection pool."""

    def __init__(self, pool: ConnectionPool, settings: ProfileSettings | None = None) -> None:
        self._pool = pool
        self._settings = settings or ProfileSettings()
        self._outbox = OutboxStore("profile")
        self._tokens = rules.PageTokens(self._settings.page_token_key)

    def _in_transaction(self, work: Callable[[psycopg.Connection], T]) -> T:
        with self._pool.connection() as conn, conn.transaction():
            return work(conn)

    # -- profile ----------------------------------------------------------------------------------

    def get_profile(self, caller: uuid.UUID, request: profile_pb2.GetProfileRequest) -> profile_pb2.GetProfileResponse:
        """The caller's profile; ``NotFound`` when they have none."""
        user_id = rules.check_owner(caller, request.user_id)
        row = self._in_transaction(lambda conn: repo.get_user(conn, user_id))
        if row is None:
            raise _no_profile(user_id)
        return profile_pb2.GetProfileResponse(profile=_profile(row))

    def update_profile(
        self, caller: uuid.UUID, request: profile_pb2.UpdateProfileRequest, *, if_match: IfMatch | None = None
    ) -> tuple[profile_pb2.UpdateProfileResponse, bool]:
        """Create or change the caller's profile; returns the response and whether it was created."""
        user_id = rules.check_owner(caller, request.user_id)
        if request.update_mask.paths:
            paths = rules.profile_paths(request.update_mask.paths)
        else:
            paths = _present_profile_paths(request.profile)
        changes = _fields_of(request.profile)
        rules.check_storable(changes)
        expected = _expected_version(request, if_match)
        row, created = self._write_profile(user_id, changes, paths, expected, if_match, create=True)
        return profile_pb2.UpdateProfileResponse(profile=_profile(row)), created

    def update_preferences(
        self, caller: uuid.UUID, request: profile_pb2.UpdatePreferencesRequest, *, if_match: IfMatch | None = None
    ) -> profile_pb2.UpdatePreferencesResponse:
        """Change the caller's preferences; ``NotFound`` when they have no profile."""
        user_id = rules.check_owner(caller, request.user_id)
        if request.update_mask.paths:
            paths = rules.preference_paths(request.update_mask.paths)
        else:
            paths = _present_preference_paths(request.preferences)
        changes = rules.ProfileFields("", "", _preferences_of(request.preferences))
        rules.check_storable(changes)
        expected = _expected_version(request, if_match)
        row, _ = self._write_profile(user_id, changes, paths, expected, if_match, create=False)
        return profile_pb2.UpdatePreferencesResponse(profile=_profile(row))

    def _write_profile(
        self, user_id: uuid.UUID, changes: rules.ProfileFields, paths: set[str], expected: int | None,
        if_match: IfMatch | None, *, create: bool,
    ) -> tuple[repo.Row, bool]:
        for _ in range(_CAS_ATTEMPTS):
            with self._pool.connection() as conn, conn.transaction():
                current = repo.get_user(conn, user_id)
                if current is None:
                    if expected is not None:
                        raise _version_conflict(user_id, expected, None, if_match)
                    if not create:
                        raise _no_profile(user_id)
                    fields = rules.apply_changes(None, changes, paths)
                    row = repo.insert_user(conn, user_id, fields.display_name, fields.avatar_url, fields.preferences)
                    if row is not None:
                        return row, True
                    continue
                version = current["profile_version"]
                if expected is not None and expected != version:
                    raise _version_conflict(user_id, expected, version, if_match)
                if not paths:
                    return current, False
                fields = rules.apply_changes(_fields_of_row(current), changes, paths)
                row = repo.update_user_at_version(
                    conn, user_id, version, fields.display_name, fields.avatar_url, fields.preferences
                )
                if row is not None:
                    return row, False
                if expected is not None:
                    raise _version_conflict(user_id, expected, version + 1, if_match)
        msg = f"profile of {user_id} kept changing under this update ({_CAS_ATTEMPTS} attempts); read it and retry"
        raise Conflict(rules.VERSION_CONFLICT, msg)

    # -- favourites -------------------------------------------------------------------------------

    def mutate_favorite(
        self, caller: uuid.UUID, request: profile_pb2.MutateFavoriteRequest
    ) -> profile_pb2.MutateFavoriteResponse:
        """Like/bookmark or undo it; counters and events change only when the state really flips."""
        user_id = rules.check_owner(caller, request.user_id)
        video_id = rules.parse_uuid(request.video_id, "video_id")
        kind = _kind(request.favorite_type)
        if request.action not in (profile_pb2.FAVORITE_ACTION_ADD, profile_pb2.FAVORITE_ACTION_REMOVE):
            raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("action", "must be FAVORITE_ACTION_ADD or _REMOVE"))
        adding = request.action == profile_pb2.FAVORITE_ACTION_ADD

        def work(conn: psycopg.Connection) -> profile_pb2.MutateFavoriteResponse:
            flip = repo.add_engagement if adding else repo.remove_engagement
            if flip(conn, user_id, video_id, kind):
                delta = 1 if adding else -1
                stats = _stats(repo.change_stats(conn, video_id, **{_COUNTER[kind]: delta}))
                self._outbox.enqueue(
                    conn,
                    profile_events.engagement_flipped(
                        added=adding, user_id=user_id, video_id=video_id, favorite_type=request.favorite_type,
                        stats=stats, occurred_at=datetime.now(UTC), idempotency_key=request.idempotency_key,
                    ),
                )
            else:
                stats = _stats(repo.get_stats(conn, [video_id]).get(video_id))
            state = _state(repo.favorite_states(conn, user_id, [video_id]).get(video_id, {}))
            return profile_pb2.MutateFavoriteResponse(state=state, stats=stats)

        return self._in_transaction(work)

    def batch_query_favorite(
        self, caller: uuid.UUID, request: profile_pb2.BatchQueryFavoriteRequest
    ) -> profile_pb2.BatchQueryFavoriteResponse:
        """The caller's state (and, if asked, the counters) of each requested video, in request order."""
        user_id = rules.check_owner(caller, request.user_id)
        if not 1 <= len(request.video_ids) <= rules.MAX_BATCH_VIDEOS:
            msg = f"must name 1 to {rules.MAX_BATCH_VIDEOS} videos, got {len(request.video_ids)}"
            raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("video_ids", msg))
        video_ids = [rules.parse_uuid(v, f"video_ids[{i}]") for i, v in enumerate(request.video_ids)]

        def work(conn: psycopg.Connection) -> profile_pb2.BatchQueryFavoriteResponse:
            states = repo.favorite_states(conn, user_id, video_ids)
            stats = repo.get_stats(conn, video_ids) if request.include_stats else {}
            summaries = []
            for video_id in video_ids:
                summary = profile_pb2.FavoriteSummary(video_id=str(video_id), state=_state(states.get(video_id, {})))
                if request.include_stats:
                    summary.stats.CopyFrom(_stats(stats.get(video_id)))
                summaries.append(summary)
            return profile_pb2.BatchQueryFavoriteResponse(summaries=summaries)

        return self._in_transaction(work)

    def list_favorites(
        self, caller: uuid.UUID, request: profile_pb2.ListFavoritesRequest
    ) -> profile_pb2.ListFavoritesResponse:
        """One page of the caller's likes and bookmarks, newest first."""
        user_id = rules.check_owner(caller, request.user_id)
        size = rules.page_size(request.page_size)
        after = self._position(request.page_token, "favorites", user_id, 3)

        def work(conn: psycopg.Connection) -> profile_pb2.ListFavoritesResponse:
            rows = repo.list_favorites(conn, user_id, after, size + 1)
            page = rows[:size]
            states = repo.favorite_states(conn, user_id, list({row["video_id"] for row in page}))
            response = profile_pb2.ListFavoritesResponse()
            for row in page:
                item = response.favorites.add(
                    video_id=str(row["video_id"]), favorite_type=FAVORITE_TYPES[row["engagement_type"]],
                    state=_state(states.get(row["video_id"], {})),
                )
                item.created_at.FromDatetime(row["created_at"])
                item.updated_at.FromDatetime(row["updated_at"])
                _fill_video(item.video, row)
            if len(rows) > size:
                last = page[-1]
                response.next_page_token = self._tokens.issue(
                    "favorites", user_id,
                    [last["created_at"].isoformat(), str(last["video_id"]), last["engagement_type"]],
                )
            return response

        return self._in_transaction(work)

    # -- watch progress ---------------------------------------------------------------------------

    def upsert_watch_progress(
        self, caller: uuid.UUID, request: profile_pb2.UpsertWatchProgressRequest
    ) -> profile_pb2.UpsertWatchProgressResponse:
        """Record a progress report: cumulative totals, unique watchers and 5 % events."""
        user_id = rules.check_owner(caller, request.user_id)
        video_id = rules.parse_uuid(request.video_id, "video_id")
        reported = request.progress
        _check_progress(request)
        ratio = rules.exact_ratio(reported.progress_ratio)

        def work(conn: psycopg.Connection) -> profile_pb2.UpsertWatchProgressResponse:
            row = repo.lock_watch_log(conn, user_id, video_id)
            stored = None if row is None else rules.StoredWatch(int(row["total_watch_seconds"]), row["last_emitted_ratio"])
            step = rules.watch_step(stored, ratio, reported.total_watch_seconds)
            saved = repo.save_watch_log(
                conn, user_id, video_id, position_seconds=reported.position_seconds, progress_ratio=ratio,
                total_watch_seconds=step.total_watch_seconds, last_emitted_ratio=step.last_emitted_ratio,
                retention=self._settings.watch_retention,
            )
            stats = repo.change_stats(
                conn, video_id, watchers=1 if step.new_watcher else 0, seconds=step.added_seconds
            )
            progress = _progress(saved, session_id=reported.session_id)
            if step.emit:
                self._outbox.enqueue(
                    conn,
                    profile_events.watch_progressed(
                        user_id=user_id, video_id=video_id, progress=progress, occurred_at=datetime.now(UTC),
                        idempotency_key=request.idempotency_key,
                    ),
                )
            return profile_pb2.UpsertWatchProgressResponse(progress=progress, stats=_stats(stats))

        return self._in_transaction(work)

    def list_watch_history(
        self, caller: uuid.UUID, request: profile_pb2.ListWatchHistoryRequest
    ) -> profile_pb2.ListWatchHistoryResponse:
        """One page of the caller's watch history, most recently watched first."""
        user_id = rules.check_owner(caller, request.user_id)
        size = rules.page_size(request.page_size)
        after = self._position(request.page_token, "history", user_id, 2)

        def work(conn: psycopg.Connection) -> profile_pb2.ListWatchHistoryResponse:
            rows = repo.list_history(conn, user_id, after, size + 1)
            response = profile_pb2.ListWatchHistoryResponse()
            for row in rows[:size]:
                entry = response.items.add(video_id=str(row["video_id"]), progress=_progress(row))
                _fill_video(entry.video, row)
            if len(rows) > size:
                last = rows[size - 1]
                response.next_page_token = self._tokens.issue(
                    "history", user_id, [last["last_watched_at"].isoformat(), str(last["video_id"])]
                )
            return response

        return self._in_transaction(work)

    # -- purge ------------------------------------------------------------------------------------

    def purge_user_data(
        self, caller: uuid.UUID, request: profile_pb2.PurgeUserDataRequest
    ) -> profile_pb2.PurgeUserDataResponse:
        """Remove the caller's profile, favourites and history, and take them out of the counters.

        Done before answering, so the task id names a purge that has already completed. Each
        active like/bookmark removed emits ``profile.engagement.removed`` (source ``purge``), so
        consumers keeping their own counters stay right.
        """
        user_id = rules.check_owner(caller, request.user_id)

        def work(conn: psycopg.Connection) -> None:
            engagements, watch_logs = repo.purge_user(conn, user_id)
            now = datetime.now(UTC)
            for engagement in engagements:
                kind = engagement["engagement_type"]
                stats = repo.change_stats(conn, engagement["video_id"], **{_COUNTER[kind]: -1})
                self._outbox.enqueue(
                    conn,
                    profile_events.engagement_flipped(
                        added=False, user_id=user_id, video_id=engagement["video_id"],
                        favorite_type=FAVORITE_TYPES[kind], stats=_stats(stats), occurred_at=now,
                        source=profile_events.SOURCE_PURGE,
                    ),
                )
            for log in watch_logs:
                repo.change_stats(
                    conn, log["video_id"], watchers=-1 if log["last_emitted_ratio"] is not None else 0,
                    seconds=-int(log["total_watch_seconds"]),
                )

        self._in_transaction(work)
        return profile_pb2.PurgeUserDataResponse(purge_task_id=str(uuid.uuid4()))

    # -- helpers ----------------------------------------------------------------------------------

    def _position(self, token: str, kind: str, user_id: uuid.UUID, width: int) -> tuple | None:
        position = self._tokens.read(token, kind, user_id)
        if position is None:
            return None
        try:
            if len(position) != width:
                raise ValueError(position)
            return (datetime.fromisoformat(position[0]), uuid.UUID(position[1]), *position[2:])
        except (TypeError, ValueError) as exc:
            msg = "is not a token this service issued for this list; start again without page_token"
            raise rules.invalid(rules.PAGE_TOKEN_INVALID, FieldViolation("page_token", msg)) from exc


_COUNTER = {"like": "likes", "bookmark": "bookmarks"}


def _kind(favorite_type: int) -> str:
    if favorite_type not in KINDS:
        msg = f"must be FAVORITE_TYPE_LIKE or FAVORITE_TYPE_BOOKMARK, got {favorite_type}"
        raise rules.invalid(rules.REQUEST_INVALID, FieldViolation("favorite_type", msg))
    return KINDS[favorite_type]


def _check_progress(request: profile_pb2.UpsertWatchProgressRequest) -> None:
    progress = request.progress
    violations = []
    if not request.HasField("progress"):
        violations.append(FieldViolation("progress", "is required"))
    if progress.position_seconds < 0:
        violations.append(FieldViolation("progress.position_seconds", f"must be ≥ 0, got {progress.position_seconds}"))
    if not 0 <= progress.progress_ratio <= 1:
        violations.append(FieldViolation("progress.progress_ratio", f"must be within 0..1, got {progress.progress_ratio}"))
    if progress.total_watch_seconds < 0:
        msg = f"must be ≥ 0 (a cumulative total), got {progress.total_watch_seconds}"
        violations.append(FieldViolation("progress.total_watch_seconds", msg))
    if violations:
        raise rules.invalid(rules.REQUEST_INVALID, *violations)


def _expected_version(
    request: profile_pb2.UpdateProfileRequest | profile_pb2.UpdatePreferencesRequest, if_match: IfMatch | None
) -> int | None:
    if if_match is not None:
        return if_match.version
    if request.HasField("expected_profile_version"):
        return request.expected_profile_version.value
    return None


def _no_profile(user_id: uuid.UUID) -> NotFound:
    return NotFound(rules.PROFILE_NOT_FOUND, f"user {user_id} has no profile yet; create it with UpdateProfile")


def _version_conflict(
    user_id: uuid.UUID, expected: int, current: int | None, if_match: IfMatch | None
) -> Conflict | PreconditionFailed:
    now = "has no profile" if current is None else f"is at version {current}"
    if if_match is not None:
        message = f'If-Match "{expected}" does not match: the profile of {user_id} {now}; GET it and retry'
        return PreconditionFailed(rules.VERSION_CONFLICT, message)
    message = f"expected profile_version {expected}, but the profile of {user_id} {now}; read it and retry"
    return Conflict(rules.VERSION_CONFLICT, message)


def _present_profile_paths(profile: profile_pb2.Profile) -> set[str]:
    paths = {name for name in rules.PROFILE_FIELDS if getattr(profile, name)}
    if profile.HasField("preferences"):
        paths |= _present_preference_paths(profile.preferences)
    return paths


def _present_preference_paths(preferences: profile_pb2.Preferences) -> set[str]:
    paths = set()
    if preferences.learning_goal:
        paths.add("preferences.learning_goal")
    for name in ("daily_quota_minutes", "extra"):
        if preferences.HasField(name):
            paths.add(f"preferences.{name}")
    return paths


def _fields_of(profile: profile_pb2.Profile) -> rules.ProfileFields:
    return rules.ProfileFields(profile.display_name, profile.avatar_url, _preferences_of(profile.preferences))


def _preferences_of(preferences: profile_pb2.Preferences) -> dict[str, Any]:
    return {
        "learning_goal": preferences.learning_goal or None,
        "daily_quota_minutes": preferences.daily_quota_minutes.value if preferences.HasField("daily_quota_minutes") else None,
        "extra": json_format.MessageToDict(preferences.extra) if preferences.HasField("extra") else None,
    }


def _fields_of_row(row: repo.Row) -> rules.ProfileFields:
    return rules.ProfileFields(row["display_name"], row["avatar_url"] or "", {**rules.empty_preferences(), **row["preferences_json"]})


def _profile(row: repo.Row) -> profile_pb2.Profile:
    profile = profile_pb2.Profile(
        user_id=str(row["user_id"]), display_name=row["display_name"], avatar_url=row["avatar_url"] or "",
        profile_version=row["profile_version"],
    )
    preferences = row["preferences_json"] or {}
    profile.preferences.SetInParent()
    if preferences.get("learning_goal"):
        profile.preferences.learning_goal = preferences["learning_goal"]
    if preferences.get("daily_quota_minutes") is not None:
        profile.preferences.daily_quota_minutes.value = preferences["daily_quota_minutes"]
    if preferences.get("extra") is not None:
        profile.preferences.extra.CopyFrom(_struct(preferences["extra"]))
    profile.created_at.FromDatetime(row["created_at"])
    profile.updated_at.FromDatetime(row["updated_at"])
    return profile


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _state(active: dict[str, datetime]) -> profile_pb2.FavoriteState:
    state = profile_pb2.FavoriteState(has_liked="like" in active, has_bookmarked="bookmark" in active)
    if "like" in active:
        state.liked_at.FromDatetime(active["like"])
    if "bookmark" in active:
        state.bookmarked_at.FromDatetime(active["bookmark"])
    return state


def _stats(row: repo.Row | None) -> profile_pb2.VideoStats:
    stats = profile_pb2.VideoStats()
    if row is None:
        return stats
    stats.like_count = row["like_count"]
    stats.bookmark_count = row["bookmark_count"]
    stats.unique_watchers = row["unique_watchers"]
    stats.total_watch_seconds = row["total_watch_seconds"]
    stats.updated_at.FromDatetime(row["updated_at"])
    return stats


def _progress(row: repo.Row, session_id: str = "") -> profile_pb2.WatchProgress:
    progress = profile_pb2.WatchProgress(
        position_seconds=int(row["position_seconds"]), progress_ratio=float(Decimal(row["progress_ratio"])),
        total_watch_seconds=int(row["total_watch_seconds"]), session_id=session_id,
    )
    progress.first_watched_at.FromDatetime(row["first_watched_at"])
    progress.last_watched_at.FromDatetime(row["last_watched_at"])
    if row["expires_at"] is not None:
        progress.expires_at.FromDatetime(row["expires_at"])
    return progress


def _fill_video(video: profile_pb2.VideoMetadata, row: repo.Row) -> None:
    """Copy the joined projection columns (``p_*``) into ``video``; leave it unset without a row."""
    if row.get("p_video_id") is None:
        return
    video.video_id = str(row["p_video_id"])
    for name in ("title", "description", "thumbnail_url", "hls_master_playlist", "status", "visibility_status"):
        if row[f"p_{name}"] is not None:
            setattr(video, name, row[f"p_{name}"])
    if row["p_duration_micros"] is not None:
        video.duration_micros = row["p_duration_micros"]
    video.version = row["p_version"]
    if row["p_published_at"] is not None:
        video.published_at.FromDatetime(row["p_published_at"])
    video.updated_at.FromDatetime(row["p_updated_at"])
