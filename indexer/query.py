"""Parse query text forgivingly and bound its costly parts.

Moving parts: a Whoosh `MultifieldParser` over title and body with `-word`/`+word`, field
aliases (`author:`, `theme:`…) and the default AND; a fallback that turns text the parser
cannot take into plain words; `expand_wildcards`, which replaces prefix and wildcard nodes by
the spelling-folded whole words of the `words` field they match, at most MAX_EXPANSION of
them, within a time budget (DESIGN.md: Whoosh does not analyze prefix text).
"""

from __future__ import annotations

import fnmatch
import re
import time
import weakref
from dataclasses import dataclass, field

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from indexer.analysis import fold_prefix, stems
from indexer.schema import FIELD_ALIASES
from indexer.slugs import theme_slug

MAX_EXPANSION = 400  # words one prefix or wildcard may expand to
MIN_PREFIX = 2  # shorter literal prefixes scan the whole vocabulary
EXPANSION_SECONDS = 0.25
_PLAIN = re.compile(r"[^\w@#'’\-]+", re.UNICODE)
_DOUBLE_NOT = re.compile(r"(?<!\S)NOT\s+NOT(?!\S)")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_TEXT_FIELDS = (("title", 2.0), ("body", 1.0))  # as make_parser: title boosted


@dataclass
class ParsedQuery:
    """A parsed query, the whole words its wildcards matched, and whether a bound cut it short."""

    query: wq.Query | None  # None: browse everything
    expanded: list[str] = field(default_factory=list)
    partial: bool = False


def make_parser(schema: Schema) -> qparser.QueryParser:
    """Return the parser for reader-typed query text."""
    parser = qparser.MultifieldParser(["title", "body"], schema, fieldboosts={"title": 2.0})
    # "-word" excludes, but the hyphen inside "self-determination" or "GPT-4o" is text
    parser.add_plugin(
        qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
    )
    parser.add_plugin(qparser.FieldAliasPlugin(_aliases()))
    parser.remove_plugin_class(qparser.BoostPlugin)  # "^" is more often text than syntax
    return parser


def _aliases() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for alias, target in FIELD_ALIASES.items():
        if alias != target:
            out.setdefault(target, []).append(alias)
    return out


def parse_text(q: str, schema: Schema) -> wq.Query | None:
    """Parse query text; malformed syntax degrades to plain words and never raises."""
    text = q.strip()
    if not text:
        return None
    words = text.split()
    if all(w.startswith("-") and len(w) > 1 for w in words):
        # only exclusions ("-dignity"): everything but those, as "NOT dignity" would give
        text = " ".join(f"NOT {w[1:]}" for w in words)
    try:
        return make_parser(schema).parse(_cancel_double_negation(text))
    except Exception:  # noqa: BLE001 - Whoosh trips on odd input (a NOT with nothing to negate)
        # not the parser again: it would trip on the same words
        return plain_query(text, schema)


def _cancel_double_negation(text: str) -> str:
    """Drop each pair of consecutive NOTs ("NOT NOT agile" is "agile"): Whoosh raises on them."""
    previous = None
    while previous != text:
        previous, text = text, _DOUBLE_NOT.sub(" ", text)
    return text


def plain_query(text: str, schema: Schema) -> wq.Query:
    """Return the query Whoosh's parser would give the text's words with no syntax: every word
    (AND), each in the title (boosted) or the body (OR), analyzed by the field's own analyzer."""
    words = dict.fromkeys(w for w in _PLAIN.sub(" ", text).split() if w not in _OPERATORS)
    clauses = [c for c in (_word_query(w, schema) for w in words) if c is not wq.NullQuery]
    if not clauses:
        return wq.NullQuery
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def _word_query(word: str, schema: Schema) -> wq.Query:
    """Return one plain word as the parser would: in the title or the body."""
    per_field = []
    for name, boost in _TEXT_FIELDS:
        tokens = schema[name].process_text(word, mode="query")
        terms = [wq.Term(name, t, boost=boost) for t in tokens]
        if terms:
            per_field.append(terms[0] if len(terms) == 1 else wq.And(terms))
    if not per_field:
        return wq.NullQuery
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def expand_wildcards(q: wq.Query, reader: IndexReader) -> ParsedQuery:
    """Replace prefix/wildcard nodes on text fields by the folded words they match."""
    result = ParsedQuery(q)
    deadline = time.perf_counter() + EXPANSION_SECONDS

    def visit(node: wq.Query) -> wq.Query:
        if isinstance(node, (wq.Prefix, wq.Wildcard)) and node.fieldname in ("title", "body"):
            return _expand(node, reader, result, deadline)
        return node.apply(visit) if node.is_leaf() is False else node

    result.query = visit(q)
    return result


