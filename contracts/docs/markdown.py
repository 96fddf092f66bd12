"""Small Markdown helpers shared by the page generators."""

from __future__ import annotations

import re


def cell(text: str) -> str:
    """``text`` made safe for one Markdown table cell (no pipes, no line breaks)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def slug(text: str) -> str:
    """A lower-case anchor/file slug: letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
