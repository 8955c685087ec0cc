"""Turn an entry's markdown into safe HTML, with the words of a search marked.

Moving parts: the `markdown` library renders; `nh3` sanitises (raw HTML in an entry keeps its
text but loses every script, handler, style and non-web URL); `_Marker` walks the text nodes
of the clean HTML and lets the core's `mark_text` mark the query's words; a second `nh3` pass
checks the result. Snippets from the core go through `nh3` too, keeping only `<mark>`.
A body nested deeper than MAX_NESTING (lists, quotes, brackets) is shown as plain paragraphs:
Python-Markdown recurses once per level and slows quadratically on nested brackets, so 10,000
nested list items would end in a RecursionError (a 500) and 10,000 brackets take 20 s.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import markdown
import nh3
from markupsafe import Markup

from indexer.highlight import mark_text

TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "small",
    "code",
    "pre",
    "kbd",
    "blockquote",
    "q",
    "cite",
    "abbr",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "mark",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "th": {"scope"}}
BODY = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
    attributes=ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow noopener noreferrer",
)
MARKS_ONLY = nh3.Cleaner(tags={"mark"}, attributes={}, clean_content_tags={"script", "style"})
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
VOID = {"br", "hr"}
MAX_NESTING = 60
_BLOCK_MARKERS = re.compile(r"^[ \t]*((?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*)+)", re.MULTILINE)
_MARKER = re.compile(r"[-*+>]|\d{1,9}[.)]")
_BRACKET = re.compile(r"[\[\]]")


def _demote(match: re.Match[str]) -> str:
    # The page's title is the h1 and its sections are h2: an entry's own headings start at h3.
    return f"<{match[1]}h{min(int(match[2]) + 2, 6)}"


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


def nesting(text: str) -> int:
    """Return an upper bound of how deep the text's lists, quotes and brackets nest."""
    depth = max((len(_MARKER.findall(m[1])) + len(m[0]) // 2 for m in _BLOCK_MARKERS.finditer(text)),
                default=0)  # fmt: skip
    level = 0
    for bracket in _BRACKET.finditer(text):
        level = level + 1 if bracket[0] == "[" else max(level - 1, 0)
        depth = max(depth, level)
    return depth


def _render(text: str) -> str:
    """Render markdown, or plain escaped paragraphs when it nests too deep to render."""
    if nesting(text) <= MAX_NESTING:
        try:
            return markdown.markdown(text, extensions=["sane_lists"], output_format="html")
        except RecursionError:
            pass
    paragraphs = (p.strip() for p in re.split(r"\n[ \t]*\n", text))
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)


def body_html(text: str, q: str = "") -> Markup:
    """Render markdown to sanitised HTML, marking the words of q if given."""
    rendered = _render(text)
    clean = BODY.clean(_HEADING.sub(_demote, rendered))
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
