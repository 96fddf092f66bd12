"""The driver's one HTTP client for a target's REST and storage endpoints.

A recording transport (``http_transport``) stands in for the target: it answers every request and
keeps the read deadline each one was sent with.
"""

from __future__ import annotations

import httpx
import pytest

from fixtures.targets import TargetConfig
from steps.driver import Driver
from steps.driver.base import DEFAULT_DEADLINE
from steps.driver.checks import ContractViolation
from steps.driver.upload import UPLOAD_DEADLINE


@pytest.fixture
def deadlines() -> list[tuple[str, float]]:
    return []


def _driver(deadlines: list[tuple[str, float]], **target: object) -> Driver:
    def answer(request: httpx.Request) -> httpx.Response:
        deadlines.append((request.method, request.extensions["timeout"]["read"]))
        return httpx.Response(200, text="")

    config = TargetConfig(name="recorded", capabilities=frozenset({"rest", "storage"}), **target)  # type: ignore[arg-type]
    return Driver(config, http_transport=httpx.MockTransport(answer))


@pytest.mark.parametrize("upload_first", [True, False], ids=["upload-first", "metrics-first"])
def test_each_request_has_its_own_deadline_whichever_came_first(deadlines, upload_first: bool) -> None:
    driver = _driver(deadlines, rest_url="http://service.invalid")
    calls = [lambda: driver.put_bytes("http://storage.invalid/session", b"x"), driver.metrics]
    for call in calls if upload_first else calls[::-1]:
        call()
    driver.close()
    assert sorted(deadlines) == [("GET", DEFAULT_DEADLINE), ("PUT", UPLOAD_DEADLINE)]


def test_a_rest_call_to_a_target_without_a_rest_url_says_so(deadlines) -> None:
    driver = _driver(deadlines)
    with pytest.raises(ContractViolation, match="has no REST endpoint; set rest_url"):
        driver.metrics()
    driver.close()
    assert deadlines == []
