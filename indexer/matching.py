"""Plain-word queries: entries with every word first, then those with most of them; the word as
typed (in any spelling) before words that only share its stem.

Moving parts:
- `plain_clauses`: query text without operators becomes one `Clause` per word, hyphenated
  compound ("micro-purchase") or dotted name ("login.gov"), each a stem query and an exact
  query over title and body (the index holds both terms of every word, analysis.py);
- `needed`: how many clauses an entry must hold to be shown (one: the rest only rank);
- `match_clauses`: evaluates the clauses over whole posting lists (postings.py) and returns
  the entries shown with their BM25 scores, how many clauses each holds and a rank key:
  every clause held first; then, for the rest, the share of the query they hold (`steps`);
  then clauses held exactly; then the score.
Quotes, `AND`, `OR`, `NOT`, `+word`, `-word`, `field:` and parentheses keep their strict
meaning: such text goes to the query parser (query.py) instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader

from indexer.analysis import (
    SHORT_PART,
    WORD_PATTERN,
    foreign_phrase_terms,
    foreign_query_terms,
    foreign_stop_word,
    query_terms,
)
from indexer.highlight import Group
from indexer.japanese import Word, query_words
from indexer.languages import bigrams, is_cjk
from indexer.postings import Postings, evaluate
from indexer.query import expand_wildcards

TITLE_BOOST = 2.0
EXACT_WEIGHT = 0.5  # an exact term's BM25 score counts this much beside its stem's
TIER = 1e6  # rank key = tier * TIER + score: BM25 sums stay far below it
WEIGHED_FROM = 3  # from this many clauses on, a partial match's share weighs each word (steps)
_STRICT = re.compile(
    r'["()\[\]{}:^~]|(?:^|\s)[+\-]\S|(?:^|\s)(?:AND|OR|NOT|ANDNOT|ANDMAYBE)(?=\s|$)'
)
_JOINERS = "-\u2010\u2011"
_DOT = "."


@dataclass(frozen=True)
class Clause:
    """One word (or compound) of a plain query: what its stem matches, what its exact form does."""

    text: str
    stem: wq.Query
    exact: wq.Query
    group: Group = field(default_factory=Group)  # what the snippet marks


@dataclass
class Matched:
    """Entries shown for a plain query: docnums, scores, clauses held and the rank key."""

    ids: np.ndarray
    scores: np.ndarray
    held: np.ndarray  # clauses each entry holds
    rank: np.ndarray
    clauses: int
    expanded: list[str]
    partial: bool


def is_plain(text: str) -> bool:
    """Tell whether query text has no operator, quote, field or group: only words."""
    return bool(text.strip()) and not _STRICT.search(text)


def plain_clauses(
    text: str, near: Mapping[str, Sequence[str]] | None = None, languages: tuple[str, ...] = ()
) -> list[Clause]:
    """Return the clauses of plain query text (stop words make none); a word that `near` names
    (lowercase) also matches its near spellings there (typos.py), but only as its stem does,
    so the entries holding it as typed rank first; each word also matches its stem in each of
    `languages` (the archive's other languages, languages.py)."""
    clauses: list[Clause] = []
    for chunk in text.split():
        if "*" in chunk or "?" in chunk:
            clauses.append(_wildcard(chunk))
            continue
        for run, joined in _cjk_apart(_runs(chunk)):
            words = query_words(run[0]) if len(run) == 1 and is_cjk(run[0]) else ()
            if len(words) > 1 or (words and words[0].forms != (run[0],)):
                clauses += [_japanese_clause(word, run[0]) for word in words]
                continue
            clause = _clause(run, joined, languages)
            if clause is not None and near and len(run) == 1 and run[0].lower() in near:
                clause = _with_near(clause, near[run[0].lower()])
            if clause is not None:
                clauses.append(clause)
    unique: dict[str, Clause] = {}
    for clause in clauses:
        unique.setdefault(repr(clause.stem), clause)
    return list(unique.values())


def _with_near(clause: Clause, words: Sequence[str]) -> Clause:
    """Return a one-word clause that also matches other words, as its stem does."""
    terms = [t for t in (query_terms(w)[0] for w in words) if t is not None]
    if not terms:
        return clause
    stem = wq.Or([clause.stem, *(both(wq.Term, t) for t in terms)])
    group = Group(clause.group.exact, clause.group.stem + tuple((t,) for t in terms))
    return Clause(clause.text, stem, clause.exact, group)


def single_words(text: str) -> list[str]:
    """Return the words of plain query text that make a clause of their own (not compounds,
    dotted names or wildcards): the ones typo tolerance may look up."""
    out = []
    for chunk in text.split():
        if "*" not in chunk and "?" not in chunk:
            out += [run[0] for run, _ in _runs(chunk) if len(run) == 1 and not is_cjk(run[0])]
    return out


def _runs(chunk: str) -> list[tuple[list[str], bool]]:
    """Split a chunk into runs of words joined by one hyphen or dot, with whether a hyphen joined them."""
    runs: list[tuple[list[str], bool]] = []
    end = -2
    for m in WORD_PATTERN.finditer(chunk):
        gap = chunk[end : m.start()] if end >= 0 else ""
        short = (
            bool(runs) and gap == "/" and max(len(runs[-1][0][-1]), len(m.group())) <= SHORT_PART
        )
        if runs and len(gap) == 1 and (gap in _JOINERS + _DOT or short):
            runs[-1][0].append(m.group())
            runs[-1] = (runs[-1][0], runs[-1][1] or gap in _JOINERS or short)
        else:
            runs.append(([m.group()], False))
        end = m.end()
    return runs


def both(make: type[wq.Query], value: object) -> wq.Query:
    return wq.Or([make("title", value, boost=TITLE_BOOST), make("body", value)])


def _clause(words: list[str], joined_form: bool, languages: tuple[str, ...] = ()) -> Clause | None:
    if len(words) == 1 and is_cjk(words[0]):
        return _cjk_clause(words[0])
    stems = [t for t in (query_terms(w)[0] for w in words) if t is not None]
    exacts = [t for t in (query_terms(w)[1] for w in words) if t is not None]
    if len(words) == 1:
        if not stems:
            return None
        others = foreign_query_terms(words[0], languages)
        stem = both(wq.Term, stems[0])
        if others:  # English entries score exactly as before: these terms are not theirs
            stem = wq.Or([stem, *(both(wq.Term, t) for t in others)])
        return Clause(
            words[0],
            stem,
            both(wq.Term, exacts[0]),
            Group(((exacts[0],),), ((stems[0],), *((t,) for t in others))),
        )
    joined, joined_exact = query_terms("".join(words)) if joined_form else (None, None)
    stem_parts: list[wq.Query] = []
    exact_parts: list[wq.Query] = []
    if len(stems) == len(words):  # "e-mail", "A/B": "mail" alone is not what was typed
        # every part anywhere matches ("5.2" in a message about GPT-4o and GPT-5.2); the
        # parts side by side, as written, match exactly and rank first
        stem_parts.append(wq.And([both(wq.Term, t) for t in stems]))
        exact_parts.append(both(wq.Phrase, exacts))
    if joined is not None and joined_exact is not None:
        stem_parts.append(both(wq.Term, joined))
        exact_parts.append(both(wq.Term, joined_exact))
    if not stem_parts:
        return None
    text = ("-" if joined_form else ".").join(words)
    group = Group(_sequences(exacts, joined_exact), _sequences(stems, joined))
    return Clause(text, wq.Or(stem_parts), wq.Or(exact_parts), group)


def _cjk_apart(runs: list[tuple[list[str], bool]]) -> list[tuple[list[str], bool]]:
    """Split a compound that holds a CJK word ("利用者-한국어") into its words: a CJK word is
    its own phrase of bigrams, never part of a joined form."""
    out: list[tuple[list[str], bool]] = []
    for run, joined in runs:
        if len(run) > 1 and any(map(is_cjk, run)):
            out += [([word], False) for word in run]
        else:
            out.append((run, joined))
    return out


def _cjk_clause(word: str) -> Clause:
    """Return the clause of a CJK word: the phrase of its character bigrams, as indexed, so
    利用者 finds 利用者 and not entries holding only 利用 or 用者 apart."""
    grams = _grams(word)
    q = _gram_query(grams)
    return Clause(word, q, q, Group((grams,), (grams,)))


def _japanese_clause(word: Word, typed: str) -> Clause:
    """Return the clause of one word of a Japanese run a reader typed (japanese.py): any of
    its forms, each the phrase of its bigrams. An entry holds it exactly where the whole run
    is written as typed: those entries rank first, before the ones holding its words apart."""
    grams = [_grams(form) for form in word.forms]
    stem = _gram_query(grams[0]) if len(grams) == 1 else wq.Or([_gram_query(g) for g in grams])
    whole = _grams(typed)
    return Clause(word.name, stem, _gram_query(whole), Group((whole,), tuple(grams)))


def _gram_query(grams: tuple[str, ...]) -> wq.Query:
    return both(wq.Term, grams[0]) if len(grams) == 1 else both(wq.Phrase, list(grams))


def _grams(word: str) -> tuple[str, ...]:
    return tuple(g for g, _, _ in bigrams(word))


def _sequences(parts: list[str], joined: str | None) -> tuple[tuple[str, ...], ...]:
    """Return the term sequences a compound shows as: its parts in a row, its joined form."""
    out: list[tuple[str, ...]] = [tuple(parts)] if parts else []
    return (*out, (joined,)) if joined else tuple(out)


def _wildcard(chunk: str) -> Clause:
    pattern = chunk.strip(",;!")
    return Clause(
        pattern,
        wq.Or([wq.Wildcard("title", pattern, boost=TITLE_BOOST), wq.Wildcard("body", pattern)]),
        wq.NullQuery,
    )


def _joined_pairs(
    clauses: list[Clause], ctx: Postings
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """Return, for each pair of neighbouring one-word clauses whose words written together are
    a word of the archive, the entries that hold that word."""
    out = {}
    for i in range(len(clauses) - 1):
        a, b = clauses[i].text, clauses[i + 1].text
        if not (a.isalnum() and b.isalnum()):
            continue
        term = query_terms(a + b)[0]
        if term is None:
            continue
        found = evaluate(both(wq.Term, term), ctx)
        if len(found[0]):
            out[(i, i + 1)] = found
    return out


def needed(clauses: int) -> int:
    """Return how many of a query's clauses an entry must hold to be shown: one. Entries with
    every word come first and the rest follow by how many they hold, so asking for more
    only loses entries a reader wants (measured in bench/relevance.py: on the-commons, where
    readers type questions, two thirds gave recall@50 0.198, a half 0.258, one 0.436)."""
    return min(clauses, 1)


def match_clauses(clauses: list[Clause], ctx: Postings, reader: IndexReader) -> Matched:
    """Evaluate plain clauses: the entries holding enough of them, scored and ranked."""
    n = len(ctx.live)
    held = np.zeros(n, dtype=np.int16)
    exact = np.zeros(n, dtype=np.int16)
    score = np.zeros(n)
    expanded: list[str] = []
    partial = False
    joined = _joined_pairs(clauses, ctx)
    live = int(np.count_nonzero(ctx.live))
    weights: list[float] = []
    weighed = np.zeros(n)
    for i, clause in enumerate(clauses):
        stem_q = clause.stem
        if clause.exact is wq.NullQuery:
            found = expand_wildcards(stem_q, reader)
            stem_q, partial = found.query or wq.NullQuery, partial or found.partial
            expanded.extend(found.expanded)
        s_ids, s_scores = evaluate(stem_q, ctx)
        e_ids, e_scores = evaluate(clause.exact, ctx)
        hit = np.zeros(n, dtype=bool)
        hit[s_ids] = True
        hit[e_ids] = True
        for j in (i - 1, i):  # "micro purchase" typed, "micropurchase" written
            if (j, j + 1) in joined:
                j_ids, j_scores = joined[(j, j + 1)]
                hit[j_ids] = True
                score[j_ids] += j_scores / 2
        held += hit
        weights.append(_idf(int(np.count_nonzero(hit & ctx.live)), live))
        weighed += hit * weights[-1]
        exact[e_ids] += 1
        score[s_ids] += s_scores
        score[e_ids] += e_scores * EXACT_WEIGHT
    ids = np.flatnonzero(held >= needed(len(clauses)))
    step = steps(held[ids], weighed[ids] / max(sum(weights), 1e-9), len(clauses))
    tier = step * (len(clauses) + 1) + exact[ids]
    return Matched(ids, score[ids], held, tier * TIER + score[ids], len(clauses), expanded, partial)


def _idf(df: int, entries: int) -> float:
    """Return BM25's idf of a word that `df` of `entries` hold (never below a small floor)."""
    return max(math.log(1 + (entries - df + 0.5) / (df + 0.5)), 0.01)


def steps(held: np.ndarray, share: np.ndarray, clauses: int) -> np.ndarray:
    """Return the tier of each entry by how much of the query it holds: every clause is the top
    step; below it, with fewer than `WEIGHED_FROM` clauses, the number held; from there on, the
    share of the query's weight held (each word weighs its idf), cut into as many steps as the
    query has clauses. Holding the two telling words of "why is OpenAI retiring GPT-4o" then
    ranks above holding the two every message has; with two words, holding one is holding one,
    and BM25's idf already prefers the rarer without shutting out good matches of the other.
    Measured in bench/relevance.py: the-commons 0.472 -> 0.490 nDCG@10, digitalgov-news no
    change in nDCG@10 and recall@50 0.862 -> 0.867; weighing two-word queries too lost
    digitalgov-news a third of its recall on three of them (RESULTS.md)."""
    full = held == clauses
    if clauses < WEIGHED_FROM:
        return held.astype(np.float64)
    weighed = np.minimum(np.floor(share * clauses + 1e-9), clauses - 1)
    return np.where(full, float(clauses), weighed)


def with_exact(q: wq.Query, text: str) -> wq.Query:
    """Give each title/body word of a parsed (strict) query a bonus where the entry holds the
    word as typed: Term(stem) becomes AndMaybe(Term(stem), Term(exact form))."""
    if isinstance(q, (wq.Not, wq.AndNot)):
        return q if isinstance(q, wq.Not) else wq.AndNot(with_exact(q.a, text), q.b)
    if isinstance(q, wq.Term) and q.fieldname in ("title", "body"):
        start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
        typed = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        exact = query_terms(typed)[1] if typed and WORD_PATTERN.fullmatch(typed) else None
        if exact is None:
            return q
        return wq.AndMaybe(q, wq.Term(q.fieldname, exact, boost=q.boost * EXACT_WEIGHT))
    if q.is_leaf() or isinstance(q, wq.Phrase):
        return q
    return q.apply(lambda sub: with_exact(sub, text))


def with_languages(q: wq.Query, text: str, languages: tuple[str, ...]) -> wq.Query:
    """Let each title/body word of a parsed (strict) query also match its stem in each of
    `languages`, and a CJK word match as the phrase of its bigrams (the parser ANDs them)."""
    if isinstance(q, wq.Not):
        return q
    if isinstance(q, wq.AndNot):
        return wq.AndNot(with_languages(q.a, text, languages), q.b)
    if isinstance(q, wq.And) and _bigram_terms(q):
        terms = q.subqueries
        return wq.Phrase(terms[0].fieldname, [t.text for t in terms], boost=terms[0].boost)
    if isinstance(q, wq.Term) and q.fieldname in ("title", "body") and languages:
        start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
        typed = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        others = foreign_query_terms(typed, languages) if typed else []
        exact = query_terms(typed)[1] if typed and WORD_PATTERN.fullmatch(typed) else None
        if exact is not None and foreign_stop_word(typed, languages):
            others.append(exact)  # "+posible": a Spanish stop word, found as typed there
        if not others:
            return q
        return wq.Or([q, *(wq.Term(q.fieldname, t, boost=q.boost) for t in others)])
    if isinstance(q, wq.Phrase) and q.fieldname in ("title", "body") and languages:
        return _phrase_in_languages(q, text, languages)
    if q.is_leaf() or isinstance(q, wq.Phrase):
        return q
    return q.apply(lambda sub: with_languages(sub, text, languages))


def _phrase_in_languages(q: wq.Phrase, text: str, languages: tuple[str, ...]) -> wq.Query:
    """Let a quoted phrase also match as the entries of each language indexed it: the words
    as typed (from the first to the last the parser kept), each made its term there."""
    spans = [(a, b) for a, b in (q.char_ranges or ()) if a is not None and b is not None]
    if not spans:
        return q
    typed = text[spans[0][0] : spans[-1][1]]
    alternatives: list[wq.Query] = [q]
    for code in languages:
        terms = foreign_phrase_terms(typed, code)
        if len(terms) > 1:
            alternatives.append(wq.Phrase(q.fieldname, terms, slop=q.slop, boost=q.boost))
        elif terms:
            alternatives.append(wq.Term(q.fieldname, terms[0], boost=q.boost))
    return wq.Or(alternatives) if len(alternatives) > 1 else q


def _bigram_terms(q: wq.And) -> bool:
    terms = q.subqueries
    return len(terms) > 1 and all(
        isinstance(t, wq.Term)
        and t.fieldname == terms[0].fieldname
        and is_cjk(str(t.text))
        and len(str(t.text)) == 2
        for t in terms
    )


def exact_tiers(q: wq.Query, ctx: Postings) -> np.ndarray:
    """Return, per document, how many of a strict query's words it holds as typed (the exact
    terms `with_exact` added), so those entries rank above stem-only ones."""
    exact: set[str] = set()

    def visit(node: wq.Query) -> None:
        if isinstance(node, wq.AndMaybe) and isinstance(node.b, wq.Term):
            text = node.b.text
            exact.add(text.decode() if isinstance(text, bytes) else text)
        elif not node.is_leaf() and not isinstance(node, (wq.Not, wq.Phrase)):
            for sub in node.children():
                visit(sub)

    visit(q)
    tiers = np.zeros(len(ctx.live))
    for term in exact:
        hit = np.zeros(len(ctx.live), dtype=bool)
        for fieldname in ("title", "body"):
            hit[evaluate(wq.Term(fieldname, term), ctx)[0]] = True
        tiers += hit
    return tiers
