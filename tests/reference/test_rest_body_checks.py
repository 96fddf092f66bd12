"""The REST app's body checks: jsonschema-rs judges each body, jsonschema explains a refused one.

A valid body passes untouched; a refused one names each field and why. Where only the judge
refuses (an int64 string with a newline after its digits: Python's ``re`` lets ``$`` match
before it, ECMA-262 does not), the body is still refused, in the judge's words.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from starlette.requests import Request

from reference_impl.domain.errors import InvalidArgument
from reference_impl.entrypoints import profile_rest


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(body).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    request = Request({"type": "http", "method": "PUT", "headers": [(b"content-type", b"application/json")]}, receive)
    return asyncio.run(profile_rest._body(request, "WatchProgressUpdate"))


def _refusal(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidArgument) as refused:
        _checked(body)
    return {violation.field: violation.description for violation in refused.value.violations}


def test_a_valid_body_passes() -> None:
    body = {"positionSeconds": "12", "progressRatio": 0.5, "sessionId": "s-1"}
    assert _checked(body) == body


def test_a_refused_body_names_each_field() -> None:
    refusal = _refusal({"positionSeconds": "-3", "progressRatio": 2, "colour": "blue"})
    assert set(refusal) == {"positionSeconds", "progressRatio", "colour"}, refusal
    assert "unknown member" in refusal["colour"], refusal


def test_a_newline_after_the_digits_is_refused() -> None:
    refusal = _refusal({"positionSeconds": "12\n", "progressRatio": 0.5})
    assert list(refusal) == ["positionSeconds"], refusal
