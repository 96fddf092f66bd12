from contracts.gen.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class InitResumableUploadRequest(_message.Message):
    __slots__ = ("size_bytes", "content_type", "content_md5_hex", "duration_seconds", "title", "description")
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_MD5_HEX_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    size_bytes: int
    content_type: str
    content_md5_hex: str
    duration_seconds: int
    title: str
    description: str
    def __init__(self, size_bytes: _Optional[int] = ..., content_type: _Optional[str] = ..., content_md5_hex: _Optional[str] = ..., duration_seconds: _Optional[int] = ..., title: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class InitResumableUploadResponse(_message.Message):
    __slots__ = ("video_id", "resumable_init_url", "expires_at_unixms")
    VIDEO_ID_FIELD_NUMBER: _ClassVar[int]
    RESUMABLE_INIT_URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_UNIXMS_FIELD_NUMBER: _ClassVar[int]
    video_id: str
    resumable_init_url: str
    expires_at_unixms: int
    def __init__(self, video_id: _Optional[str] = ..., resumable_init_url: _Optional[str] = ..., expires_at_unixms: _Optional[int] = ...) -> None: ...
