"""Markdown from staff and members is rendered, and nothing executable survives."""

from html.parser import HTMLParser

import pytest

from lab.core.markdown import render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class _Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML (escaped text is not)."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_executable_survives(payload):
    elements = _Elements()
    elements.feed(str(render(payload)))
    assert not elements.tags & {"script", "img", "svg", "iframe"}
    for name, value in elements.attributes:
        assert not name.startswith("on")
        assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


def test_formatting_lists_and_links_are_kept():
    html = str(render("# Title\n\n**bold** and [site](https://example.org)\n\n- one\n- two"))
    assert "<h2>Title</h2>" in html  # the page owns the h1
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>' in html
    assert "<li>one</li>" in html


def test_empty_text_renders_nothing():
    assert str(render(None)) == ""
