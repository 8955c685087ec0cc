"""Who else writes on this: the authors closest to an entry's, or an author's, themes and key
phrases, and an author's themes over time.

An entry's closeness to every other entry comes from related.py (`profile`). An author's comes
from their entries: their themes, each weighted by how many of their entries have it and how
rare it is, and the key phrases that come back in their entries. Each other author is scored
by the closeness of their entries (summed, over the square root of how many they wrote, so a
prolific author is not close to everything), and named with the themes and phrases they share
and how many of their entries share them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

import numpy as np
from whoosh.searching import Searcher

from indexer.facetdefs import BY_NAME
from indexer.facets import FacetTable
from indexer.keyphrases import key_phrases
from indexer.postings import Postings
from indexer.related import FEW_DOCS, Profile, Reason, phrase_ids
from indexer.results import RelatedAuthor, ThemeTimeline
from indexer.trends import month_range, month_text

OWN_ENTRIES = 30  # an author's newest entries read for their key phrases
OWN_PHRASES = 8  # key phrases kept per author: those that come back in most of their entries
SHOWN = 4  # shared themes and phrases named per author
TIMELINE_THEMES = 6  # an author's themes shown over time


def near_entry(
    table: FacetTable, p: Profile, own: tuple[str, ...], limit: int
) -> tuple[RelatedAuthor, ...]:
    """Return the authors, other than the entry's own, closest to an entry's profile."""
    shown = [r for r in p.reasons if r.kind in ("theme", "phrase")]
    return _closest(table, p.scores, shown, own, limit)


def near_author(
    searcher: Searcher,
    table: FacetTable,
    ctx: Postings,
    name: str,
    labels: Mapping[str, str],
    limit: int,
) -> tuple[RelatedAuthor, ...]:
    """Return the authors closest to an author's themes and key phrases."""
    mine = author_docs(table, name)
    if not len(mine):
        return ()
    by_date = mine[np.argsort(table.days[mine], kind="stable")]
    reasons = _author_themes(table, mine, labels) + _author_phrases(searcher, ctx, by_date)
    if not reasons:
        return ()
    scores = np.zeros(len(table.live), dtype=np.float64)
    total = sum(r.weight for r in reasons)
    for r in reasons:
        scores[r.ids] += r.weight / total
    scores[mine] = 0.0
    return _closest(table, scores, reasons, (name,), limit)


def author_docs(table: FacetTable, name: str) -> np.ndarray:
    """Return the live documents of an author, ascending."""
    column = table.columns["author"]
    mask = column.mask(frozenset([BY_NAME["author"].key(name)]), len(table.live))
    if mask is None:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(mask & table.live)


