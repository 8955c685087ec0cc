"""Show an entry's body as safe HTML, with the words of a search marked.

Moving parts: the core's `markup.to_html` parses the markdown and sanitises it (the same parse
the indexed text and the snippets come from); here the page's presentation is added: headings
moved below the page's title, images left out (the page loads nothing from elsewhere), and
`_Marker` walks the text nodes of the clean HTML and lets the core's `mark_text` mark the
query's words; a last `nh3` pass checks the result. Snippets from the core go through `nh3`
too, keeping only `<mark>`.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3
from markupsafe import Markup

from indexer.highlight import mark_text
from indexer.markup import ATTRIBUTES as CORE_ATTRIBUTES
from indexer.markup import TAGS as CORE_TAGS
from indexer.markup import cleaner, to_html

# what the page shows of the core's HTML: the h1 stays the page's, images stay away
TAGS = CORE_TAGS - {"h1", "img"}
ATTRIBUTES = {tag: names for tag, names in CORE_ATTRIBUTES.items() if tag in TAGS}
BODY = cleaner(TAGS, ATTRIBUTES)
MARKS_ONLY = nh3.Cleaner(tags={"mark"}, attributes={}, clean_content_tags={"script", "style"})
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
VOID = {"br", "hr"}


def _demote(markup: str) -> str:
    """Move the body's headings under the page's h1: its top level becomes h2, and no heading
    is more than one level under the one before it (axe's heading-order)."""
    levels = sorted({int(m[2]) for m in _HEADING.finditer(markup) if not m[1]})
    rank = {level: 2 + i for i, level in enumerate(levels)}
    state = {"previous": 1, "open": 2}

    def one(match: re.Match[str]) -> str:
        if match[1]:  # a closing tag closes the heading opened last (headings do not nest)
            return f"</h{state['open']}"
        level = min(rank[int(match[2])], state["previous"] + 1, 6)
        state["previous"] = state["open"] = level
        return f"<h{level}"

    return _HEADING.sub(one, markup)


class _Marker(HTMLParser):
    """Re-serialise clean HTML, passing each text node through mark_text."""

    def __init__(self, q: str) -> None:
        super().__init__(convert_charrefs=True)
        self.q = q
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parts = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs)
        self.out.append(f"<{tag}{parts}>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(mark_text(data, self.q) if data.strip() else html.escape(data))


def body_html(text: str, q: str = "") -> Markup:
    """Render markdown to sanitised HTML, marking the words of q if given."""
    clean = BODY.clean(_demote(to_html(text)))
    if q.strip():
        marker = _Marker(q)
        marker.feed(clean)
        marker.close()
        clean = BODY.clean("".join(marker.out))
    return Markup(clean)


def marked(text: str, q: str = "") -> Markup:
    """Return plain text escaped, with the words of q marked."""
    return Markup(mark_text(text, q) if q.strip() else html.escape(text))


def snippet_html(snippet: str) -> Markup:
    """Return a core snippet with nothing but <mark> as markup (the core promises it; check)."""
    return Markup(MARKS_ONLY.clean(snippet))
