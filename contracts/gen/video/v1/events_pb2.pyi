from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_CREATED: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_UPDATED: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_DELETED: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_MEDIA_READY: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_AI_ENRICHED: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_PROCESSING_FAILED: _ClassVar[EventType]
    EVENT_TYPE_VIDEO_VISIBILITY_CHANGED: _ClassVar[EventType]
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_VIDEO_CREATED: EventType
EVENT_TYPE_VIDEO_UPDATED: EventType
EVENT_TYPE_VIDEO_DELETED: EventType
EVENT_TYPE_VIDEO_MEDIA_READY: EventType
EVENT_TYPE_VIDEO_AI_ENRICHED: EventType
EVENT_TYPE_VIDEO_PROCESSING_FAILED: EventType
EVENT_TYPE_VIDEO_VISIBILITY_CHANGED: EventType

class Event(_message.Message):
    __slots__ = ("event_id", "event_type", "aggregate_id", "aggregate_type", "version", "occurred_at", "created", "updated", "deleted", "media_ready", "ai_enriched", "processing_failed", "visibility_changed")
    class VideoCreated(_message.Message):
        __slots__ = ("video_id", "uploader_id", "title", "description", "duration_micros", "published_at", "version", "occurred_at", "status", "media_status", "analysis_status")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        UPLOADER_ID_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
        PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
        ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        uploader_id: str
        title: str
        description: str
        duration_micros: int
        published_at: str
        version: int
        occurred_at: str
        status: str
        media_status: str
        analysis_status: str
        def __init__(self, video_id: _Optional[str] = ..., uploader_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., duration_micros: _Optional[int] = ..., published_at: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ...) -> None: ...
    class VideoUpdated(_message.Message):
        __slots__ = ("video_id", "version", "occurred_at", "title", "description", "duration_micros", "status", "media_status", "analysis_status", "thumbnail_url", "hls_master_playlist", "difficulty", "summary", "tags", "raw_subtitle_url", "published_at", "visibility_status")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
        ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
        THUMBNAIL_URL_FIELD_NUMBER: _ClassVar[int]
        HLS_MASTER_PLAYLIST_FIELD_NUMBER: _ClassVar[int]
        DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
        SUMMARY_FIELD_NUMBER: _ClassVar[int]
        TAGS_FIELD_NUMBER: _ClassVar[int]
        RAW_SUBTITLE_URL_FIELD_NUMBER: _ClassVar[int]
        PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
        VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        version: int
        occurred_at: str
        title: str
        description: str
        duration_micros: int
        status: str
        media_status: str
        analysis_status: str
        thumbnail_url: str
        hls_master_playlist: str
        difficulty: str
        summary: str
        tags: _containers.RepeatedScalarFieldContainer[str]
        raw_subtitle_url: str
        published_at: str
        visibility_status: str
        def __init__(self, video_id: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., duration_micros: _Optional[int] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., thumbnail_url: _Optional[str] = ..., hls_master_playlist: _Optional[str] = ..., difficulty: _Optional[str] = ..., summary: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., raw_subtitle_url: _Optional[str] = ..., published_at: _Optional[str] = ..., visibility_status: _Optional[str] = ...) -> None: ...
    class VideoDeleted(_message.Message):
        __slots__ = ("video_id", "version", "deleted_at", "occurred_at", "reason")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        DELETED_AT_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        REASON_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        version: int
        deleted_at: str
        occurred_at: str
        reason: str
        def __init__(self, video_id: _Optional[str] = ..., version: _Optional[int] = ..., deleted_at: _Optional[str] = ..., occurred_at: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
    class VideoMediaReady(_message.Message):
        __slots__ = ("video_id", "version", "occurred_at", "status", "media_status", "duration_micros", "encoded_resolution", "encoded_bitrate", "thumbnail_url", "hls_master_playlist", "job_id", "emitted_at", "analysis_status")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
        DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
        ENCODED_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
        ENCODED_BITRATE_FIELD_NUMBER: _ClassVar[int]
        THUMBNAIL_URL_FIELD_NUMBER: _ClassVar[int]
        HLS_MASTER_PLAYLIST_FIELD_NUMBER: _ClassVar[int]
        JOB_ID_FIELD_NUMBER: _ClassVar[int]
        EMITTED_AT_FIELD_NUMBER: _ClassVar[int]
        ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        version: int
        occurred_at: str
        status: str
        media_status: str
        duration_micros: int
        encoded_resolution: str
        encoded_bitrate: int
        thumbnail_url: str
        hls_master_playlist: str
        job_id: str
        emitted_at: str
        analysis_status: str
        def __init__(self, video_id: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., duration_micros: _Optional[int] = ..., encoded_resolution: _Optional[str] = ..., encoded_bitrate: _Optional[int] = ..., thumbnail_url: _Optional[str] = ..., hls_master_playlist: _Optional[str] = ..., job_id: _Optional[str] = ..., emitted_at: _Optional[str] = ..., analysis_status: _Optional[str] = ...) -> None: ...
    class VideoAIEnriched(_message.Message):
        __slots__ = ("video_id", "version", "occurred_at", "status", "analysis_status", "difficulty", "summary", "tags", "raw_subtitle_url", "job_id", "emitted_at", "error_message", "media_status")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
        DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
        SUMMARY_FIELD_NUMBER: _ClassVar[int]
        TAGS_FIELD_NUMBER: _ClassVar[int]
        RAW_SUBTITLE_URL_FIELD_NUMBER: _ClassVar[int]
        JOB_ID_FIELD_NUMBER: _ClassVar[int]
        EMITTED_AT_FIELD_NUMBER: _ClassVar[int]
        ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
        MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        version: int
        occurred_at: str
        status: str
        analysis_status: str
        difficulty: str
        summary: str
        tags: _containers.RepeatedScalarFieldContainer[str]
        raw_subtitle_url: str
        job_id: str
        emitted_at: str
        error_message: str
        media_status: str
        def __init__(self, video_id: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., difficulty: _Optional[str] = ..., summary: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., raw_subtitle_url: _Optional[str] = ..., job_id: _Optional[str] = ..., emitted_at: _Optional[str] = ..., error_message: _Optional[str] = ..., media_status: _Optional[str] = ...) -> None: ...
    class VideoProcessingFailed(_message.Message):
        __slots__ = ("video_id", "version", "occurred_at", "failed_stage", "error_message", "job_id", "emitted_at", "status", "media_status", "analysis_status")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        FAILED_STAGE_FIELD_NUMBER: _ClassVar[int]
        ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
        JOB_ID_FIELD_NUMBER: _ClassVar[int]
        EMITTED_AT_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
        ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        version: int
        occurred_at: str
        failed_stage: str
        error_message: str
        job_id: str
        emitted_at: str
        status: str
        media_status: str
        analysis_status: str
        def __init__(self, video_id: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., failed_stage: _Optional[str] = ..., error_message: _Optional[str] = ..., job_id: _Optional[str] = ..., emitted_at: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ...) -> None: ...
    class VideoVisibilityChanged(_message.Message):
        __slots__ = ("video_id", "version", "occurred_at", "status", "previous_status", "published_at", "reason", "visibility_status")
        VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
        VERSION_FIELD_NUMBER: _ClassVar[int]
        OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
        PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
        REASON_FIELD_NUMBER: _ClassVar[int]
        VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
        video_id: str
        version: int
        occurred_at: str
        status: str
        previous_status: str
        published_at: str
        reason: str
        visibility_status: str
        def __init__(self, video_id: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., status: _Optional[str] = ..., previous_status: _Optional[str] = ..., published_at: _Optional[str] = ..., reason: _Optional[str] = ..., visibility_status: _Optional[str] = ...) -> None: ...
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_ID_FIELD_NUMBER: _ClassVar[int]
    AGGREGATE_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    MEDIA_READY_FIELD_NUMBER: _ClassVar[int]
    AI_ENRICHED_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_FAILED_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_CHANGED_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: EventType
    aggregate_id: str
    aggregate_type: str
    version: int
    occurred_at: str
    created: Event.VideoCreated
    updated: Event.VideoUpdated
    deleted: Event.VideoDeleted
    media_ready: Event.VideoMediaReady
    ai_enriched: Event.VideoAIEnriched
    processing_failed: Event.VideoProcessingFailed
    visibility_changed: Event.VideoVisibilityChanged
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[_Union[EventType, str]] = ..., aggregate_id: _Optional[str] = ..., aggregate_type: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., created: _Optional[_Union[Event.VideoCreated, _Mapping]] = ..., updated: _Optional[_Union[Event.VideoUpdated, _Mapping]] = ..., deleted: _Optional[_Union[Event.VideoDeleted, _Mapping]] = ..., media_ready: _Optional[_Union[Event.VideoMediaReady, _Mapping]] = ..., ai_enriched: _Optional[_Union[Event.VideoAIEnriched, _Mapping]] = ..., processing_failed: _Optional[_Union[Event.VideoProcessingFailed, _Mapping]] = ..., visibility_changed: _Optional[_Union[Event.VideoVisibilityChanged, _Mapping]] = ...) -> None: ...
