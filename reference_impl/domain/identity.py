"""Who is calling: the gateway's user-info header, decoded.

GCP API Gateway forwards the verified JWT claims as ``x-apigateway-api-userinfo``: JSON in
base64url (padded or not) or standard base64. The user id is the first non-empty of ``sub``,
``user_id`` and ``uid``, and must be a UUID (upstream.md §1.8) in its one canonical form
(lower-case, hyphenated), not the nil UUID. The header may appear once and is at most 8 KiB:
a caller is one user, and the claims of one user are small.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid

USERINFO_HEADER = "x-apigateway-api-userinfo"
_ID_CLAIMS = ("sub", "user_id", "uid")
MAX_HEADER_CHARS = 8192
NIL_UUID = uuid.UUID(int=0)


class MissingUserInfo(Exception):
    """No user-info header at all."""


class BadUserInfo(Exception):
    """A user-info header that does not name a user."""


def single_header(values: list[str]) -> str | None:
    """The one value of the user-info header among ``values`` (every occurrence), or ``None``.

    Raises:
        BadUserInfo: the header was sent more than once (which one would name the caller?).
    """
    if len(values) > 1:
        msg = f"the header was sent {len(values)} times; send it once"
        raise BadUserInfo(msg)
    return values[0] if values else None


def user_id_from_userinfo(value: str | None) -> uuid.UUID:
    """Decode the header value and return the caller's user id.

    Raises:
        MissingUserInfo: the header is absent or empty.
        BadUserInfo: the header is not base64 JSON claims naming a UUID user id.
    """
    if value is None or not value.strip():
        raise MissingUserInfo
    if len(value) > MAX_HEADER_CHARS:
        msg = f"the header is {len(value)} characters long; at most {MAX_HEADER_CHARS} are accepted"
        raise BadUserInfo(msg)
    claims = _decode_claims(value.strip())
    subject = next((str(claims[c]) for c in _ID_CLAIMS if isinstance(claims.get(c), str) and claims[c]), None)
    if subject is None:
        msg = f"user-info claims carry none of {list(_ID_CLAIMS)}"
        raise BadUserInfo(msg)
    try:
        user_id = uuid.UUID(subject)
    except ValueError as exc:
        msg = f"user id {subject[:80]!r} in the user-info claims is not a UUID"
        raise BadUserInfo(msg) from exc
    if str(user_id) != subject:
        msg = f"user id {subject[:80]!r} is not in canonical form; send {str(user_id)!r} (lower-case, hyphenated)"
        raise BadUserInfo(msg)
    if user_id == NIL_UUID:
        msg = "the nil UUID names no user"
        raise BadUserInfo(msg)
    return user_id


def _decode_claims(value: str) -> dict:
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.urlsafe_b64decode, base64.standard_b64decode):
        try:
            raw = decode(padded.encode("ascii"))
            claims = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeError, RecursionError):
            continue
        if isinstance(claims, dict):
            return claims
    msg = "user-info header is not base64-encoded JSON claims"
    raise BadUserInfo(msg)
