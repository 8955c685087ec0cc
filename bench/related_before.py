"""The related list before issue 11 (indexer/related.py at 2f1c5f4), kept for bench/related_relevance.py."""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analysis import EXACT, stems, surface_words
from indexer.documents import day_text
from indexer.postings import Postings, evaluate
from indexer.results import Related
from indexer.words import COMMON

KEY_TERMS = 25
# A key term in more than this share of the entries (and more than FEW_DOCS of them) says
# little about what is related, and reading its long posting list is most of the cost of a
# related list at 100,000 entries (60-270 ms cold): such terms are left out.
COMMON_SHARE = 0.05
FEW_DOCS = 50
MAX_SHARED = 6


def related_entries(
    searcher: Searcher, docnum: int, limit: int, ctx: Postings
) -> tuple[Related, ...]:
    """Return up to `limit` entries most like this one, each with the words both use.

    Like Whoosh's `more_like`: the entry's key terms (Bo1 model) weighted by their scores, as
    one OR query, but evaluated over whole posting lists (postings.py).
    """
    fields = searcher.stored_fields(docnum)
    text = fields.get("title", "") + "\n" + fields.get("body", "")
    # Whoosh scores key terms with stop words kept; a word that analyzes to nothing is one
    most = max(FEW_DOCS, COMMON_SHARE * searcher.doc_count())
    key = [
        (t, w)
        for t, w in searcher.key_terms_from_text("body", text, numterms=KEY_TERMS * 2)
        if not t.startswith(EXACT)
        and stems(t)
        and t not in COMMON
        and searcher.doc_frequency("body", t) <= most
    ][:KEY_TERMS]
    if not key:
        return ()
    ids, scores = evaluate(wq.Or([wq.Term("body", t, boost=w) for t, w in key]), ctx)
    others = ids != docnum
    ids, scores = ids[others], scores[others]
    order = np.lexsort((ids, -scores))[:limit]
    readable = surface_words(text, {t for t, _ in key})
    postings = {t: evaluate(wq.Term("body", t), ctx)[0] for t, _ in key}
    out = []
    for n, score in zip(ids[order], scores[order]):
        hit = searcher.stored_fields(int(n))
        shared = [readable[t] for t, _ in key if t in readable and _holds(postings[t], int(n))]
        out.append(
            Related(
                id=hit["id"],
                title=hit["title"],
                author=hit["author"],
                date=day_text(hit["day"]),
                shared=tuple(shared[:MAX_SHARED]),
                score=round(float(score), 4),
            )
        )
    return tuple(out)


def _holds(sorted_ids: np.ndarray, n: int) -> bool:
    i = int(np.searchsorted(sorted_ids, n))
    return i < len(sorted_ids) and int(sorted_ids[i]) == n
