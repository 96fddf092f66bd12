"""Profile rules with no I/O (seed 003 §5): ownership, field masks, the 5 % watch rule, page tokens.

The service layer asks these functions what a change means; the adapters only store the answer.
Reasons are ``profile.v1.ErrorReason`` names (contracts/proto/profile/v1/error_reason.proto).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reference_impl.domain.errors import FieldViolation, InvalidArgument, PermissionDenied

PROFILE_NOT_FOUND = "ERROR_REASON_PROFILE_NOT_FOUND"
VERSION_CONFLICT = "ERROR_REASON_PROFILE_VERSION_CONFLICT"
REQUEST_INVALID = "ERROR_REASON_PROFILE_REQUEST_INVALID"
PAGE_TOKEN_INVALID = "ERROR_REASON_PAGE_TOKEN_INVALID"
USER_INFO_MISSING = "ERROR_REASON_USER_INFO_MISSING"
USER_INFO_INVALID = "ERROR_REASON_USER_INFO_INVALID"
NOT_DATA_OWNER = "ERROR_REASON_NOT_DATA_OWNER"

#: Progress at which a user counts as a watcher, and the gain over the last emitted progress that
#: makes the next ``profile.watch.progressed`` due (seed 003 §5.1, §10.3).
WATCH_THRESHOLD = Decimal("0.05")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_BATCH_VIDEOS = 100

#: Limits of ``preferences.extra`` (a free-form Struct): its JSON size, top-level members, nesting.
MAX_EXTRA_BYTES = 16384
MAX_EXTRA_MEMBERS = 64
MAX_EXTRA_DEPTH = 8

PROFILE_FIELDS = ("display_name", "avatar_url")
PREFERENCE_FIELDS = ("learning_goal", "daily_quota_minutes", "extra")


def invalid(reason: str, *violations: FieldViolation) -> InvalidArgument:
    """An ``InvalidArgument`` whose message lists every violation."""
    summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
    return InvalidArgument(reason, f"invalid request: {summary}", tuple(violations))


def check_owner(caller: uuid.UUID, requested_user_id: str) -> uuid.UUID:
    """The user whose data a request addresses: the caller, whether named or implied.

    Raises:
        PermissionDenied: the request names someone else (upstream silently lets it win).
    """
    if requested_user_id and requested_user_id != str(caller):
        msg = (
            f"user_id {requested_user_id[:80]!r} is not the caller ({caller}); a user acts only on their own data: "
            "leave user_id empty or send the caller's own id"
        )
        raise PermissionDenied(NOT_DATA_OWNER, msg)
    return caller


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """``value`` as a UUID in canonical lower-case form, or ``InvalidArgument`` naming ``field``."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        parsed = None
    if parsed is None or str(parsed) != value:
        raise invalid(REQUEST_INVALID, FieldViolation(field, f"must be a lower-case hyphenated UUID, got {value[:80]!r}"))
    return parsed


# -- field masks --------------------------------------------------------------------------------


def profile_paths(paths: Iterable[str]) -> set[str]:
    """UpdateProfile mask paths, normalised to ``display_name`` / ``preferences.extra`` form.

    Upstream's ``profile.``-prefixed paths are accepted too; ``preferences`` means all three
    preference fields.

    Raises:
        InvalidArgument: a path names no updatable field.
    """
    allowed = {*PROFILE_FIELDS, "preferences", *(f"preferences.{f}" for f in PREFERENCE_FIELDS)}
    normalised = set()
    for path in paths:
        bare = path.removeprefix("profile.")
        if bare not in allowed:
            raise invalid(
                REQUEST_INVALID, FieldViolation("update_mask", f"unknown path {path!r}; use some of {sorted(allowed)}")
            )
        if bare == "preferences":
            normalised |= {f"preferences.{f}" for f in PREFERENCE_FIELDS}
        else:
            normalised.add(bare)
    return normalised


def preference_paths(paths: Iterable[str]) -> set[str]:
    """UpdatePreferences mask paths, normalised to ``preferences.<field>``.

    Raises:
        InvalidArgument: a path names no preference.
    """
    normalised = set()
    for path in paths:
        bare = path.removeprefix("preferences.")
        if bare not in PREFERENCE_FIELDS:
            msg = f"unknown path {path!r}; use some of {list(PREFERENCE_FIELDS)}"
            raise invalid(REQUEST_INVALID, FieldViolation("update_mask", msg))
        normalised.add(f"preferences.{bare}")
    return normalised


@dataclass(frozen=True)
class ProfileFields:
    """A profile's own fields: what a caller may change."""

    display_name: str
    avatar_url: str
    preferences: dict[str, Any]


def apply_changes(current: ProfileFields | None, changes: ProfileFields, paths: set[str]) -> ProfileFields:
    """The profile after setting exactly the ``paths`` of ``changes`` on ``current``.

    Raises:
        InvalidArgument: the result has no display name (a profile needs one, from creation on).
    """
    base = current or ProfileFields(display_name="", avatar_url="", preferences=empty_preferences())
    preferences = dict(base.preferences)
    for name in PREFERENCE_FIELDS:
        if f"preferences.{name}" in paths:
            preferences[name] = changes.preferences.get(name)
    result = ProfileFields(
        display_name=changes.display_name if "display_name" in paths else base.display_name,
        avatar_url=changes.avatar_url if "avatar_url" in paths else base.avatar_url,
        preferences=preferences,
    )
    if not result.display_name:
        what = "to create a profile" if current is None else "a profile keeps one"
        raise invalid(REQUEST_INVALID, FieldViolation("profile.display_name", f"must not be empty ({what})"))
    return result


