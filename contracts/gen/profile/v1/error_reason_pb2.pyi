from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_PROFILE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_PROFILE_VERSION_CONFLICT: _ClassVar[ErrorReason]
    ERROR_REASON_PROFILE_REQUEST_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_PAGE_TOKEN_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_USER_INFO_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_USER_INFO_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_DATA_OWNER: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_PROFILE_NOT_FOUND: ErrorReason
ERROR_REASON_PROFILE_VERSION_CONFLICT: ErrorReason
ERROR_REASON_PROFILE_REQUEST_INVALID: ErrorReason
ERROR_REASON_PAGE_TOKEN_INVALID: ErrorReason
ERROR_REASON_USER_INFO_MISSING: ErrorReason
ERROR_REASON_USER_INFO_INVALID: ErrorReason
ERROR_REASON_NOT_DATA_OWNER: ErrorReason
