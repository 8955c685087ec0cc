"""Related entries: what an entry is about, matched three ways and ranked as one list.

Moving parts, each scored from 0 to 1 per other entry and added with its weight:
- themes: the entry's themes that another shares, each weighted by how rare it is;
- key phrases (keyphrases.py): the entry's collocations that another uses as a phrase, each
  weighted by how rare it is; a phrase no other entry uses, or one in many entries, says nothing;
- more like this: Whoosh's key terms of the entry (Bo1), as one OR query over whole posting
  lists (postings.py), the score over the best one's.
The reasons given are words a reader knows: shared themes, then shared key phrases, then
shared key words, never a number, a stop word, a stem or a word in more than a few percent of
the entries.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analysis import written_word
from indexer.documents import brief
from indexer.keyphrases import analysed, key_phrases, reader_word, wordlike
from indexer.languages import is_cjk
from indexer.postings import Postings, doc_frequency, evaluate
from indexer.results import Related
from indexer.words import COMMON

__all__ = ["COMMON", "Profile", "Reason", "phrase_ids", "profile", "related_entries"]

KEY_TERMS = 25
# A key term in more than this share of the entries (and more than FEW_DOCS of them) says
# little about what is related, and reading its long posting list is most of the cost of a
# related list at 100,000 entries (60-270 ms cold): such terms are left out (2%: at 5% a cold
# list took 150 ms p50 there, at 2% 95 ms; archives under 13,000 entries never reach it).
COMMON_SHARE = 0.15
MOST_DOCS = 2_000
FEW_DOCS = 50
# A word, phrase or theme in more than this share of the entries is boilerplate as a reason.
REASON_SHARE = 0.04
REASON_FLOOR = 5  # ... unless it is in this few entries
MAX_SHARED = 6
LONG_TEXT = 300  # words: a longer text must use a word twice to make it a key word
TITLE_TIMES = 3  # a word of the title counts as this many uses: a title says what it is about
PHRASES = 10  # key phrases matched per entry
PAIR_SLACK = 3  # pairs of words in this many times too many entries: positions not read
# A phrase with a word in more entries than this is not matched: reading that word's positions
# means reading its whole posting list (a second per related list at 100,000 entries, where
# such words are common), and a phrase of a common word says less than the key words do.
# Archives of a few thousand entries never reach it.
PHRASE_WORD_DOCS = 2_000
WEIGHTS = {"themes": 1.0, "phrases": 0.8, "terms": 1.0}


@dataclass(frozen=True)
class Reason:
    """One thing an entry is about, as a reader reads it, and the entries that share it."""

    kind: str  # "theme", "phrase" or "word"
    label: str
    ids: np.ndarray  # sorted docnums
    weight: float


@dataclass(frozen=True)
class Profile:
    """What an entry is about: its reasons by kind and each other entry's score."""

    scores: np.ndarray  # per docnum
    reasons: tuple[Reason, ...]


def profile(
    searcher: Searcher, docnum: int, ctx: Postings, labels: Mapping[str, str] | None = None
) -> Profile:
    """Return the entry's themes, key phrases and key words, and every entry's score against them."""
    fields = searcher.stored_fields(docnum)
    n = searcher.doc_count()
    text = fields.get("title", "") + "\n" + fields.get("body", "")
    tokens = analysed(text)  # once, for the key phrases and the key words
    parts = {
        "themes": _themes(fields, ctx, n, labels or {}),
        "phrases": _phrases(text, tokens, ctx, n),
        "terms": [],
    }
    terms, mlt = _terms(searcher, text, tokens, len(fields.get("title", "")), ctx, n)
    parts["terms"] = terms
    size = len(ctx.live)
    scores = np.zeros(size, dtype=np.float64)
    for kind, reasons in parts.items():
        if kind == "terms":
            continue
        total = sum(r.weight for r in reasons)
        for r in reasons:
            scores[r.ids] += WEIGHTS[kind] * r.weight / total
    ids, values = mlt
    others = ids != docnum
    ids, values = ids[others], values[others]
    if len(ids):
        scores[ids] += WEIGHTS["terms"] * values / float(values.max())
    scores[docnum] = 0.0
    shown = tuple(
        r
        for kind in ("themes", "phrases", "terms")
        for r in parts[kind]
        if len(r.ids) <= max(REASON_FLOOR, REASON_SHARE * n) or kind == "themes"
    )
    return Profile(scores, shown)


def related_entries(
    searcher: Searcher,
    docnum: int,
    limit: int,
    ctx: Postings,
    labels: Mapping[str, str] | None = None,
    known: Profile | None = None,
) -> tuple[Related, ...]:
    """Return up to `limit` entries most like this one, each with what they share."""
    p = known or profile(searcher, docnum, ctx, labels)
    hits = np.flatnonzero(p.scores > 0)
    order = hits[np.lexsort((hits, -p.scores[hits]))][:limit]
    out = []
    for n in order.tolist():
        hit = searcher.stored_fields(n)
        held = [r for r in p.reasons if _holds(r.ids, n)]
        themes = tuple(r.label for r in held if r.kind == "theme")
        phrases = _distinct(r.label for r in held if r.kind == "phrase")
        words = [
            r.label
            for r in held
            if r.kind == "word" and not any(r.label.lower() in ph.lower().split() for ph in phrases)
        ]
        out.append(
            Related(
                **brief(hit),
                shared=(*themes, *phrases, *words)[:MAX_SHARED],
                score=round(float(p.scores[n]), 4),
                themes=themes,
                phrases=phrases,
            )
        )
    return tuple(out)


