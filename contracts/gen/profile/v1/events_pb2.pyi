import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from contracts.gen.profile.v1 import profile_pb2 as _profile_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EngagementAddedEvent(_message.Message):
    __slots__ = ("event_id", "user_id", "video_id", "favorite_type", "occurred_at", "source", "stats")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    user_id: str
    video_id: str
    favorite_type: _profile_pb2.FavoriteType
    occurred_at: _timestamp_pb2.Timestamp
    source: str
    stats: _profile_pb2.VideoStats
    def __init__(self, event_id: _Optional[str] = ..., user_id: _Optional[str] = ..., video_id: _Optional[str] = ..., favorite_type: _Optional[_Union[_profile_pb2.FavoriteType, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., stats: _Optional[_Union[_profile_pb2.VideoStats, _Mapping]] = ...) -> None: ...

class EngagementRemovedEvent(_message.Message):
    __slots__ = ("event_id", "user_id", "video_id", "favorite_type", "occurred_at", "deleted_at", "source", "stats")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    FAVORITE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    DELETED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    user_id: str
    video_id: str
    favorite_type: _profile_pb2.FavoriteType
    occurred_at: _timestamp_pb2.Timestamp
    deleted_at: _timestamp_pb2.Timestamp
    source: str
    stats: _profile_pb2.VideoStats
    def __init__(self, event_id: _Optional[str] = ..., user_id: _Optional[str] = ..., video_id: _Optional[str] = ..., favorite_type: _Optional[_Union[_profile_pb2.FavoriteType, str]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deleted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., stats: _Optional[_Union[_profile_pb2.VideoStats, _Mapping]] = ...) -> None: ...

class WatchProgressedEvent(_message.Message):
    __slots__ = ("event_id", "user_id", "video_id", "progress", "context")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    user_id: str
    video_id: str
    progress: _profile_pb2.WatchProgress
    context: _struct_pb2.Struct
    def __init__(self, event_id: _Optional[str] = ..., user_id: _Optional[str] = ..., video_id: _Optional[str] = ..., progress: _Optional[_Union[_profile_pb2.WatchProgress, _Mapping]] = ..., context: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
