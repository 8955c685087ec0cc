"""Snippets and highlights: mark the original words of stored text that match the query.

Moving parts:
- `Group`: one thing the query asks for (a word, a compound, a phrase), as the term sequences
  that match it: exact ones (the word as typed, any spelling) and stem ones;
- `groups_for`: the groups of a parsed Whoosh query (phrases stay phrases);
- `snippet`: finds every occurrence of every group in the text (a group's stem-only
  occurrences count only where the text has no exact one), takes the window of text with the
  most distinct groups (exact ones first), and marks the occurrences inside it. A phrase is
  marked as one span, and its words alone are not marked.
Everything else is escaped: only `<mark>` is markup.
"""

from __future__ import annotations

import html
import itertools
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh import query as wq

from indexer.analysis import (
    PLAIN_WORD_PATTERN,
    exact_term,
    foreign_query_terms,
    query_stems,
    stems,
    text_term,
    tokens,
)
from indexer.languages import has_cjk

SNIPPET_CHARS = 220
LEAD_CHARS = 60  # context shown before the first match
SCAN_CHARS = 20_000  # a snippet looks this far into a text for matches

Seq = tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """What one part of a query matches: exact term sequences, then stem term sequences."""

    exact: tuple[Seq, ...] = ()
    stem: tuple[Seq, ...] = ()


@dataclass(frozen=True)
class _Occurrence:
    group: int
    exact: bool
    start: int
    end: int


def groups_for(q: wq.Query | None, expanded: Iterable[str] = ()) -> tuple[Group, ...]:
    """Return the highlight groups of a parsed query: each phrase, each title/body term."""
    out: dict[Seq, Group] = {}
    for node in _leaves(q) if q is not None else ():
        if isinstance(node, wq.AndMaybe):  # a word and its exact form (matching.with_exact)
            stem, exact = _text(node.a), _text(node.b)
            group = out.get((stem,))
            if group is None or not group.exact:
                out[(stem,)] = Group(exact=((exact,),), stem=((stem,),))
        elif isinstance(node, wq.Phrase) and node.fieldname in ("title", "body"):
            seq = tuple(w.decode() if isinstance(w, bytes) else w for w in node.words)
            out.setdefault(seq, Group(stem=(seq,)))
        elif isinstance(node, wq.Term) and node.fieldname in ("title", "body"):
            text = node.text.decode() if isinstance(node.text, bytes) else node.text
            out.setdefault((text,), Group(stem=((text,),)))
    for word in expanded:
        seq = tuple(stems(word))
        if seq:
            out.setdefault(seq, Group(stem=(seq,)))
    return tuple(out.values())


def _text(term: wq.Query) -> str:
    text = getattr(term, "text", "")
    return text.decode() if isinstance(text, bytes) else str(text)


def _leaves(q: wq.Query) -> Iterator[wq.Query]:
    if isinstance(q, (wq.Not, wq.AndNot)):  # excluded words are not why an entry matched
        if isinstance(q, wq.AndNot):
            yield from _leaves(q.a)
        return
    if isinstance(q, wq.AndMaybe) and isinstance(q.a, wq.Term) and isinstance(q.b, wq.Term):
        if q.a.fieldname in ("title", "body"):
            yield q
        return
    if q.is_leaf() or isinstance(q, wq.Phrase):
        yield q
        return
    for sub in q.children():
        yield from _leaves(sub)


def snippet(text: str, groups: Iterable[Group], chars: int = SNIPPET_CHARS) -> str:
    """Return the window of text with the most distinct query groups, marked, or its opening."""
    found = _occurrences(text, tuple(groups))
    if not found:
        return opening(text, chars)
    first = _best_window(found, chars)
    start = _word_start(text, max(0, first.start - LEAD_CHARS))
    end = min(len(text), start + chars)
    body = _marked(text, [(o.start, o.end) for o in found], start, _word_end(text, end))
    return ("… " if start else "") + body + (" …" if end < len(text) else "")


# the tokenizer's pattern as a separator of re.split: words and what lies between them
# alternate, so a word's place is the sum of the lengths before it (all of it in C)
# (text with CJK characters takes the slower path of `_Words._read_tokens`)
_SPLIT = re.compile(f"({PLAIN_WORD_PATTERN.pattern})")


