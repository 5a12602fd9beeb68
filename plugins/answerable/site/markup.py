"""Staff-written reply bodies: Markdown rendered, then sanitised with nh3 (Ammonia).

The Markdown is CommonMark with tables, rendered by pyromark (pulldown-cmark): 3 µs a
reply against Python-Markdown's 200 µs, and after nh3 the same HTML for the replies
boards write (tests/test_markup_engine.py shows where the two engines differ and why
CommonMark's reading is the one a reply's author meant).

Replies come through review, but review is human: nothing a reply says may run
script, load a frame or restyle the page. nh3 keeps only the tags and URL schemes
listed here and adds rel="noopener noreferrer nofollow" to links.
"""

from __future__ import annotations

import nh3
import pyromark
from markupsafe import Markup

TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "ins", "blockquote", "code", "pre",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th",
    "td", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
KEEP = 1_000  # rendered replies kept for reuse: more than the feeds show at once
# Footnotes, strikethrough, task lists and the rest stay off: a reply is a letter.
OPTIONS = pyromark.Options.ENABLE_TABLES


class ReplyRenderer:
    """Renders reply bodies, keeping the latest ones for the pages and feeds that repeat them."""

    def __init__(self) -> None:
        # A new reply shows on its page and in several feeds. Only the latest are kept:
        # keeping every reply of 100,000 tickets took 30 MiB in each rendering process.
        self._done: dict[str, Markup] = {}

    def render(self, text: str) -> Markup:
        done = self._done.get(text)
        if done is None:
            if len(self._done) >= KEEP:
                del self._done[next(iter(self._done))]  # the oldest
            done = self._done[text] = self._render(text)
        return done

    def _render(self, text: str) -> Markup:
        # Without the final newline, as the page template places the body.
        html = pyromark.html(text, options=OPTIONS).rstrip("\n")
        clean = nh3.clean(
            html,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
        )
        return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
