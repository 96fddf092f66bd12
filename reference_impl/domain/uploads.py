"""Upload rules that are business policy rather than message shape (seed 004, upstream.md §1.1).

Shape rules (md5 is 32 hex characters, duration 1..300 s, non-empty title …) live in the proto
contract and are enforced from there; this module holds what depends on configuration.
"""

from __future__ import annotations

from reference_impl.domain.errors import FieldViolation, InvalidArgument

UPLOAD_INVALID = "ERROR_REASON_UPLOAD_INVALID"
UPLOAD_ALREADY_COMPLETED = "ERROR_REASON_UPLOAD_ALREADY_COMPLETED"


def check_upload_policy(
    *, content_type: str, size_bytes: int, allowed_content_types: frozenset[str], max_upload_bytes: int
) -> None:
    """Raise ``InvalidArgument`` when the declared file is not one the platform accepts."""
    violations = []
    if content_type.strip().lower() not in allowed_content_types:
        violations.append(
            FieldViolation("content_type", f"must be one of {sorted(allowed_content_types)}, got {content_type!r}")
        )
    if size_bytes > max_upload_bytes:
        violations.append(FieldViolation("size_bytes", f"must be at most {max_upload_bytes} bytes, got {size_bytes}"))
    if violations:
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
        raise InvalidArgument(UPLOAD_INVALID, f"invalid request: {summary}", tuple(violations))
