"""Fixtures for the Pub/Sub behaviour tests: two backends, real clients, unique names.

``pubsub_backend`` is parametrized over ``standin`` (our stand-in, or whatever
``PUBSUB_EMULATOR_HOST`` names) and ``google_emulator`` (Google's Java emulator, started once per
session with ``gcloud beta emulators pubsub start``; skipped with the reason when ``gcloud`` is not
installed). A test marked ``emulator_gap(reason=...)`` documents a behaviour Google's emulator lacks:
on that backend it runs as a *strict* xfail, so the day the emulator gains the feature the run fails
and says so.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from fixtures.pubsub.process import ChildProcessError, start_google_emulator
from fixtures.pubsub.testing import Clients, real_clients

BACKENDS = ("standin", "google_emulator")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator_gap(reason): Google's Pub/Sub emulator lacks this behaviour; strict xfail on that backend",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        gap = item.get_closest_marker("emulator_gap")
        callspec = getattr(item, "callspec", None)
        if gap is None or callspec is None or callspec.params.get("pubsub_backend") != "google_emulator":
            continue
        reason = gap.kwargs.get("reason") or (gap.args[0] if gap.args else "")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: emulator_gap needs reason=... (what the emulator does instead)")
        item.add_marker(pytest.mark.xfail(strict=True, reason=f"Google's emulator: {reason}"))


@pytest.fixture(scope="session")
def google_emulator_host() -> Iterator[str]:
    """``host:port`` of Google's Pub/Sub emulator, started for this session."""
    if shutil.which("gcloud") is None:
        pytest.skip("Google's Pub/Sub emulator needs `gcloud` (with the pubsub-emulator component) on PATH")
    try:
        child, host = start_google_emulator(project="lingo-conformance")
    except ChildProcessError as e:
        pytest.fail(f"could not start Google's Pub/Sub emulator: {e}", pytrace=False)
    try:
        yield host
    finally:
        child.stop()


@dataclass(frozen=True)
class Backend:
    name: str
    host: str


@pytest.fixture(params=BACKENDS)
def pubsub_backend(request: pytest.FixtureRequest) -> Backend:
    """One of the two Pub/Sub implementations the behaviour tests run against."""
    if request.param == "standin":
        return Backend("standin", request.getfixturevalue("pubsub_emulator_host"))
    return Backend("google_emulator", request.getfixturevalue("google_emulator_host"))


@pytest.fixture
def clients(pubsub_backend: Backend, pubsub_project: str) -> Iterator[Clients]:
    """Real clients for the backend under test (parametrized: stand-in and Google's emulator)."""
    with real_clients(pubsub_backend.host, pubsub_project) as c:
        yield c


@pytest.fixture
def standin_clients(pubsub_emulator_host: str, pubsub_project: str) -> Iterator[Clients]:
    """Real clients for the session's stand-in only (fault and stand-in tests)."""
    with real_clients(pubsub_emulator_host, pubsub_project) as c:
        yield c