def check_storable(changes: ProfileFields) -> None:
    """Refuse text PostgreSQL cannot store (NUL characters), naming each field that has some.

    Raises:
        InvalidArgument: a display name, avatar URL or preference (keys of ``extra`` included)
            contains U+0000.
    """
    fields = {
        "profile.display_name": changes.display_name,
        "profile.avatar_url": changes.avatar_url,
        **{f"preferences.{name}": changes.preferences.get(name) for name in PREFERENCE_FIELDS},
    }
    violations = [
        FieldViolation(field, "must not contain NUL characters (U+0000)") for field, value in fields.items() if _has_nul(value)
    ]
    extra = changes.preferences.get("extra")
    if isinstance(extra, dict):
        violations += [FieldViolation("preferences.extra", problem) for problem in _extra_problems(extra)]
    if violations:
        raise invalid(REQUEST_INVALID, *violations)


def _extra_problems(extra: dict[str, Any]) -> list[str]:
    problems = []
    if len(extra) > MAX_EXTRA_MEMBERS:
        problems.append(f"must have at most {MAX_EXTRA_MEMBERS} members, got {len(extra)}")
    if _depth(extra) > MAX_EXTRA_DEPTH:
        problems.append(f"must be nested at most {MAX_EXTRA_DEPTH} levels deep")
    elif (size := len(json.dumps(extra, ensure_ascii=False).encode())) > MAX_EXTRA_BYTES:
        problems.append(f"must be at most {MAX_EXTRA_BYTES} bytes as JSON, got {size}")
    return problems


def _depth(value: Any) -> int:
    """Nesting depth of objects and arrays (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            level += 1
            deepest = max(deepest, level)
            stack.extend((child, level) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def empty_preferences() -> dict[str, Any]:
    """Preferences of a new profile (upstream's column default plus an empty ``extra``)."""
    return {"learning_goal": None, "daily_quota_minutes": None, "extra": None}


# -- watch progress -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredWatch:
    """What the service holds about one (user, video) before a report."""

    total_watch_seconds: int
    last_emitted_ratio: Decimal | None


@dataclass(frozen=True)
class WatchStep:
    """What one progress report changes.

    Attributes:
        total_watch_seconds: the new cumulative total (never below the stored one).
        added_seconds: how much it grew (added to the video's total).
        emit: whether a ``profile.watch.progressed`` event is due.
        last_emitted_ratio: the ratio to remember as last emitted.
        new_watcher: the user counts as a unique watcher of the video from now on.
    """

    total_watch_seconds: int
    added_seconds: int
    emit: bool
    last_emitted_ratio: Decimal | None
    new_watcher: bool


def watch_step(stored: StoredWatch | None, ratio: Decimal, reported_total: int) -> WatchStep:
    """Apply one client report to what is stored (seed 003 §5.2: cumulative totals, 5 % steps).

    An event is due when progress first reaches 5 %, and then whenever it is at least 5 % above
    the ratio of the last emitted event; the user becomes a unique watcher with that first event.
    """
    previous_total = stored.total_watch_seconds if stored else 0
    total = max(previous_total, reported_total)
    last_emitted = stored.last_emitted_ratio if stored else None
    if last_emitted is None:
        emit = ratio >= WATCH_THRESHOLD
        new_watcher = emit
    else:
        emit = ratio - last_emitted >= WATCH_THRESHOLD
        new_watcher = False
    return WatchStep(
        total_watch_seconds=total,
        added_seconds=total - previous_total,
        emit=emit,
        last_emitted_ratio=ratio if emit else last_emitted,
        new_watcher=new_watcher,
    )


def exact_ratio(value: float) -> Decimal:
    """A client's double as the decimal it was written as (0.15 stays 0.15, not 0.1499…)."""
    return Decimal(repr(value))


# -- pagination ---------------------------------------------------------------------------------


def page_size(requested: int) -> int:
    """The page size to use: the default for 0, else 1..100.

    Raises:
        InvalidArgument: negative or above the maximum.
    """
    if requested == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= requested <= MAX_PAGE_SIZE:
        msg = f"must be between 1 and {MAX_PAGE_SIZE} (0 for the default {DEFAULT_PAGE_SIZE}), got {requested}"
        raise invalid(REQUEST_INVALID, FieldViolation("page_size", msg))
    return requested


class PageTokens:
    """Opaque, tamper-evident keyset tokens: the last row's sort key, bound to one list and caller.

    A token is base64url of ``json + "." + mac``; the MAC (HMAC-SHA256 with the service's key)
    makes any token the service did not issue, or issued for another list or user, invalid.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def issue(self, kind: str, user_id: uuid.UUID, position: list[Any]) -> str:
        """The token that continues ``kind`` of ``user_id`` after ``position``."""
        body = json.dumps({"k": kind, "u": str(user_id), "p": position}, separators=(",", ":")).encode()
        mac = hmac.new(self._key, body, hashlib.sha256).hexdigest()[:32].encode()
        return base64.urlsafe_b64encode(body + b"." + mac).decode().rstrip("=")

    def read(self, token: str, kind: str, user_id: uuid.UUID) -> list[Any] | None:
        """The position a token continues after (``None`` for an empty token, the first page).

        Raises:
            InvalidArgument: the token was not issued by this service for this list and caller.
        """
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            body, mac = raw.rsplit(b".", 1)
            expected = hmac.new(self._key, body, hashlib.sha256).hexdigest()[:32].encode()
            decoded = json.loads(body) if hmac.compare_digest(mac, expected) else None
        except (binascii.Error, ValueError, UnicodeError):
            decoded = None
        if not isinstance(decoded, dict) or decoded.get("k") != kind or decoded.get("u") != str(user_id):
            msg = "is not a token this service issued for this list; start again without page_token"
            raise invalid(PAGE_TOKEN_INVALID, FieldViolation("page_token", msg))
        return decoded["p"]
