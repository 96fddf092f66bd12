"""Seeded defects switched while the reference runs: only when started to allow it, never by default.

The seeded-defect matrix (tests/meta) relies on this switch; these pin down its guard and its route.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from reference_impl import defects
from reference_impl.config import ConfigError, Settings
from reference_impl.entrypoints.defect_switch import PATH, defect_switch_router


@pytest.fixture(autouse=True)
def fresh_switch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from the environment's defects (none) and leaves no switch behind."""
    monkeypatch.delenv("LINGO_DEFECTS", raising=False)
    monkeypatch.delenv(defects.SWITCHABLE_ENV, raising=False)
    monkeypatch.setattr(defects, "_switched", None)
    defects._from_environment.cache_clear()  # noqa: SLF001 - the environment changed under the cache
    yield
    defects._from_environment.cache_clear()  # noqa: SLF001


def test_a_process_not_started_switchable_refuses_every_switch() -> None:
    assert not defects.switchable()
    with pytest.raises(defects.NotSwitchable, match=defects.SWITCHABLE_ENV):
        defects.switch(["inbox-no-dedupe"])
    assert not defects.active("inbox-no-dedupe")


def test_a_switch_replaces_the_environments_defects_until_the_next_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINGO_DEFECTS", "relay-drops-attributes")
    monkeypatch.setenv(defects.SWITCHABLE_ENV, "1")
    assert defects.active("relay-drops-attributes")
    assert defects.switch(["inbox-no-dedupe"]) == {"inbox-no-dedupe"}
    assert defects.active("inbox-no-dedupe")
    assert not defects.active("relay-drops-attributes")
    defects.switch([])
    assert defects.enabled() == frozenset()


def test_an_unknown_name_switches_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(defects.SWITCHABLE_ENV, "1")
    defects.switch(["inbox-no-dedupe"])
    with pytest.raises(defects.UnknownDefect, match="no-such-defect"):
        defects.switch(["relay-drops-attributes", "no-such-defect"])
    assert defects.enabled() == {"inbox-no-dedupe"}


def test_the_route_switches_and_shows_the_defects_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(defects.SWITCHABLE_ENV, "1")
    app = FastAPI()
    app.include_router(defect_switch_router())

    async def calls() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reference") as client:
            return [
                await client.put(PATH, json={"on": ["catalog-etag-ignores-version"]}),
                await client.get(PATH),
                await client.put(PATH, json={"on": ["no-such-defect"]}),
                await client.get(PATH),
                await client.put(PATH, json={"on": []}),
            ]

    switched, shown, refused, still, off = asyncio.run(calls())
    assert switched.json() == shown.json() == still.json() == {"on": ["catalog-etag-ignores-version"]}
    assert refused.status_code == 400
    assert "no-such-defect" in refused.text
    assert off.json() == {"on": []}
    assert not defects.active("catalog-etag-ignores-version")


def test_rest_workers_are_refused_with_switchable_defects(monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker process serving the route would switch its own defects, not the parent's.
    monkeypatch.setenv(defects.SWITCHABLE_ENV, "1")
    with pytest.raises(ConfigError, match=defects.SWITCHABLE_ENV):
        Settings(database_url="postgresql:///lingo", rest_workers=2)
    monkeypatch.setenv(defects.SWITCHABLE_ENV, "0")
    assert Settings(database_url="postgresql:///lingo", rest_workers=2).rest_workers == 2
