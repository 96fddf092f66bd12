"""Decoding the gateway's user-info header (upstream.md §1.8)."""

import base64
import json
import uuid

import pytest

from reference_impl.domain.identity import BadUserInfo, MissingUserInfo, user_id_from_userinfo

USER = uuid.UUID("6f1c1f8e-2b3c-4d5e-8f90-123456789abc")


def encoded(claims: object, encode=base64.urlsafe_b64encode, pad: bool = False) -> str:
    text = encode(json.dumps(claims).encode()).decode()
    return text if pad else text.rstrip("=")


@pytest.mark.parametrize(
    "header",
    [
        encoded({"sub": str(USER)}),
        encoded({"sub": str(USER)}, pad=True),
        encoded({"sub": str(USER)}, encode=base64.standard_b64encode, pad=True),
        encoded({"user_id": str(USER)}),
        encoded({"sub": "", "uid": str(USER)}),
    ],
    ids=["base64url", "base64url-padded", "standard-base64", "user_id-claim", "uid-after-empty-sub"],
)
def test_the_user_id_is_read_from_any_accepted_encoding(header: str) -> None:
    assert user_id_from_userinfo(header) == USER


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_header_is_missing(header: str | None) -> None:
    with pytest.raises(MissingUserInfo):
        user_id_from_userinfo(header)


@pytest.mark.parametrize(
    "header",
    ["%%%", encoded(["sub"]), encoded({"email": "a@b.c"}), encoded({"sub": "user-42"}), encoded({"sub": 42})],
    ids=["not-base64", "json-list", "no-id-claim", "sub-not-uuid", "sub-not-string"],
)
def test_a_header_naming_no_user_is_bad(header: str) -> None:
    with pytest.raises(BadUserInfo):
        user_id_from_userinfo(header)
