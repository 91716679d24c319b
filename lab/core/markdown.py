"""Markdown written by staff and members, rendered to HTML that is safe to show.

markdown-it-py renders CommonMark with raw HTML switched off; nh3 (ammonia) then keeps
only the tags and attributes below, so a script or an event handler never survives, and
links get rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
                "a", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr",
                "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str | None, *, first_heading: int = 2) -> Markup:
    """Safe HTML for Markdown source. Headings start at h2 (the page owns the h1), or
    lower where the text sits under headings of the page (an answer under its h3)."""
    if not text:
        return Markup("")
    html = _renderer.render(text)
    if first_heading == 2:
        html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    else:
        shift = first_heading - 1
        html = re.sub(r"<(/?)h([1-6])>",
                      lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", html)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # noqa: S704 - cleaned by nh3 just above
