from contracts.gen.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProcessingStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROCESSING_STAGE_UNSPECIFIED: _ClassVar[ProcessingStage]
    PROCESSING_STAGE_MEDIA: _ClassVar[ProcessingStage]
    PROCESSING_STAGE_ANALYSIS: _ClassVar[ProcessingStage]
PROCESSING_STAGE_UNSPECIFIED: ProcessingStage
PROCESSING_STAGE_MEDIA: ProcessingStage
PROCESSING_STAGE_ANALYSIS: ProcessingStage

class RegisterUploadRequest(_message.Message):
    __slots__ = ("upload_user_id", "title", "description", "raw_file_reference")
    UPLOAD_USER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RAW_FILE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    upload_user_id: str
    title: str
    description: str
    raw_file_reference: str
    def __init__(self, upload_user_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., raw_file_reference: _Optional[str] = ...) -> None: ...

class RegisterUploadResponse(_message.Message):
    __slots__ = ("video_id", "status", "media_status", "analysis_status", "created_at", "event_id", "version", "occurred_at", "visibility_status")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    status: str
    media_status: str
    analysis_status: str
    created_at: str
    event_id: str
    version: int
    occurred_at: str
    visibility_status: str
    def __init__(self, video_id: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., created_at: _Optional[str] = ..., event_id: _Optional[str] = ..., version: _Optional[int] = ..., occurred_at: _Optional[str] = ..., visibility_status: _Optional[str] = ...) -> None: ...

class UpdateOriginalMediaRequest(_message.Message):
    __slots__ = ("video_id", "raw_file_size", "raw_resolution", "raw_bitrate", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    RAW_FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    RAW_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    RAW_BITRATE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    raw_file_size: int
    raw_resolution: str
    raw_bitrate: int
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., raw_file_size: _Optional[int] = ..., raw_resolution: _Optional[str] = ..., raw_bitrate: _Optional[int] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateOriginalMediaResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class UpdateProcessingStatusRequest(_message.Message):
    __slots__ = ("video_id", "stage", "expected_status", "new_status", "job_id", "emitted_at", "error_message", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    EMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    stage: ProcessingStage
    expected_status: str
    new_status: str
    job_id: str
    emitted_at: str
    error_message: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., stage: _Optional[_Union[ProcessingStage, str]] = ..., expected_status: _Optional[str] = ..., new_status: _Optional[str] = ..., job_id: _Optional[str] = ..., emitted_at: _Optional[str] = ..., error_message: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateProcessingStatusResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class UpdateMediaInfoRequest(_message.Message):
    __slots__ = ("video_id", "duration_micros", "encoded_resolution", "encoded_bitrate", "thumbnail_url", "hls_master_playlist", "media_status", "job_id", "emitted_at", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_MICROS_FIELD_NUMBER: _ClassVar[int]
    ENCODED_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    ENCODED_BITRATE_FIELD_NUMBER: _ClassVar[int]
    THUMBNAIL_URL_FIELD_NUMBER: _ClassVar[int]
    HLS_MASTER_PLAYLIST_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    EMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    duration_micros: int
    encoded_resolution: str
    encoded_bitrate: int
    thumbnail_url: str
    hls_master_playlist: str
    media_status: str
    job_id: str
    emitted_at: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., duration_micros: _Optional[int] = ..., encoded_resolution: _Optional[str] = ..., encoded_bitrate: _Optional[int] = ..., thumbnail_url: _Optional[str] = ..., hls_master_playlist: _Optional[str] = ..., media_status: _Optional[str] = ..., job_id: _Optional[str] = ..., emitted_at: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateMediaInfoResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class UpdateAIAttributesRequest(_message.Message):
    __slots__ = ("video_id", "difficulty", "summary", "tags", "raw_subtitle_url", "error_message", "analysis_status", "job_id", "emitted_at", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    RAW_SUBTITLE_URL_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    EMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    difficulty: str
    summary: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    raw_subtitle_url: str
    error_message: str
    analysis_status: str
    job_id: str
    emitted_at: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., difficulty: _Optional[str] = ..., summary: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., raw_subtitle_url: _Optional[str] = ..., error_message: _Optional[str] = ..., analysis_status: _Optional[str] = ..., job_id: _Optional[str] = ..., emitted_at: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateAIAttributesResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class ArchiveVideoRequest(_message.Message):
    __slots__ = ("video_id", "reason", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    reason: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ArchiveVideoResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class PublishVideoRequest(_message.Message):
    __slots__ = ("video_id", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class PublishVideoResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class RejectVideoRequest(_message.Message):
    __slots__ = ("video_id", "reason", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    reason: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RejectVideoResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class OverrideVisibilityRequest(_message.Message):
    __slots__ = ("video_id", "visibility_status", "reason", "expected_version")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    visibility_status: str
    reason: str
    expected_version: int
    def __init__(self, video_id: _Optional[str] = ..., visibility_status: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class OverrideVisibilityResponse(_message.Message):
    __slots__ = ("revision",)
    REVISION_FIELD_NUMBER: _ClassVar[int]
    revision: VideoRevision
    def __init__(self, revision: _Optional[_Union[VideoRevision, _Mapping]] = ...) -> None: ...

class VideoRevision(_message.Message):
    __slots__ = ("video_id", "status", "media_status", "analysis_status", "version", "updated_at", "event_id", "occurred_at", "visibility_status")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_STATUS_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_STATUS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    status: str
    media_status: str
    analysis_status: str
    version: int
    updated_at: str
    event_id: str
    occurred_at: str
    visibility_status: str
    def __init__(self, video_id: _Optional[str] = ..., status: _Optional[str] = ..., media_status: _Optional[str] = ..., analysis_status: _Optional[str] = ..., version: _Optional[int] = ..., updated_at: _Optional[str] = ..., event_id: _Optional[str] = ..., occurred_at: _Optional[str] = ..., visibility_status: _Optional[str] = ...) -> None: ...
