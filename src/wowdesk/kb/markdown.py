"""Markdown to HTML for previews: raw HTML in articles is not rendered, so it cannot inject."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def to_html(text: str) -> Markup:
    return Markup(_md.render(text))  # noqa: S704 - html disabled in the parser above
