"""Whoosh's own answers (search, groupedby, Phrase: its plain, slow paths) beside the fast paths'
(postings, facets), for the oracle tests of the fixture archive and of the scale archive."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from whoosh import query as wq
from whoosh import sorting
from whoosh.searching import Searcher

from indexer.postings import Postings, evaluate
from indexer.query import parse_text
from indexer.results import SearchRequest, SearchResult


def counts(result: SearchResult, facet: str) -> dict[str, int]:
    """A facet's non-zero counts (a selected value with no match is listed with 0)."""
    values = result.facet(facet).results
    assert len({v.value for v in values}) == len(values), f"{facet}: a value listed twice"
    return {v.value: v.count for v in values if v.count}


def whoosh_counts(searcher: Searcher, q: wq.Query) -> dict[str, dict[str, int]]:
    """Count author, section, theme and year of q's matches with Whoosh's groupedby."""
    facets = sorting.Facets()
    facets.add_field("authors_col", maptype=sorting.Count)  # one author per entry here
    facets.add_field("section", maptype=sorting.Count)
    facets.add_field("themes", allow_overlap=True, maptype=sorting.Count)
    facets.add_field("day", maptype=sorting.Count)
    results = searcher.search(q, groupedby=facets, limit=None)

    def text(key: Any) -> str:
        return key.decode("utf-8") if isinstance(key, bytes) else str(key)

    years: Counter[str] = Counter()
    for day, n in results.groups("day").items():
        years[str(int(day) // 10000)] += n
    return {
        "author": {text(k): n for k, n in results.groups("authors_col").items() if n},
        "section": {text(k): n for k, n in results.groups("section").items() if n},
        "theme": {text(k): n for k, n in results.groups("themes").items() if n and k is not None},
        "year": dict(years),
        "total": {"": len(results)},
    }


def _any(field: str, values: list[str]) -> wq.Query | None:
    return wq.Or([wq.Term(field, v) for v in values]) if values else None


def _and(*parts: wq.Query | None) -> wq.Query:
    """Every entry that matches all the parts (documents without an id, such as the index's
    vocabulary documents, are not entries)."""
    return wq.And([wq.Every("id")] + [p for p in parts if p is not None])


def expected_facets(
    searcher: Searcher, req: SearchRequest
) -> tuple[dict[str, dict[str, int]], int]:
    """Return what each facet counts for req by Whoosh's groupedby (the matches of the query
    and every *other* facet's selection), and the number of matches."""
    text = parse_text(req.q, searcher.schema)
    day = None
    if req.date_from or req.date_to:
        low = req.date_from.day if req.date_from else None
        high = req.date_to.day if req.date_to else None
        day = wq.NumericRange(
            "day",
            low.year * 10000 + low.month * 100 + low.day if low else None,
            high.year * 10000 + high.month * 100 + high.day if high else None,
        )
    authors = _any("authors_col", list(req.authors))
    sections = _any("section", list(req.sections))
    themes = _any("themes", list(req.themes))
    expect = {
        "author": whoosh_counts(searcher, _and(text, sections, themes, day))["author"],
        "section": whoosh_counts(searcher, _and(text, authors, themes, day))["section"],
        "theme": whoosh_counts(searcher, _and(text, authors, sections, day))["theme"],
        "year": whoosh_counts(searcher, _and(text, authors, sections, themes))["year"],
    }
    total = whoosh_counts(searcher, _and(text, authors, sections, themes, day))["total"][""]
    return expect, total


def compare_scores(searcher: Searcher, text: str, scored: bool = True) -> dict[str, float]:
    """Assert that the posting-list evaluator finds the entries Whoosh's search finds for the
    query the parser makes of text, with Whoosh's BM25F scores (unless not `scored`); return
    them by id."""
    q = parse_text(text, searcher.schema)
    assert q is not None
    live = np.array([not searcher.reader().is_deleted(n)
                     for n in range(searcher.doc_count_all())])  # fmt: skip
    ids, scores = evaluate(q, Postings(searcher, live))
    core = {searcher.stored_fields(int(n))["id"]: round(float(v), 4)
            for n, v in zip(ids, scores)}  # fmt: skip
    whoosh = {searcher.stored_fields(h.docnum)["id"]: h.score
              for h in searcher.search(q, limit=None)}  # fmt: skip
    assert set(core) == set(whoosh)
    if not scored:
        return core
    wrong = [(i, v, round(whoosh[i], 4)) for i, v in core.items()
             if v != pytest.approx(whoosh[i], rel=1e-4, abs=1e-4)]  # fmt: skip
    assert not wrong, f"{len(wrong)} of {len(core)} scores differ (id, core, whoosh): {wrong[:5]}"
    return core
