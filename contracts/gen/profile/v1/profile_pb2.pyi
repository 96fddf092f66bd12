import datetime

from contracts.gen.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FavoriteAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FAVORITE_ACTION_UNSPECIFIED: _ClassVar[FavoriteAction]
    FAVORITE_ACTION_ADD: _ClassVar[FavoriteAction]
    FAVORITE_ACTION_REMOVE: _ClassVar[FavoriteAction]

class FavoriteType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FAVORITE_TYPE_UNSPECIFIED: _ClassVar[FavoriteType]
    FAVORITE_TYPE_LIKE: _ClassVar[FavoriteType]
    FAVORITE_TYPE_BOOKMARK: _ClassVar[FavoriteType]
FAVORITE_ACTION_UNSPECIFIED: FavoriteAction
FAVORITE_ACTION_ADD: FavoriteAction
FAVORITE_ACTION_REMOVE: FavoriteAction
FAVORITE_TYPE_UNSPECIFIED: FavoriteType
FAVORITE_TYPE_LIKE: FavoriteType
FAVORITE_TYPE_BOOKMARK: FavoriteType

class GetProfileRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class GetProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: Profile
    def __init__(self, profile: _Optional[_Union[Profile, _Mapping]] = ...) -> None: ...

class UpdateProfileRequest(_message.Message):
    __slots__ = ("user_id", "profile", "update_mask", "expected_profile_version", "idempotency_key")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_PROFILE_VERSION_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    profile: Profile
    update_mask: _field_mask_pb2.FieldMask
    expected_profile_version: _wrappers_pb2.Int64Value
    idempotency_key: str
    def __init__(self, user_id: _Optional[str] = ..., profile: _Optional[_Union[Profile, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_profile_version: _Optional[_Union[_wrappers_pb2.Int64Value, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class UpdateProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: Profile
    def __init__(self, profile: _Optional[_Union[Profile, _Mapping]] = ...) -> None: ...

class UpdatePreferencesRequest(_message.Message):
    __slots__ = ("user_id", "preferences", "update_mask", "expected_profile_version", "idempotency_key")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_PROFILE_VERSION_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    preferences: Preferences
    update_mask: _field_mask_pb2.FieldMask
    expected_profile_version: _wrappers_pb2.Int64Value
    idempotency_key: str
    def __init__(self, user_id: _Optional[str] = ..., preferences: _Optional[_Union[Preferences, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_profile_version: _Optional[_Union[_wrappers_pb2.Int64Value, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class UpdatePreferencesResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: Profile
    def __init__(self, profile: _Optional[_Union[Profile, _Mapping]] = ...) -> None: ...

class MutateFavoriteRequest(_message.Message):
    __slots__ = ("user_id", "video_id", "favorite_type", "action", "idempotency_key", "occurred_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_TYPE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    video_id: str
    favorite_type: FavoriteType
    action: FavoriteAction
    idempotency_key: str
    occurred_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., video_id: _Optional[str] = ..., favorite_type: _Optional[_Union[FavoriteType, str]] = ..., action: _Optional[_Union[FavoriteAction, str]] = ..., idempotency_key: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MutateFavoriteResponse(_message.Message):
    __slots__ = ("state", "stats")
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    state: FavoriteState
    stats: VideoStats
    def __init__(self, state: _Optional[_Union[FavoriteState, _Mapping]] = ..., stats: _Optional[_Union[VideoStats, _Mapping]] = ...) -> None: ...

class BatchQueryFavoriteRequest(_message.Message):
    __slots__ = ("user_id", "video_ids", "include_stats")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_IDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_STATS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    video_ids: _containers.RepeatedScalarFieldContainer[str]
    include_stats: bool
    def __init__(self, user_id: _Optional[str] = ..., video_ids: _Optional[_Iterable[str]] = ..., include_stats: _Optional[bool] = ...) -> None: ...

class BatchQueryFavoriteResponse(_message.Message):
    __slots__ = ("summaries",)
    SUMMARIES_FIELD_NUMBER: _ClassVar[int]
    summaries: _containers.RepeatedCompositeFieldContainer[FavoriteSummary]
    def __init__(self, summaries: _Optional[_Iterable[_Union[FavoriteSummary, _Mapping]]] = ...) -> None: ...

class ListFavoritesRequest(_message.Message):
    __slots__ = ("user_id", "page_size", "page_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    page_size: int
    page_token: str
    def __init__(self, user_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFavoritesResponse(_message.Message):
    __slots__ = ("favorites", "next_page_token")
    FAVORITES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    favorites: _containers.RepeatedCompositeFieldContainer[FavoriteItem]
    next_page_token: str
    def __init__(self, favorites: _Optional[_Iterable[_Union[FavoriteItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpsertWatchProgressRequest(_message.Message):
    __slots__ = ("user_id", "video_id", "progress", "idempotency_key")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    video_id: str
    progress: WatchProgress
    idempotency_key: str
    def __init__(self, user_id: _Optional[str] = ..., video_id: _Optional[str] = ..., progress: _Optional[_Union[WatchProgress, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class UpsertWatchProgressResponse(_message.Message):
    __slots__ = ("progress", "stats")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    progress: WatchProgress
    stats: VideoStats
    def __init__(self, progress: _Optional[_Union[WatchProgress, _Mapping]] = ..., stats: _Optional[_Union[VideoStats, _Mapping]] = ...) -> None: ...

class ListWatchHistoryRequest(_message.Message):
    __slots__ = ("user_id", "page_size", "page_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    page_size: int
    page_token: str
    def __init__(self, user_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWatchHistoryResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[WatchHistoryEntry]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[WatchHistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PurgeUserDataRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class PurgeUserDataResponse(_message.Message):
    __slots__ = ("purge_task_id",)
    PURGE_TASK_ID_FIELD_NUMBER: _ClassVar[int]
    purge_task_id: str
    def __init__(self, purge_task_id: _Optional[str] = ...) -> None: ...

class Profile(_message.Message):
    __slots__ = ("user_id", "display_name", "avatar_url", "profile_version", "preferences", "created_at", "updated_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    AVATAR_URL_FIELD_NUMBER: _ClassVar[int]
    PROFILE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PREFERENCES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    display_name: str
    avatar_url: str
    profile_version: int
    preferences: Preferences
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., display_name: _Optional[str] = ..., avatar_url: _Optional[str] = ..., profile_version: _Optional[int] = ..., preferences: _Optional[_Union[Preferences, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Preferences(_message.Message):
    __slots__ = ("learning_goal", "daily_quota_minutes", "extra")
    LEARNING_GOAL_FIELD_NUMBER: _ClassVar[int]
    DAILY_QUOTA_MINUTES_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    learning_goal: str
    daily_quota_minutes: _wrappers_pb2.Int32Value
    extra: _struct_pb2.Struct
    def __init__(self, learning_goal: _Optional[str] = ..., daily_quota_minutes: _Optional[_Union[_wrappers_pb2.Int32Value, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class FavoriteState(_message.Message):
    __slots__ = ("has_liked", "has_bookmarked", "liked_at", "bookmarked_at")
    HAS_LIKED_FIELD_NUMBER: _ClassVar[int]
    HAS_BOOKMARKED_FIELD_NUMBER: _ClassVar[int]
    LIKED_AT_FIELD_NUMBER: _ClassVar[int]
    BOOKMARKED_AT_FIELD_NUMBER: _ClassVar[int]
    has_liked: bool
    has_bookmarked: bool
    liked_at: _timestamp_pb2.Timestamp
    bookmarked_at: _timestamp_pb2.Timestamp
    def __init__(self, has_liked: _Optional[bool] = ..., has_bookmarked: _Optional[bool] = ..., liked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bookmarked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FavoriteItem(_message.Message):
    __slots__ = ("video_id", "favorite_type", "state", "video", "created_at", "updated_at")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    favorite_type: FavoriteType
    state: FavoriteState
    video: VideoMetadata
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, video_id: _Optional[str] = ..., favorite_type: _Optional[_Union[FavoriteType, str]] = ..., state: _Optional[_Union[FavoriteState, _Mapping]] = ..., video: _Optional[_Union[VideoMetadata, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FavoriteSummary(_message.Message):
    __slots__ = ("video_id", "state", "stats")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    state: FavoriteState
    stats: VideoStats
    def __init__(self, video_id: _Optional[str] = ..., state: _Optional[_Union[FavoriteState, _Mapping]] = ..., stats: _Optional[_Union[VideoStats, _Mapping]] = ...) -> None: ...

class WatchProgress(_message.Message):
    __slots__ = ("position_seconds", "progress_ratio", "total_watch_seconds", "first_watched_at", "last_watched_at", "expires_at", "session_id")
    POSITION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_RATIO_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WATCH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FIRST_WATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_WATCHED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    position_seconds: int
    progress_ratio: float
    total_watch_seconds: int
    first_watched_at: _timestamp_pb2.Timestamp
    last_watched_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    session_id: str
    def __init__(self, position_seconds: _Optional[int] = ..., progress_ratio: _Optional[float] = ..., total_watch_seconds: _Optional[int] = ..., first_watched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_watched_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., session_id: _Optional[str] = ...) -> None: ...

class WatchHistoryEntry(_message.Message):
    __slots__ = ("video_id", "progress", "video")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    VIDEO_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    progress: WatchProgress
    video: VideoMetadata
    def __init__(self, video_id: _Optional[str] = ..., progress: _Optional[_Union[WatchProgress, _Mapping]] = ..., video: _Optional[_Union[VideoMetadata, _Mapping]] = ...) -> None: ...

class VideoMetadata(_message.Message):
    __slots__ = ("video_id", "title", "description", "duration_micros", "thumbnail_url", "hls_master_playlist", "status", "visibility_status", "published_at", "version", "updated_at")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_URL_FIELD_NUMBER: _ClassVar[int]
    HLS_MASTER_PLAYLIST_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    title: str
    description: str
    duration_micros: int
    thumbnail_url: str
    hls_master_playlist: str
    status: str
    visibility_status: str
    published_at: _timestamp_pb2.Timestamp
    version: int
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, video_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., duration_micros: _Optional[int] = ..., thumbnail_url: _Optional[str] = ..., hls_master_playlist: _Optional[str] = ..., status: _Optional[str] = ..., visibility_status: _Optional[str] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VideoStats(_message.Message):
    __slots__ = ("like_count", "bookmark_count", "unique_watchers", "total_watch_seconds", "updated_at")
    LIKE_COUNT_FIELD_NUMBER: _ClassVar[int]
    BOOKMARK_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_WATCHERS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WATCH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    like_count: int
    bookmark_count: int
    unique_watchers: int
    total_watch_seconds: int
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, like_count: _Optional[int] = ..., bookmark_count: _Optional[int] = ..., unique_watchers: _Optional[int] = ..., total_watch_seconds: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