def _expand(node: wq.Query, reader: IndexReader, result: ParsedQuery, deadline: float) -> wq.Query:
    pattern = fold_prefix(node.text + ("*" if isinstance(node, wq.Prefix) else ""))
    literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
    words = []
    if len(literal) >= MIN_PREFIX or time.perf_counter() < deadline:
        words = _matching_words(reader, pattern, literal, deadline, result)
    else:  # no time left to scan the whole vocabulary for it: the answer is partial
        result.partial = True
    result.expanded.extend(words)
    terms = sorted({t for w in words for t in stems(w)})
    if not terms:
        return wq.NullQuery
    return wq.Or([wq.Term(node.fieldname, t, boost=node.boost) for t in terms])


# the words each pattern matched, per open reader (its generation's words never change): a
# prefix's scan of the vocabulary is the dearest part of a prefix query with few results
_EXPANDED: weakref.WeakKeyDictionary[IndexReader, dict[str, tuple[list[str], bool]]] = (
    weakref.WeakKeyDictionary()
)
_EXPANDED_PER_READER = 4096


def _matching_words(
    reader: IndexReader, pattern: str, literal: str, deadline: float, result: ParsedQuery
) -> list[str]:
    """Return the folded words of the archive that match the pattern (at most MAX_EXPANSION;
    more, or a scan the clock cut short, make the answer partial)."""
    known = _EXPANDED.setdefault(reader, {})
    if pattern not in known:
        words, capped, timed_out = _scan_words(reader, pattern, literal, deadline)
        if timed_out:  # not remembered: another time it may finish
            result.partial = True
            return words
        if len(known) >= _EXPANDED_PER_READER:
            known.clear()
        known[pattern] = (words, capped)
    words, capped = known[pattern]
    result.partial = result.partial or capped
    return words


def _scan_words(
    reader: IndexReader, pattern: str, literal: str, deadline: float
) -> tuple[list[str], bool, bool]:
    """Return the matching words, whether there were more than MAX_EXPANSION, and whether the
    deadline stopped the scan."""
    rx = re.compile(fnmatch.translate(pattern))
    words: list[str] = []
    for i, raw in enumerate(reader.expand_prefix("words", literal)):
        word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if rx.match(word):
            words.append(word)
        if len(words) >= MAX_EXPANSION:
            return words, True, False
        if i % 512 == 0 and time.perf_counter() > deadline:
            return words, False, True
    return words, False, False


def resolve_themes(q: wq.Query, labels: dict[str, str]) -> wq.Query:
    """Let `theme:` name a theme by its slug, its tag's words or its label: `theme:"open
    source"` and `theme:open-source` search the same theme."""
    by_label = {theme_slug(label): slug for slug, label in labels.items()}

    def visit(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "themes":
            text = node.text.decode() if isinstance(node.text, bytes) else str(node.text)
            slug = theme_slug(text) or text
            return wq.Term("themes", by_label.get(slug, slug), boost=node.boost)
        return node if node.is_leaf() else node.apply(visit)

    return visit(q)


def plain_words(q: str) -> list[str]:
    """Return the words of query text, without syntax, for did-you-mean."""
    skip = {"and", "or", "not"}
    return [
        w for w in re.findall(r"[^\W\d_][\w'’\-]*", q) if w.lower() not in skip and ":" not in w
    ]
