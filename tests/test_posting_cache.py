"""The posting cache of an open generation: lists kept within a bound, and terms no entry
holds remembered apart, so a query asking for them again reads no segment."""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from indexer import postings
from indexer.library import Library


def test_a_term_no_entry_holds_is_read_once(library: Library, monkeypatch):
    view = library._view()
    ctx = postings.Postings(view.searcher, view.table.live, _terms=postings.PostingCache())
    reads = []
    real = postings._read_term
    monkeypatch.setattr(postings, "_read_term", lambda *a: reads.append(a[:2]) or real(*a))
    for _ in range(3):
        ids, _scores = postings.evaluate(wq.Term("title", "zzzznothing"), ctx)
        assert len(ids) == 0
    assert reads == [("title", "zzzznothing")]
    found = postings.evaluate(wq.Term("body", "autonom"), ctx)[0]
    assert len(found) and ("body", "autonom") in ctx._terms


def test_absent_terms_have_a_bound_of_their_own(monkeypatch):
    monkeypatch.setattr(postings, "MAX_ABSENT", 3)
    cache = postings.PostingCache()
    kept = (np.array([1, 2]), np.array([0.5, 0.5]))
    cache.put(("body", "kept"), kept)
    for i in range(5):
        cache.put(("body", f"absent{i}"), postings.EMPTY)
    assert len(cache.absent) <= 3 and ("body", "absent4") in cache.absent
    assert cache.get(("body", "absent4")) is postings.EMPTY
    assert cache.get(("body", "absent0")) is None  # forgotten: read again if asked
    assert cache.get(("body", "kept")) is kept  # the lists are not forgotten with them