def timeline(
    table: FacetTable, name: str, labels: Mapping[str, str]
) -> tuple[tuple[str, ...], tuple[ThemeTimeline, ...]]:
    """Return an author's months (YYYY-MM, first to last) and their most frequent themes, each
    with its entries per month."""
    mine = author_docs(table, name)
    if not len(mine):
        return (), ()
    column = table.columns["theme"]
    assert column.docs is not None
    held = np.isin(column.docs, mine)
    codes, docs = column.coded.codes[held], column.docs[held]
    months = table.days[mine] // 100
    keys = month_range(int(months.min()), int(months.max()))
    where = {k: i for i, k in enumerate(keys)}
    rows = []
    for code, _ in Counter(codes.tolist()).most_common(TIMELINE_THEMES):
        slug = column.coded.values[code]
        per = np.zeros(len(keys), dtype=np.int64)
        for m in (table.days[docs[codes == code]] // 100).tolist():
            per[where[m]] += 1
        rows.append(
            ThemeTimeline(
                slug, _label(column, slug, labels), int(per.sum()), tuple(int(x) for x in per)
            )
        )
    return tuple(month_text(k) for k in keys), tuple(rows)


def _closest(
    table: FacetTable, scores: np.ndarray, reasons: list[Reason], own: tuple[str, ...], limit: int
) -> tuple[RelatedAuthor, ...]:
    column = table.columns["author"]
    assert column.docs is not None
    live = table.live[column.docs]
    docs, codes = column.docs[live], column.coded.codes[live]
    n_values = len(column.coded.values)
    written = np.bincount(codes, minlength=n_values)
    close = np.bincount(codes, weights=scores[docs], minlength=n_values)
    ranked = close / np.sqrt(np.maximum(written, 1))
    # only an author with an entry that shares a theme or phrase is named (without this, the
    # loop below would look at every author, thousands, for an entry that shares nothing)
    shares = np.zeros(len(table.live), dtype=bool)
    for r in reasons:
        shares[r.ids] = True
    ranked[np.bincount(codes[shares[docs]], minlength=n_values) == 0] = 0.0
    skip = {BY_NAME["author"].key(a) for a in own}
    out: list[RelatedAuthor] = []
    for code in np.argsort(-ranked, kind="stable").tolist():
        if ranked[code] <= 0 or len(out) == limit:
            break
        name = column.coded.values[code]
        if BY_NAME["author"].key(name) in skip:
            continue
        # the column's rows grouped by value, kept with it (not a pass over every document
        # per author looked at, nor a sort per request: thousands of authors at 100,000)
        theirs = column.docs[column.coded.rows(np.array([code]))]
        theirs = theirs[table.live[theirs]]
        held = [_held(r.ids, theirs) for r in reasons]
        shared = [(r, int(h.sum())) for r, h in zip(reasons, held) if h.any()]
        if not shared:
            continue
        out.append(
            RelatedAuthor(
                name=name,
                count=int(np.logical_or.reduce(held).sum()),
                entries=int(written[code]),
                themes=tuple(r.label for r, _ in _top(shared, "theme")),
                phrases=tuple(r.label for r, _ in _top(shared, "phrase")),
                score=round(float(ranked[code]), 4),
            )
        )
    return tuple(out)


def _held(sorted_ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Return which of the documents are among the sorted ids (a look-up per document: an
    author's few entries against a theme's thousands)."""
    if not len(sorted_ids):
        return np.zeros(len(docs), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, docs), len(sorted_ids) - 1)
    return sorted_ids[at] == docs


def _top(shared: list[tuple[Reason, int]], kind: str) -> list[tuple[Reason, int]]:
    mine = [(r, k) for r, k in shared if r.kind == kind]
    return sorted(mine, key=lambda rk: (-rk[1] * rk[0].weight, rk[0].label))[:SHOWN]


def _author_themes(table: FacetTable, mine: np.ndarray, labels: Mapping[str, str]) -> list[Reason]:
    column = table.columns["theme"]
    assert column.docs is not None
    live = table.live[column.docs]
    docs, codes = column.docs[live], column.coded.codes[live]
    n = int(table.live.sum())
    df = np.bincount(codes, minlength=len(column.coded.values))
    theirs = np.bincount(codes[np.isin(docs, mine)], minlength=len(column.coded.values))
    out = []
    for code in np.flatnonzero(theirs).tolist():
        if df[code] < 2:
            continue
        slug = column.coded.values[code]
        weight = theirs[code] / len(mine) * math.log(1 + n / df[code])
        out.append(
            Reason(
                "theme", _label(column, slug, labels), np.sort(docs[codes == code]), float(weight)
            )
        )
    return out


def _author_phrases(searcher: Searcher, ctx: Postings, by_date: np.ndarray) -> list[Reason]:
    newest = by_date[-OWN_ENTRIES:]
    counts: Counter[tuple[str, str]] = Counter()
    words: dict[tuple[str, str], str] = {}
    for n in newest.tolist():
        f = searcher.stored_fields(n)
        for p in key_phrases(f.get("title", "") + "\n" + f.get("body", "")):
            counts[p.terms] += 1
            words.setdefault(p.terms, p.words)
    least = 2 if len(newest) > 1 else 1
    n_docs = searcher.doc_count()
    most = max(FEW_DOCS, 0.05 * n_docs)
    out: list[Reason] = []
    for terms, k in counts.most_common():
        if k < least or len(out) == OWN_PHRASES:
            break
        ids = phrase_ids(terms, ctx, most)
        if len(ids) > k:  # someone else uses it too
            weight = k / len(newest) * math.log(1 + n_docs / len(ids))
            out.append(Reason("phrase", words[terms], ids, weight))
    return out


def _label(column: object, slug: str, labels: Mapping[str, str]) -> str:
    own = getattr(column, "labels", {})
    return own.get(slug) or labels.get(slug) or slug
