"""Checks of a built site: every internal link resolves, and nothing is loaded from another host.

Run by the build (a failure fails it) and by the tests. Links: every ``href``/``src`` of every
HTML page that points inside the site must name an existing file and, with a fragment, an
existing ``id`` on that page. Offline: no HTML element loads a resource (script, stylesheet,
image, font, frame) from an ``http(s)://`` or protocol-relative URL, no CSS ``url()``/``@import``
does, and no JavaScript file names a CDN or web-font host. Plain navigation links (``<a href>``) to
other sites are allowed: they load nothing when the page is viewed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

CDN_HOSTS = (
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "ajax.googleapis.com",
    "use.fontawesome.com",
    "polyfill.io",
)
# Material's bundle names two CDN scripts it loads only when needed: mermaid for pages with a
# mermaid diagram (this site has none) and a ResizeObserver polyfill for browsers without one
# (every current browser has it). The browser test sees every request a page really makes.
ALLOWED_JS_MENTIONS = ("unpkg.com/mermaid", "unpkg.com/resize-observer-polyfill")

_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)
_LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and tag != "meta":
                self.ids.add(value)
            if name in ("href", "src", "data"):
                self.refs.append((tag, name, value))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def broken_links(site: Path) -> list[str]:
    """One line per internal link of ``site`` that names a missing file or anchor."""
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    problems = []
    for path, page in pages.items():
        for tag, _, value in page.refs:
            if _EXTERNAL.match(value) or value.startswith(("mailto:", "data:", "javascript:", "blob:")):
                continue
            parts = urlsplit(value)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/"):
                target = target / "index.html"
            where = f"{path.relative_to(site)}: <{tag}> {value}"
            if not target.exists():
                problems.append(f"{where}: no such file")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{where}: no element with id {parts.fragment!r}")
    return sorted(problems)


def external_loads(site: Path) -> list[str]:
    """One line per place where a page of ``site`` would load something from another host."""
    problems = []
    for path in sorted(site.rglob("*")):
        where = path.relative_to(site)
        if path.suffix == ".html":
            for tag, attribute, value in _parse(path).refs:
                if (tag, attribute) in _LOADING and _EXTERNAL.match(value):
                    problems.append(f"{where}: <{tag} {attribute}={value}>")
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{where}: inline style loads {m}" for m in _CSS_URL.findall(text)]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{where}: loads {m}" for m in _CSS_URL.findall(text)]
        elif path.suffix in (".js", ".mjs"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for host in CDN_HOSTS:
                for match in re.finditer(re.escape(host) + r"[^'\"`\s)]*", text):
                    if not match.group(0).startswith(ALLOWED_JS_MENTIONS):
                        problems.append(f"{where}: names {match.group(0)}")
    return problems
