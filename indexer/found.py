"""What a query finds in one open generation: the entries it matches, after the filters, with
their counts, scores and rank key, and the order a page shows them in.

Moving parts: `Found` (what was matched, and what each hit says of itself: partial, on the
subject, brought by a synonym); `match_plain` (plain words, matching.py, then entries on the
same subject, subject.py); `match_parsed` (text with operators, query.py); `ordered` (rank or
date, total and stable, so pages never overlap); `highlight` (what snippets mark).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from indexer import subject as subjects
from indexer.facets import Counts, FilterSet, count
from indexer.highlight import Group, groups_for
from indexer.matching import (
    TIER,
    Clause,
    exact_tiers,
    match_clauses,
    with_exact,
    with_languages,
)
from indexer.postings import Postings, evaluate
from indexer.query import ParsedQuery, expand_wildcards, parse_text, resolve_themes
from indexer.results import Near, SearchRequest, SynonymUse
from indexer.subject import Subject
from indexer.view import View, labels_of, languages_of


@dataclass
class Found:
    """What the query text matched after filters: counts, display scores, the rank key, and for
    plain multi-word queries how many clauses each entry holds and how many hold all."""

    parsed: ParsedQuery
    counts: Counts
    scores: np.ndarray | None
    rank: np.ndarray | None
    partial: bool
    all_words: int | None = None
    tiers: np.ndarray | None = None
    clauses: int = 0
    groups: tuple[Group, ...] | None = None  # plain queries: each clause's highlight
    subject: Subject | None = None  # plain queries that found few: entries on their subject
    near: tuple[Near, ...] = ()  # plain words matched with their near spellings too (typos.py)
    synonyms: tuple[SynonymUse, ...] = ()  # plain words matched with the editors' synonyms
    # per use of the synonyms, the entries they alone found (hits say so)
    only_synonyms: list[tuple[SynonymUse, np.ndarray]] = field(default_factory=list)

    def synonyms_of(self, n: int) -> tuple[SynonymUse, ...]:
        """Return the synonyms that alone brought entry n (for the words they stand for)."""
        return tuple(use for use, only in self.only_synonyms if only[n])

    def is_partial(self, n: int) -> bool:
        """Tell whether entry n holds only some of the query's words."""
        return self.tiers is not None and int(self.tiers[n]) < self.clauses

    def is_subject(self, n: int) -> bool:
        """Tell whether entry n holds none of the words: it shares the best matches' subject."""
        return self.subject is not None and self.tiers is not None and int(self.tiers[n]) == 0

    def subject_words(self) -> tuple[str, ...]:
        """Return the key words a page names for the entries on the subject, if any are shown."""
        if self.subject is None or not self.on_subject():
            return ()
        return self.subject.words[: subjects.SHOWN]

    def on_subject(self) -> int:
        """Return how many of the results are there for their subject alone."""
        if self.subject is None or self.tiers is None:
            return 0
        return int(np.count_nonzero(self.tiers[self.counts.docs] == 0))


def match_plain(view: View, req: SearchRequest, clauses: list[Clause], ctx: Postings) -> Found:
    """Match plain words: every word first, then most of them (matching.py)."""
    found = match_clauses(clauses, ctx, view.searcher.reader())
    n = len(view.table.live)
    matched = np.zeros(n, dtype=bool)
    matched[found.ids] = True
    scores, rank = np.zeros(n), np.zeros(n)
    scores[found.ids] = found.scores
    rank[found.ids] = found.rank
    filters = _filters(view, req)
    counts = count(view.table, matched, filters)
    all_words = int(np.count_nonzero(found.held[counts.docs] == found.clauses))
    subject = None
    entries = int(np.count_nonzero(view.table.live))
    if req.subject and 0 < len(counts.docs) < subjects.BELOW and entries >= subjects.ARCHIVE:
        best = counts.docs[np.lexsort((counts.docs, -rank[counts.docs]))]
        asked = frozenset(t for c in clauses for seq in c.group.stem for t in seq)
        subject = subjects.on_subject(best, ctx, view.searcher, view.remembered, asked)
    if subject is not None:
        # after every entry holding a word: the best of those sharing the best ones' key
        # words (the filters apply to them too), by how much they share
        others = np.zeros(n, dtype=bool)
        others[subject.ids[~matched[subject.ids]]] = True
        pool = count(view.table, others, filters).docs
        shared = np.zeros(n)
        shared[subject.ids] = subject.scores
        added = pool[np.lexsort((pool, -shared[pool]))][: subjects.MOST]
        matched[added] = True
        scores[added] = shared[added]
        rank[added] = shared[added] - TIER
        counts = count(view.table, matched, filters)
    parsed = ParsedQuery(wq.Or([c.stem for c in clauses]), found.expanded, found.partial)
    tiers = found.held if found.clauses > 1 or subject is not None else None
    return Found(
        parsed,
        counts,
        scores,
        rank,
        ctx.partial or found.partial,
        all_words if found.clauses > 1 else None,
        tiers,
        found.clauses,
        tuple(c.group for c in clauses),
        subject,
    )