def _themes(fields: dict, ctx: Postings, n: int, labels: Mapping[str, str]) -> list[Reason]:
    slugs = [t for t in fields.get("themes", "").split(",") if t]
    own = fields.get("theme_labels", ()) or ()
    out = []
    for i, slug in enumerate(slugs):
        ids = evaluate(wq.Term("themes", slug), ctx)[0]
        if len(ids) < 2:
            continue
        label = (own[i] if i < len(own) else "") or labels.get(slug) or slug
        out.append(Reason("theme", label, np.sort(ids), _idf(len(ids), n)))
    return out


def _phrases(text: str, tokens: list[tuple[str, int, int]], ctx: Postings, n: int) -> list[Reason]:
    out: list[Reason] = []
    most = _most(n)
    for phrase in key_phrases(text, tokens=tokens):
        ids = phrase_ids(phrase.terms, ctx, most)
        if 2 <= len(ids) <= most:
            out.append(Reason("phrase", phrase.words, ids, _idf(len(ids), n)))
        if len(out) == PHRASES:
            break
    return out


def phrase_ids(terms: tuple[str, str], ctx: Postings, most: float) -> np.ndarray:
    """Return the entries that use a phrase (in the body), when it is neither unique nor common.

    Both words are matched first, from cached postings: positions are read only for a pair
    that enough entries, and not too many, hold.
    """
    a, b = terms
    held = max(doc_frequency(ctx.searcher, "body", t) for t in terms)
    if held > PHRASE_WORD_DOCS:
        return np.zeros(0, dtype=np.int64)
    both = evaluate(wq.And([wq.Term("body", a), wq.Term("body", b)]), ctx)[0]
    if not 2 <= len(both) <= most * PAIR_SLACK:
        return np.zeros(0, dtype=np.int64)
    return np.sort(evaluate(wq.Phrase("body", [a, b]), ctx)[0])


def _terms(
    searcher: Searcher,
    text: str,
    tokens: list[tuple[str, int, int]],
    title_end: int,
    ctx: Postings,
    n: int,
) -> tuple[list[Reason], tuple[np.ndarray, np.ndarray]]:
    """Return the key words as reasons, and the more-like-this scores over them.

    Key words are the entry's most used words weighed by rarity (tf-idf), a word used once in a
    long text left out: Whoosh's Bo1 picks the rarest words, which makes entries related by
    one odd word they share ("drowning"). The query boosts a word by how often the entry uses
    it; BM25 weighs the rarity once.
    """
    most = _most(n)
    times: Counter[str] = Counter()
    written: dict[str, str] = {}
    for term, start, end in tokens:  # the title's words first, then the body's
        word = written_word(text[start:end])
        if wordlike(term, word) or is_cjk(term):  # CJK: its character bigrams
            times[term] += TITLE_TIMES if end <= title_end else 1
            written.setdefault(term, word)
    least = 2 if sum(times.values()) >= LONG_TEXT else 1
    weights = {}
    for t, k in times.items():
        df = doc_frequency(searcher, "body", t) if k >= least else 0
        if 2 <= df <= most:
            weights[t] = k * _idf(df, n)
    key = sorted(weights, key=lambda t: (-weights[t], t))[:KEY_TERMS]
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
    if not key:
        return [], empty
    query = wq.Or([wq.Term("body", t, boost=1 + math.log(times[t])) for t in key])
    ids, scores = evaluate(query, ctx)
    reasons = [
        Reason(
            "word",
            reader_word(written[t]),
            np.sort(evaluate(wq.Term("body", t), ctx)[0]),
            weights[t],
        )
        for t in key
        if not is_cjk(t)  # a bigram may be a word (記憶) or a piece of two (準出): never told
    ]
    return reasons, (ids, scores)


def _most(n: int) -> float:
    """Return how many entries a key word or phrase may be in to count: a share of the archive,
    never more than MOST_DOCS (a word in 5% of 100,000 entries is no reason, and reading its
    posting list cold is most of a related list's time)."""
    return max(FEW_DOCS, min(COMMON_SHARE * n, MOST_DOCS))


def _idf(df: int, n: int) -> float:
    return math.log(1 + n / max(df, 1))


def _distinct(labels: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(labels))  # type: ignore[call-overload]


def _holds(sorted_ids: np.ndarray, n: int) -> bool:
    i = int(np.searchsorted(sorted_ids, n))
    return i < len(sorted_ids) and int(sorted_ids[i]) == n
