from contracts.gen.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetVideoMetadataRequest(_message.Message):
    __slots__ = ("video_id",)
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    def __init__(self, video_id: _Optional[str] = ...) -> None: ...

class GetVideoMetadataResponse(_message.Message):
    __slots__ = ("metadata",)
    METADATA_FIELD_NUMBER: _ClassVar[int]
    metadata: VideoMetadata
    def __init__(self, metadata: _Optional[_Union[VideoMetadata, _Mapping]] = ...) -> None: ...

class GetVideoDetailRequest(_message.Message):
    __slots__ = ("video_id",)
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    def __init__(self, video_id: _Optional[str] = ...) -> None: ...

class GetVideoDetailResponse(_message.Message):
    __slots__ = ("detail", "metadata")
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    detail: VideoDetail
    metadata: VideoMetadata
    def __init__(self, detail: _Optional[_Union[VideoDetail, _Mapping]] = ..., metadata: _Optional[_Union[VideoMetadata, _Mapping]] = ...) -> None: ...

class ListUserPublicVideosRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "user_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    user_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class ListUserPublicVideosResponse(_message.Message):
    __slots__ = ("videos", "next_page_token")
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    videos: _containers.RepeatedCompositeFieldContainer[VideoListItem]
    next_page_token: str
    def __init__(self, videos: _Optional[_Iterable[_Union[VideoListItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListMyUploadsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status_filter", "stage_filter")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FILTER_FIELD_NUMBER: _ClassVar[int]
    STAGE_FILTER_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status_filter: _containers.RepeatedScalarFieldContainer[str]
    stage_filter: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status_filter: _Optional[_Iterable[str]] = ..., stage_filter: _Optional[_Iterable[str]] = ...) -> None: ...

class ListMyUploadsResponse(_message.Message):
    __slots__ = ("videos", "next_page_token")
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    videos: _containers.RepeatedCompositeFieldContainer[MyUploadListItem]
    next_page_token: str
    def __init__(self, videos: _Optional[_Iterable[_Union[MyUploadListItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class VideoDetail(_message.Message):
    __slots__ = ("video_id", "title", "status", "media_status", "analysis_status", "created_at", "updated_at", "has_liked", "has_bookmarked", "has_watched", "like_count", "bookmark_count", "watch_count", "unique_watchers")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    HAS_LIKED_FIELD_NUMBER: _ClassVar[int]
    HAS_BOOKMARKED_FIELD_NUMBER: _ClassVar[int]
    HAS_WATCHED_FIELD_NUMBER: _ClassVar[int]
    LIKE_COUNT_FIELD_NUMBER: _ClassVar[int]
    BOOKMARK_COUNT_FIELD_NUMBER: _ClassVar[int]
    WATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_WATCHERS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    title: str
    status: str
    media_status: str
    analysis_status: str
    created_at: str
    updated_at: str
    has_liked: bool
    has_bookmarked: bool
    has_watched: bool
    like_count: int
    bookmark_count: int
    watch_count: int
    unique_watchers: int
    def __init__(self, video_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., has_liked: _Optional[bool] = ..., has_bookmarked: _Optional[bool] = ..., has_watched: _Optional[bool] = ..., like_count: _Optional[int] = ..., bookmark_count: _Optional[int] = ..., watch_count: _Optional[int] = ..., unique_watchers: _Optional[int] = ...) -> None: ...

class VideoMetadata(_message.Message):
    __slots__ = ("status", "media_status", "analysis_status", "duration_micros", "encoded_resolution", "encoded_bitrate", "thumbnail_url", "hls_master_playlist", "difficulty", "summary", "tags", "raw_subtitle_url", "updated_at", "version", "like_count", "bookmark_count", "watch_count", "raw_file_reference", "visibility_status", "published_at")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
    ENCODED_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    ENCODED_BITRATE_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_URL_FIELD_NUMBER: _ClassVar[int]
    HLS_MASTER_PLAYLIST_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    RAW_SUBTITLE_URL_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LIKE_COUNT_FIELD_NUMBER: _ClassVar[int]
    BOOKMARK_COUNT_FIELD_NUMBER: _ClassVar[int]
    WATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    RAW_FILE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    status: str
    media_status: str
    analysis_status: str
    duration_micros: int
    encoded_resolution: str
    encoded_bitrate: int
    thumbnail_url: str
    hls_master_playlist: str
    difficulty: str
    summary: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    raw_subtitle_url: str
    updated_at: str
    version: int
    like_count: int
    bookmark_count: int
    watch_count: int
    raw_file_reference: str
    visibility_status: str
    published_at: str
    def __init__(self, status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., duration_micros: _Optional[int] = ..., encoded_resolution: _Optional[str] = ..., encoded_bitrate: _Optional[int] = ..., thumbnail_url: _Optional[str] = ..., hls_master_playlist: _Optional[str] = ..., difficulty: _Optional[str] = ..., summary: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., raw_subtitle_url: _Optional[str] = ..., updated_at: _Optional[str] = ..., version: _Optional[int] = ..., like_count: _Optional[int] = ..., bookmark_count: _Optional[int] = ..., watch_count: _Optional[int] = ..., raw_file_reference: _Optional[str] = ..., visibility_status: _Optional[str] = ..., published_at: _Optional[str] = ...) -> None: ...

class VideoListItem(_message.Message):
    __slots__ = ("video_id", "title", "status", "media_status", "analysis_status", "created_at", "updated_at", "uploader_id", "visibility_status")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPLOADER_ID_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    title: str
    status: str
    media_status: str
    analysis_status: str
    created_at: str
    updated_at: str
    uploader_id: str
    visibility_status: str
    def __init__(self, video_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., uploader_id: _Optional[str] = ..., visibility_status: _Optional[str] = ...) -> None: ...

class MyUploadListItem(_message.Message):
    __slots__ = ("video_id", "title", "status", "media_status", "analysis_status", "version", "created_at", "updated_at", "upload_status", "upload_error_code", "visibility_status")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_STATUS_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    title: str
    status: str
    media_status: str
    analysis_status: str
    version: int
    created_at: str
    updated_at: str
    upload_status: str
    upload_error_code: str
    visibility_status: str
    def __init__(self, video_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., version: _Optional[int] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., upload_status: _Optional[str] = ..., upload_error_code: _Optional[str] = ..., visibility_status: _Optional[str] = ...) -> None: ...
