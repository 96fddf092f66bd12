"""The built site in a real headless Chromium: key pages render, nothing errors or leaves the machine, search finds an RPC.

Playwright drives the system Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it when
absent) against the site served on loopback, the way ``python -m contracts.docs serve`` serves it.
A screenshot of the front page is saved as ``results/docs-front-page.png``.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium (apt-get install chromium; .ci/run installs it when absent)"
)
RESULTS = Path(__file__).resolve().parents[2] / "results"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url: str) -> Iterator[object]:
    """A page that records console errors, page errors, failed requests and requests to other hosts."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(f"console error: {m.text}"))
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: tab.problems.append(f"failed request: {r.url} ({r.failure})"))
    local = urlsplit(base_url).netloc
    tab.on("request", lambda r: urlsplit(r.url).netloc not in (local, "") and tab.problems.append(f"request to another host: {r.url}"))
    yield tab
    context.close()


def test_front_page_shows_the_conformance_matrix(page, base_url: str) -> None:
    page.goto(base_url + "index.html", wait_until="networkidle")
    assert page.get_by_role("heading", name="Lingo contracts", level=1).is_visible()
    matrix = page.locator("table").filter(has_text="staging").first
    assert matrix.is_visible()
    assert matrix.get_by_role("link", name="reference").is_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "docs-front-page.png"), full_page=True)
    assert page.problems == []


def test_behaviour_page_shows_a_scenario(page, base_url: str) -> None:
    page.goto(base_url + "behaviours/upload.html", wait_until="networkidle")
    assert page.get_by_role("heading", name="Upload behaviours", level=1).is_visible()
    assert page.get_by_role("heading", name="initialising a completed upload again is refused").is_visible()
    assert page.problems == []


def test_rpc_page_shows_the_rpc(page, base_url: str) -> None:
    page.goto(base_url + "grpc/video.v1.html#video.v1.UploadService.InitResumableUpload", wait_until="networkidle")
    heading = page.locator("h4[id='video.v1.UploadService.InitResumableUpload']")
    assert heading.is_visible() and "InitResumableUpload" in heading.inner_text()
    assert page.problems == []


def test_rest_page_renders_the_openapi_document_in_swagger_ui(page, base_url: str) -> None:
    page.goto(base_url + "rest/index.html", wait_until="networkidle")
    assert page.get_by_role("heading", name="Problem Details types").is_visible()
    page.locator(".swagger-ui .info .title").filter(has_text="Lingo backend REST API").wait_for(timeout=15_000)
    assert page.locator(".swagger-ui .opblock").first.is_visible()
    assert page.locator(".swagger-ui .opblock-summary-path").filter(has_text="/api/v1/profile").first.is_visible()
    assert page.problems == []


def test_search_finds_an_rpc_by_name(page, base_url: str) -> None:
    page.goto(base_url + "index.html", wait_until="networkidle")
    search = page.locator("input.md-search__input")
    search.click()
    page.keyboard.type("InitResumableUpload")  # Material searches on key events, not on a programmatic fill
    result = page.locator(".md-search-result__item").filter(has_text="InitResumableUpload").first
    result.wait_for(timeout=15_000)
    assert result.is_visible()
    assert page.problems == []
