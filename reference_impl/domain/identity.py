"""Who is calling: the gateway's user-info header, decoded.

GCP API Gateway forwards the verified JWT claims as ``x-apigateway-api-userinfo``: JSON in
base64url (padded or not) or standard base64. The user id is the first non-empty of ``sub``,
``user_id`` and ``uid``, and must be a UUID (upstream.md §1.8).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid

USERINFO_HEADER = "x-apigateway-api-userinfo"
_ID_CLAIMS = ("sub", "user_id", "uid")


class MissingUserInfo(Exception):
    """No user-info header at all."""


class BadUserInfo(Exception):
    """A user-info header that does not name a user."""


def user_id_from_userinfo(value: str | None) -> uuid.UUID:
    """Decode the header value and return the caller's user id.

    Raises:
        MissingUserInfo: the header is absent or empty.
        BadUserInfo: the header is not base64 JSON claims naming a UUID user id.
    """
    if value is None or not value.strip():
        raise MissingUserInfo
    claims = _decode_claims(value.strip())
    subject = next((str(claims[c]) for c in _ID_CLAIMS if isinstance(claims.get(c), str) and claims[c]), None)
    if subject is None:
        msg = f"user-info claims carry none of {list(_ID_CLAIMS)}"
        raise BadUserInfo(msg)
    try:
        return uuid.UUID(subject)
    except ValueError as exc:
        msg = f"user id {subject!r} in the user-info claims is not a UUID"
        raise BadUserInfo(msg) from exc


def _decode_claims(value: str) -> dict:
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.urlsafe_b64decode, base64.standard_b64decode):
        try:
            raw = decode(padded.encode("ascii"))
            claims = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeError):
            continue
        if isinstance(claims, dict):
            return claims
    msg = "user-info header is not base64-encoded JSON claims"
    raise BadUserInfo(msg)
