"""What a query finds in one open generation (found.py): plain and parsed matching, then the
order of a page, over the tiny real archive."""

from __future__ import annotations

import numpy as np

from indexer.found import highlight, match_parsed, match_plain, ordered
from indexer.library import Library
from indexer.matching import plain_clauses
from indexer.params import parse_request


def _found(library: Library, q: str, **params: str):
    req = parse_request({"q": [q], **{k: [v] for k, v in params.items()}})
    view = library._view()
    ctx = library._postings(view)
    clauses = plain_clauses(q)
    found = (
        match_plain(view, req, clauses, ctx)
        if clauses and '"' not in q
        else match_parsed(view, req, ctx)
    )
    return view, req, found


def test_every_order_is_total_so_pages_never_overlap(library: Library) -> None:
    view, req, found = _found(library, "")
    every = [n for n, _ in ordered(view, req, found, len(found.counts.docs))]
    assert sorted(every) == sorted(found.counts.docs.tolist())
    pages = [
        n for k in range(1, len(every) + 1) for n, _ in ordered(view, req, found, k)[k - 1 : k]
    ]
    assert pages == every  # the k-th of the first k is the k-th of all


def test_plain_words_mark_partial_entries_and_put_them_after_the_full_ones(
    library: Library,
) -> None:
    view, req, found = _found(library, "autonomy deprecation")
    shown = [n for n, _ in ordered(view, req, found, len(found.counts.docs))]
    partial = [found.is_partial(n) for n in shown]
    assert partial == sorted(partial)  # every full match before any partial one
    assert found.all_words == partial.count(False)
    assert {g.stem for g in highlight(found)} >= {(("autonom",),), (("deprec",),)}


def test_parsed_queries_are_strict_and_scored(library: Library) -> None:
    view, req, found = _found(library, '"user autonomy"')
    assert found.tiers is None and found.scores is not None
    assert len(found.counts.docs) >= 1
    assert np.all(found.scores[found.counts.docs] > 0)
