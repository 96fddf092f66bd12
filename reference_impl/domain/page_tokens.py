"""Opaque keyset page tokens, HMAC-signed and bound to the caller and the query that issued them.

A token is base64url of ``json(position) + "." + mac``; the MAC (HMAC-SHA256 with the service's
key) covers the position *and* a scope string naming the list, the caller and the query, which
the token does not carry. Any token not issued for exactly that scope fails verification.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


class BadPageToken(ValueError):
    """A token this service did not issue for this scope."""


class ScopedPageTokens:
    """Issue and read tokens bound to a scope."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, scope: str, body: bytes) -> bytes:
        return hmac.new(self._key, scope.encode() + b"\n" + body, hashlib.sha256).hexdigest()[:32].encode()

    def issue(self, scope: str, position: list[Any]) -> str:
        """The token continuing after ``position`` in ``scope``."""
        body = json.dumps(position, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(body + b"." + self._mac(scope, body)).decode().rstrip("=")

    def read(self, token: str, scope: str) -> list[Any] | None:
        """The position ``token`` continues after; ``None`` for an empty token (the first page).

        Raises:
            BadPageToken: not a token issued for ``scope``.
        """
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            body, mac = raw.rsplit(b".", 1)
            if hmac.compare_digest(mac, self._mac(scope, body)):
                position = json.loads(body)
                if isinstance(position, list):
                    return position
        except (binascii.Error, ValueError, UnicodeError):
            pass
        raise BadPageToken(token)
