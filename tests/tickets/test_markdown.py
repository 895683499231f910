"""User Markdown never carries script into a page."""

from html.parser import HTMLParser

import pytest

from tickets.markdown import render_markdown


class ElementCollector(HTMLParser):
    """What a browser would build from the HTML: tags and their attributes."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<a href='javascript:alert(1)'>x</a>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<iframe src=//evil></iframe>",
    '[x](" onmouseover="alert(1))',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_neutralised(source):
    html = render_markdown(source)
    for tag, attrs in elements(html):
        assert tag not in {"script", "img", "svg", "iframe", "style", "object", "embed"}, html
        assert not any(name.startswith("on") for name in attrs), html
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http:", "https:", "mailto:")), html


def test_ordinary_markdown_still_renders():
    html = render_markdown("**bold** and [docs](https://example.com/a?b=1)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com/a?b=1"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html
