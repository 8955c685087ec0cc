"""Snippets and highlights: mark the original words of stored text that match the query.

Moving parts: Whoosh's `highlight()` with our analyzer (so "anthropomorphising" in the text is
marked for a query "anthropomorphizing"), a `ContextFragmenter` for snippets or a
`WholeFragmenter` for whole texts, and `MarkFormatter`, which escapes everything and adds only
`<mark>`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from whoosh import highlight as wh

from indexer.analysis import stems, text_analyzer

SNIPPET_CHARS = 220
_ANALYZER = text_analyzer()


class MarkFormatter(wh.Formatter):
    """Format fragments as escaped HTML in which only <mark> is markup."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=True)

    def format_token(self, text: str, token: wh.Token, replace: bool = False) -> str:
        return "<mark>" + html.escape(wh.get_text(text, token, replace), quote=True) + "</mark>"


def snippet(text: str, terms: Iterable[str], chars: int = SNIPPET_CHARS) -> str:
    """Return up to two fragments of text around the query terms, or its opening if none match."""
    termset = frozenset(terms)
    if termset:
        fragmenter = wh.ContextFragmenter(maxchars=chars, surround=chars // 3)
        marked = wh.highlight(text, termset, _ANALYZER, fragmenter, MarkFormatter(), top=2)
        if marked:
            return marked
    return opening(text, chars)


def opening(text: str, chars: int = SNIPPET_CHARS) -> str:
    """Return the escaped first words of text, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) > chars:
        flat = flat[:chars].rsplit(" ", 1)[0] + " …"
    return html.escape(flat, quote=True)


def mark_text(text: str, q: str) -> str:
    """Return all of text, escaped, with <mark> around the words that match the query's words."""
    termset = frozenset(stems(q))
    if not termset or not text:
        return html.escape(text, quote=True)
    marked = wh.highlight(
        text, termset, _ANALYZER, wh.WholeFragmenter(), MarkFormatter(), top=1, minscore=0
    )
    return marked or html.escape(text, quote=True)
