from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_ID_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_QUERY_VIDEO_FAILED: _ClassVar[ErrorReason]
    ERROR_REASON_QUERY_TIMEOUT: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_UPDATE_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_VIDEO_DELETE_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_ALREADY_COMPLETED: _ClassVar[ErrorReason]
    ERROR_REASON_UNAUTHENTICATED: _ClassVar[ErrorReason]
    ERROR_REASON_PERMISSION_DENIED: _ClassVar[ErrorReason]
    ERROR_REASON_PAGE_TOKEN_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_STATUS_TRANSITION_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_IDEMPOTENCY_KEY_REUSED: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_MODIFIED: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_VIDEO_NOT_FOUND: ErrorReason
ERROR_REASON_VIDEO_ID_INVALID: ErrorReason
ERROR_REASON_QUERY_VIDEO_FAILED: ErrorReason
ERROR_REASON_QUERY_TIMEOUT: ErrorReason
ERROR_REASON_VIDEO_UPDATE_INVALID: ErrorReason
ERROR_REASON_VIDEO_DELETE_INVALID: ErrorReason
ERROR_REASON_UPLOAD_INVALID: ErrorReason
ERROR_REASON_UPLOAD_ALREADY_COMPLETED: ErrorReason
ERROR_REASON_UNAUTHENTICATED: ErrorReason
ERROR_REASON_PERMISSION_DENIED: ErrorReason
ERROR_REASON_PAGE_TOKEN_INVALID: ErrorReason
ERROR_REASON_STATUS_TRANSITION_INVALID: ErrorReason
ERROR_REASON_IDEMPOTENCY_KEY_REUSED: ErrorReason
ERROR_REASON_NOT_MODIFIED: ErrorReason