class _Words:
    """The words of a text as the index sees them (stop words dropped), reduced to what a
    snippet needs: where each word a query asks for stands, by stem and by exact form."""

    def __init__(self, text: str, wanted: frozenset[str]) -> None:
        self._spans: dict[int, tuple[int, int]] | None = None
        languages = tuple(sorted({t.split(":", 1)[0] for t in wanted if ":" in t}))
        if languages or has_cjk(text[:SCAN_CHARS]):
            self._read_tokens(text[:SCAN_CHARS], wanted, languages)
            return
        parts = _SPLIT.split(text[:SCAN_CHARS])  # between, word, between, word, ..., between
        words = parts[1::2]
        terms = list(map(text_term, words))
        self.at: dict[tuple[int, str], list[int]] = {}  # (0 stem | 1 exact, term) -> positions
        self._word: dict[int, int] = {}  # position (stop words dropped) -> word number
        asked = [w for w, term in enumerate(terms) if term in wanted]
        if asked:
            # a word's position counts the words before it that are not stop words
            kept = list(itertools.accumulate(map(operator.is_not, terms, itertools.repeat(None))))
            for w in asked:
                i = kept[w] - 1
                self.at.setdefault((0, terms[w]), []).append(i)  # type: ignore[arg-type]
                self.at.setdefault((1, exact_term(words[w]) or ""), []).append(i)
                self._word[i] = w
        self._sets = {key: set(places) for key, places in self.at.items()}
        self._ends = list(itertools.accumulate(map(len, parts))) if self._word else []

    def _read_tokens(self, text: str, wanted: frozenset[str], languages: tuple[str, ...]) -> None:
        """Read a text with CJK runs (their bigrams) or one a query's other languages may match
        (their stems), keeping each wanted word's span: the slower path."""
        self.at, self._spans = {}, {}
        i = 0
        for raw, start, end in tokens(text):
            term = text_term(raw)
            if languages and (term is None or term not in wanted):
                term = next((t for t in foreign_query_terms(raw, languages) if t in wanted), term)
            if term is None:
                continue
            if term in wanted:
                self.at.setdefault((0, term), []).append(i)
                self.at.setdefault((1, exact_term(raw) or ""), []).append(i)
                self._spans[i] = (start, end)
            i += 1
        self._sets = {key: set(places) for key, places in self.at.items()}

    def holds(self, col: int, term: str, i: int) -> bool:
        """Tell whether position i holds the term (a stem, col 0, or an exact form, col 1)."""
        return i in self._sets.get((col, term), ())

    def span(self, i: int) -> tuple[int, int]:
        """Return where the word at position i stands in the text."""
        if self._spans is not None:
            return self._spans[i]
        w = self._word[i]
        return self._ends[2 * w], self._ends[2 * w + 1]


def _occurrences(text: str, groups: tuple[Group, ...]) -> list[_Occurrence]:
    """Return every occurrence of every group, without overlaps, in text order."""
    if not groups:
        return []
    wanted = frozenset(t for g in groups for seq in g.stem for t in seq)
    words = _Words(text, wanted)
    if not words.at:
        return []
    found: list[_Occurrence] = []
    for gi, group in enumerate(groups):
        exact = [o for seq in group.exact for o in _find(words, seq, 1, gi, True)]
        found.extend(exact or [o for seq in group.stem for o in _find(words, seq, 0, gi, False)])
    found.sort(key=lambda o: (o.start, -(o.end - o.start)))
    kept: list[_Occurrence] = []
    for o in found:
        if not kept or o.start >= kept[-1].end:
            kept.append(o)
    return kept


def _find(words: _Words, seq: Seq, col: int, gi: int, exact: bool) -> Iterator[_Occurrence]:
    """Yield each place where the words of `seq` stand in a row (by stem or exact form)."""
    n = len(seq)
    if not n:
        return
    for i in words.at.get((col, seq[0]), ()):
        if all(words.holds(col, seq[k], i + k) for k in range(1, n)):
            yield _Occurrence(gi, exact, words.span(i)[0], words.span(i + n - 1)[1])


def _best_window(found: list[_Occurrence], chars: int) -> _Occurrence:
    """Return the occurrence that opens the window holding the most distinct groups (exact
    occurrences count next), sliding over the occurrences in text order."""
    width = chars - LEAD_CHARS
    best, best_key = found[0], (-1, -1)
    held: dict[tuple[int, bool], int] = {}
    j = 0
    for _i, first in enumerate(found):
        while j < len(found) and found[j].end <= first.start + width:
            key = (found[j].group, found[j].exact)
            held[key] = held.get(key, 0) + 1
            j += 1
        groups = {g for g, _ in held}
        score = (len(groups), len({g for g, e in held if e}))
        if score > best_key:
            best, best_key = first, score
        key = (first.group, first.exact)
        if key in held:  # the window moves past this occurrence
            held[key] -= 1
            if not held[key]:
                del held[key]
    return best


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
    termset = frozenset(query_stems(q))
    if not termset or not text:
        return html.escape(text, quote=True)
    spans: list[tuple[int, int]] = []
    for _raw, s, e in (t for t in tokens(text) if text_term(t[0]) in termset):
        if spans and s <= spans[-1][1]:  # a CJK word's bigrams overlap: one run
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    out, at = [], 0
    for s, e in spans:
        out.append(html.escape(text[at:s], quote=True))
        out.append("<mark>" + html.escape(text[s:e], quote=True) + "</mark>")
        at = e
    out.append(html.escape(text[at:], quote=True))
    return "".join(out)
