"""Snippets and highlights: mark the original words of stored text that match the query.

A word matches when it analyzes to one of the query's terms (so "anthropomorphising" in the
text is marked for a query "anthropomorphizing"). `snippet` scans only as far as it needs:
the first window of text around the first matching word, every match inside it marked.
Everything else is escaped: only `<mark>` is markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from indexer.analysis import iter_terms, stems

SNIPPET_CHARS = 220
LEAD_CHARS = 60  # context shown before the first match


def snippet(text: str, terms: Iterable[str], chars: int = SNIPPET_CHARS) -> str:
    """Return a window of text around the first matching words, or its opening if none match."""
    termset = frozenset(terms)
    first = next(((s, e) for t, s, e in iter_terms(text) if t in termset), None) if termset else None
    if first is None:
        return opening(text, chars)
    start = _word_start(text, max(0, first[0] - LEAD_CHARS))
    end = min(len(text), start + chars)
    spans = [(s, e) for t, s, e in _terms_until(text, first[0], end) if t in termset]
    body = _marked(text, spans, start, _word_end(text, end))
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


def _terms_until(text: str, start: int, end: int) -> Iterable[tuple[str, int, int]]:
    for found in iter_terms(text, start):
        if found[2] > end:
            return
        yield found


def _word_start(text: str, i: int) -> int:
    """Move i forward to the start of a word, so a snippet does not open mid-word."""
    if i == 0:
        return 0
    space = text.find(" ", i)
    return space + 1 if 0 <= space < i + 20 else i


def _word_end(text: str, i: int) -> int:
    if i >= len(text):
        return len(text)
    space = text.rfind(" ", i - 20, i)
    return space if space > 0 else i


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """Escape text[start:end] and wrap each span in <mark>."""
    out, at = [], start
    for s, e in spans:
        if s < at or e > end:
            continue
        out.append(html.escape(text[at:s], quote=True))
        out.append("<mark>" + html.escape(text[s:e], quote=True) + "</mark>")
        at = e
    out.append(html.escape(text[at:end], quote=True))
    return " ".join("".join(out).split())


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
    spans = [(s, e) for t, s, e in iter_terms(text) if t in termset]
    out, at = [], 0
    for s, e in spans:
        out.append(html.escape(text[at:s], quote=True))
        out.append("<mark>" + html.escape(text[s:e], quote=True) + "</mark>")
        at = e
    out.append(html.escape(text[at:], quote=True))
    return "".join(out)
