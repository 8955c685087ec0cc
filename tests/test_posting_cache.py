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


def test_past_the_bound_the_lists_used_least_recently_go_first(monkeypatch):
    monkeypatch.setattr(postings, "CACHE_POSTINGS", 2 * (100 + postings.ENTRY_COST))
    cache = postings.PostingCache()

    def docs(n: int) -> postings.Docs:
        return np.arange(n, dtype=np.int64), np.ones(n)

    a, b, c = docs(100), docs(100), docs(100)
    cache.put(("body", "a"), a)
    cache.put(("body", "b"), b)
    assert cache.get(("body", "a")) is a  # a is now the more recently used
    cache.put(("body", "c"), c)
    assert cache.get(("body", "b")) is None  # the least recently used went
    assert cache.get(("body", "a")) is a and cache.get(("body", "c")) is c
    assert cache.held == 2 * (100 + postings.ENTRY_COST)
    cache.put(("body", "c"), c)  # kept again under its key: counted once
    assert cache.held == 2 * (100 + postings.ENTRY_COST)
    cache.put(("body", "huge"), docs(1000))  # larger than the bound: not kept, nothing lost
    assert cache.get(("body", "huge")) is None and len(cache) == 2