def match_parsed(view: View, req: SearchRequest, ctx: Postings) -> Found:
    """Match query text with operators through the query parser: strict, as typed; the
    entries holding more of the words as typed rank first."""
    q = parse_text(req.q, view.searcher.schema)
    if q is not None:
        q = with_exact(resolve_themes(q, labels_of(view)["theme"]), req.q)
        q = with_languages(q, req.q, languages_of(view, req))
    parsed = expand_wildcards(q, view.searcher.reader()) if q is not None else ParsedQuery(None)
    live = view.table.live
    if parsed.query is None:
        counts = count(view.table, live, _filters(view, req))
        return Found(parsed, counts, None, None, False)
    ids, found = evaluate(parsed.query, ctx)
    matched = np.zeros(len(live), dtype=bool)
    matched[ids] = True
    scores = np.zeros(len(live))
    scores[ids] = found
    rank = scores + exact_tiers(parsed.query, ctx) * TIER
    counts = count(view.table, matched, _filters(view, req))
    return Found(parsed, counts, scores, rank, ctx.partial or parsed.partial)


def _filters(view: View, req: SearchRequest) -> FilterSet:
    """Return the request's filters over the facets of the view's index."""
    return FilterSet.from_request(req, labels_of(view), view.table.facets)


def ordered(view: View, req: SearchRequest, found: Found, want: int) -> list[tuple[int, float]]:
    """Return the first `want` documents in the request's order, with scores."""
    docs, scores, ranked_all = found.counts.docs, found.scores, found.rank
    days = view.table.days[docs].astype(np.int64)
    if found.tiers is not None and req.sort in ("oldest", "newest"):
        # every word first, then most of them, each part by date
        day_key = days if req.sort == "oldest" else -days
        order = np.lexsort((docs, day_key, -found.tiers[docs]))[:want]
    elif req.sort == "oldest" or req.sort == "newest" or scores is None or ranked_all is None:
        # one key per document: the day, then the docnum, so the order is total
        day_key = days if req.sort == "oldest" else -days
        key = (day_key << 32) + docs
        top = (
            np.argpartition(key, want - 1)[:want] if 0 < want < len(docs) else np.arange(len(docs))
        )
        order = top[np.argsort(key[top])]
    else:
        ranked = ranked_all[docs]
        if want < len(docs):
            # every document tied with the last one taken competes, so pages never overlap
            cut = ranked[np.argpartition(-ranked, want - 1)[:want]].min()
            top = np.flatnonzero(ranked >= cut)
            order = top[np.lexsort((docs[top], -ranked[top]))][:want]
        else:
            order = np.lexsort((docs, -ranked))
    chosen = docs[order]
    points = scores[chosen] if scores is not None else np.zeros(len(chosen))
    return [(int(n), float(p)) for n, p in zip(chosen, points)]


def highlight(found: Found) -> tuple[Group, ...]:
    """Return what the snippets mark: each plain clause, or the parsed query's parts."""
    if found.groups is not None:
        extra = groups_for(None, found.parsed.expanded)
        return found.groups + extra
    return groups_for(found.parsed.query, found.parsed.expanded)
